using Microsoft.Extensions.DependencyInjection;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;

namespace OutreachOS.IntegrationTests.Api;

public sealed class HostTests
{
    internal static async Task<JsonElement> JsonAsync(HttpResponseMessage r) =>
        JsonDocument.Parse(await r.Content.ReadAsStringAsync()).RootElement;

    internal static StringContent Json(string json) => new(json, Encoding.UTF8, "application/json");

    private static async Task AssertProblemAsync(HttpResponseMessage r, HttpStatusCode status)
    {
        Assert.Equal(status, r.StatusCode);
        Assert.Equal("application/problem+json", r.Content.Headers.ContentType?.MediaType);
        var body = await JsonAsync(r);
        Assert.Equal((int)status, body.GetProperty("status").GetInt32());
        Assert.False(string.IsNullOrEmpty(body.GetProperty("title").GetString()));
    }

    [Fact]
    public async Task The_dashboard_cannot_be_framed_by_another_site_and_sends_no_referrer()
    {
        var dist = Directory.CreateTempSubdirectory("oos-dash-");
        await File.WriteAllTextAsync(Path.Combine(dist.FullName, "index.html"), "<!doctype html><title>OutreachOS</title>");
        await using var app = await OutreachApp.StartAsync(new Dictionary<string, string?> { ["Dashboard:Path"] = dist.FullName });
        using var response = await app.CreateClient().GetAsync("/drafts-page-that-the-spa-routes");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var csp = response.Headers.GetValues("Content-Security-Policy").Single();
        var directives = csp.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .ToDictionary(d => d.Split(' ')[0], d => d[(d.IndexOf(' ', StringComparison.Ordinal) + 1)..]);
        Assert.Equal("'none'", directives["frame-ancestors"]);
        // Scripts, styles and API calls only from the host itself: no inline script or style, no eval, no other origin
        // that an injected tag could load from or send the session's API key to (ADR 0015).
        Assert.Equal("'self'", directives["default-src"]);
        Assert.Equal("'self'", directives["script-src"]);
        Assert.Equal("'self'", directives["style-src"]);
        Assert.Equal("'self'", directives["connect-src"]);
        Assert.Equal("'self' data:", directives["img-src"]);
        Assert.Equal("'self'", directives["form-action"]);
        Assert.Equal("'none'", directives["object-src"]);
        Assert.Equal("'self'", directives["base-uri"]);
        Assert.DoesNotContain("unsafe", csp, StringComparison.Ordinal);
        Assert.Equal("DENY", response.Headers.GetValues("X-Frame-Options").Single());
        Assert.Equal("no-referrer", response.Headers.GetValues("Referrer-Policy").Single());
        dist.Delete(recursive: true);
    }

    [Fact]
    public async Task Requests_without_a_valid_key_get_401_problem_details()
    {
        await using var app = await OutreachApp.StartAsync();
        var anonymous = await app.ClientWithKey(null).GetAsync("/organizations/me");
        await AssertProblemAsync(anonymous, HttpStatusCode.Unauthorized);
        Assert.Contains("Bearer", anonymous.Headers.WwwAuthenticate.ToString(), StringComparison.Ordinal);

        await AssertProblemAsync(await app.ClientWithKey("oos_not-a-real-key").GetAsync("/organizations/me"), HttpStatusCode.Unauthorized);
        await AssertProblemAsync(await app.ClientWithKey(null).GetAsync("/audit/streams"), HttpStatusCode.Unauthorized);

        // Each refusal says why: no key, an unknown key, a key too long to be one.
        async Task<string?> DetailAsync(string? key) =>
            (await JsonAsync(await app.ClientWithKey(key).GetAsync("/organizations/me"))).GetProperty("detail").GetString();
        Assert.StartsWith("Send an API key as", await DetailAsync(null), StringComparison.Ordinal);
        Assert.Equal("The API key is unknown or revoked.", await DetailAsync("oos_not-a-real-key"));
        Assert.Contains("malformed", await DetailAsync(new string('k', 201)), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Bootstrap_key_authenticates_by_bearer_or_x_api_key_as_the_platform_organization()
    {
        await using var app = await OutreachApp.StartAsync();
        var me = await JsonAsync(await app.ClientWithKey().GetAsync("/organizations/me"));
        Assert.True(me.GetProperty("is_platform_admin").GetBoolean());
        Assert.Equal("ENTERPRISE", me.GetProperty("tier").GetString());

        var client = app.ClientWithKey(null);
        client.DefaultRequestHeaders.Add("X-Api-Key", OutreachApp.BootstrapKey);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/organizations/me")).StatusCode);
    }

    [Fact]
    public async Task Organization_A_gets_404_for_organization_B_objects()
    {
        await using var app = await OutreachApp.StartAsync();
        var admin = app.ClientWithKey();
        var createdB = await admin.PostAsync("/organizations", Json("""{"name":"Org B","tier":"PRO"}"""));
        Assert.Equal(HttpStatusCode.Created, createdB.StatusCode);
        var b = await JsonAsync(createdB);
        var orgB = b.GetProperty("organization").GetProperty("id").GetGuid();
        var keyB = b.GetProperty("api_key").GetProperty("key").GetString()!;
        var keyIdB = b.GetProperty("api_key").GetProperty("id").GetGuid();
        var createdC = await JsonAsync(await admin.PostAsync("/organizations", Json("""{"name":"Org C","tier":"FREE"}""")));
        var keyC = createdC.GetProperty("api_key").GetProperty("key").GetString()!;

        var clientB = app.ClientWithKey(keyB);
        var clientC = app.ClientWithKey(keyC);
        var streamB = $"organization-{orgB:N}";
        Assert.Equal(HttpStatusCode.OK, (await clientB.GetAsync($"/audit/streams/{streamB}")).StatusCode);

        // C cannot see, verify or revoke anything of B's: the answers are the same as for objects that do not exist.
        await AssertProblemAsync(await clientC.GetAsync($"/audit/streams/{streamB}"), HttpStatusCode.NotFound);
        await AssertProblemAsync(await clientC.PostAsync($"/audit/streams/{streamB}/verify", null), HttpStatusCode.NotFound);
        await AssertProblemAsync(await clientC.DeleteAsync($"/api-keys/{keyIdB}"), HttpStatusCode.NotFound);
        Assert.DoesNotContain(streamB, await clientC.GetStringAsync("/audit/streams"), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, (await clientB.GetAsync("/organizations/me")).StatusCode); // B's key still works

        // Only the platform organization creates organizations.
        await AssertProblemAsync(await clientB.PostAsync("/organizations", Json("""{"name":"X","tier":"FREE"}""")), HttpStatusCode.Forbidden);
    }

    [Fact]
    public async Task Api_keys_are_shown_once_listed_without_secrets_and_revocation_takes_effect_immediately()
    {
        await using var app = await OutreachApp.StartAsync();
        var admin = app.ClientWithKey();
        var created = await JsonAsync(await admin.PostAsync("/api-keys", Json("""{"name":"ci"}""")));
        var secret = created.GetProperty("key").GetString()!;
        Assert.StartsWith("oos_", secret, StringComparison.Ordinal);

        var list = await admin.GetStringAsync("/api-keys");
        Assert.DoesNotContain(secret, list, StringComparison.Ordinal);
        Assert.Contains(created.GetProperty("prefix").GetString()!, list, StringComparison.Ordinal);

        var ci = app.ClientWithKey(secret);
        Assert.Equal(HttpStatusCode.OK, (await ci.GetAsync("/organizations/me")).StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, (await admin.DeleteAsync($"/api-keys/{created.GetProperty("id").GetGuid()}")).StatusCode);
        await AssertProblemAsync(await ci.GetAsync("/organizations/me"), HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task Bad_input_gets_400_problem_details_naming_the_field()
    {
        await using var app = await OutreachApp.StartAsync();
        var admin = app.ClientWithKey();

        var missing = await admin.PostAsync("/organizations", Json("""{"tier":"PRO"}"""));
        await AssertProblemAsync(missing, HttpStatusCode.BadRequest);
        Assert.True((await JsonAsync(missing)).GetProperty("errors").TryGetProperty("name", out _));

        var badEnum = await admin.PostAsync("/organizations", Json("""{"name":"x","tier":"PLATINUM"}"""));
        await AssertProblemAsync(badEnum, HttpStatusCode.BadRequest);
        Assert.True((await JsonAsync(badEnum)).GetProperty("errors").TryGetProperty("tier", out _));

        var malformed = await admin.PostAsync("/organizations", Json("""{"name": "x", """));
        await AssertProblemAsync(malformed, HttpStatusCode.BadRequest);

        var unknownField = await admin.PostAsync("/api-keys", Json("""{"name":"x","nmae":"typo"}"""));
        await AssertProblemAsync(unknownField, HttpStatusCode.BadRequest);

        var tooLarge = await admin.PostAsync("/api-keys", Json("{\"name\":\"" + new string('x', 2_000_000) + "\"}"));
        await AssertProblemAsync(tooLarge, HttpStatusCode.RequestEntityTooLarge);

        await AssertProblemAsync(await admin.GetAsync("/audit/streams?limit=0"), HttpStatusCode.BadRequest);
    }

    /// <summary>
    /// Text PostgreSQL cannot store (a NUL character, a lone surrogate) in any JSON body is a 400 naming the field, on every
    /// endpoint: these answered 500 from deep inside the request (the event serializer or the database refused it).
    /// </summary>
    [Theory]
    [InlineData("/api-keys", """{"name":"a\u0000b"}""", "name")]
    [InlineData("/organizations", """{"name":"x\u0000y","tier":"FREE"}""", "name")]
    [InlineData("/privacy/erasures", """{"email":"a@b.example","reason":"x\u0000y","dry_run":true}""", "reason")]
    [InlineData("/suppressions", """{"email":"a@b.example","reason":"a\u0000b"}""", "reason")]
    [InlineData("/ingest/email", """{"message_id":"<n1@x.example>","from":{"email":"a@x.example"},"to":["s@acme.example"],"subject":"Hi\u0000","text":"t"}""", "subject")]
    [InlineData("/outbound/sends", """{"request_id":"11111111-1111-1111-1111-111111111111","message_id":"<a\u0000b@x>","channel":"EMAIL","variant_index":0}""", "message_id")]
    [InlineData("/api-keys", """{"name":"half \ud800 a pair"}""", "name")]
    [InlineData("/api-keys", """{"name":5}""", "name")] // not text at all: still the field's error
    [InlineData("/personalize", """{"channel":"EMAIL","tone":"FRIENDLY","goal":"a call","lead":{"first_name":"Ann\udc00","last_name":"Lee","title":"CTO","company_name":"Acme","domain":"acme.example"},"company_context":{"summary":"s","keywords":[]}}""", "lead.first_name")]
    public async Task Text_the_database_cannot_store_is_a_400_naming_the_field(string path, string body, string field)
    {
        await using var app = await OutreachApp.StartAsync();
        var admin = app.ClientWithKey();
        var (client, _, _) = await TestOrganizations.CreateAsync(app, $"nul-{Guid.NewGuid():N}");

        using var response = await (path == "/organizations" ? admin : client).PostAsync(path, Json(body));
        var problem = await TestOrganizations.ProblemAsync(response, HttpStatusCode.BadRequest);
        Assert.True(problem.GetProperty("errors").TryGetProperty(field, out _), problem.ToString());
    }

    [Fact]
    public async Task Audit_shows_a_streams_events_in_order_with_hashes_and_a_valid_chain()
    {
        await using var app = await OutreachApp.StartAsync();
        var admin = app.ClientWithKey();
        await admin.PostAsync("/api-keys", Json("""{"name":"one"}"""));
        var me = await JsonAsync(await admin.GetAsync("/organizations/me"));
        var stream = $"organization-{me.GetProperty("id").GetGuid():N}";

        var audit = await JsonAsync(await admin.GetAsync($"/audit/streams/{stream}"));
        Assert.True(audit.GetProperty("verification").GetProperty("valid").GetBoolean());
        var events = audit.GetProperty("events").EnumerateArray().ToList();
        Assert.Equal(["organization_created.v1", "api_key_issued.v2", "api_key_issued.v2"], events.Select(e => e.GetProperty("type").GetString()));
        Assert.Equal([1L, 2L, 3L], events.Select(e => e.GetProperty("version").GetInt64()));
        Assert.All(events, e => Assert.Equal(64, e.GetProperty("hash").GetString()!.Length));
        Assert.DoesNotContain(OutreachApp.BootstrapKey, audit.ToString(), StringComparison.Ordinal); // only hashes are stored
    }

    /// <summary>
    /// A long stream (a ledger month, a long thread) is read page by page: at most <c>limit</c> events after
    /// <c>after_version</c>, with the next page's <c>after_version</c> until the last; the verification is the whole
    /// chain's on every page. The same through GraphQL (<c>events(first, afterVersion)</c>). Before, every event came in
    /// one answer, whatever the stream's length.
    /// </summary>
    [Fact]
    public async Task A_streams_events_are_read_page_by_page_with_the_whole_chain_verified()
    {
        await using var app = await OutreachApp.StartAsync();
        var admin = app.ClientWithKey();
        for (var i = 0; i < 4; i++)
        {
            await admin.PostAsync("/api-keys", Json($$"""{"name":"key-{{i}}"}"""));
        }
        var me = await JsonAsync(await admin.GetAsync("/organizations/me"));
        var stream = $"organization-{me.GetProperty("id").GetGuid():N}"; // 6 events: created, bootstrap key, 4 keys

        var versions = new List<long>();
        var pages = 0;
        long? after = 0;
        while (after is { } from)
        {
            var page = await JsonAsync(await admin.GetAsync($"/audit/streams/{stream}?after_version={from}&limit=4"));
            Assert.True(page.GetProperty("verification").GetProperty("valid").GetBoolean());
            Assert.Equal(6, page.GetProperty("version").GetInt64());
            versions.AddRange(page.GetProperty("events").EnumerateArray().Select(e => e.GetProperty("version").GetInt64()));
            after = page.GetProperty("next_after_version").ValueKind == JsonValueKind.Null ? null : page.GetProperty("next_after_version").GetInt64();
            pages++;
        }
        Assert.Equal([1L, 2L, 3L, 4L, 5L, 6L], versions);
        Assert.Equal(2, pages);
        var whole = await JsonAsync(await admin.GetAsync($"/audit/streams/{stream}"));
        Assert.Equal(6, whole.GetProperty("events").GetArrayLength());
        Assert.Equal(JsonValueKind.Null, whole.GetProperty("next_after_version").ValueKind);

        foreach (var bad in new[] { "limit=0", "limit=1001", "after_version=-1", "limit=x" })
        {
            Assert.Equal(HttpStatusCode.BadRequest, (await admin.GetAsync($"/audit/streams/{stream}?{bad}")).StatusCode);
        }

        using var graph = await admin.PostAsJsonAsync("/graphql", new
        {
            query = "query($s: String!) { auditStream(streamId: $s) { version valid events(first: 4, afterVersion: 4) { version } } }",
            variables = new { s = stream },
        });
        var data = (await JsonAsync(graph)).GetProperty("data").GetProperty("auditStream");
        Assert.True(data.GetProperty("valid").GetBoolean());
        Assert.Equal([5, 6], data.GetProperty("events").EnumerateArray().Select(e => e.GetProperty("version").GetInt32()));
        using var tooMany = await admin.PostAsJsonAsync("/graphql", new
        {
            query = "query($s: String!) { auditStream(streamId: $s) { events(first: 1001) { version } } }",
            variables = new { s = stream },
        });
        var error = (await JsonAsync(tooMany)).GetProperty("errors")[0];
        Assert.Equal("first", error.GetProperty("extensions").GetProperty("argument").GetString());
    }

    [Fact]
    public async Task Health_and_openapi_are_served_without_a_key()
    {
        await using var app = await OutreachApp.StartAsync();
        var anon = app.ClientWithKey(null);
        Assert.Equal(HttpStatusCode.OK, (await anon.GetAsync("/health/live")).StatusCode);
        var ready = await anon.GetAsync("/health/ready");
        Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
        Assert.Contains("postgres", await ready.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        var openapi = await anon.GetStringAsync("/openapi/v1.json");
        Assert.Contains("/organizations/me", openapi, StringComparison.Ordinal);
        Assert.Contains("/audit/streams/{streamId}", openapi, StringComparison.Ordinal);

        // How to call it: the key as a bearer token on every operation that is not anonymous, and the refusals it may meet.
        using var doc = System.Text.Json.JsonDocument.Parse(openapi);
        var root = doc.RootElement;
        var scheme = root.GetProperty("components").GetProperty("securitySchemes").GetProperty("ApiKey");
        Assert.Equal(("http", "bearer"), (scheme.GetProperty("type").GetString(), scheme.GetProperty("scheme").GetString()));
        System.Text.Json.JsonElement Operation(string path, string method) => root.GetProperty("paths").GetProperty(path).GetProperty(method);
        static string[] Statuses(System.Text.Json.JsonElement op) => [.. op.GetProperty("responses").EnumerateObject().Select(p => p.Name)];
        static bool Secured(System.Text.Json.JsonElement op) =>
            op.TryGetProperty("security", out var sec) && sec.EnumerateArray().Any(r => r.TryGetProperty("ApiKey", out _));

        var personalize = Operation("/personalize", "post");
        Assert.True(Secured(personalize));
        Assert.Subset(Statuses(personalize).ToHashSet(), new HashSet<string> { "401", "403", "429" });
        var me = Operation("/organizations/me", "get");
        Assert.True(Secured(me));
        Assert.Contains("429", Statuses(me));
        Assert.DoesNotContain("403", Statuses(me)); // a read: every role may
        var issue = Operation("/api-keys", "post");
        Assert.Contains("ADMIN", issue.GetProperty("responses").GetProperty("403").GetProperty("description").GetString(), StringComparison.Ordinal);
        Assert.DoesNotContain("403", Statuses(Operation("/audit/streams/{streamId}/verify", "post"))); // a POST that changes nothing
        Assert.False(Secured(Operation("/ingest/graph", "post"))); // Graph proves itself with its clientState, not a key

        // The Idempotency-Key header where it is honoured, with the answers a key can add; not elsewhere.
        static bool TakesKey(System.Text.Json.JsonElement op) => op.TryGetProperty("parameters", out var ps)
            && ps.EnumerateArray().Any(p => p.GetProperty("name").GetString() == "Idempotency-Key" && p.GetProperty("in").GetString() == "header"
                                            && p.GetProperty("schema").GetProperty("maxLength").GetInt32() == 255);
        foreach (var path in new[] { "/personalize", "/personalize/{id}/regenerate", "/personalize/{id}/select", "/personalize/{id}/replay" })
        {
            Assert.True(TakesKey(Operation(path, "post")), path);
            Assert.Subset(Statuses(Operation(path, "post")).ToHashSet(), new HashSet<string> { "409", "422" });
        }
        Assert.False(TakesKey(Operation("/api-keys", "post")));
    }

    [Fact]
    public async Task Every_endpoint_lies_under_an_api_prefix_so_the_dashboard_never_answers_for_it()
    {
        await using var app = await OutreachApp.StartAsync();
        var routes = app.Services.GetRequiredService<Microsoft.AspNetCore.Routing.EndpointDataSource>().Endpoints
            .OfType<Microsoft.AspNetCore.Routing.RouteEndpoint>()
            .Select(e => "/" + e.RoutePattern.RawText!.TrimStart('/'))
            .Where(r => r != "/")
            .ToList();
        Assert.NotEmpty(routes);
        Assert.All(routes, r => Assert.True(
            OutreachOS.Host.Hosting.DashboardHosting.ApiPrefixes.Any(p => r.Equals(p, StringComparison.OrdinalIgnoreCase) || r.StartsWith(p + "/", StringComparison.OrdinalIgnoreCase)),
            $"{r} is not under an API prefix: a GET the endpoint does not answer would load the dashboard's shell instead of a 404/405"));
    }

    [Fact]
    public async Task Restarting_with_the_same_bootstrap_key_keeps_one_organization_and_the_key_working()
    {
        string cs;
        await using (var first = await OutreachApp.StartAsync())
        {
            cs = first.ConnectionString;
        }
        await using var second = await OutreachApp.StartAsync(connectionString: cs);
        await using var third = await OutreachApp.StartAsync(connectionString: cs);
        var me = await JsonAsync(await third.ClientWithKey().GetAsync("/organizations/me"));
        Assert.True(me.GetProperty("is_platform_admin").GetBoolean());
        var keys = await JsonAsync(await third.ClientWithKey().GetAsync("/api-keys"));
        Assert.Equal(1, keys.GetArrayLength()); // re-ensuring the same key is a no-op, not a second key
    }
}
