using System.Collections.Concurrent;
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
/// <para>
/// With the in-memory transport a publish "confirms" once the message sits in an in-memory queue, which a crash loses; there
/// the stored checkpoint also waits until every endpoint the event reached has finished with it (<see cref="DeliveryLedger"/>,
/// ADR 0003 addendum 2026-12-03). The relay keeps publishing meanwhile, up to <see cref="RelayOptions.MaxUnsettled"/>
/// unfinished events.
/// </para>
/// </summary>
internal sealed class IntegrationEventRelay(IBusControl bus, RelayOptions options, PublishOnCommit onCommit, EventTypeRegistry types, TimeProvider clock,
    ILogger<IntegrationEventRelay> logger, InMemoryDelivery? delivery = null) : IExternalEffectSubscription
{
    public const string SubscriptionName = "integration-relay";

    public string Name => SubscriptionName;

    public int BatchSize => Math.Max(1, options.BatchSize);

    // Whether a stored type is an integration event, from the CLR type its name is registered for. Asking the event's Data
    // would deserialize every event of the log (prompts, model outputs, verdicts) only to drop nearly all of them.
    private readonly ConcurrentDictionary<string, bool> _integration = new(StringComparer.Ordinal);

    public bool Handles(StoredEvent e) =>
        _integration.GetOrAdd(e.EventType, static (name, registry) => registry.TypeFor(name) is { } t && typeof(IIntegrationEvent).IsAssignableFrom(t), types);

    // When the held-back warning was last logged (a TimeProvider timestamp; 0: never).
    private long _lastHeldBackWarning;

    /// <summary>
    /// Publication on commit runs only while this process runs the relay (it hands its outcomes over to it). The delivery
    /// ledger starts empty each time: what a previous turn left unfinished is behind the stored checkpoint, and whoever
    /// runs the relay next publishes it again.
    /// </summary>
    public void OnActiveChanged(bool active)
    {
        if (!active)
        {
            onCommit.RelayActive = false;
        }
        delivery?.Ledger.Clear();
        if (active)
        {
            onCommit.RelayActive = true;
        }
    }

    /// <summary>
    /// A rebuild's batches (in a transaction the relay does not use). The rebuild commits the checkpoint with each batch, so
    /// with the in-memory transport the batch returns only once every endpoint has finished with it; and only a process
    /// whose bus runs (the host) can rebuild it, since the consumers are in that process.
    /// </summary>
    public async Task HandleAsync(NpgsqlTransaction transaction, IReadOnlyList<StoredEvent> events, CancellationToken ct)
    {
        if (delivery is not null && events.Any(Handles) && bus.CheckHealth().Status != BusHealthStatus.Healthy)
        {
            // The CLI: messages put on this process's in-memory bus would never reach a consumer. The reset is committed,
            // so the host publishes the whole log again when it next runs the relay.
            throw new InvalidOperationException(
                $"{SubscriptionName}: the checkpoint is reset to the start of the log, and the host publishes every integration event again when it " +
                "next runs the relay. With the in-memory transport the consumers run only in the host, so this process publishes nothing itself.");
        }
        await HandleAsync(events, ct);
        if (delivery is not null)
        {
            while (delivery.Ledger.Unsettled > 0)
            {
                WarnIfHeldBack();
                await Task.Delay(20, ct);
            }
        }
    }

    /// <summary>With the in-memory transport, the position before the oldest event some endpoint has not finished with.</summary>
    public GlobalPosition SettledUpTo(GlobalPosition reached, GlobalPosition stored)
    {
        if (delivery is null)
        {
            return reached;
        }
        WarnIfHeldBack();
        return delivery.Ledger.SettledUpTo(reached, stored);
    }

    /// <summary>Publishes a batch; the daemon writes the checkpoint lazily (<see cref="IExternalEffectSubscription"/>).</summary>
    public async Task HandleAsync(IReadOnlyList<StoredEvent> events, CancellationToken ct)
    {
        var integration = events.Where(e => Handles(e) && e.Data is IIntegrationEvent).ToList();
        if (integration.Count == 0)
        {
            return;
        }
        await WaitForBusAsync(ct);
        if (delivery is null)
        {
            await PublishInOrderAsync(integration, ct);
        }
        else
        {
            // In pieces that fit under MaxUnsettled: each is covered, then published, before the next waits for room.
            for (var start = 0; start < integration.Count;)
            {
                var fitting = await CoverFittingAsync(integration, start, ct);
                await PublishInOrderAsync(integration.GetRange(start, fitting), ct);
                start += fitting;
            }
        }

        logger.LogDebug("Relay published {Count} integration events up to {Position}", integration.Count, events[^1].Position);
        if (options.CrashAfterPublish)
        {
            Environment.FailFast("Messaging:Relay:CrashAfterPublish test hook: dying after publish, before the checkpoint commit.");
        }
    }

    /// <summary>
    /// Publishes integration events in log order per stream. Waiting for each broker confirm before the next publish capped
    /// the relay at ~1 / confirm latency (≈ 90 msg/s on a disk-backed broker). Streams are independent, so their publishes
    /// overlap; within a stream they stay in log order, each confirmed before the next. The checkpoint still moves only
    /// after every confirm of the batch.
    /// </summary>
    private async Task PublishInOrderAsync(List<StoredEvent> integration, CancellationToken ct)
    {
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
                    await PublishAsync(bus, e, clock, "relay", delivery, ct);
                }
                finally
                {
                    gate.Release();
                }
            }
        }).ToList();
        await Task.WhenAll(streams);
    }

    /// <summary>Longest wait for a publication on commit still in flight before the relay publishes the event itself.</summary>
    private TimeSpan HandoffWait => options.PublishOnCommitTimeout + TimeSpan.FromSeconds(1);

    /// <summary>
    /// Publishes one stored integration event (message id = event id, stream headers) and records its metrics once the
    /// broker confirmed it; <paramref name="path"/> is "relay" or "commit" (published on commit). Shared by both paths.
    /// With the in-memory transport (<paramref name="delivery"/> set) the ledger learns which endpoints the message reached.
    /// </summary>
    internal static async Task PublishAsync(IBus bus, StoredEvent e, TimeProvider clock, string path, InMemoryDelivery? delivery, CancellationToken ct)
    {
        var message = (IIntegrationEvent)e.Data!;
        var sending = System.Diagnostics.Stopwatch.GetTimestamp();
        if (delivery is null)
        {
            await bus.Publish(message, message.GetType(), Pipe.Execute<PublishContext>(ctx => Stamp(ctx, e)), ct);
        }
        else
        {
            // Registered before the publish: an endpoint may finish with the message before the publish call returns.
            delivery.Publishing(e.EventId, e.EventType);
            try
            {
                await bus.Publish(message, message.GetType(), Pipe.Execute<PublishContext>(ctx => Stamp(ctx, e)), ct);
            }
            catch
            {
                delivery.PublishFailed(e.EventId);
                throw;
            }
            delivery.Published(e.EventId, message.GetType());
        }
        var type = new KeyValuePair<string, object?>("event_type", e.EventType);
        var by = new KeyValuePair<string, object?>("path", path);
        MessagingMetrics.PublishDuration.Record(System.Diagnostics.Stopwatch.GetElapsedTime(sending).TotalMilliseconds, type, by);
        MessagingMetrics.Published.Add(1, type, by);
        MessagingMetrics.RelayLag.Record(Math.Max(0, (clock.GetUtcNow() - e.CreatedAt).TotalMilliseconds), type, by);
    }

    /// <summary>
    /// A relay rebuild re-publishes the whole log; idempotent consumers ignore what they already processed. The delivery
    /// ledger is emptied: the positions it waits for are about to be published again from the start.
    /// </summary>
    public Task ResetAsync(NpgsqlTransaction transaction, CancellationToken ct)
    {
        delivery?.Ledger.Clear();
        return Task.CompletedTask;
    }

    /// <summary>
    /// Enters the events from <paramref name="start"/> on in the delivery ledger, in log order, before any of them is
    /// published, as many as fit under <see cref="RelayOptions.MaxUnsettled"/> (waiting for room when none does), and
    /// returns how many. The stored checkpoint is behind every covered event not yet finished, and a crash would publish
    /// them all again. Events published on commit are covered all the same, and always fit: they are counted already.
    /// </summary>
    private async Task<int> CoverFittingAsync(List<StoredEvent> integration, int start, CancellationToken ct)
    {
        var max = Math.Max(1, options.MaxUnsettled);
        int fitting;
        while ((fitting = delivery!.Ledger.CoverFitting(integration, start, max, clock.GetTimestamp())) == 0)
        {
            WarnIfHeldBack();
            await Task.Delay(20, ct);
        }
        return fitting;
    }

    /// <summary>
    /// After <see cref="RelayOptions.UnsettledWarnAfter"/> with the same oldest unfinished event, names it and the endpoints
    /// it waits for (a consumer stuck on it, or an endpoint that never reports), at most once per that interval.
    /// </summary>
    private void WarnIfHeldBack()
    {
        var after = options.UnsettledWarnAfter;
        if (after <= TimeSpan.Zero || delivery?.Ledger.Oldest() is not { } oldest || clock.GetElapsedTime(oldest.CoveredAt) < after)
        {
            return;
        }
        var now = clock.GetTimestamp();
        var last = Interlocked.Read(ref _lastHeldBackWarning);
        if ((last != 0 && clock.GetElapsedTime(last, now) < after) || Interlocked.CompareExchange(ref _lastHeldBackWarning, now, last) != last)
        {
            return;
        }
        logger.LogWarning(
            "Relay checkpoint held back for {Seconds} s at {Position} by {MessageType} {MessageId}: {State} {Endpoints}; {Unsettled} published events wait " +
            "behind it. If the process dies now they are published again from the stored checkpoint",
            Math.Round(clock.GetElapsedTime(oldest.CoveredAt).TotalSeconds, 1), oldest.Position, oldest.MessageType, oldest.MessageId,
            oldest.Publishing ? "still being published, then waiting for" : "waiting for", string.Join(", ", oldest.WaitingFor), delivery.Ledger.Unsettled);
    }

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
