using System.Net;
using System.Text.Json.Nodes;
using OutreachOS.IntegrationTests.Api;
using static OutreachOS.IntegrationTests.Generation.GenerationApi;

namespace OutreachOS.IntegrationTests.Generation;

/// <summary><c>Generation:CreditsPerVariant = 0</c>: a self-hoster's free generation, recorded like any other and never charged.</summary>
public sealed class FreeGenerationTests
{
    [Fact]
    public async Task With_a_price_of_zero_personalize_regenerate_and_replay_answer_charge_nothing_and_are_recorded()
    {
        await using var app = await OutreachApp.StartAsync(new Dictionary<string, string?> { ["Generation:CreditsPerVariant"] = "0" });
        using var client = app.ClientWithKey();
        var (_, balance) = await GetAsync(client, "/credits");
        var available = balance["available"]!.GetValue<int>();

        var (status, created) = await PostAsync(client, "/personalize", Body(variantCount: 3));
        Assert.True(status == HttpStatusCode.OK, Describe(created));
        Assert.Equal(3, created["variants"]!.AsArray().Count);
        Assert.Equal(0, created["credits"]!["charged"]!.GetValue<int>());
        Assert.Equal(available, created["credits"]!["remaining"]!.GetValue<int>());
        var id = created["request_id"]!.GetValue<string>();

        var (regenerated, again) = await PostAsync(client, $"/personalize/{id}/regenerate", null);
        Assert.True(regenerated == HttpStatusCode.OK, Describe(again));
        Assert.Equal(0, again["credits"]!["charged"]!.GetValue<int>());
        var (replayed, replay) = await PostAsync(client, $"/personalize/{id}/replay", new JsonObject());
        Assert.True(replayed == HttpStatusCode.OK, Describe(replay));
        Assert.Equal(3, replay["variants"]!.AsArray().Count);

        var (_, record) = await GetAsync(client, $"/personalize/{id}");
        Assert.True(record["chain_valid"]!.GetValue<bool>());
        Assert.Equal(2, record["attempt_sets"]!.AsArray().Count);
        Assert.All(record["attempt_sets"]!.AsArray(), s => Assert.Equal(3, s!["variants"]!.AsArray().Count));
        Assert.Single(record["replays"]!.AsArray());
        Assert.Empty(record["credit_movements"]!.AsArray()); // nothing held, charged or released
        var (_, after) = await GetAsync(client, "/credits");
        Assert.Equal(0, after["consumed"]!.GetValue<int>());
        Assert.Equal(0, after["reserved"]!.GetValue<int>());
        Assert.Equal(available, after["available"]!.GetValue<int>());
    }
}
