using System.Net;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using OutreachOS.BuildingBlocks.EventStore;
using OutreachOS.Ingestion.Accepting;
using OutreachOS.Ingestion.Contracts;
using OutreachOS.IntegrationTests.Api;
using OutreachOS.IntegrationTests.Messaging;
using static OutreachOS.IntegrationTests.Ingestion.IngestionAppFixture;

namespace OutreachOS.IntegrationTests.Ingestion.OAuth;

/// <summary>
/// The host wired with <c>Ingestion:Graph:OAuth</c> instead of a static token: Graph notifications are fetched with a
/// token the service obtained itself (client-credentials), and one token serves several notifications.
/// </summary>
public sealed class HostOAuthTests : IAsyncLifetime
{
    private OAuthStub _oauth = null!;
    private ProviderStub _providers = null!;
    private OutreachApp _app = null!;

    public async Task InitializeAsync()
    {
        _oauth = await OAuthStub.StartAsync();
        _providers = await ProviderStub.StartAsync();
        var settings = Settings(_providers);
        settings["Ingestion:Graph:AccessToken"] = null;
        settings["Ingestion:Graph:BaseUrl"] = new Uri(_oauth.BaseUrl, "graph/v1.0/").ToString();
        settings["Ingestion:Graph:OAuth:TenantId"] = "tenant-9";
        settings["Ingestion:Graph:OAuth:TokenUrl"] = new Uri(_oauth.BaseUrl, "tenant-9/oauth2/v2.0/token").ToString();
        settings["Ingestion:Graph:OAuth:ClientId"] = "graph-app";
        settings["Ingestion:Graph:OAuth:ClientSecret"] = "graph-app-secret";
        _app = await OutreachApp.StartAsync(settings);
    }

    public async Task DisposeAsync()
    {
        await _app.DisposeAsync();
        await _providers.DisposeAsync();
        await _oauth.DisposeAsync();
    }

    [Fact]
    public async Task Graph_notifications_are_fetched_with_one_service_obtained_token()
    {
        using var anonymous = _app.ClientWithKey(null);
        var ids = Enumerable.Range(0, 3).Select(_ => "g" + Guid.NewGuid().ToString("N")[..16]).ToList();
        foreach (var id in ids)
        {
            var (status, _, text) = await PostJsonAsync(anonymous, "/ingest/graph", Notification($"users/u1/messages/{id}"));
            Assert.True(status == HttpStatusCode.Accepted, text);
        }
        var store = _app.Services.GetRequiredService<IEventStore>();
        foreach (var id in ids)
        {
            var stream = InboundStreams.StreamId(DeterministicId.Inbound(PlatformOrg, $"<{id}@graph.test>"));
            await Eventually.TrueAsync(async () => (await store.ReadStreamAsync(PlatformOrg, stream)).Any(e => e.EventType == "inbound_received.v1"), "message " + id + " accepted");
        }
        var (_, form) = Assert.Single(_oauth.TokenRequests);
        Assert.Equal("client_credentials", form["grant_type"]);
        Assert.Equal(3, _oauth.ApiRequests.Count(r => r.Status == 200));
        Assert.Single(_oauth.ApiRequests.Select(r => r.Authorization).Distinct());
    }

    private static JsonObject Notification(string resource) => new()
    {
        ["value"] = new JsonArray(new JsonObject
        {
            ["subscriptionId"] = GraphSubscription,
            ["changeType"] = "created",
            ["clientState"] = GraphClientState,
            ["resource"] = resource,
        }),
    };
}
