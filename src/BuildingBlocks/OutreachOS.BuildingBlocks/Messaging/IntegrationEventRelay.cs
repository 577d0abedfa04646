using System.Globalization;
using MassTransit;
using Microsoft.Extensions.Logging;
using Npgsql;
using OutreachOS.BuildingBlocks.EventStore;
using OutreachOS.BuildingBlocks.Projections;

namespace OutreachOS.BuildingBlocks.Messaging;

/// <summary>
/// The outbox relay: tails the global log and publishes every <see cref="IIntegrationEvent"/> (in log order per stream), with the
/// event id as MessageId. The checkpoint moves only after a batch is confirmed, and lazily (within about a second, and at
/// stop): a crash re-publishes what the checkpoint does not cover (at-least-once); consumers' inboxes drop the repeats.
/// </summary>
internal sealed class IntegrationEventRelay(IBusControl bus, RelayOptions options, PublishOnCommit onCommit, TimeProvider clock,
    ILogger<IntegrationEventRelay> logger) : IExternalEffectSubscription
{
    public const string SubscriptionName = "integration-relay";

    public string Name => SubscriptionName;

    public int BatchSize => Math.Max(1, options.BatchSize);

    public bool Handles(StoredEvent e) => e.Data is IIntegrationEvent;

    /// <summary>Publication on commit runs only while this process runs the relay (it hands its outcomes over to it).</summary>
    public void OnActiveChanged(bool active) => onCommit.RelayActive = active;

    /// <summary>A rebuild's batches (in a transaction the relay does not use).</summary>
    public Task HandleAsync(NpgsqlTransaction transaction, IReadOnlyList<StoredEvent> events, CancellationToken ct) => HandleAsync(events, ct);

    /// <summary>Publishes a batch; the daemon writes the checkpoint lazily (<see cref="IExternalEffectSubscription"/>).</summary>
    public async Task HandleAsync(IReadOnlyList<StoredEvent> events, CancellationToken ct)
    {
        var integration = events.Where(e => e.Data is IIntegrationEvent).ToList();
        if (integration.Count == 0)
        {
            return;
        }
        await WaitForBusAsync(ct);

        // Waiting for each broker confirm before the next publish capped the relay at ~1 / confirm latency (≈ 90 msg/s
        // on a disk-backed broker). Streams are independent, so their publishes overlap; within a stream they stay in log
        // order, each confirmed before the next. The checkpoint still moves only after every confirm of the batch.
        using var gate = new SemaphoreSlim(Math.Max(1, options.MaxInFlight));
        var streams = integration.GroupBy(e => (e.TenantId, e.StreamId)).Select(async stream =>
        {
            foreach (var e in stream)
            {
                // Published on commit (ADR 0019): the relay only collects the confirmed outcome. Events of the stream
                // after this one wait for it, so the stream's order on the bus holds either way.
                if (await onCommit.TakePublishedAsync(e.EventId, HandoffWait, ct))
                {
                    continue;
                }
                await gate.WaitAsync(ct);
                try
                {
                    await PublishAsync(bus, e, clock, "relay", ct);
                }
                finally
                {
                    gate.Release();
                }
            }
        }).ToList();
        await Task.WhenAll(streams);

        logger.LogDebug("Relay published {Count} integration events up to {Position}", integration.Count, events[^1].Position);
        if (options.CrashAfterPublish)
        {
            Environment.FailFast("Messaging:Relay:CrashAfterPublish test hook: dying after publish, before the checkpoint commit.");
        }
    }

    /// <summary>Longest wait for a publication on commit still in flight before the relay publishes the event itself.</summary>
    private TimeSpan HandoffWait => options.PublishOnCommitTimeout + TimeSpan.FromSeconds(1);

    /// <summary>
    /// Publishes one stored integration event (message id = event id, stream headers) and records its metrics once the
    /// broker confirmed it; <paramref name="path"/> is "relay" or "commit" (published on commit). Shared by both paths.
    /// </summary>
    internal static async Task PublishAsync(IBus bus, StoredEvent e, TimeProvider clock, string path, CancellationToken ct)
    {
        var message = (IIntegrationEvent)e.Data!;
        var sending = System.Diagnostics.Stopwatch.GetTimestamp();
        await bus.Publish(message, message.GetType(), Pipe.Execute<PublishContext>(ctx => Stamp(ctx, e)), ct);
        var type = new KeyValuePair<string, object?>("event_type", e.EventType);
        var by = new KeyValuePair<string, object?>("path", path);
        MessagingMetrics.PublishDuration.Record(System.Diagnostics.Stopwatch.GetElapsedTime(sending).TotalMilliseconds, type, by);
        MessagingMetrics.Published.Add(1, type, by);
        MessagingMetrics.RelayLag.Record(Math.Max(0, (clock.GetUtcNow() - e.CreatedAt).TotalMilliseconds), type, by);
    }

    /// <summary>A relay rebuild re-publishes the whole log; idempotent consumers ignore what they already processed.</summary>
    public Task ResetAsync(NpgsqlTransaction transaction, CancellationToken ct) => Task.CompletedTask;

    internal static void Stamp(PublishContext ctx, StoredEvent e)
    {
        ctx.MessageId = e.EventId;
        ctx.Headers.Set(MessagingHeaders.TenantId, e.TenantId.ToString());
        ctx.Headers.Set(MessagingHeaders.StreamId, e.StreamId);
        ctx.Headers.Set(MessagingHeaders.StreamVersion, e.Version.ToString(CultureInfo.InvariantCulture));
        ctx.Headers.Set(MessagingHeaders.EventType, e.EventType);
        if (e.Metadata.TryGetValue("correlation_id", out var raw) && Guid.TryParse(raw, out var correlationId))
        {
            ctx.CorrelationId = correlationId;
        }
    }

    // The subscription daemon may start before the bus; publishing to a stopped bus would fail the batch and back off.
    private async Task WaitForBusAsync(CancellationToken ct)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (bus.CheckHealth().Status == BusHealthStatus.Unhealthy && DateTime.UtcNow < deadline)
        {
            await Task.Delay(100, ct);
        }
    }
}
