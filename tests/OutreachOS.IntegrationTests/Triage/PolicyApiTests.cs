using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;

namespace OutreachOS.IntegrationTests.Triage;

public sealed class PolicyApiTests(TriageFlowFixture fixture) : IClassFixture<TriageFlowFixture>
{
    private static async Task<(HttpStatusCode Status, JsonNode Json)> PutAsync(HttpClient client, string json)
    {
        using var response = await client.PutAsync("/policies", new StringContent(json, Encoding.UTF8, "application/json"));
        return (response.StatusCode, JsonNode.Parse(await response.Content.ReadAsStringAsync())!);
    }

    [Fact]
    public async Task Without_a_stored_policy_GET_returns_the_default_at_version_0_and_PUT_versions_it()
    {
        var (_, client) = await fixture.Harness.NewOrganizationAsync();
        var initial = JsonNode.Parse(await client.GetStringAsync("/policies"))!;
        Assert.Equal(0, initial["version"]!.GetValue<int>());
        Assert.False(initial["policy"]!["intents"]!["scheduling"]!["auto_send"]!.GetValue<bool>());
        Assert.True(initial["policy"]!["pii"]!["redact_before_llm"]!.GetValue<bool>());

        var (status, put) = await PutAsync(client, """{"policy":{"vip_senders":["ceo@big.example"],"intents":{"scheduling":{"auto_send":true}}}}""");
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(1, put["version"]!.GetValue<int>());
        var (status2, put2) = await PutAsync(client, """{"expected_version":1,"policy":{"dry_run":true}}""");
        Assert.Equal(HttpStatusCode.OK, status2);
        Assert.Equal(2, put2["version"]!.GetValue<int>());

        var current = JsonNode.Parse(await client.GetStringAsync("/policies"))!;
        Assert.Equal(2, current["version"]!.GetValue<int>());
        Assert.True(current["policy"]!["dry_run"]!.GetValue<bool>());
        Assert.Empty(current["policy"]!["vip_senders"]!.AsArray()); // a PUT replaces the whole document
    }

    [Fact]
    public async Task Invalid_policies_are_400_naming_each_field()
    {
        var (_, client) = await fixture.Harness.NewOrganizationAsync();
        var (status, json) = await PutAsync(client,
            """{"policy":{"intents":{"pricing":{"min_confidence":2}},"sla_minutes":{"soon":5},"senders":{"allow":["not an address"]},"colour":"red"}}""");

        Assert.Equal(HttpStatusCode.BadRequest, status);
        var fields = json["errors"]!.AsObject().Select(kv => kv.Key).ToHashSet();
        Assert.Superset(new HashSet<string> { "policy.intents.pricing.min_confidence", "policy.sla_minutes.soon", "policy.senders.allow[0]", "policy.colour" }, fields);
        Assert.Equal(0, JsonNode.Parse(await client.GetStringAsync("/policies"))!["version"]!.GetValue<int>());

        var (missing, missingJson) = await PutAsync(client, """{"expected_version":"one"}""");
        Assert.Equal(HttpStatusCode.BadRequest, missing);
        Assert.NotNull(missingJson["errors"]!["policy"]);
        Assert.NotNull(missingJson["errors"]!["expected_version"]);
    }

    [Fact]
    public async Task A_stale_expected_version_is_409()
    {
        var (_, client) = await fixture.Harness.NewOrganizationAsync();
        Assert.Equal(HttpStatusCode.OK, (await PutAsync(client, """{"expected_version":0,"policy":{}}""")).Status);

        var (status, json) = await PutAsync(client, """{"expected_version":0,"policy":{"dry_run":true}}""");

        Assert.Equal(HttpStatusCode.Conflict, status);
        Assert.Contains("version 1", json["detail"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.False(JsonNode.Parse(await client.GetStringAsync("/policies"))!["policy"]!["dry_run"]!.GetValue<bool>());
    }

    [Fact]
    public async Task Policies_are_per_organization()
    {
        var (_, a) = await fixture.Harness.NewOrganizationAsync();
        var (_, b) = await fixture.Harness.NewOrganizationAsync();
        using var put = await a.PutAsJsonAsync("/policies", new { policy = new { dry_run = true } });
        Assert.Equal(HttpStatusCode.OK, put.StatusCode);
        Assert.Equal(0, JsonNode.Parse(await b.GetStringAsync("/policies"))!["version"]!.GetValue<int>());
    }
}
