using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using OutreachOS.IntegrationTests.Api;
using static OutreachOS.IntegrationTests.Generation.GenerationApi;

namespace OutreachOS.IntegrationTests.Generation;

public sealed class PersonalizeConcurrencyTests
{
    [Fact]
    public async Task One_hundred_concurrent_personalize_requests_with_credits_for_37_exactly_37_succeed_and_the_ledger_balances()
    {
        const int k = 37;
        await using var app = await OutreachApp.StartAsync(new Dictionary<string, string?> { ["Credits:Tiers:FREE"] = k.ToString(System.Globalization.CultureInfo.InvariantCulture) });
        using var created = await app.ClientWithKey().PostAsJsonAsync("/organizations", new { name = "tight budget", tier = "FREE" });
        var key = JsonNode.Parse(await created.Content.ReadAsStringAsync())!["api_key"]!["key"]!.GetValue<string>();
        var client = app.ClientWithKey(key);

        var outcomes = await Task.WhenAll(Enumerable.Range(0, 100).Select(_ => Task.Run(async () =>
        {
            var (status, json) = await PostAsync(client, "/personalize", Body(variantCount: 1));
            return (status, json);
        })));

        Assert.Equal(k, outcomes.Count(o => o.status == HttpStatusCode.OK));
        Assert.Equal(100 - k, outcomes.Count(o => o.status == HttpStatusCode.PaymentRequired));
        Assert.All(outcomes.Where(o => o.status == HttpStatusCode.OK), o => Assert.Equal(1, o.json["credits"]!["charged"]!.GetValue<int>()));

        var (_, credits) = await GetAsync(client, "/credits");
        Assert.Equal(k, credits["allowance"]!.GetValue<int>());
        Assert.Equal(k, credits["consumed"]!.GetValue<int>());
        Assert.Equal(0, credits["reserved"]!.GetValue<int>());
        Assert.Equal(0, credits["available"]!.GetValue<int>());

        // The ledger's groups lock the callers' new streams ahead (creating them); a refused request's stream is removed
        // in the same transaction, so only the served requests have one, and no stream is left without events.
        await using var db = Npgsql.NpgsqlDataSource.Create(app.ConnectionString);
        await using var streams = db.CreateCommand("SELECT count(*) FILTER (WHERE type = 'personalization'), count(*) FILTER (WHERE version = 0) FROM oos.streams");
        await using var r = await streams.ExecuteReaderAsync();
        await r.ReadAsync();
        Assert.Equal((k, 0L), ((int)r.GetInt64(0), r.GetInt64(1)));
    }

    [Fact]
    public async Task Concurrent_requests_near_the_end_of_the_balance_degrade_on_the_real_balance_and_use_every_credit()
    {
        // 10 credits, five requests for 3 variants at once. Each request's variant count is decided against the balance
        // the earlier reservations left (under the ledger's lock), whatever the arrival order: 3 + 3 + 3 + 1, then 402.
        await using var app = await OutreachApp.StartAsync(new Dictionary<string, string?> { ["Credits:Tiers:FREE"] = "10" });
        using var created = await app.ClientWithKey().PostAsJsonAsync("/organizations", new { name = "last credits", tier = "FREE" });
        var key = JsonNode.Parse(await created.Content.ReadAsStringAsync())!["api_key"]!["key"]!.GetValue<string>();
        var client = app.ClientWithKey(key);

        var outcomes = await Task.WhenAll(Enumerable.Range(0, 5).Select(_ => Task.Run(() => PostAsync(client, "/personalize", Body(variantCount: 3)))));

        var served = outcomes.Where(o => o.Item1 == HttpStatusCode.OK).Select(o => o.Item2["variants"]!.AsArray().Count).Order().ToList();
        Assert.Equal([1, 3, 3, 3], served);
        Assert.Single(outcomes, o => o.Item1 == HttpStatusCode.PaymentRequired);
        var (_, credits) = await GetAsync(client, "/credits");
        Assert.Equal((10, 0, 0), (credits["consumed"]!.GetValue<int>(), credits["reserved"]!.GetValue<int>(), credits["available"]!.GetValue<int>()));
    }
}
