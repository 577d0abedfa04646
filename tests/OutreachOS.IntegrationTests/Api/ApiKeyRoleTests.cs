using System.Net;
using System.Text.Json;

namespace OutreachOS.IntegrationTests.Api;

/// <summary>
/// API key roles through the real host: a MEMBER key does the work and reads, but only an ADMIN key changes the
/// organization's keys, policies, templates and integrations; a VIEWER key only reads; the last ADMIN key cannot be
/// revoked.
/// </summary>
public sealed class ApiKeyRoleTests
{
    private static Task<JsonElement> JsonAsync(HttpResponseMessage r) => HostTests.JsonAsync(r);

    private static StringContent Json(string json) => HostTests.Json(json);

    private static Task<JsonElement> ProblemAsync(HttpResponseMessage r, HttpStatusCode status) => TestOrganizations.ProblemAsync(r, status);

    private static async Task<(HttpClient Admin, Guid AdminKeyId)> OrganizationAsync(OutreachApp app, string name)
    {
        var (admin, _, keyId) = await TestOrganizations.CreateAsync(app, name);
        return (admin, keyId);
    }

    private static Task<(HttpClient Client, Guid Id, JsonElement Created)> IssueAsync(OutreachApp app, HttpClient admin, string body) =>
        TestOrganizations.IssueKeyAsync(app, admin, body);

    [Fact]
    public async Task A_member_key_works_and_reads_but_every_settings_change_needs_an_admin_key()
    {
        await using var app = await OutreachApp.StartAsync();
        var (admin, _) = await OrganizationAsync(app, "Roles");
        var (member, memberId, created) = await IssueAsync(app, admin, """{"name":"sdr"}""");
        Assert.Equal("MEMBER", created.GetProperty("role").GetString()); // the default: the least a key needs

        // The work and the reads; a key can tell what it may do.
        var me = (await JsonAsync(await member.GetAsync("/organizations/me"))).GetProperty("api_key");
        Assert.Equal((memberId, "MEMBER"), (me.GetProperty("id").GetGuid(), me.GetProperty("role").GetString()));
        Assert.Equal("ADMIN", (await JsonAsync(await admin.GetAsync("/organizations/me"))).GetProperty("api_key").GetProperty("role").GetString());
        Assert.Equal(HttpStatusCode.OK, (await member.GetAsync("/guardrails/policy")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await member.GetAsync("/api-keys")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await member.GetAsync("/integrations/slack")).StatusCode);
        var personalize = await member.PostAsync("/personalize", Json("""
            {"channel":"EMAIL","tone":"PROFESSIONAL","goal":"book a 15-min call","variant_count":1,
             "lead":{"first_name":"Sarah","last_name":"Chen","title":"VP of Sales","company_name":"Acme Logistics","domain":"acmelogistics.com"},
             "company_context":{"summary":"Acme Logistics runs same-day freight for regional retailers.","keywords":["freight visibility"]}}
            """));
        Assert.Equal(HttpStatusCode.OK, personalize.StatusCode);

        // Every change of how the organization works: 403 with the reason, before the body is even read (the last one is
        // not valid JSON).
        HttpResponseMessage[] refused =
        [
            await member.PostAsync("/api-keys", Json("""{"name":"escalate","role":"ADMIN"}""")),
            await member.PostAsync("/api-keys", Json("""{"name":"another"}""")),
            await member.DeleteAsync($"/api-keys/{memberId}"),
            await member.PutAsync("/guardrails/policy", Json("""{"forbidden_phrases":["x"]}""")),
            await member.PutAsync("/policies", Json("""{"rules":[]}""")),
            await member.PutAsync("/templates", Json("""{"templates":{}}""")),
            await member.PutAsync("/integrations/slack", Json("""{"webhook_url":"https://hooks.slack.com/services/T/B/x","signing_secret":"0123456789abcdef"}""")),
            await member.DeleteAsync("/integrations/slack"),
            await member.PostAsync("/organizations", Json("""{"name":"X","tier":"FREE"}""")),
            await member.PutAsync("/guardrails/policy", Json("""{"forbidden_phrases": """)),
        ];
        foreach (var response in refused)
        {
            var problem = await ProblemAsync(response, HttpStatusCode.Forbidden);
            Assert.Contains("MEMBER", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
            Assert.Contains("ADMIN", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        }
        Assert.Equal(HttpStatusCode.OK, (await member.GetAsync("/organizations/me")).StatusCode); // still a working key

        // The same changes with the ADMIN key.
        Assert.Equal(HttpStatusCode.OK, (await admin.PutAsync("/guardrails/policy", Json("""{"forbidden_phrases":["x"]}"""))).StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, (await admin.DeleteAsync($"/api-keys/{memberId}")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await member.GetAsync("/organizations/me")).StatusCode);
    }

    [Fact]
    public async Task A_viewer_key_reads_everything_of_its_organization_and_changes_nothing()
    {
        await using var app = await OutreachApp.StartAsync();
        var (admin, _) = await OrganizationAsync(app, "Auditors");
        var (viewer, viewerId, created) = await IssueAsync(app, admin, """{"name":"board dashboard","role":"VIEWER"}""");
        Assert.Equal("VIEWER", created.GetProperty("role").GetString());
        var personalized = await admin.PostAsync("/personalize", Json("""
            {"channel":"EMAIL","tone":"PROFESSIONAL","goal":"book a 15-min call","variant_count":1,
             "lead":{"first_name":"Sarah","last_name":"Chen","title":"VP of Sales","company_name":"Acme Logistics","domain":"acmelogistics.com"},
             "company_context":{"summary":"Acme Logistics runs same-day freight for regional retailers.","keywords":["freight visibility"]}}
            """));
        Assert.Equal(HttpStatusCode.OK, personalized.StatusCode);
        var requestId = (await JsonAsync(personalized)).GetProperty("request_id").GetGuid();
        var stream = $"personalization-{requestId:N}";

        // Every read, including the two that are POSTs because of their protocol or verb: a GraphQL query and a hash-chain
        // verification.
        var me = (await JsonAsync(await viewer.GetAsync("/organizations/me"))).GetProperty("api_key");
        Assert.Equal((viewerId, "VIEWER"), (me.GetProperty("id").GetGuid(), me.GetProperty("role").GetString()));
        foreach (var path in new[] { $"/personalize/{requestId}", "/credits", "/audit/streams", $"/audit/streams/{stream}", "/api-keys",
                     "/guardrails/policy", "/policies", "/templates", "/integrations/slack", "/drafts", "/qa/pending", "/admin/dead-letters" })
        {
            var read = await viewer.GetAsync(path);
            Assert.True(read.StatusCode == HttpStatusCode.OK, $"GET {path}: {(int)read.StatusCode} {await read.Content.ReadAsStringAsync()}");
        }
        var verified = await viewer.PostAsync($"/audit/streams/{stream}/verify", null);
        Assert.Equal(HttpStatusCode.OK, verified.StatusCode);
        Assert.True((await JsonAsync(verified)).GetProperty("valid").GetBoolean());
        var graph = await JsonAsync(await viewer.PostAsync("/graphql", Json("""{"query":"{ organization { name } credits { available } apiKey { id role } }"}""")));
        Assert.False(graph.TryGetProperty("errors", out _), graph.ToString());
        Assert.Equal("Auditors", graph.GetProperty("data").GetProperty("organization").GetProperty("name").GetString());
        var key = graph.GetProperty("data").GetProperty("apiKey"); // what the dashboard reads to show a read-only session
        Assert.Equal((viewerId.ToString(), "VIEWER"), (key.GetProperty("id").GetString(), key.GetProperty("role").GetString()));

        var streamsBefore = (await JsonAsync(await admin.GetAsync("/audit/streams"))).GetArrayLength();
        var creditsBefore = (await JsonAsync(await admin.GetAsync("/credits"))).GetProperty("available").GetInt32();

        // Every change: 403 naming the role and what the operation needs, before the body is read (the last one is not
        // valid JSON). Work endpoints and settings alike.
        var someId = Guid.NewGuid();
        HttpResponseMessage[] refused =
        [
            await viewer.PostAsync("/personalize", Json("""{"channel":"EMAIL"}""")),
            await viewer.PostAsync($"/personalize/{requestId}/select", Json("""{"variant_index":0}""")),
            await viewer.PostAsync($"/personalize/{requestId}/regenerate", null),
            await viewer.PostAsync($"/personalize/{requestId}/replay", Json("{}")),
            await viewer.PostAsync($"/drafts/{someId}/approve", Json("{}")),
            await viewer.PostAsync($"/drafts/{someId}/reject", Json("""{"reason":"no"}""")),
            await viewer.PostAsync($"/qa/{someId}/verdict", Json("""{"correct":true}""")),
            await viewer.PostAsync("/ingest/email", Json("""{"from":"a@b.c"}""")),
            await viewer.PostAsync("/contacts/import", Json("[]")),
            await viewer.PostAsync("/outbound/sends", Json("{}")),
            await viewer.PostAsync($"/outbound/{requestId}/meeting", Json("{}")),
            await viewer.PostAsync($"/admin/dead-letters/{someId}/redrive", null),
            await viewer.PostAsync("/admin/messaging/probe", null),
            await viewer.PostAsync("/personalize", Json("""{"channel": """)),
        ];
        foreach (var response in refused)
        {
            var detail = (await ProblemAsync(response, HttpStatusCode.Forbidden)).GetProperty("detail").GetString();
            Assert.Contains("VIEWER", detail, StringComparison.Ordinal);
            Assert.Contains("MEMBER or ADMIN", detail, StringComparison.Ordinal);
        }
        // The settings an ADMIN key changes answer as they do for a MEMBER key.
        HttpResponseMessage[] adminOnly =
        [
            await viewer.PutAsync("/guardrails/policy", Json("""{"forbidden_phrases":["x"]}""")),
            await viewer.PostAsync("/api-keys", Json("""{"name":"escalate","role":"ADMIN"}""")),
            await viewer.DeleteAsync($"/api-keys/{viewerId}"),
            await viewer.DeleteAsync("/integrations/slack"),
            await viewer.PostAsync("/credits/reservations", Json("{}")),
        ];
        foreach (var response in adminOnly)
        {
            var detail = (await ProblemAsync(response, HttpStatusCode.Forbidden)).GetProperty("detail").GetString();
            Assert.Contains("VIEWER", detail, StringComparison.Ordinal);
            Assert.Contains("needs an ADMIN key", detail, StringComparison.Ordinal);
        }

        // Nothing was written: no stream, no credit moved, the request's record unchanged.
        Assert.Equal(streamsBefore, (await JsonAsync(await admin.GetAsync("/audit/streams"))).GetArrayLength());
        Assert.Equal(creditsBefore, (await JsonAsync(await admin.GetAsync("/credits"))).GetProperty("available").GetInt32());
        var record = await JsonAsync(await viewer.GetAsync($"/personalize/{requestId}"));
        Assert.Equal(JsonValueKind.Null, record.GetProperty("selection").ValueKind);

        // A VIEWER key is not an ADMIN key for the last-ADMIN rule, and it can be revoked like any other.
        Assert.Equal(HttpStatusCode.NoContent, (await admin.DeleteAsync($"/api-keys/{viewerId}")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await viewer.GetAsync("/organizations/me")).StatusCode);
    }

    [Fact]
    public async Task Roles_are_listed_chosen_at_issue_and_an_unknown_role_is_a_400_naming_the_field()
    {
        await using var app = await OutreachApp.StartAsync();
        var (admin, adminId) = await OrganizationAsync(app, "Listing");
        var (_, secondAdminId, second) = await IssueAsync(app, admin, """{"name":"ops lead","role":"ADMIN"}""");
        Assert.Equal("ADMIN", second.GetProperty("role").GetString());
        var (_, memberId, _) = await IssueAsync(app, admin, """{"name":"sdr","role":"MEMBER"}""");

        var keys = (await JsonAsync(await admin.GetAsync("/api-keys"))).EnumerateArray()
            .ToDictionary(k => k.GetProperty("id").GetGuid(), k => k.GetProperty("role").GetString());
        Assert.Equal(new Dictionary<Guid, string?> { [adminId] = "ADMIN", [secondAdminId] = "ADMIN", [memberId] = "MEMBER" }, keys);

        var bad = await ProblemAsync(await admin.PostAsync("/api-keys", Json("""{"name":"x","role":"OWNER"}""")), HttpStatusCode.BadRequest);
        Assert.True(bad.GetProperty("errors").TryGetProperty("role", out _), bad.ToString());

        // The platform's bootstrap key is ADMIN too.
        var platformKeys = await JsonAsync(await app.ClientWithKey().GetAsync("/api-keys"));
        Assert.All(platformKeys.EnumerateArray(), k => Assert.Equal("ADMIN", k.GetProperty("role").GetString()));
    }

    [Fact]
    public async Task The_last_active_admin_key_cannot_be_revoked_even_by_two_concurrent_revocations()
    {
        await using var app = await OutreachApp.StartAsync();
        var (admin, adminId) = await OrganizationAsync(app, "Last admin");

        var last = await ProblemAsync(await admin.DeleteAsync($"/api-keys/{adminId}"), HttpStatusCode.Conflict);
        Assert.Contains("last active ADMIN key", last.GetProperty("detail").GetString(), StringComparison.Ordinal);

        // Two ADMIN keys, each revoking the other at the same moment: exactly one may win, one ADMIN key remains.
        for (var round = 0; round < 5; round++)
        {
            var (other, otherId, _) = await IssueAsync(app, admin, $$"""{"name":"admin {{round}}","role":"ADMIN"}""");
            var revokes = await Task.WhenAll(admin.DeleteAsync($"/api-keys/{otherId}"), other.DeleteAsync($"/api-keys/{adminId}"));
            // The loser gets 409, or 401 when the winner's revocation committed before the loser's key was even checked.
            Assert.Single(revokes, r => r.StatusCode == HttpStatusCode.NoContent);
            Assert.Single(revokes, r => r.StatusCode is HttpStatusCode.Conflict or HttpStatusCode.Unauthorized);
            if (revokes[1].StatusCode == HttpStatusCode.NoContent)
            {
                (admin, adminId) = (other, otherId); // the first key is gone; the other one is the organization's admin now
            }
            var active = (await JsonAsync(await admin.GetAsync("/api-keys"))).EnumerateArray()
                .Where(k => k.GetProperty("role").GetString() == "ADMIN" && k.GetProperty("revoked_at").ValueKind == JsonValueKind.Null).ToList();
            Assert.Single(active);
        }
    }
}
