using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using OutreachOS.Ingestion.Contracts;
using OutreachOS.IntegrationTests.Api;

namespace OutreachOS.IntegrationTests.Ingestion.CrmSettings;

/// <summary>
/// Per-organization CRM accounts (ADR 0032) through the real host, each test on its own database (whether the deployment's
/// HubSpot token applies depends on how many organizations exist) against the loopback HubSpot stub, which keeps one
/// account per token and records every request's Authorization header.
/// </summary>
public sealed class CrmOrganizationSettingsTests : IAsyncLifetime
{
    private const string DeploymentToken = ProviderStub.HubSpotToken;
    private const string TokenA = "test-hubspot-token-organization-a-0123456789";
    private const string TokenB = "test-hubspot-token-organization-b-9876543210";
    private const string Alice = "alice@orga-customer.test";
    private const string Bob = "bob@orgb-customer.test";

    private ProviderStub _stub = null!;

    public async Task InitializeAsync()
    {
        _stub = await ProviderStub.StartAsync();
        _stub.HubSpotContacts[Alice] = ("hs-deployment-alice", "Alice", "Deployment", "Shared Account Inc");
        _stub.HubSpotAccount(TokenA)[Alice] = ("hs-a-alice", "Alice", "Ames", "Customer of A");
        _stub.HubSpotAccount(TokenB)[Bob] = ("hs-b-bob", "Bob", "Burr", "Customer of B");
    }

    public async Task DisposeAsync() => await _stub.DisposeAsync();

    private Uri HubSpotApi => new(_stub.BaseUrl, "hubspot/");

    /// <summary>The deployment's token configured as before ADR 0032; organizations may aim at the loopback stub.</summary>
    private Dictionary<string, string?> Settings(bool shared = false, bool stubAllowed = true)
    {
        var settings = _stub.Settings();
        if (stubAllowed)
        {
            settings["Crm:HubSpot:AllowedHosts"] = "127.0.0.1";
            settings["Crm:HubSpot:AllowHttp"] = "true";
        }
        if (shared)
        {
            settings["Crm:HubSpot:SharedAcrossOrganizations"] = "true";
        }
        return settings;
    }

    [Fact]
    public async Task An_organization_without_its_own_settings_gets_nothing_from_the_deployment_account_and_writes_nothing_to_it()
    {
        await using var app = await OutreachApp.StartAsync(Settings());
        var (adminB, orgB, _) = await TestOrganizations.CreateAsync(app, "B");
        var (viewerB, _, _) = await TestOrganizations.IssueKeyAsync(app, adminB, """{"name":"b viewer","role":"VIEWER"}""");

        foreach (var client in new[] { viewerB, adminB })
        {
            using var response = await client.GetAsync($"/contacts/{Alice}");
            Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        }
        Assert.Equal("NONE", (await GetJsonAsync(viewerB, "/settings/crm"))["source"]!.GetValue<string>());

        var crm = app.Services.GetRequiredService<ICrmAdapter>();
        Assert.Null(await crm.LogNoteAsync(orgB, Alice, "Draft reply to \"Renewal\" approved by api_key:b"));
        Assert.DoesNotContain(_stub.Requests, r => r.Path.StartsWith("/hubspot/", StringComparison.Ordinal));
    }

    [Fact]
    public async Task The_deployment_token_serves_the_only_organization_and_no_organization_once_a_second_one_exists()
    {
        await using var app = await OutreachApp.StartAsync(Settings());
        var platform = app.ClientWithKey();
        Assert.Equal("hs-deployment-alice", (await GetJsonAsync(platform, $"/contacts/{Alice}"))["crm_id"]!.GetValue<string>());
        Assert.Equal(1, Searches(Alice, DeploymentToken));
        using var single = await platform.GetAsync("/settings/crm"); // checked below: the contact is what matters most

        await TestOrganizations.CreateAsync(app, "second");

        // The same organization, the same contact (cached a moment ago): no longer served, and HubSpot is not asked.
        using (var response = await platform.GetAsync($"/contacts/{Alice}"))
        {
            Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        }
        Assert.Equal(1, Searches(Alice, DeploymentToken));

        Assert.Equal(HttpStatusCode.OK, single.StatusCode);
        var view = JsonNode.Parse(await single.Content.ReadAsStringAsync())!;
        Assert.Equal(("DEPLOYMENT", false, "127.0.0.1"), (view["source"]!.GetValue<string>(), view["configured"]!.GetValue<bool>(), view["base_host"]!.GetValue<string>()));
        Assert.Equal("NONE", (await GetJsonAsync(platform, "/settings/crm"))["source"]!.GetValue<string>());
    }

    [Fact]
    public async Task Shared_on_purpose_the_deployment_account_serves_every_organization_without_its_own_and_its_own_wins()
    {
        await using var app = await OutreachApp.StartAsync(Settings(shared: true));
        var (adminB, _, _) = await TestOrganizations.CreateAsync(app, "B");
        Assert.Equal("hs-deployment-alice", (await GetJsonAsync(adminB, $"/contacts/{Alice}"))["crm_id"]!.GetValue<string>());
        Assert.Equal("DEPLOYMENT", (await GetJsonAsync(adminB, "/settings/crm"))["source"]!.GetValue<string>());

        await PutAsync(adminB, TokenB);

        using (var response = await adminB.GetAsync($"/contacts/{Alice}"))
        {
            Assert.Equal(HttpStatusCode.NotFound, response.StatusCode); // its own account has no Alice; the shared one is not asked
        }
        Assert.Equal("hs-b-bob", (await GetJsonAsync(adminB, $"/contacts/{Bob}"))["crm_id"]!.GetValue<string>());
        Assert.Equal((1, 1), (Searches(Alice, DeploymentToken), Searches(Alice, TokenB)));
    }

    [Fact]
    public async Task Each_organization_reads_and_writes_only_its_own_account()
    {
        await using var app = await OutreachApp.StartAsync(Settings());
        var (adminA, orgA, _) = await TestOrganizations.CreateAsync(app, "A");
        var (adminB, orgB, _) = await TestOrganizations.CreateAsync(app, "B");
        await PutAsync(adminA, TokenA);
        await PutAsync(adminB, TokenB);

        Assert.Equal(("hs-a-alice", "Customer of A"), CrmFields(await GetJsonAsync(adminA, $"/contacts/{Alice}")));
        Assert.Equal(("hs-b-bob", "Customer of B"), CrmFields(await GetJsonAsync(adminB, $"/contacts/{Bob}")));
        foreach (var (client, email) in new[] { (adminA, Bob), (adminB, Alice) })
        {
            using var response = await client.GetAsync($"/contacts/{email}");
            Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        }

        var crm = app.Services.GetRequiredService<ICrmAdapter>();
        Assert.NotNull(await crm.LogNoteAsync(orgA, Alice, "Draft reply to \"Renewal A\" approved by api_key:a"));
        Assert.Null(await crm.LogNoteAsync(orgB, Alice, "Draft reply to \"Renewal B\" approved by api_key:b")); // not in B's account

        var noteA = Assert.Single(_stub.Requests, r => r.Path == "/hubspot/crm/v3/objects/notes");
        Assert.Equal("Bearer " + TokenA, noteA.Authorization);
        Assert.Contains("Renewal A", noteA.Body, StringComparison.Ordinal);
        Assert.Contains("\"id\":\"hs-a-alice\"", noteA.Body, StringComparison.Ordinal);
        Assert.Equal(2, Searches(Alice, TokenB)); // B's lookup and B's note asked B's account
        Assert.DoesNotContain(_stub.Requests, r => r.Authorization == "Bearer " + DeploymentToken);
    }

    [Fact]
    public async Task Changing_or_removing_an_organizations_settings_applies_to_the_very_next_lookup()
    {
        await using var app = await OutreachApp.StartAsync(Settings());
        var (adminA, _, _) = await TestOrganizations.CreateAsync(app, "A");
        await PutAsync(adminA, TokenA);
        Assert.Equal("hs-a-alice", (await GetJsonAsync(adminA, $"/contacts/{Alice}"))["crm_id"]!.GetValue<string>());
        Assert.Equal("hs-a-alice", (await GetJsonAsync(adminA, $"/contacts/{Alice}"))["crm_id"]!.GetValue<string>());
        Assert.Equal(1, Searches(Alice, TokenA)); // cached

        await PutAsync(adminA, TokenB); // another account, without Alice
        using (var response = await adminA.GetAsync($"/contacts/{Alice}"))
        {
            Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        }
        Assert.Equal(1, Searches(Alice, TokenB));

        await PutAsync(adminA, TokenA);
        Assert.Equal("hs-a-alice", (await GetJsonAsync(adminA, $"/contacts/{Alice}"))["crm_id"]!.GetValue<string>());
        Assert.Equal(2, Searches(Alice, TokenA));

        using (var delete = await adminA.DeleteAsync("/settings/crm"))
        {
            Assert.Equal(HttpStatusCode.NoContent, delete.StatusCode);
        }
        using (var response = await adminA.GetAsync($"/contacts/{Alice}"))
        {
            Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        }
        Assert.Equal(2, Searches(Alice, TokenA));
    }

    [Fact]
    public async Task Settings_need_an_admin_key_are_validated_and_the_token_never_leaves_the_host()
    {
        var key = Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32));
        var settings = Settings();
        settings["Secrets:Keys:crm"] = key;
        await using var app = await OutreachApp.StartAsync(settings);
        var (admin, orgA, adminKeyId) = await TestOrganizations.CreateAsync(app, "A");
        var (member, _, _) = await TestOrganizations.IssueKeyAsync(app, admin, """{"name":"sdr"}""");
        var (viewer, _, _) = await TestOrganizations.IssueKeyAsync(app, admin, """{"name":"board","role":"VIEWER"}""");
        var body = new { provider = "HUBSPOT", access_token = TokenA, base_url = HubSpotApi.ToString() };

        foreach (var client in new[] { admin, member, viewer })
        {
            var initial = await GetJsonAsync(client, "/settings/crm");
            Assert.Equal((false, "NONE"), (initial["configured"]!.GetValue<bool>(), initial["source"]!.GetValue<string>()));
        }
        foreach (var client in new[] { member, viewer })
        {
            await TestOrganizations.ProblemAsync(await client.PutAsJsonAsync("/settings/crm", body), HttpStatusCode.Forbidden);
            await TestOrganizations.ProblemAsync(await client.DeleteAsync("/settings/crm"), HttpStatusCode.Forbidden);
        }

        await AssertInvalidAsync(admin, new { }, "provider", "access_token");
        await AssertInvalidAsync(admin, new { provider = "SALESFORCE", access_token = TokenA }, "provider");
        await AssertInvalidAsync(admin, new { provider = "HUBSPOT" }, "access_token");
        await AssertInvalidAsync(admin, new { provider = "HUBSPOT", access_token = "short" }, "access_token");
        await AssertInvalidAsync(admin, new { provider = "HUBSPOT", access_token = "test-token with a space in it" }, "access_token");
        await AssertInvalidAsync(admin, new { provider = "HUBSPOT", access_token = "test-token-ünïcödé-0123456789" }, "access_token");
        await AssertInvalidAsync(admin, new { provider = "HUBSPOT", access_token = "test-token-newline\r\nX-Injected: 1" }, "access_token");
        await AssertInvalidAsync(admin, new { provider = "HUBSPOT", access_token = TokenA, base_url = "not a url" }, "base_url");
        await AssertInvalidAsync(admin, new { provider = "HUBSPOT", access_token = TokenA, base_url = "ftp://127.0.0.1/hubspot/" }, "base_url");
        await AssertInvalidAsync(admin, new { provider = "HUBSPOT", access_token = TokenA, base_url = "https://intranet.example/hubspot/" }, "base_url");
        await AssertInvalidAsync(admin, new { provider = "HUBSPOT", access_token = TokenA, base_url = $"http://user:pw@{HubSpotApi.Authority}/hubspot/" }, "base_url");
        await AssertInvalidAsync(admin, new { provider = "HUBSPOT", access_token = TokenA, base_url = HubSpotApi + "?x=1" }, "base_url");
        Assert.False((await GetJsonAsync(admin, "/settings/crm"))["configured"]!.GetValue<bool>());

        using (var put = await admin.PutAsJsonAsync("/settings/crm", body))
        {
            Assert.Equal(HttpStatusCode.OK, put.StatusCode);
            Assert.DoesNotContain(TokenA, await put.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }
        foreach (var client in new[] { admin, member, viewer })
        {
            var raw = await client.GetStringAsync("/settings/crm");
            Assert.DoesNotContain(TokenA, raw, StringComparison.Ordinal);
            var got = JsonNode.Parse(raw)!;
            Assert.True(got["configured"]!.GetValue<bool>());
            Assert.Equal(("ORGANIZATION", "HUBSPOT", "127.0.0.1"), (got["source"]!.GetValue<string>(), got["provider"]!.GetValue<string>(), got["base_host"]!.GetValue<string>()));
            Assert.True(got["access_token_set"]!.GetValue<bool>());
            Assert.True(got["encrypted_at_rest"]!.GetValue<bool>());
            Assert.Equal($"api_key:{adminKeyId}", got["updated_by"]!.GetValue<string>());
            Assert.NotNull(got["updated_at"]);
        }

        // The token may be omitted to keep the stored one.
        using (var keep = await admin.PutAsJsonAsync("/settings/crm", new { provider = "hubspot", base_url = HubSpotApi.ToString() }))
        {
            Assert.Equal(HttpStatusCode.OK, keep.StatusCode);
        }
        Assert.Equal("hs-a-alice", (await GetJsonAsync(viewer, $"/contacts/{Alice}"))["crm_id"]!.GetValue<string>());

        // Stored encrypted, bound to the organization and the column.
        await using var db = NpgsqlDataSource.Create(app.ConnectionString);
        await using (var row = db.CreateCommand("SELECT access_token FROM oos.ingestion_crm_credentials WHERE tenant_id = $1"))
        {
            row.Parameters.AddWithValue(orgA);
            var stored = (string)(await row.ExecuteScalarAsync())!;
            Assert.StartsWith("enc:v1:crm:", stored, StringComparison.Ordinal);
            Assert.DoesNotContain(TokenA, stored, StringComparison.Ordinal);
        }

        // Another organization sees none of it and cannot remove it.
        var (other, _, _) = await TestOrganizations.CreateAsync(app, "other");
        Assert.False((await GetJsonAsync(other, "/settings/crm"))["configured"]!.GetValue<bool>());
        Assert.Equal(HttpStatusCode.NoContent, (await other.DeleteAsync("/settings/crm")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await other.GetAsync("/audit/streams/crm-settings")).StatusCode);
        Assert.True((await GetJsonAsync(admin, "/settings/crm"))["configured"]!.GetValue<bool>());

        Assert.Equal(HttpStatusCode.NoContent, (await admin.DeleteAsync("/settings/crm")).StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, (await admin.DeleteAsync("/settings/crm")).StatusCode); // idempotent: nothing appended
        Assert.False((await GetJsonAsync(admin, "/settings/crm"))["configured"]!.GetValue<bool>());

        // The audit trail: facts only, on the organization's crm-settings stream.
        var auditRaw = await viewer.GetStringAsync("/audit/streams/crm-settings");
        Assert.DoesNotContain(TokenA, auditRaw, StringComparison.Ordinal);
        var events = JsonNode.Parse(auditRaw)!["events"]!.AsArray();
        Assert.Equal(["ingestion_crm_settings_set.v1", "ingestion_crm_settings_set.v1", "ingestion_crm_settings_removed.v1"],
            events.Select(e => e!["type"]!.GetValue<string>()));
        Assert.Equal(("HUBSPOT", "127.0.0.1", true), (events[0]!["data"]!["provider"]!.GetValue<string>(), events[0]!["data"]!["base_host"]!.GetValue<string>(),
            events[0]!["data"]!["access_token_changed"]!.GetValue<bool>()));
        Assert.False(events[1]!["data"]!["access_token_changed"]!.GetValue<bool>());
        Assert.Equal($"api_key:{adminKeyId}", events[2]!["data"]!["removed_by"]!.GetValue<string>());

        // No event of any organization holds the token, in its data or its metadata.
        await using (var scan = db.CreateCommand("SELECT count(*) FROM oos.events WHERE data::text LIKE $1 OR metadata::text LIKE $1"))
        {
            scan.Parameters.AddWithValue($"%{TokenA}%");
            Assert.Equal(0L, (long)(await scan.ExecuteScalarAsync())!);
        }
        await using (var count = db.CreateCommand("SELECT count(*) FROM oos.events WHERE tenant_id = $1 AND stream_id = 'crm-settings'"))
        {
            count.Parameters.AddWithValue(orgA);
            Assert.Equal(3L, (long)(await count.ExecuteScalarAsync())!);
        }
    }

    [Fact]
    public async Task An_http_base_url_or_a_host_outside_the_allowed_list_is_refused_by_default()
    {
        await using var app = await OutreachApp.StartAsync(Settings(stubAllowed: false));
        var admin = app.ClientWithKey();
        await AssertInvalidAsync(admin, new { provider = "HUBSPOT", access_token = TokenA, base_url = HubSpotApi.ToString() }, "base_url");
        await AssertInvalidAsync(admin, new { provider = "HUBSPOT", access_token = TokenA, base_url = "https://127.0.0.1/hubspot/" }, "base_url");
        using var ok = await admin.PutAsJsonAsync("/settings/crm", new { provider = "HUBSPOT", access_token = TokenA, base_url = "https://api.hubapi.com" });
        Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
        Assert.Equal("api.hubapi.com", JsonNode.Parse(await ok.Content.ReadAsStringAsync())!["base_host"]!.GetValue<string>());
    }

    [Fact]
    public async Task Tokens_stored_in_clear_are_encrypted_at_start_and_a_row_copied_to_another_organization_gives_it_no_crm()
    {
        string cs;
        Guid orgA, orgB;
        await using (var plain = await OutreachApp.StartAsync(Settings()))
        {
            cs = plain.ConnectionString;
            (var adminA, orgA, _) = await TestOrganizations.CreateAsync(plain, "A");
            (_, orgB, _) = await TestOrganizations.CreateAsync(plain, "B");
            await PutAsync(adminA, TokenA);
            Assert.False((await GetJsonAsync(adminA, "/settings/crm"))["encrypted_at_rest"]!.GetValue<bool>());
        }
        await using var db = NpgsqlDataSource.Create(cs);
        Assert.Equal(TokenA, await StoredTokenAsync(db, orgA)); // no key: stored as given

        var settings = Settings();
        settings["Secrets:Keys:a"] = Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32));
        await using var keyed = await OutreachApp.StartAsync(settings, cs);
        Assert.StartsWith("enc:v1:a:", await StoredTokenAsync(db, orgA), StringComparison.Ordinal);
        var crm = keyed.Services.GetRequiredService<ICrmAdapter>();
        Assert.Equal("hs-a-alice", (await crm.FindContactAsync(orgA, Alice))!.CrmId);
        Assert.Equal(1, Searches(Alice, TokenA));

        // Copied into B's row, A's token does not decrypt there: B has no CRM (neither A's account nor the deployment's).
        await using (var copy = db.CreateCommand("""
            INSERT INTO oos.ingestion_crm_credentials SELECT $1, provider, base_url, access_token, updated_by, updated_at
            FROM oos.ingestion_crm_credentials WHERE tenant_id = $2
            """))
        {
            copy.Parameters.AddWithValue(orgB);
            copy.Parameters.AddWithValue(orgA);
            await copy.ExecuteNonQueryAsync();
        }
        Assert.Null(await crm.FindContactAsync(orgB, Alice));
        Assert.Null(await crm.LogNoteAsync(orgB, Alice, "note"));
        Assert.Equal(1, Searches(Alice, TokenA));
        Assert.Equal(0, Searches(Alice, DeploymentToken));
    }

    private static async Task<string> StoredTokenAsync(NpgsqlDataSource db, Guid org)
    {
        await using var cmd = db.CreateCommand("SELECT access_token FROM oos.ingestion_crm_credentials WHERE tenant_id = $1");
        cmd.Parameters.AddWithValue(org);
        return (string)(await cmd.ExecuteScalarAsync())!;
    }

    private int Searches(string email, string token) =>
        _stub.Requests.Count(r => r.Path == "/hubspot/crm/v3/objects/contacts/search" && r.Authorization == "Bearer " + token
            && r.Body.Contains($"\"value\":\"{email}\"", StringComparison.OrdinalIgnoreCase));

    private async Task PutAsync(HttpClient admin, string token)
    {
        using var put = await admin.PutAsJsonAsync("/settings/crm", new { provider = "HUBSPOT", access_token = token, base_url = HubSpotApi.ToString() });
        Assert.True(put.StatusCode == HttpStatusCode.OK, await put.Content.ReadAsStringAsync());
    }

    private static (string CrmId, string Company) CrmFields(JsonNode contact) =>
        (contact["crm_id"]!.GetValue<string>(), contact["company"]!.GetValue<string>());

    private static async Task<JsonNode> GetJsonAsync(HttpClient client, string path)
    {
        using var response = await client.GetAsync(path);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"GET {path}: {(int)response.StatusCode} {text}");
        return JsonNode.Parse(text)!;
    }

    private static async Task AssertInvalidAsync(HttpClient client, object body, params string[] fields)
    {
        using var put = await client.PutAsJsonAsync("/settings/crm", body);
        var problem = await TestOrganizations.ProblemAsync(put, HttpStatusCode.BadRequest);
        var errors = problem.GetProperty("errors");
        Assert.Equal(fields.Order(StringComparer.Ordinal), errors.EnumerateObject().Select(p => p.Name).Order(StringComparer.Ordinal));
    }
}
