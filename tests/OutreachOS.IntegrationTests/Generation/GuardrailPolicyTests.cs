using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using static OutreachOS.IntegrationTests.Generation.GenerationApi;

namespace OutreachOS.IntegrationTests.Generation;

/// <summary>Per-organization guardrail policy: versioned as events, applied to that organization's checks only.</summary>
public sealed class GuardrailPolicyTests(GenerationAppFixture fixture) : IClassFixture<GenerationAppFixture>
{
    private const string Edited = "Hi Sarah,\n\nTeams moving off RivalSoft tell us freight visibility got easier, with real synergy for carrier onboarding.\n\nWould it make sense to book a 15-min call?";

    private static async Task<(HttpStatusCode, JsonObject)> PutPolicyAsync(HttpClient client, JsonObject body)
    {
        using var response = await client.PutAsJsonAsync("/guardrails/policy", body);
        return (response.StatusCode, JsonNode.Parse(await response.Content.ReadAsStringAsync())!.AsObject());
    }

    [Fact]
    public async Task An_organizations_competitors_and_phrases_block_its_own_edits_and_nobody_elses()
    {
        var org = await fixture.NewOrganizationAsync();
        var other = await fixture.NewOrganizationAsync();
        var (put, saved) = await PutPolicyAsync(org, new JsonObject
        {
            ["forbidden_phrases"] = new JsonArray("real synergy"),
            ["competitor_names"] = new JsonArray("RivalSoft", "rivalsoft"),
        });
        Assert.Equal(HttpStatusCode.OK, put);
        Assert.Equal(1, saved["version"]!.GetValue<int>());
        Assert.Single(saved["competitor_names"]!.AsArray()); // de-duplicated, case-insensitively

        foreach (var (client, blocked) in new[] { (org, true), (other, false) })
        {
            var (_, created) = await PostAsync(client, "/personalize", Body());
            var id = created["request_id"]!.GetValue<string>();
            var (status, answer) = await PostAsync(client, $"/personalize/{id}/select", new JsonObject { ["variant_index"] = 0, ["edited_message"] = Edited });
            if (blocked)
            {
                Assert.Equal(HttpStatusCode.Conflict, status);
                var codes = answer["blocking_codes"]!.AsArray().Select(c => c!.GetValue<string>()).ToList();
                Assert.Contains("COMPETITOR_MENTION", codes);
                Assert.Contains("FORBIDDEN_PHRASE", codes);
            }
            else
            {
                Assert.True(status == HttpStatusCode.OK, Describe(answer));
            }
        }

        var (_, read) = await GetAsync(other, "/guardrails/policy");
        Assert.Empty(read["competitor_names"]!.AsArray()); // another organization's policy is invisible
    }

    /// <summary>
    /// A variant selected as it was written is checked under the policy in force at selection, not only the one it was
    /// generated under: forbidding one of its phrases afterwards makes its selection take <c>"override": true</c>, which is
    /// recorded. Before, the unedited variant's stored verdict was used and the selection went through.
    /// </summary>
    [Fact]
    public async Task A_variant_selected_unedited_is_checked_under_the_policy_in_force_at_selection()
    {
        var org = await fixture.NewOrganizationAsync();
        var (_, created) = await PostAsync(org, "/personalize", Body(variantCount: 1));
        var id = created["request_id"]!.GetValue<string>();
        var message = created["variants"]![0]!["message"]!.GetValue<string>();
        Assert.DoesNotContain(created["variants"]![0]!["risk_flags"]!.AsArray(), f => f!["severity"]!.GetValue<string>() == "BLOCK");
        // A phrase of the variant's own text becomes forbidden after it was written.
        var phrase = string.Join(' ', message.Split([' ', '\n'], StringSplitOptions.RemoveEmptyEntries).Skip(3).Take(3));
        var (put, _) = await PutPolicyAsync(org, new JsonObject { ["forbidden_phrases"] = new JsonArray(phrase) });
        Assert.Equal(HttpStatusCode.OK, put);

        var (refused, problem) = await PostAsync(org, $"/personalize/{id}/select", new JsonObject { ["variant_index"] = 0 });
        Assert.True(refused == HttpStatusCode.Conflict, $"'{phrase}': {Describe(problem)}");
        Assert.Contains("FORBIDDEN_PHRASE", problem["blocking_codes"]!.AsArray().Select(c => c!.GetValue<string>()));

        var (selected, selection) = await PostAsync(org, $"/personalize/{id}/select", new JsonObject { ["variant_index"] = 0, ["override"] = true });
        Assert.True(selected == HttpStatusCode.OK, Describe(selection));
        var (_, record) = await GetAsync(org, $"/personalize/{id}");
        var overridden = Assert.Single(record["events"]!.AsArray(), e => e!["type"]!.GetValue<string>() == "personalization_block_overridden.v1");
        Assert.Contains("FORBIDDEN_PHRASE", overridden!["data"]!["blocking_codes"]!.AsArray().Select(c => c!.GetValue<string>()));
    }

    [Fact]
    public async Task Invalid_policies_get_400_naming_the_entry()
    {
        var org = await fixture.NewOrganizationAsync();
        var (status, problem) = await PutPolicyAsync(org, new JsonObject
        {
            ["forbidden_phrases"] = new JsonArray("ok", " ", new string('x', 101)),
        });
        Assert.Equal(HttpStatusCode.BadRequest, status);
        var errors = problem["errors"]!.AsObject();
        Assert.True(errors.ContainsKey("forbidden_phrases[1]"));
        Assert.True(errors.ContainsKey("forbidden_phrases[2]"));
    }
    /// <summary>
    /// The lead's context is third-party text. Wording in it that the guardrails refuse (the organization's competitors
    /// and forbidden phrases, spam words) is screened before the model writes and named on the prompt's AVOID line, so
    /// the offline model leaves it out and its variants pass first time. Before, the offline model copied such keywords
    /// and every attempt was blocked (its retry wrote the same text).
    /// </summary>
    [Fact]
    public async Task Context_wording_the_organization_forbids_is_screened_before_the_model_writes()
    {
        var org = await fixture.NewOrganizationAsync();
        var (put, _) = await PutPolicyAsync(org, new JsonObject
        {
            ["forbidden_phrases"] = new JsonArray("real synergy"),
            ["competitor_names"] = new JsonArray("RivalSoft"),
        });
        Assert.Equal(HttpStatusCode.OK, put);
        var body = Body();
        body["company_context"]!["keywords"] = new JsonArray("RivalSoft migration", "real synergy", "risk-free trials", "freight visibility");
        body["company_context"]!["tech_stack"] = new JsonArray("RivalSoft", "Snowflake");

        var (status, created) = await PostAsync(org, "/personalize", body);

        Assert.True(status == HttpStatusCode.OK, Describe(created));
        Assert.Equal(1, created["attempts"]!.GetValue<int>());
        Assert.All(created["variants"]!.AsArray(), v => Assert.Empty(v!["risk_flags"]!.AsArray()));
        Assert.Contains(created["variants"]!.AsArray(), v => v!["message"]!.GetValue<string>().Contains("freight visibility", StringComparison.Ordinal));
        var (_, record) = await GetAsync(org, $"/personalize/{created["request_id"]!.GetValue<string>()}");
        var user = record["attempt_sets"]![0]!["attempts"]![0]!["prompt"]!["user"]!.GetValue<string>();
        const string avoid = "AVOID (wording in the INPUT that no message may contain, in any spelling): [\"RivalSoft\",\"real synergy\",\"risk-free\",\"free trials\"]";
        Assert.True(user.Contains(avoid, StringComparison.Ordinal), user);
    }
}
