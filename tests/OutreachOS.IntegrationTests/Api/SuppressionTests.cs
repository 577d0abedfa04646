using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using Npgsql;
using OutreachOS.IntegrationTests.Messaging;

namespace OutreachOS.IntegrationTests.Api;

/// <summary>
/// The do-not-contact list (ADR 0031) through the real host: kept per organization, added to by keys and by unsubscribe
/// requests that triage recognises, honoured by <c>/personalize</c> (nothing generated, nothing charged), lifted only by
/// an ADMIN key with a reason, and kept by hash through an erasure of the address.
/// </summary>
public sealed class SuppressionTests
{
    private const string Lead = "sarah.chen@acmelogistics.test";

    private static Task<JsonElement> JsonAsync(HttpResponseMessage r) => HostTests.JsonAsync(r);

    private static StringContent Json(string json) => HostTests.Json(json);

    private static StringContent PersonalizeBody(string? email)
    {
        var body = new JsonObject
        {
            ["channel"] = "EMAIL", ["tone"] = "PROFESSIONAL", ["goal"] = "book a 15-min call", ["variant_count"] = 1,
            ["lead"] = new JsonObject
            {
                ["first_name"] = "Sarah", ["last_name"] = "Chen", ["title"] = "VP of Sales", ["company_name"] = "Acme Logistics",
                ["domain"] = "acmelogistics.test", ["email"] = email,
            },
            ["company_context"] = new JsonObject
            {
                ["summary"] = "Acme Logistics runs same-day freight for regional retailers.", ["keywords"] = new JsonArray("freight visibility"),
            },
        };
        return Json(body.ToJsonString());
    }

    private static async Task<(HttpClient Admin, Guid Tenant)> OrganizationAsync(OutreachApp app, string name)
    {
        var (admin, id, _) = await TestOrganizations.CreateAsync(app, name);
        return (admin, id);
    }

    private static async Task<HttpClient> KeyAsync(OutreachApp app, HttpClient admin, string role) =>
        (await TestOrganizations.IssueKeyAsync(app, admin, $$"""{"name":"{{role.ToLowerInvariant()}}","role":"{{role}}"}""")).Client;

    private static Task<JsonElement> ProblemAsync(HttpResponseMessage r, HttpStatusCode status) => TestOrganizations.ProblemAsync(r, status);

    private static async Task<int> AvailableAsync(HttpClient client) => (await JsonAsync(await client.GetAsync("/credits"))).GetProperty("available").GetInt32();

    private static async Task<long> StreamCountAsync(OutreachApp app, Guid tenant, string type)
    {
        await using var conn = new NpgsqlConnection(app.ConnectionString);
        await conn.OpenAsync();
        await using var cmd = new NpgsqlCommand("SELECT count(*) FROM oos.streams WHERE tenant_id = $1 AND type = $2", conn)
        {
            Parameters = { new NpgsqlParameter { Value = tenant }, new NpgsqlParameter { Value = type } },
        };
        return (long)(await cmd.ExecuteScalarAsync())!;
    }

    [Fact]
    public async Task With_RequireLeadEmail_a_lead_without_an_address_is_refused_naming_the_field_and_nothing_is_written_or_charged()
    {
        await using var app = await OutreachApp.StartAsync(new Dictionary<string, string?> { ["Generation:RequireLeadEmail"] = "true" });
        var (admin, tenant) = await OrganizationAsync(app, "Strict");
        var before = await AvailableAsync(admin);

        foreach (var missing in new string?[] { null, "", "   " })
        {
            var problem = await ProblemAsync(await admin.PostAsync("/personalize", PersonalizeBody(missing)), HttpStatusCode.BadRequest);
            Assert.Contains("do-not-contact", problem.GetProperty("errors").GetProperty("lead.email")[0].GetString(), StringComparison.Ordinal);
        }
        Assert.Equal(0, await StreamCountAsync(app, tenant, "personalization"));
        Assert.Equal(before, await AvailableAsync(admin));

        // With an address it is served (and checked against the list).
        Assert.Equal(HttpStatusCode.OK, (await admin.PostAsync("/personalize", PersonalizeBody("sarah.chen@acmelogistics.test"))).StatusCode);
    }

    [Fact]
    public async Task Without_RequireLeadEmail_a_lead_without_an_address_is_served_as_before()
    {
        await using var app = await OutreachApp.StartAsync();
        var (admin, _) = await OrganizationAsync(app, "Lenient");
        Assert.Equal(HttpStatusCode.OK, (await admin.PostAsync("/personalize", PersonalizeBody(null))).StatusCode);
    }

    [Fact]
    public async Task A_suppressed_lead_gets_nothing_generated_or_charged_until_an_admin_lifts_it()
    {
        await using var app = await OutreachApp.StartAsync();
        var (admin, tenant) = await OrganizationAsync(app, "Suppressing");
        var member = await KeyAsync(app, admin, "MEMBER");
        var viewer = await KeyAsync(app, admin, "VIEWER");

        // A request for the lead made before the suppression: regenerating or selecting it afterwards is refused too.
        var earlier = await JsonAsync(await member.PostAsync("/personalize", PersonalizeBody(Lead)));
        var earlierId = earlier.GetProperty("request_id").GetGuid();

        // A MEMBER adds (any case, spaces around); again is 200 with the first entry; a VIEWER may only read.
        var added = await member.PostAsync("/suppressions", Json($$"""{"email":"  Sarah.Chen@AcmeLogistics.test ","reason":"asked by phone"}"""));
        Assert.Equal(HttpStatusCode.Created, added.StatusCode);
        var entry = await JsonAsync(added);
        Assert.Equal(Lead, entry.GetProperty("email").GetString());
        Assert.Equal("API", entry.GetProperty("source").GetString());
        Assert.Equal("asked by phone", entry.GetProperty("reason").GetString());
        var again = await member.PostAsync("/suppressions", Json($$"""{"email":"{{Lead}}"}"""));
        Assert.Equal(HttpStatusCode.OK, again.StatusCode);
        Assert.Equal(entry.GetProperty("suppressed_at").GetDateTimeOffset(), (await JsonAsync(again)).GetProperty("suppressed_at").GetDateTimeOffset());
        Assert.Equal(HttpStatusCode.Forbidden, (await viewer.PostAsync("/suppressions", Json("""{"email":"x@y.test"}"""))).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await viewer.GetAsync($"/suppressions/{Lead.ToUpperInvariant()}")).StatusCode);

        // Personalizing for the lead: 422 naming the field, no request stream, no credit moved.
        var before = await AvailableAsync(admin);
        var streams = await StreamCountAsync(app, tenant, "personalization");
        var refused = await ProblemAsync(await member.PostAsync("/personalize", PersonalizeBody(Lead.ToUpperInvariant())), HttpStatusCode.UnprocessableEntity);
        Assert.Equal("https://outreachos.dev/problems/recipient-suppressed", refused.GetProperty("type").GetString());
        Assert.Equal("lead.email", refused.GetProperty("field").GetString());
        Assert.Equal("API", refused.GetProperty("source").GetString());
        await ProblemAsync(await member.PostAsync($"/personalize/{earlierId}/regenerate", null), HttpStatusCode.UnprocessableEntity);
        await ProblemAsync(await member.PostAsync($"/personalize/{earlierId}/select", Json("""{"variant_index":0}""")), HttpStatusCode.UnprocessableEntity);
        Assert.Equal(before, await AvailableAsync(admin));
        Assert.Equal(streams, await StreamCountAsync(app, tenant, "personalization"));

        // Another lead, a request without an address, and another organization are not affected.
        Assert.Equal(HttpStatusCode.OK, (await member.PostAsync("/personalize", PersonalizeBody("someone.else@acmelogistics.test"))).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await member.PostAsync("/personalize", PersonalizeBody(null))).StatusCode);
        var (other, _) = await OrganizationAsync(app, "Not suppressing");
        Assert.Equal(HttpStatusCode.OK, (await other.PostAsync("/personalize", PersonalizeBody(Lead))).StatusCode);
        await ProblemAsync(await other.GetAsync($"/suppressions/{Lead}"), HttpStatusCode.NotFound);
        Assert.Equal(0, (await JsonAsync(await other.GetAsync("/suppressions"))).GetProperty("items").GetArrayLength());

        // Only an ADMIN lifts, and only with a reason; then the lead can be written to again.
        Assert.Equal(HttpStatusCode.Forbidden, (await member.PostAsync($"/suppressions/{Lead}/lift", Json("""{"reason":"opted in"}"""))).StatusCode);
        var noReason = await ProblemAsync(await admin.PostAsync($"/suppressions/{Lead}/lift", Json("{}")), HttpStatusCode.BadRequest);
        Assert.True(noReason.GetProperty("errors").TryGetProperty("reason", out _));
        Assert.Equal(HttpStatusCode.OK, (await admin.PostAsync($"/suppressions/{Lead}/lift", Json("""{"reason":"opted in again on the web form"}"""))).StatusCode);
        await ProblemAsync(await admin.PostAsync($"/suppressions/{Lead}/lift", Json("""{"reason":"twice"}""")), HttpStatusCode.NotFound);
        await ProblemAsync(await member.GetAsync($"/suppressions/{Lead}"), HttpStatusCode.NotFound);
        Assert.Equal(HttpStatusCode.OK, (await member.PostAsync($"/personalize/{earlierId}/regenerate", null)).StatusCode);

        // The list's history is one audited stream per address: added twice? no, added once, then lifted.
        var history = await JsonAsync(await admin.GetAsync("/audit/streams?type=suppression"));
        var streamId = history.EnumerateArray().Single().GetProperty("stream_id").GetString();
        var events = (await JsonAsync(await admin.GetAsync($"/audit/streams/{streamId}"))).GetProperty("events").EnumerateArray()
            .Select(e => e.GetProperty("type").GetString()).ToList();
        Assert.Equal(["address_suppressed.v1", "address_suppression_lifted.v1"], events);
        Assert.DoesNotContain(Lead, streamId!, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task Bad_input_is_a_problem_naming_the_field()
    {
        await using var app = await OutreachApp.StartAsync();
        var (admin, _) = await OrganizationAsync(app, "Validating");
        var cases = new (Func<Task<HttpResponseMessage>> Call, string Field)[]
        {
            (() => admin.PostAsync("/suppressions", Json("""{"email":"not an address"}""")), "email"),
            (() => admin.PostAsync("/suppressions", Json("{}")), "email"),
            (() => admin.PostAsync("/suppressions", Json($$"""{"email":"a@b.test","reason":"{{new string('x', 501)}}"}""")), "reason"),
            (() => admin.GetAsync("/suppressions/nobody"), "email"),
            (() => admin.GetAsync("/suppressions?limit=0"), "limit"),
            (() => admin.GetAsync("/suppressions?after=garbage"), "after"),
            (() => admin.PostAsync("/suppressions/nobody/lift", Json("""{"reason":"x"}""")), "email"),
            (() => admin.PostAsync("/personalize", PersonalizeBody("sarah at acme")), "lead.email"),
        };
        foreach (var (call, field) in cases)
        {
            var problem = await ProblemAsync(await call(), HttpStatusCode.BadRequest);
            Assert.True(problem.GetProperty("errors").TryGetProperty(field, out _), problem.ToString());
        }
    }

    [Fact]
    public async Task A_csv_import_adds_new_addresses_keeps_listed_ones_reports_bad_lines_and_can_be_repeated()
    {
        await using var app = await OutreachApp.StartAsync();
        var (admin, _) = await OrganizationAsync(app, "Importing");
        Assert.Equal(HttpStatusCode.Created, (await admin.PostAsync("/suppressions", Json("""{"email":"old@import.test","reason":"by phone"}"""))).StatusCode);
        static StringContent Csv(string text) => new(text, System.Text.Encoding.UTF8, "text/csv");
        const string file = "Reason,Email\n\"left us, in 2024\",a@import.test\n,OLD@import.test\nnot an address,x\n,A@Import.test\n,b@import.test\n";

        var first = await JsonAsync(await admin.PostAsync("/suppressions/import", Csv(file)));
        Assert.Equal(2, first.GetProperty("added").GetInt32()); // a (once, whatever its case) and b
        Assert.Equal(1, first.GetProperty("already_listed").GetInt32());
        var error = Assert.Single(first.GetProperty("errors").EnumerateArray());
        Assert.Equal((4, "email"), (error.GetProperty("line").GetInt32(), error.GetProperty("field").GetString()));
        var a = await JsonAsync(await admin.GetAsync("/suppressions/a@import.test"));
        Assert.Equal(("IMPORT", "left us, in 2024"), (a.GetProperty("source").GetString(), a.GetProperty("reason").GetString()));
        Assert.Equal("by phone", (await JsonAsync(await admin.GetAsync("/suppressions/old@import.test"))).GetProperty("reason").GetString());

        var again = await JsonAsync(await admin.PostAsync("/suppressions/import", Csv(file)));
        Assert.Equal((0, 3), (again.GetProperty("added").GetInt32(), again.GetProperty("already_listed").GetInt32()));

        Assert.Equal(HttpStatusCode.UnsupportedMediaType, (await admin.PostAsync("/suppressions/import", Json("{}"))).StatusCode);
        var noEmail = await ProblemAsync(await admin.PostAsync("/suppressions/import", Csv("address\na@b.test\n")), HttpStatusCode.BadRequest);
        Assert.True(noEmail.GetProperty("errors").TryGetProperty("header", out _));
        var viewer = await KeyAsync(app, admin, "VIEWER");
        Assert.Equal(HttpStatusCode.Forbidden, (await viewer.PostAsync("/suppressions/import", Csv(file))).StatusCode);
    }

    [Fact]
    public async Task A_control_character_in_an_imported_reason_fails_its_line_naming_the_field_and_the_other_lines_are_added()
    {
        await using var app = await OutreachApp.StartAsync();
        var (admin, _) = await OrganizationAsync(app, "Importing controls");
        static StringContent Csv(string text) => new(text, System.Text.Encoding.UTF8, "text/csv");

        var result = await admin.PostAsync("/suppressions/import", Csv("email,reason\nok@controls.test,fine\nbad@controls.test,asked\0by phone\ntab@controls.test,\"left\tby mail\"\n"));

        Assert.Equal(HttpStatusCode.OK, result.StatusCode);
        var json = await JsonAsync(result);
        Assert.Equal(2, json.GetProperty("added").GetInt32());
        var error = Assert.Single(json.GetProperty("errors").EnumerateArray());
        Assert.Equal((3, "reason"), (error.GetProperty("line").GetInt32(), error.GetProperty("field").GetString()));
        Assert.Equal(HttpStatusCode.NotFound, (await admin.GetAsync("/suppressions/bad@controls.test")).StatusCode);
        Assert.Equal("left\tby mail", (await JsonAsync(await admin.GetAsync("/suppressions/tab@controls.test"))).GetProperty("reason").GetString());
    }

    [Fact]
    public async Task An_address_matches_its_entry_in_any_unicode_form_and_with_its_domain_in_punycode()
    {
        await using var app = await OutreachApp.StartAsync();
        var (admin, tenant) = await OrganizationAsync(app, "Unicode addresses");
        var decomposed = "Jose\u0301@Exa\u0308mple.test"; // é and ä as a letter and a combining accent (NFD)
        Assert.Equal(HttpStatusCode.Created, (await admin.PostAsJsonAsync("/suppressions", new { email = decomposed })).StatusCode);

        foreach (var form in new[] { "jos\u00E9@ex\u00E4mple.test", "JOS\u00C9@xn--exmple-cua.test", decomposed })
        {
            var found = await admin.GetAsync($"/suppressions/{Uri.EscapeDataString(form)}");
            Assert.True(found.StatusCode == HttpStatusCode.OK, form);
            Assert.Equal(HttpStatusCode.OK, (await admin.PostAsJsonAsync("/suppressions", new { email = form })).StatusCode); // already listed
        }
        // Plus tags are not stripped: another mailbox, perhaps another person.
        Assert.Equal(HttpStatusCode.NotFound, (await admin.GetAsync($"/suppressions/{Uri.EscapeDataString("jos\u00E9+news@ex\u00E4mple.test")}")).StatusCode);
        var import = await JsonAsync(await admin.PostAsync("/suppressions/import",
            new StringContent("email\njos\u00E9@xn--exmple-cua.test\n", System.Text.Encoding.UTF8, "text/csv")));
        Assert.Equal((0, 1), (import.GetProperty("added").GetInt32(), import.GetProperty("already_listed").GetInt32()));

        // An entry stored before, keyed by the hash of the address as written (lower case): still found by that spelling.
        await using var conn = new NpgsqlConnection(app.ConnectionString);
        await conn.OpenAsync();
        await using var legacy = new NpgsqlCommand("""
            INSERT INTO oos.ingestion_suppressions (tenant_id, address_hash, email, source, suppressed_at) VALUES ($1, sha256(convert_to($2, 'UTF8')), $2, 'API', now())
            """, conn)
        {
            Parameters = { new NpgsqlParameter { Value = tenant }, new NpgsqlParameter { Value = "info@b\u00FCro.test" } },
        };
        await legacy.ExecuteNonQueryAsync();
        Assert.Equal(HttpStatusCode.OK, (await admin.GetAsync($"/suppressions/{Uri.EscapeDataString("Info@B\u00DCro.test")}")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await admin.PostAsJsonAsync("/suppressions", new { email = "info@b\u00FCro.test" })).StatusCode);
    }

    [Fact]
    public async Task The_list_pages_newest_first_to_the_end()
    {
        await using var app = await OutreachApp.StartAsync();
        var (admin, _) = await OrganizationAsync(app, "Paging");
        for (var i = 0; i < 7; i++)
        {
            Assert.Equal(HttpStatusCode.Created, (await admin.PostAsync("/suppressions", Json($$"""{"email":"p{{i}}@paging.test"}"""))).StatusCode);
        }
        var seen = new List<string>();
        string? after = null;
        do
        {
            var page = await JsonAsync(await admin.GetAsync("/suppressions?limit=3" + (after is null ? "" : $"&after={Uri.EscapeDataString(after)}")));
            seen.AddRange(page.GetProperty("items").EnumerateArray().Select(e => e.GetProperty("email").GetString()!));
            after = page.GetProperty("next").ValueKind == JsonValueKind.Null ? null : page.GetProperty("next").GetString();
        }
        while (after is not null);
        Assert.Equal(Enumerable.Range(0, 7).Reverse().Select(i => $"p{i}@paging.test"), seen);

        // '/' may stand in a local part; escaped in the path it still names the address.
        Assert.Equal(HttpStatusCode.Created, (await admin.PostAsJsonAsync("/suppressions", new { email = "ops/billing@paging.test" })).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await admin.GetAsync($"/suppressions/{Uri.EscapeDataString("ops/billing@paging.test")}")).StatusCode);
    }

    /// <summary>
    /// ADR 0012: the classifier always may choose unsubscribe, and an opt-out the policy does not list is recorded as
    /// "other". ADR 0031: its sender is suppressed all the same (the classifier's intent decides, not the recorded one).
    /// </summary>
    [Fact]
    public async Task An_unsubscribe_request_suppresses_its_sender_even_when_the_policy_does_not_list_unsubscribe()
    {
        await using var app = await OutreachApp.StartAsync();
        var (admin, _) = await OrganizationAsync(app, "Not listing unsubscribe");
        Assert.Equal(HttpStatusCode.OK, (await admin.PutAsync("/policies",
            Json("""{"policy":{"allowed_intents":["scheduling","pricing","support","billing","other"]}}"""))).StatusCode);
        const string sender = "olga.opt@customer.test";
        var ingested = await admin.PostAsJsonAsync("/ingest/email", new JsonObject
        {
            ["message_id"] = "<optout-unlisted-1@customer.test>",
            ["from"] = new JsonObject { ["email"] = sender, ["name"] = "Olga Opt" },
            ["to"] = new JsonArray("sales@acme.test"),
            ["subject"] = "Unsubscribe",
            ["text"] = "Please unsubscribe me and remove me from your mailing list. Stop emailing me.",
            ["received_at"] = "2026-11-20T10:00:00Z",
        });
        Assert.Equal(HttpStatusCode.Accepted, ingested.StatusCode);
        var inboundId = (await JsonAsync(ingested)).GetProperty("inbound_id").GetGuid();
        JsonElement view = default;
        await Eventually.TrueAsync(async () =>
        {
            view = await JsonAsync(await admin.GetAsync($"/inbound/{inboundId}"));
            return view.TryGetProperty("decision", out var d) && d.ValueKind == JsonValueKind.Object;
        }, "the decision");

        Assert.Equal("other", view.GetProperty("classification").GetProperty("classification").GetProperty("intent").GetString()); // what the policy lets it record
        Assert.Equal("HUMAN", view.GetProperty("decision").GetProperty("path").GetString());
        Assert.True(view.GetProperty("sender_suppressed").GetBoolean(), "sender_suppressed");
        var entry = await JsonAsync(await admin.GetAsync($"/suppressions/{sender}"));
        Assert.Equal("INBOUND_UNSUBSCRIBE", entry.GetProperty("source").GetString());
        Assert.Equal(inboundId, entry.GetProperty("inbound_id").GetGuid());
    }

    /// <summary>
    /// Found in a review on 2026-12-03: the word model's weak "unsubscribe" guess for an out-of-office note and for a report
    /// of a hacked account put both customers on the do-not-contact list, while an opt-out written after a pricing question
    /// listed nobody. Now the sender's own opt-out wording lists them, a guess does not (both still go to a person).
    /// </summary>
    [Fact]
    public async Task Opt_out_wording_lists_its_sender_and_a_weak_unsubscribe_guess_does_not()
    {
        await using var app = await OutreachApp.StartAsync();
        var (admin, _) = await OrganizationAsync(app, "Opt-out evidence");
        async Task<JsonElement> SettledAsync(string messageId, string from, string subject, string text)
        {
            var ingested = await admin.PostAsJsonAsync("/ingest/email", new JsonObject
            {
                ["message_id"] = messageId,
                ["from"] = new JsonObject { ["email"] = from, ["name"] = "Kim" },
                ["to"] = new JsonArray("support@acme.test"),
                ["subject"] = subject,
                ["text"] = text,
                ["received_at"] = "2026-12-03T10:00:00Z",
            });
            Assert.Equal(HttpStatusCode.Accepted, ingested.StatusCode);
            var inboundId = (await JsonAsync(ingested)).GetProperty("inbound_id").GetGuid();
            JsonElement view = default;
            await Eventually.TrueAsync(async () =>
            {
                view = await JsonAsync(await admin.GetAsync($"/inbound/{inboundId}"));
                return (view.TryGetProperty("decision", out var d) && d.ValueKind == JsonValueKind.Object)
                    || (view.TryGetProperty("filter", out var f) && f.ValueKind == JsonValueKind.Object);
            }, "the decision or the filter verdict");
            return view;
        }

        var away = await SettledAsync("<away-1@kunde.test>", "kim@kunde.test", "Re: Ihre Anfrage",
            "Ich bin bis zum 10.12. nicht im Büro und habe nur eingeschränkten Zugriff auf meine E-Mails.");
        var hacked = await SettledAsync("<hacked-1@customer.test>", "lee@customer.test", "Account compromised",
            "Someone logged into our account from an unknown IP and changed the email address. We think we were hacked.");
        var optOut = await SettledAsync("<stop-1@customer.test>", "max@customer.test", "Quick question",
            "How much does the pro plan cost? Also, stop sending me the weekly newsletter please.");

        // An out-of-office note written only in the body is an auto-reply (prefilter rule body.out_of_office): never decided,
        // and never a reason to list its sender.
        Assert.Equal("body.out_of_office", away.GetProperty("filter").GetProperty("rule").GetString());
        Assert.False(away.GetProperty("sender_suppressed").GetBoolean(), "out-of-office note suppressed");
        Assert.Equal(HttpStatusCode.NotFound, (await admin.GetAsync("/suppressions/kim@kunde.test")).StatusCode);
        Assert.Equal("HUMAN", hacked.GetProperty("decision").GetProperty("path").GetString());
        Assert.False(hacked.GetProperty("sender_suppressed").GetBoolean(), "hacked customer suppressed");
        Assert.Equal(HttpStatusCode.NotFound, (await admin.GetAsync("/suppressions/lee@customer.test")).StatusCode);
        Assert.Equal("HUMAN", optOut.GetProperty("decision").GetProperty("path").GetString());
        Assert.True(optOut.GetProperty("sender_suppressed").GetBoolean(), "opt-out after a question not honoured");
        Assert.Equal("INBOUND_UNSUBSCRIBE", (await JsonAsync(await admin.GetAsync("/suppressions/max@customer.test"))).GetProperty("source").GetString());
    }

    [Fact]
    public async Task An_unsubscribe_request_suppresses_its_sender_only_and_an_erasure_keeps_the_entry_by_hash()
    {
        await using var app = await OutreachApp.StartAsync();
        var (admin, tenant) = await OrganizationAsync(app, "Unsubscribing");
        JsonObject Mail(string messageId, string from, string text) => new()
        {
            ["message_id"] = messageId,
            ["from"] = new JsonObject { ["email"] = from, ["name"] = "Sarah" },
            ["to"] = new JsonArray("sales@acme.test"),
            ["subject"] = "Re: intro",
            ["text"] = text,
            ["received_at"] = "2026-11-20T10:00:00Z",
        };
        // The request names another address in its text: only the sender is suppressed.
        var ingested = await admin.PostAsJsonAsync("/ingest/email", Mail("<unsub-1@acmelogistics.test>", "Sarah.Chen@AcmeLogistics.test",
            "Please unsubscribe me and also unsubscribe ceo@acme.test. Stop emailing me."));
        Assert.Equal(HttpStatusCode.Accepted, ingested.StatusCode);
        var inboundId = (await JsonAsync(ingested)).GetProperty("inbound_id").GetGuid();
        await Eventually.TrueAsync(async () => (await admin.GetAsync($"/suppressions/{Lead}")).StatusCode == HttpStatusCode.OK, "the sender's suppression");
        var entry = await JsonAsync(await admin.GetAsync($"/suppressions/{Lead}"));
        Assert.Equal("INBOUND_UNSUBSCRIBE", entry.GetProperty("source").GetString());
        Assert.Equal(inboundId, entry.GetProperty("inbound_id").GetGuid());
        Assert.Equal(HttpStatusCode.NotFound, (await admin.GetAsync("/suppressions/ceo@acme.test")).StatusCode);
        Assert.True((await JsonAsync(await admin.GetAsync($"/inbound/{inboundId}"))).GetProperty("sender_suppressed").GetBoolean());

        // A question is not an unsubscribe request.
        var question = await admin.PostAsJsonAsync("/ingest/email", Mail("<q-1@acmelogistics.test>", "bob@acmelogistics.test",
            "Hi, could we schedule a call next week to talk about pricing?"));
        var questionId = (await JsonAsync(question)).GetProperty("inbound_id").GetGuid();
        await Eventually.TrueAsync(async () => (await JsonAsync(await admin.GetAsync($"/inbound/{questionId}"))).TryGetProperty("decision", out var d)
            && d.ValueKind == JsonValueKind.Object, "the question's decision");
        Assert.Equal(HttpStatusCode.NotFound, (await admin.GetAsync("/suppressions/bob@acmelogistics.test")).StatusCode);
        Assert.False((await JsonAsync(await admin.GetAsync($"/inbound/{questionId}"))).GetProperty("sender_suppressed").GetBoolean());

        // Another entry whose reason names her: the reason goes with her erasure, the entry stays.
        Assert.Equal(HttpStatusCode.Created, (await admin.PostAsync("/suppressions", Json($$"""{"email":"assistant@acmelogistics.test","reason":"asked by {{Lead}}"}"""))).StatusCode);

        // Erasing the address removes it from the list's row and stream, but the entry still matches the address.
        var erased = await admin.PostAsync("/privacy/erasures", Json($$"""{"email":"{{Lead}}","reason":"GDPR request 7"}"""));
        Assert.Equal(HttpStatusCode.OK, erased.StatusCode);
        var report = await JsonAsync(erased);
        Assert.Contains(report.GetProperty("streams").EnumerateArray(), s => s.GetProperty("stream_id").GetString()!.StartsWith("suppression-", StringComparison.Ordinal));
        var kept = await JsonAsync(await admin.GetAsync($"/suppressions/{Lead}"));
        Assert.Equal(JsonValueKind.Null, kept.GetProperty("email").ValueKind);
        Assert.Equal("INBOUND_UNSUBSCRIBE", kept.GetProperty("source").GetString());
        await ProblemAsync(await admin.PostAsync("/personalize", PersonalizeBody(Lead)), HttpStatusCode.UnprocessableEntity);
        var assistant = await JsonAsync(await admin.GetAsync("/suppressions/assistant@acmelogistics.test"));
        Assert.Equal(JsonValueKind.Null, assistant.GetProperty("reason").ValueKind);
        await using var conn = new NpgsqlConnection(app.ConnectionString);
        await conn.OpenAsync();
        await using var traces = new NpgsqlCommand("""
            SELECT (SELECT count(*) FROM oos.ingestion_suppressions s WHERE s.tenant_id = $1 AND strpos(lower(s::text), $2) > 0)
                 + (SELECT count(*) FROM oos.events e WHERE e.tenant_id = $1 AND strpos(lower(e.data::text), $2) > 0)
            """, conn)
        {
            Parameters = { new NpgsqlParameter { Value = tenant }, new NpgsqlParameter { Value = Lead } },
        };
        Assert.Equal(0L, await traces.ExecuteScalarAsync());
    }
}
