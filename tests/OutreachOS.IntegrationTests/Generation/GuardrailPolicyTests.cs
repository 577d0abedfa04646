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
}
