using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using OutreachOS.Analytics.Contracts;
using OutreachOS.BuildingBlocks.Projections;
using OutreachOS.IntegrationTests.Api;

namespace OutreachOS.IntegrationTests.Analytics;

public sealed class KpiGraphQLTests
{
    private static async Task<JsonNode> QueryAsync(HttpClient client, string query, object? variables = null)
    {
        using var response = await client.PostAsJsonAsync("/graphql", new { query, variables });
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
    }

    // The relay is off: the appended history is the whole story (no module reacts to the test's inbound events).
    private static readonly Dictionary<string, string?> NoRelay = new() { ["Messaging:Relay:Enabled"] = "false" };

    [Fact]
    public async Task The_kpi_fields_answer_over_http_with_the_api_keys_organization_figures_only()
    {
        await using var app = await OutreachApp.StartAsync(NoRelay);
        using var created = await app.ClientWithKey().PostAsJsonAsync("/organizations", new { name = "Kpi Org", tier = "PRO" });
        var body = JsonNode.Parse(await created.Content.ReadAsStringAsync())!;
        var org = body["organization"]!["id"]!.GetValue<Guid>();
        var client = app.ClientWithKey(body["api_key"]!["key"]!.GetValue<string>());

        await new KpiScenario(app.Services, org).AppendInboundAsync();
        await app.Services.GetRequiredService<SubscriptionEngine>().WaitForCatchUpAsync(KpiProjectionNames.Kpis, TimeSpan.FromSeconds(60));

        const string query = """
            query($from: DateTime!, $to: DateTime!) {
              inboundKpis(from: $from, to: $to) { received filtered autoSent drafted approvedUnchanged approvedEdited rejected human
                autoRate approveRate revertRate humanCorrectionRate qaSampled qaCorrect qaVerdicts autoSendPrecision costUsd
                days { day received filtered autoSent drafted human approved rejected } }
              support: inboundKpis(from: $from, to: $to, intent: "support") { received autoRate }
              outboundKpis(from: $from, to: $to, channel: "EMAIL") { requests sends replyRate firstPassRate costUsd days { day } }
              creditsTrend(from: $from, to: $to) { day consumed balance allowance alerts }
              costByModel(from: $from, to: $to) { day module model calls costUsd latencyP50Ms latencyP95Ms }
              stageLatency(from: $from, to: $to) { stage count p50Ms p95Ms }
            }
            """;
        var vars = new { from = "2026-03-01T00:00:00Z", to = "2026-03-03T00:00:00Z" };
        var result = await QueryAsync(client, query, vars);
        Assert.Null(result["errors"]);
        var inbound = result["data"]!["inboundKpis"]!;
        Assert.Equal(7, inbound["received"]!.GetValue<int>());
        Assert.Equal(2, inbound["autoSent"]!.GetValue<int>());
        Assert.Equal(2.0 / 6, inbound["autoRate"]!.GetValue<double>(), 9);
        Assert.Equal(0.5, inbound["autoSendPrecision"]!.GetValue<double>());
        Assert.Equal(0.16m, inbound["costUsd"]!.GetValue<decimal>());
        Assert.Equal("2026-03-02", inbound["days"]![1]!["day"]!.GetValue<string>());
        Assert.Equal(4, inbound["days"]![1]!["received"]!.GetValue<int>());
        Assert.Equal(0.5, result["data"]!["support"]!["autoRate"]!.GetValue<double>());

        var outbound = result["data"]!["outboundKpis"]!;
        Assert.Equal(0, outbound["requests"]!.GetValue<int>());
        Assert.Null(outbound["replyRate"]); // no sends: null, not 0
        Assert.Equal(2, outbound["days"]!.AsArray().Count);

        var credits = result["data"]!["creditsTrend"]!.AsArray();
        Assert.Equal([5000, 5000], credits.Select(d => d!["balance"]!.GetValue<int>()));
        Assert.Equal(4, result["data"]!["costByModel"]!.AsArray().Count); // triage and respond, on D1 and on D2
        Assert.Equal(6, result["data"]!["stageLatency"]!.AsArray().Single(s => s!["stage"]!.GetValue<string>() == "ingest_to_classified")!["count"]!.GetValue<int>());

        // The platform organization sees none of it.
        var admin = await QueryAsync(app.ClientWithKey(), query, vars);
        Assert.Equal(0, admin["data"]!["inboundKpis"]!["received"]!.GetValue<int>());
    }

    [Theory]
    [InlineData("2026-03-02T00:00:00Z", "2026-03-01T00:00:00Z", "must be after")]
    [InlineData("2026-03-01T00:00:00Z", "2026-03-01T00:00:00Z", "must be after")]
    [InlineData("2025-01-01T00:00:00Z", "2026-03-01T00:00:00Z", "at most 366")]
    [InlineData("9999-12-31T00:00:00Z", "9999-12-31T23:59:59Z", "must not be later than")] // its end day does not exist
    public async Task An_invalid_range_is_a_graphql_error_naming_the_argument(string from, string to, string message)
    {
        await using var app = await OutreachApp.StartAsync();
        var result = await QueryAsync(app.ClientWithKey(), "query($f: DateTime!, $t: DateTime!) { stageLatency(from: $f, to: $t) { stage } }", new { f = from, t = to });
        Assert.Null(result["data"]);
        var error = result["errors"]![0]!;
        Assert.Contains(message, error["message"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Equal("to", error["extensions"]!["argument"]!.GetValue<string>());
        Assert.Equal("stageLatency", error["path"]![0]!.GetValue<string>());
    }
}
