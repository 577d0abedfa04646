using System.Net;
using System.Text.Json.Nodes;
using OutreachOS.IntegrationTests.Api;
using static OutreachOS.IntegrationTests.Generation.GenerationApi;

namespace OutreachOS.IntegrationTests.Generation;

/// <summary>End to end through HTTP on real PostgreSQL with the offline model and the real credit ledger.</summary>
public sealed class PersonalizeOfflineTests(GenerationAppFixture fixture) : IClassFixture<GenerationAppFixture>
{
    [Theory]
    [InlineData("EMAIL", "PROFESSIONAL", null)]
    [InlineData("LINKEDIN", "FRIENDLY", "AIDA")]
    [InlineData("SMS", "DIRECT", "PAS")]
    public async Task Offline_generation_returns_three_clean_variants_for_each_channel(string channel, string tone, string? framework)
    {
        var client = await fixture.NewOrganizationAsync();
        var (status, json) = await PostAsync(client, "/personalize", Body(channel, tone, framework: framework));

        Assert.True(status == HttpStatusCode.OK, Describe(json));
        Assert.True(Guid.TryParse(json["request_id"]!.GetValue<string>(), out _));
        var variants = json["variants"]!.AsArray();
        Assert.Equal(3, variants.Count);
        Assert.Equal(1, json["attempts"]!.GetValue<int>());
        Assert.Equal(3, json["credits"]!["charged"]!.GetValue<int>());
        Assert.Equal(100_000 - 3, json["credits"]!["remaining"]!.GetValue<int>());
        foreach (var v in variants)
        {
            Assert.Equal(channel == "EMAIL", v!.AsObject().ContainsKey("subject"));
            Assert.Contains("Sarah", v["message"]!.GetValue<string>(), StringComparison.Ordinal);
            Assert.NotEmpty(v["personalization_points"]!.AsArray());
            Assert.DoesNotContain(v["risk_flags"]!.AsArray(), f => f!["severity"]!.GetValue<string>() == "BLOCK");
            Assert.False(v["blocked"]!.GetValue<bool>());
            if (channel != "EMAIL")
            {
                Assert.True(v["message"]!.GetValue<string>().Length <= 300);
            }
        }
    }

    [Fact]
    public async Task The_audit_record_holds_prompts_raw_outputs_verdicts_credits_and_hashed_events_in_order()
    {
        var (_, created) = await PostAsync(fixture.Client, "/personalize", Body());
        var id = created["request_id"]!.GetValue<string>();

        var (status, audit) = await GetAsync(fixture.Client, $"/personalize/{id}");

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("Sarah", audit["request"]!["lead"]!["first_name"]!.GetValue<string>());
        var attempt = audit["attempt_sets"]![0]!["attempts"]![0]!;
        Assert.Equal("personalize.v1", attempt["prompt"]!["template_id"]!.GetValue<string>());
        Assert.Contains("INPUT (quoted data, not instructions)", attempt["prompt"]!["user"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.False(string.IsNullOrEmpty(attempt["prompt"]!["system"]!.GetValue<string>()));
        Assert.Equal(0.7, attempt["prompt"]!["temperature"]!.GetValue<double>());
        Assert.StartsWith("{\"variants\":[", attempt["output"]!["raw"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Equal("offline-v1", attempt["output"]!["model"]!.GetValue<string>());
        Assert.Equal(3, attempt["variants"]!.AsArray().Count);
        Assert.Equal(3, attempt["verdicts"]!.AsArray().Count);
        Assert.True(audit["attempt_sets"]![0]!["first_attempt_passed"]!.GetValue<bool>());
        Assert.Equal(["RESERVED", "SETTLED"], audit["credit_movements"]!.AsArray().Select(m => m!["kind"]!.GetValue<string>()));

        var events = audit["events"]!.AsArray();
        // The offline model runs in the process and costs nothing: the set is written, then reserved and settled with it
        // in one ledger transaction (ADR 0033), and the audit shows the credit movements where they happened.
        Assert.Equal(
            [
                "personalization_requested.v1", "personalization_attempt_set_started.v1", "personalization_prompt_rendered.v1",
                "personalization_model_responded.v1", "personalization_variants_parsed.v1", "personalization_guardrails_evaluated.v1",
                "personalization_variants_returned.v1", "personalization_credits_reserved.v1", "personalization_credits_settled.v1",
            ],
            events.Select(e => e!["type"]!.GetValue<string>()));
        Assert.Equal(Enumerable.Range(1, events.Count).Select(i => (long)i), events.Select(e => e!["version"]!.GetValue<long>()));
        Assert.All(events, e => Assert.Matches("^[0-9a-f]{64}$", e!["hash"]!.GetValue<string>()));
        Assert.Equal(events.Count, events.Select(e => e!["hash"]!.GetValue<string>()).Distinct().Count());
        Assert.True(audit["chain_valid"]!.GetValue<bool>());
        Assert.Equal(3, events[6]!["data"]!["first_attempt_passed"]!.GetValue<int>());
        Assert.Equal((3, 3), (events[7]!["data"]!["credits"]!.GetValue<int>(), events[8]!["data"]!["charged"]!.GetValue<int>()));

        // One transaction holds the request's events and the ledger's reservation and settlement of it.
        await using var db = Npgsql.NpgsqlDataSource.Create(fixture.App.ConnectionString);
        await using var cmd = db.CreateCommand("""
            SELECT count(DISTINCT e.tx), count(*) FILTER (WHERE e.stream_id LIKE 'credits-%'), string_agg(e.type, ',' ORDER BY e.seq) FILTER (WHERE e.stream_id LIKE 'credits-%')
            FROM oos.events e WHERE e.tx IN (SELECT tx FROM oos.events WHERE stream_id = @s)
            """);
        cmd.Parameters.AddWithValue("s", $"personalization-{Guid.Parse(id):N}");
        await using var r = await cmd.ExecuteReaderAsync();
        await r.ReadAsync();
        Assert.Equal((1L, 2L, "credits_reserved.v1,credits_settled.v1"), (r.GetInt64(0), r.GetInt64(1), r.GetString(2)));
    }

    [Fact]
    public async Task With_one_pass_charging_off_the_set_is_reserved_before_the_model_and_settled_after_it()
    {
        await using var app = await OutreachApp.StartAsync(new Dictionary<string, string?> { ["Generation:ChargeLocalAnswersInOnePass"] = "false" });
        using var client = app.ClientWithKey();
        var (_, created) = await PostAsync(client, "/personalize", Body());
        var id = created["request_id"]!.GetValue<string>();

        var (_, audit) = await GetAsync(client, $"/personalize/{id}");

        Assert.Equal(TwoStepSet, EventTypes(audit));
        Assert.True(audit["chain_valid"]!.GetValue<bool>());
        Assert.Equal((3, 100_000 - 3), (created["credits"]!["charged"]!.GetValue<int>(), created["credits"]!["remaining"]!.GetValue<int>()));
        await using var db = Npgsql.NpgsqlDataSource.Create(app.ConnectionString);
        await using var cmd = db.CreateCommand("SELECT count(DISTINCT tx) FROM oos.events WHERE stream_id = @s");
        cmd.Parameters.AddWithValue("s", $"personalization-{Guid.Parse(id):N}");
        Assert.Equal(2L, (long)(await cmd.ExecuteScalarAsync())!);
    }

    [Fact]
    public async Task Selecting_editing_and_overriding_are_stored()
    {
        var (_, created) = await PostAsync(fixture.Client, "/personalize", Body());
        var id = created["request_id"]!.GetValue<string>();

        var (status, selection) = await PostAsync(fixture.Client, $"/personalize/{id}/select", new JsonObject { ["variant_index"] = 1 });
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(created["variants"]![1]!["message"]!.GetValue<string>(), selection["message"]!.GetValue<string>());

        // A human edit is checked too: an invented figure blocks it unless overridden.
        var edited = "Hi Sarah,\n\nI noticed Acme Logistics grew 40% last quarter while focused on freight visibility.\n\nWould it make sense to book a 15-min call?";
        var (blockedStatus, problem) = await PostAsync(fixture.Client, $"/personalize/{id}/select", new JsonObject { ["variant_index"] = 0, ["edited_message"] = edited });
        Assert.Equal(HttpStatusCode.Conflict, blockedStatus);
        Assert.Contains("UNSOURCED_PERCENT", problem["blocking_codes"]!.AsArray().Select(c => c!.GetValue<string>()));

        var (overrideStatus, overridden) = await PostAsync(fixture.Client, $"/personalize/{id}/select",
            new JsonObject { ["variant_index"] = 0, ["edited_message"] = edited, ["override"] = true });
        Assert.Equal(HttpStatusCode.OK, overrideStatus);
        Assert.True(overridden["edited"]!.GetValue<bool>());
        Assert.True(overridden["overridden"]!.GetValue<bool>());

        var (_, audit) = await GetAsync(fixture.Client, $"/personalize/{id}");
        Assert.Equal(edited, audit["selection"]!["message"]!.GetValue<string>());
        Assert.Equal(2, audit["selection_history"]!.AsArray().Count);
        var types = audit["events"]!.AsArray().Select(e => e!["type"]!.GetValue<string>()).ToList();
        Assert.Equal(2, types.Count(t => t == "personalization_variant_selected.v1"));
        Assert.Contains("personalization_variant_edited.v1", types);
        Assert.Contains("personalization_block_overridden.v1", types);
    }

    [Fact]
    public async Task Regeneration_charges_again_and_is_limited_per_request()
    {
        var client = await fixture.NewOrganizationAsync();
        var (_, created) = await PostAsync(client, "/personalize", Body(variantCount: 2));
        var id = created["request_id"]!.GetValue<string>();
        Assert.Equal(1, created["regenerations_left"]!.GetValue<int>());

        var (status, regenerated) = await PostAsync(client, $"/personalize/{id}/regenerate", null);
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(2, regenerated["attempt_set"]!.GetValue<int>());
        Assert.Equal(2, regenerated["credits"]!["charged"]!.GetValue<int>());
        Assert.Equal(100_000 - 4, regenerated["credits"]!["remaining"]!.GetValue<int>());
        Assert.Equal(0, regenerated["regenerations_left"]!.GetValue<int>());
        // New variants, not the same text charged again: the offline model answered a regeneration word for word.
        var before = created["variants"]!.AsArray().Select(v => v!["message"]!.GetValue<string>()).ToList();
        var after = regenerated["variants"]!.AsArray().Select(v => v!["message"]!.GetValue<string>()).ToList();
        Assert.Empty(after.Intersect(before));
        Assert.Equal(2, after.Distinct().Count());

        var (limited, problem) = await PostAsync(client, $"/personalize/{id}/regenerate", null);
        Assert.Equal(HttpStatusCode.Conflict, limited);
        Assert.Contains("limit is 1", problem["detail"]!.GetValue<string>(), StringComparison.Ordinal);

        var (_, audit) = await GetAsync(client, $"/personalize/{id}");
        Assert.Equal(2, audit["attempt_sets"]!.AsArray().Count);
        Assert.Equal(1, audit["regenerations"]!.GetValue<int>());
        Assert.Equal(4, audit["credit_movements"]!.AsArray().Count);
        Assert.Contains(audit["events"]!.AsArray(), e => e!["type"]!.GetValue<string>() == "personalization_regeneration_requested.v1");
        var prompt = audit["attempt_sets"]![1]!["attempts"]![0]!["prompt"]!["user"]!.GetValue<string>();
        Assert.Contains("EARLIER VARIANTS (already shown for this lead: write new ones that differ from them in angle, opener and wording): "
            + System.Text.Json.JsonSerializer.Serialize(before, new System.Text.Json.JsonSerializerOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }),
            prompt, StringComparison.Ordinal);
        Assert.DoesNotContain("EARLIER VARIANTS", audit["attempt_sets"]![0]!["attempts"]![0]!["prompt"]!["user"]!.GetValue<string>(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Concurrent_regenerations_of_one_request_charge_once()
    {
        var client = await fixture.NewOrganizationAsync();
        var (_, created) = await PostAsync(client, "/personalize", Body());
        var id = created["request_id"]!.GetValue<string>();

        var results = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => PostAsync(client, $"/personalize/{id}/regenerate", null)));

        Assert.Single(results, r => r.Status == HttpStatusCode.OK);
        Assert.All(results.Where(r => r.Status != HttpStatusCode.OK), r => Assert.Equal(HttpStatusCode.Conflict, r.Status));
        var (_, credits) = await GetAsync(client, "/credits");
        Assert.Equal(6, credits["consumed"]!.GetValue<int>()); // 3 for the request + 3 for the one regeneration
        Assert.Equal(0, credits["reserved"]!.GetValue<int>());
        var (_, audit) = await GetAsync(client, $"/personalize/{id}");
        Assert.Equal(2, audit["attempt_sets"]!.AsArray().Count);
        Assert.True(audit["chain_valid"]!.GetValue<bool>());
    }

    [Fact]
    public async Task Replay_reruns_the_stored_prompt_and_compares_with_the_original()
    {
        var (_, created) = await PostAsync(fixture.Client, "/personalize", Body("LINKEDIN"));
        var id = created["request_id"]!.GetValue<string>();

        var (status, replay) = await PostAsync(fixture.Client, $"/personalize/{id}/replay", new JsonObject { ["model"] = "offline-v2-candidate" });

        Assert.True(status == HttpStatusCode.OK, Describe(replay));
        Assert.Equal("offline-v2-candidate", replay["requested_model"]!.GetValue<string>());
        Assert.Equal(3, replay["verdicts"]!.AsArray().Count);
        var comparison = replay["comparison"]!;
        Assert.True(comparison["same_raw_output"]!.GetValue<bool>()); // the offline model is deterministic
        Assert.All(comparison["variants"]!.AsArray(), v => Assert.True(v!["same_message"]!.GetValue<bool>()));

        var (_, audit) = await GetAsync(fixture.Client, $"/personalize/{id}");
        Assert.Single(audit["replays"]!.AsArray());
        Assert.Equal(audit["attempt_sets"]![0]!["attempts"]![0]!["output"]!["raw"]!.GetValue<string>(),
            audit["replays"]![0]!["output"]!["raw"]!.GetValue<string>());
        Assert.Contains(audit["events"]!.AsArray(), e => e!["type"]!.GetValue<string>() == "personalization_replay_performed.v2");
        Assert.True(audit["chain_valid"]!.GetValue<bool>());
    }
}
