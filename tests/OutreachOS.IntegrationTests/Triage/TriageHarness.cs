using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using OutreachOS.BuildingBlocks.EventStore;
using OutreachOS.Ingestion.Contracts;
using OutreachOS.IntegrationTests.Api;

namespace OutreachOS.IntegrationTests.Triage;

/// <summary>
/// The real host on a fresh database. Ingestion's webhook is not on this branch, so a message "arrives" the way Ingestion
/// records it: <c>inbound_received.v1</c> appended to <c>inbound-{id}</c>; the relay then publishes it to the triage consumer.
/// </summary>
internal sealed class TriageHarness : IAsyncDisposable
{
    private static readonly HashSet<string> TriageTypes =
        ["inbound_received.v1", "inbound_filtered.v1", "inbound_pii_redacted.v2", "inbound_classified.v1", "inbound_decided.v1"];

    /// <summary>The events the triage pipeline writes; the response consumer, running in the same host, appends its own after them.</summary>
    public static bool IsTriageEvent(string eventType) => TriageTypes.Contains(eventType);

    private TriageHarness(OutreachApp app) => App = app;

    public OutreachApp App { get; }

    public IEventStore Store => App.Services.GetRequiredService<IEventStore>();

    public static async Task<TriageHarness> StartAsync(IDictionary<string, string?>? settings = null)
    {
        var all = new Dictionary<string, string?> { ["Messaging:Retry:IntervalMs"] = "20" };
        foreach (var (k, v) in settings ?? new Dictionary<string, string?>())
        {
            all[k] = v;
        }
        return new TriageHarness(await OutreachApp.StartAsync(all));
    }

    /// <summary>A new organization (own policy, own streams) and a client with its key.</summary>
    public async Task<(Guid OrgId, HttpClient Client)> NewOrganizationAsync()
    {
        using var admin = App.ClientWithKey();
        using var response = await admin.PostAsJsonAsync("/organizations", new { name = $"org-{Guid.NewGuid():N}", tier = "ENTERPRISE" });
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var json = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
        return (json["organization"]!["id"]!.GetValue<Guid>(), App.ClientWithKey(json["api_key"]!["key"]!.GetValue<string>()));
    }

    public static async Task PutPolicyAsync(HttpClient client, object policy)
    {
        using var response = await client.PutAsJsonAsync("/policies", new { policy });
        Assert.True(response.StatusCode == HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
    }

    public static InboundEmail Email(string subject, string text, string from = "pat@customer.example", IDictionary<string, string>? headers = null) =>
        new($"<{Guid.NewGuid():N}@customer.example>", null, new MailAddress(from, "Pat Doe"), [new MailAddress("hello@vendor.example")], [],
            subject, text, null, new Dictionary<string, string>(headers ?? new Dictionary<string, string>()), DateTimeOffset.UtcNow, null, []);

    public async Task<InboundMessageReceived> ReceiveAsync(Guid orgId, InboundEmail email, int hidden = 0)
    {
        var received = new InboundMessageReceived(Guid.CreateVersion7(), orgId, InboundSource.Email, email, hidden, false, DateTimeOffset.UtcNow);
        await Store.AppendAsync(orgId, InboundStreams.StreamId(received.InboundId), InboundStreams.StreamType, ExpectedVersion.NoStream,
            [EventToAppend.Create(received)]);
        return received;
    }

    /// <summary>Waits until triage has recorded its outcome (decided or filtered) and returns the stream's events.</summary>
    public async Task<IReadOnlyList<StoredEvent>> OutcomeAsync(Guid orgId, Guid inboundId, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(60));
        while (true)
        {
            var events = await Store.ReadStreamAsync(orgId, InboundStreams.StreamId(inboundId));
            if (events.Any(e => e.EventType is "inbound_decided.v1" or "inbound_filtered.v1"))
            {
                return events;
            }
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"No triage outcome for {inboundId}: {string.Join(", ", events.Select(e => e.EventType))}");
            }
            await Task.Delay(50);
        }
    }

    public static async Task<JsonNode> ViewAsync(HttpClient client, Guid inboundId)
    {
        using var response = await client.GetAsync($"/inbound/{inboundId}");
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, text);
        return JsonNode.Parse(text)!;
    }

    public async ValueTask DisposeAsync() => await App.DisposeAsync();
}
