using System.Net;
using System.Text.Json.Nodes;
using OutreachOS.Ingestion.Outbound;
using OutreachOS.IntegrationTests.Api;
using OutreachOS.IntegrationTests.Messaging;
using static OutreachOS.IntegrationTests.Ingestion.IngestionAppFixture;

namespace OutreachOS.IntegrationTests.Ingestion;

/// <summary>
/// inbound_received.v1 crosses real RabbitMQ: the relay publishes it, and the module's reply-tracking consumer (a real bus
/// consumer on its own queue) records the reply on the outbound stream. A Graph notification also crosses the broker
/// to the fetch consumer.
/// </summary>
public sealed class IngestionRabbitMqTests
{
    [Fact]
    public async Task Inbound_received_reaches_the_reply_tracking_consumer_through_rabbitmq()
    {
        await using var rabbit = await RabbitVhost.CreateAsync("ingest");
        await using var stub = await ProviderStub.StartAsync();
        var settings = Settings(stub);
        settings["Messaging:Transport"] = "RabbitMQ";
        settings["ConnectionStrings:RabbitMQ"] = rabbit.Uri.ToString();
        await using var app = await OutreachApp.StartAsync(settings);
        using var client = app.ClientWithKey();

        var requestId = Guid.NewGuid();
        var outMessageId = $"<{Guid.NewGuid():N}@acme.test>";
        Assert.Equal(HttpStatusCode.Created, (await PostJsonAsync(client, "/outbound/sends", OutboundTrackingTests.Send(requestId, outMessageId))).Status);
        var reply = Email();
        reply["in_reply_to"] = outMessageId;
        Assert.Equal(HttpStatusCode.Accepted, (await PostJsonAsync(client, "/ingest/email", reply)).Status);

        var store = (OutreachOS.BuildingBlocks.EventStore.IEventStore)app.Services.GetService(typeof(OutreachOS.BuildingBlocks.EventStore.IEventStore))!;
        await Eventually.TrueAsync(async () => (await store.ReadStreamAsync(PlatformOrg, OutboundStreams.StreamId(requestId))).Count == 2,
            "outbound_reply_received.v1 via RabbitMQ", TimeSpan.FromSeconds(90));
        Assert.Equal(0u, await rabbit.MessageCountAsync("reply-tracking_error"));

        // The module's own (internal) notification event crosses the broker to the fetch consumer too.
        var resource = $"Users/u1/Messages/{Guid.NewGuid():N}";
        var graphMessageId = $"<{Guid.NewGuid():N}@outlook.test>";
        stub.GraphMessages[resource] = new JsonObject
        {
            ["internetMessageId"] = graphMessageId,
            ["subject"] = "Hello",
            ["body"] = new JsonObject { ["contentType"] = "text", ["content"] = "Plain body" },
            ["from"] = new JsonObject { ["emailAddress"] = new JsonObject { ["address"] = "lee@customer.test" } },
        };
        using var anonymous = app.ClientWithKey(null);
        var notification = new JsonObject
        {
            ["value"] = new JsonArray(new JsonObject { ["subscriptionId"] = GraphSubscription, ["clientState"] = GraphClientState, ["resource"] = resource }),
        };
        Assert.Equal(HttpStatusCode.Accepted, (await PostJsonAsync(anonymous, "/ingest/graph", notification)).Status);
        var inboundId = OutreachOS.Ingestion.Accepting.DeterministicId.Inbound(PlatformOrg, graphMessageId);
        await Eventually.TrueAsync(async () => (await store.ReadStreamAsync(PlatformOrg, OutreachOS.Ingestion.Contracts.InboundStreams.StreamId(inboundId))).Count(e => e.EventType == "inbound_received.v1") == 1,
            "Graph message fetched via RabbitMQ", TimeSpan.FromSeconds(90));
    }
}
