using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using OutreachOS.IntegrationTests.Api;

namespace OutreachOS.IntegrationTests.Generation;

/// <summary>One host on a fresh database, offline model, real Credits ledger; FREE tier = 2 credits for the 402 tests.</summary>
public sealed class GenerationAppFixture : IAsyncLifetime
{
    public OutreachApp App { get; private set; } = null!;

    public HttpClient Client { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        App = await OutreachApp.StartAsync(new Dictionary<string, string?>
        {
            ["Generation:MaxRegenerations"] = "1",
            ["Generation:ReplayModels:0"] = "offline-v2-candidate",
            ["Credits:Tiers:FREE"] = "2",
        });
        Client = App.ClientWithKey();
    }

    public async Task DisposeAsync()
    {
        Client.Dispose();
        await App.DisposeAsync();
    }

    /// <summary>A second organization with its own key (tier as given).</summary>
    public async Task<HttpClient> NewOrganizationAsync(string tier = "ENTERPRISE")
    {
        using var response = await Client.PostAsJsonAsync("/organizations", new { name = $"org-{Guid.NewGuid():N}", tier });
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var json = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
        return App.ClientWithKey(json["api_key"]!["key"]!.GetValue<string>());
    }
}
