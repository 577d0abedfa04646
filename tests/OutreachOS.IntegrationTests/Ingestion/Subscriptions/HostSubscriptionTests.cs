using System.Net;
using System.Text.Json.Nodes;
using OutreachOS.IntegrationTests.Api;

namespace OutreachOS.IntegrationTests.Ingestion.Subscriptions;

/// <summary>
/// The real host: the renewer starts with it, creates the Graph subscription, and <c>/ingest/graph</c> then accepts that
/// subscription's notifications (with the configured clientState only) although configuration never named its id; a
/// lifecycle notification wakes the renewer, which acts on it at once.
/// </summary>
public sealed class HostSubscriptionTests
{
    [Fact]
    public async Task The_host_creates_the_graph_subscription_at_start_and_its_webhook_accepts_it()
    {
        await using var stub = await SubscriptionStub.StartAsync(TimeProvider.System);
        var settings = SubscriptionHarness.Settings(stub)
            .With("Ingestion:Graph:Subscriptions:NotificationUrl", "https://outreachos.test/ingest/graph")
            .With("Ingestion:Graph:Subscriptions:ClientState", "host-client-state")
            .WithGraphMailbox(0, "sales@acme.test");
        await using var app = await OutreachApp.StartAsync(settings);
        using var client = app.CreateClient();

        static JsonObject Notification(string clientState) => new()
        {
            ["value"] = new JsonArray(new JsonObject
            {
                ["subscriptionId"] = "graph-sub-1",
                ["clientState"] = clientState,
                ["changeType"] = "created",
                ["resource"] = "users/sales@acme.test/messages/AAMk1",
            }),
        };

        var deadline = DateTime.UtcNow.AddSeconds(30);
        (HttpStatusCode Status, JsonNode? Json, string Text) accepted;
        do
        {
            // 401 until the renewer has created and stored the subscription.
            accepted = await IngestionAppFixture.PostJsonAsync(client, "/ingest/graph", Notification("host-client-state"));
            if (accepted.Status == HttpStatusCode.Accepted)
            {
                break;
            }
            await Task.Delay(100);
        }
        while (DateTime.UtcNow < deadline);

        Assert.Equal(HttpStatusCode.Accepted, accepted.Status);
        Assert.Equal(1, accepted.Json!["accepted"]!.GetValue<int>());
        Assert.Single(stub.Calls("POST", "/graph/v1.0/subscriptions"));
        var wrong = await IngestionAppFixture.PostJsonAsync(client, "/ingest/graph", Notification("someone-else"));
        Assert.Equal(HttpStatusCode.Unauthorized, wrong.Status);

        // A lifecycle notification is recorded and wakes the renewer, which reauthorizes at once (the next renewal
        // would otherwise be a day away). With the wrong clientState it is refused like any notification.
        // Graph repeats a notice; one delivery holding it twice records it once.
        static JsonObject Lifecycle(string clientState) => new()
        {
            ["value"] = new JsonArray([.. Enumerable.Range(0, 2).Select(_ => (JsonNode)new JsonObject
            {
                ["subscriptionId"] = "graph-sub-1",
                ["clientState"] = clientState,
                ["lifecycleEvent"] = "reauthorizationRequired",
                ["subscriptionExpirationDateTime"] = DateTimeOffset.UtcNow.AddHours(60).ToString("o"),
            })]),
        };
        Assert.Equal(HttpStatusCode.Unauthorized, (await IngestionAppFixture.PostJsonAsync(client, "/ingest/graph", Lifecycle("someone-else"))).Status);
        Assert.Empty(stub.Calls("PATCH", "/graph/v1.0/subscriptions/"));
        var lifecycle = await IngestionAppFixture.PostJsonAsync(client, "/ingest/graph", Lifecycle("host-client-state"));
        Assert.Equal(HttpStatusCode.Accepted, lifecycle.Status);
        Assert.Equal((0, 1), (lifecycle.Json!["accepted"]!.GetValue<int>(), lifecycle.Json!["lifecycle"]!.GetValue<int>()));
        deadline = DateTime.UtcNow.AddSeconds(30);
        while (stub.Calls("PATCH", "/graph/v1.0/subscriptions/graph-sub-1").Count == 0 && DateTime.UtcNow < deadline)
        {
            await Task.Delay(50);
        }
        Assert.Single(stub.Calls("PATCH", "/graph/v1.0/subscriptions/graph-sub-1"));
    }
}
