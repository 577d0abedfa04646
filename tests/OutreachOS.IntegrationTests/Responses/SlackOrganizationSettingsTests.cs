using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using OutreachOS.IntegrationTests.Api;
using OutreachOS.IntegrationTests.Messaging;
using OutreachOS.Triage.Contracts;
using OutreachOS.Triage.Responses;
using OutreachOS.Triage.Slack;

namespace OutreachOS.IntegrationTests.Responses;

/// <summary>
/// Per-organization Slack settings through the real host: CRUD and validation of <c>/integrations/slack</c>, the secret
/// and the webhook token never leaving the host (GET, audit), notifications on the organization's own webhook stub,
/// interaction signatures checked with the draft's organization's secret, and the deployment fallback.
/// </summary>
public sealed class SlackOrganizationSettingsTests(ResponsesFixture f) : IClassFixture<ResponsesFixture>
{
    private const string SecretA = "org-a-signing-secret-0123456789";
    private const string SecretB = "org-b-signing-secret-9876543210";

    [Fact]
    public async Task Settings_are_validated_set_read_without_the_secret_kept_out_of_the_audit_trail_and_removed()
    {
        var (client, _) = await f.NewOrganizationAsync();
        await using var hook = await WebhookStub.StartAsync("/services/TORGA/BORGA/tokenOfOrgA");

        var initial = await GetJsonAsync(client, "/integrations/slack");
        Assert.False(initial["configured"]!.GetValue<bool>());
        Assert.Equal("DEPLOYMENT", initial["source"]!.GetValue<string>());

        await AssertInvalidAsync(client, new { signing_secret = SecretA }, "webhook_url");
        await AssertInvalidAsync(client, new { webhook_url = "not a url", signing_secret = SecretA }, "webhook_url");
        await AssertInvalidAsync(client, new { webhook_url = "ftp://127.0.0.1/x", signing_secret = SecretA }, "webhook_url");
        await AssertInvalidAsync(client, new { webhook_url = "https://intranet.example/services/x", signing_secret = SecretA }, "webhook_url");
        await AssertInvalidAsync(client, new { webhook_url = hook.Url.ToString() }, "signing_secret");
        await AssertInvalidAsync(client, new { webhook_url = hook.Url.ToString(), signing_secret = "short" }, "signing_secret");
        await AssertInvalidAsync(client, new { webhook_url = hook.Url.ToString(), signing_secret = "has a space in the secret" }, "signing_secret");
        Assert.False((await GetJsonAsync(client, "/integrations/slack"))["configured"]!.GetValue<bool>());

        using (var put = await client.PutAsJsonAsync("/integrations/slack", new { webhook_url = hook.Url.ToString(), signing_secret = SecretA }))
        {
            Assert.Equal(HttpStatusCode.OK, put.StatusCode);
            AssertNoSecrets(await put.Content.ReadAsStringAsync());
        }

        var getRaw = await client.GetStringAsync("/integrations/slack");
        AssertNoSecrets(getRaw);
        var got = JsonNode.Parse(getRaw)!;
        Assert.True(got["configured"]!.GetValue<bool>());
        Assert.Equal("ORGANIZATION", got["source"]!.GetValue<string>());
        Assert.Equal("127.0.0.1", got["webhook_host"]!.GetValue<string>());
        Assert.True(got["signing_secret_set"]!.GetValue<bool>());

        // Changing only the webhook keeps the stored secret.
        using (var put = await client.PutAsJsonAsync("/integrations/slack", new { webhook_url = hook.Url.ToString() }))
        {
            Assert.Equal(HttpStatusCode.OK, put.StatusCode);
        }

        // Another organization sees none of it.
        var (other, _) = await f.NewOrganizationAsync();
        Assert.False((await GetJsonAsync(other, "/integrations/slack"))["configured"]!.GetValue<bool>());
        using (var foreignDelete = await other.DeleteAsync("/integrations/slack"))
        {
            Assert.Equal(HttpStatusCode.NoContent, foreignDelete.StatusCode);
        }

        Assert.True((await GetJsonAsync(client, "/integrations/slack"))["configured"]!.GetValue<bool>());

        using (var delete = await client.DeleteAsync("/integrations/slack"))
        {
            Assert.Equal(HttpStatusCode.NoContent, delete.StatusCode);
        }

        Assert.False((await GetJsonAsync(client, "/integrations/slack"))["configured"]!.GetValue<bool>());

        var auditRaw = await client.GetStringAsync($"/audit/streams/{SlackSettingsStreams.StreamId}");
        AssertNoSecrets(auditRaw);
        var types = JsonNode.Parse(auditRaw)!["events"]!.AsArray().Select(e => e!["type"]!.GetValue<string>()).ToList();
        Assert.Equal(["triage_slack_settings_set.v1", "triage_slack_settings_set.v1", "triage_slack_settings_removed.v1"], types);
        var first = JsonNode.Parse(auditRaw)!["events"]![0]!["data"]!;
        Assert.Equal("127.0.0.1", first["webhook_host"]!.GetValue<string>());
        Assert.True(first["signing_secret_changed"]!.GetValue<bool>());
        Assert.False(JsonNode.Parse(auditRaw)!["events"]![1]!["data"]!["signing_secret_changed"]!.GetValue<bool>());
        using (var foreignAudit = await other.GetAsync($"/audit/streams/{SlackSettingsStreams.StreamId}"))
        {
            Assert.Equal(HttpStatusCode.NotFound, foreignAudit.StatusCode);
        }

        static void AssertNoSecrets(string raw)
        {
            Assert.DoesNotContain(SecretA, raw, StringComparison.Ordinal);
            Assert.DoesNotContain("tokenOfOrgA", raw, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task An_organizations_draft_is_posted_to_its_own_webhook_and_only_its_own_secret_signs_its_buttons()
    {
        var (clientA, orgA) = await f.NewOrganizationAsync();
        var (clientB, orgB) = await f.NewOrganizationAsync();
        await using var hookA = await WebhookStub.StartAsync("/services/TA/BA/tokenA");
        await using var hookB = await WebhookStub.StartAsync("/services/TB/BB/tokenB");
        await PutAsync(clientA, hookA.Url, SecretA);
        await PutAsync(clientB, hookB.Url, SecretB);

        var d = await f.DecideAsync(ResponsePath.DraftForReview, "support", "My invoice PDF is empty.", organizationId: orgA, subject: "Invoice A");
        var draftId = ResponseIds.DraftId(d.Decision.DecisionId);
        await Eventually.TrueAsync(() => Task.FromResult(hookA.Bodies.Any(b => b.Contains(draftId.ToString("N"), StringComparison.Ordinal))),
            "the notification on organization A's webhook");
        await WaitForDraftAsync(clientA, draftId);
        Assert.DoesNotContain(hookB.Bodies, b => b.Contains(draftId.ToString("N"), StringComparison.Ordinal));
        Assert.DoesNotContain(f.Slack.Bodies, b => b.Contains(draftId.ToString("N"), StringComparison.Ordinal));

        var body = InteractionBody(orgA, draftId);
        using var anonymous = f.App.CreateClient();
        var now = Now();

        // Organization B's secret, the deployment's secret (A has its own) and a payload that names B for A's draft: refused.
        await AssertRefusedAsync(anonymous, body, SecretB);
        await AssertRefusedAsync(anonymous, body, ResponsesFixture.SigningSecret);
        var movedToB = InteractionBody(orgB, draftId);
        await AssertRefusedAsync(anonymous, movedToB, SecretB);
        Assert.Equal("PENDING", (await GetJsonAsync(clientA, $"/drafts/{draftId}"))["status"]!.GetValue<string>());

        using (var ok = await anonymous.SendAsync(SlackRequest(body, now, SlackSignature.Compute(SecretA, now, body))))
        {
            Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
            Assert.Equal("APPROVED", JsonNode.Parse(await ok.Content.ReadAsStringAsync())!["status"]!.GetValue<string>());
        }

        Assert.Single(f.Sink.WithMessageId(f.MessageIdOf(d)));
    }

    [Fact]
    public async Task The_stored_webhook_and_secret_are_encrypted_bound_to_their_organization()
    {
        var (clientA, orgA) = await f.NewOrganizationAsync();
        var (_, orgB) = await f.NewOrganizationAsync();
        await using var hook = await WebhookStub.StartAsync("/services/TE/BE/tokenOfTheEncryptedOrg");
        await PutAsync(clientA, hook.Url, SecretA);
        Assert.True((await GetJsonAsync(clientA, "/integrations/slack"))["encrypted_at_rest"]!.GetValue<bool>());

        await using var db = Npgsql.NpgsqlDataSource.Create(f.App.ConnectionString);
        var (url, secret) = await RowAsync(db, orgA);
        Assert.StartsWith("enc:v1:fixture:", url, StringComparison.Ordinal);
        Assert.StartsWith("enc:v1:fixture:", secret, StringComparison.Ordinal);
        Assert.DoesNotContain("tokenOfTheEncryptedOrg", url, StringComparison.Ordinal);
        Assert.DoesNotContain(SecretA, secret, StringComparison.Ordinal);

        // Copied to another organization's row, the values do not decrypt there: its settings are refused, not adopted.
        await using (var copy = db.CreateCommand("INSERT INTO oos.triage_slack_credentials SELECT $1, webhook_url, signing_secret, updated_by, updated_at FROM oos.triage_slack_credentials WHERE tenant_id = $2"))
        {
            copy.Parameters.AddWithValue(orgB);
            copy.Parameters.AddWithValue(orgA);
            await copy.ExecuteNonQueryAsync();
        }
        var store = f.App.Services.GetRequiredService<SlackSettingsStore>();
        await Assert.ThrowsAsync<OutreachOS.BuildingBlocks.Security.SecretUnreadableException>(() => store.GetAsync(orgB, CancellationToken.None));
        Assert.Equal(SecretA, (await store.GetAsync(orgA, CancellationToken.None))!.SigningSecret);
        await using (var cleanup = db.CreateCommand("DELETE FROM oos.triage_slack_credentials WHERE tenant_id = $1"))
        {
            cleanup.Parameters.AddWithValue(orgB);
            await cleanup.ExecuteNonQueryAsync();
        }
    }

    [Fact]
    public async Task Rows_stored_before_a_key_was_configured_or_under_a_retired_key_are_re_encrypted_at_start_and_stay_readable()
    {
        var keyA = Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32));
        var keyB = Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32));
        var hook = new Uri("https://hooks.slack.com/services/TEST/TEST/not-a-token");
        string cs;
        Guid org;
        await using (var plain = await OutreachApp.StartAsync())
        {
            cs = plain.ConnectionString;
            var created = JsonNode.Parse(await (await plain.ClientWithKey().PostAsJsonAsync("/organizations", new { name = "legacy", tier = "PRO" })).Content.ReadAsStringAsync())!;
            org = Guid.Parse(created["organization"]!["id"]!.GetValue<string>());
            var client = plain.ClientWithKey(created["api_key"]!["key"]!.GetValue<string>());
            await PutAsync(client, hook, SecretA);
            Assert.False((await GetJsonAsync(client, "/integrations/slack"))["encrypted_at_rest"]!.GetValue<bool>());
        }
        await using var db = Npgsql.NpgsqlDataSource.Create(cs);
        Assert.Equal((hook.AbsoluteUri, SecretA), await RowAsync(db, org)); // no key: stored as given

        await using (var withA = await OutreachApp.StartAsync(new Dictionary<string, string?> { ["Secrets:Keys:a"] = keyA }, cs))
        {
            var (url, secret) = await RowAsync(db, org);
            Assert.StartsWith("enc:v1:a:", url, StringComparison.Ordinal);
            Assert.StartsWith("enc:v1:a:", secret, StringComparison.Ordinal);
            var settings = await withA.Services.GetRequiredService<SlackSettingsStore>().GetAsync(org, CancellationToken.None);
            Assert.Equal((hook, SecretA), (settings!.WebhookUrl, settings.SigningSecret));
        }

        // Rotation: B becomes the active key while A stays configured; the row moves to B.
        await using (var withB = await OutreachApp.StartAsync(
            new Dictionary<string, string?> { ["Secrets:Keys:a"] = keyA, ["Secrets:Keys:b"] = keyB, ["Secrets:ActiveKey"] = "b" }, cs))
        {
            var (url, secret) = await RowAsync(db, org);
            Assert.StartsWith("enc:v1:b:", url, StringComparison.Ordinal);
            Assert.StartsWith("enc:v1:b:", secret, StringComparison.Ordinal);
            var settings = await withB.Services.GetRequiredService<SlackSettingsStore>().GetAsync(org, CancellationToken.None);
            Assert.Equal((hook, SecretA), (settings!.WebhookUrl, settings.SigningSecret));
        }
    }

    private static async Task<(string Url, string Secret)> RowAsync(Npgsql.NpgsqlDataSource db, Guid org)
    {
        await using var cmd = db.CreateCommand("SELECT webhook_url, signing_secret FROM oos.triage_slack_credentials WHERE tenant_id = $1");
        cmd.Parameters.AddWithValue(org);
        await using var r = await cmd.ExecuteReaderAsync();
        Assert.True(await r.ReadAsync());
        return (r.GetString(0), r.GetString(1));
    }

    [Fact]
    public async Task An_unknown_draft_is_refused_exactly_like_a_bad_signature()
    {
        using var anonymous = f.App.CreateClient();
        var unknown = InteractionBody(f.OrganizationId, Guid.NewGuid());
        var known = await f.DecideAsync(ResponsePath.DraftForReview, "support", "The export button does nothing.", subject: "Export");
        var draftId = ResponseIds.DraftId(known.Decision.DecisionId);
        await WaitForDraftAsync(f.Client, draftId);
        var forged = InteractionBody(f.OrganizationId, draftId);

        var now = Now();
        using var a = await anonymous.SendAsync(SlackRequest(unknown, now, SlackSignature.Compute(ResponsesFixture.SigningSecret, now, unknown)));
        using var b = await anonymous.SendAsync(SlackRequest(forged, now, SlackSignature.Compute("somebody-elses-secret-000000", now, forged)));
        Assert.Equal(HttpStatusCode.Unauthorized, a.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, b.StatusCode);
        var pa = JsonNode.Parse(await a.Content.ReadAsStringAsync())!;
        var pb = JsonNode.Parse(await b.Content.ReadAsStringAsync())!;
        Assert.Equal(pb["title"]!.GetValue<string>(), pa["title"]!.GetValue<string>());
        Assert.Equal(pb["detail"]!.GetValue<string>(), pa["detail"]!.GetValue<string>());
        Assert.Equal(pb["type"]!.GetValue<string>(), pa["type"]!.GetValue<string>());
    }

    [Fact]
    public async Task An_organization_without_settings_uses_the_deployment_webhook_and_secret_and_falls_back_again_after_delete()
    {
        var (client, org) = await f.NewOrganizationAsync();
        await using var own = await WebhookStub.StartAsync("/services/TC/BC/tokenC");
        await PutAsync(client, own.Url, SecretA);
        using (var delete = await client.DeleteAsync("/integrations/slack"))
        {
            Assert.Equal(HttpStatusCode.NoContent, delete.StatusCode);
        }

        var d = await f.DecideAsync(ResponsePath.DraftForReview, "support", "Where do I change my billing address?", organizationId: org, subject: "Billing");
        var draftId = ResponseIds.DraftId(d.Decision.DecisionId);
        await Eventually.TrueAsync(() => Task.FromResult(f.Slack.Bodies.Any(b => b.Contains(draftId.ToString("N"), StringComparison.Ordinal))),
            "the notification on the deployment's webhook");
        await WaitForDraftAsync(client, draftId);
        Assert.Empty(own.Bodies);

        using var anonymous = f.App.CreateClient();
        var body = InteractionBody(org, draftId, SlackNotifier.RejectAction);
        await AssertRefusedAsync(anonymous, body, SecretA); // the removed secret no longer signs anything
        var now = Now();
        using var ok = await anonymous.SendAsync(SlackRequest(body, now, SlackSignature.Compute(ResponsesFixture.SigningSecret, now, body)));
        Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
        Assert.Equal("REJECTED", JsonNode.Parse(await ok.Content.ReadAsStringAsync())!["status"]!.GetValue<string>());
    }

    private static async Task PutAsync(HttpClient client, Uri webhook, string secret)
    {
        using var put = await client.PutAsJsonAsync("/integrations/slack", new { webhook_url = webhook.ToString(), signing_secret = secret });
        Assert.Equal(HttpStatusCode.OK, put.StatusCode);
    }

    private static async Task AssertInvalidAsync(HttpClient client, object body, string field)
    {
        using var put = await client.PutAsJsonAsync("/integrations/slack", body);
        Assert.Equal(HttpStatusCode.BadRequest, put.StatusCode);
        var problem = JsonNode.Parse(await put.Content.ReadAsStringAsync())!;
        Assert.NotNull(problem["errors"]![field]);
    }

    private static async Task AssertRefusedAsync(HttpClient anonymous, string body, string secret)
    {
        var now = Now();
        using var response = await anonymous.SendAsync(SlackRequest(body, now, SlackSignature.Compute(secret, now, body)));
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("The Slack signature does not match.", JsonNode.Parse(await response.Content.ReadAsStringAsync())!["detail"]!.GetValue<string>());
    }

    private static string InteractionBody(Guid org, Guid draftId, string action = SlackNotifier.ApproveAction)
    {
        var payload = $$"""{"type":"block_actions","user":{"id":"U9","username":"sam"},"actions":[{"action_id":"{{action}}","value":"{{org:N}}:{{draftId:N}}"}]}""";
        return "payload=" + Uri.EscapeDataString(payload);
    }

    private static string Now() => DateTimeOffset.UtcNow.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);

    private static HttpRequestMessage SlackRequest(string body, string timestamp, string signature) =>
        ResponsePathTests.SlackRequest(body, timestamp, signature);

    private static async Task<JsonNode> GetJsonAsync(HttpClient client, string path) => JsonNode.Parse(await client.GetStringAsync(path))!;

    private static async Task WaitForDraftAsync(HttpClient client, Guid draftId) =>
        await Eventually.TrueAsync(async () =>
        {
            using var r = await client.GetAsync($"/drafts/{draftId}");
            return r.StatusCode == HttpStatusCode.OK;
        }, $"draft {draftId}");
}
