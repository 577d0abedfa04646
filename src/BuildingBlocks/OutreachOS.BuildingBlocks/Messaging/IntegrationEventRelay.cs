using System.Globalization;
using MassTransit;
using Microsoft.Extensions.Logging;
using Npgsql;
using OutreachOS.BuildingBlocks.EventStore;
using OutreachOS.BuildingBlocks.Projections;

namespace OutreachOS.BuildingBlocks.Messaging;

/// <summary>
/// The outbox relay: tails the global log and publishes every <see cref="IIntegrationEvent"/> (in log order per stream), with the
/// event id as MessageId. Broker confirms overlap the next batches (<see cref="IOverlappingSubscription"/>): the checkpoint
/// advances only over batches whose every publish was confirmed, so a crash re-publishes the unconfirmed tail
/// (at-least-once); consumers' inboxes drop the repeats.
/// </summary>
internal sealed class IntegrationEventRelay(IBusControl bus, RelayOptions options, ILogger<IntegrationEventRelay> logger) : IOverlappingSubscription
{
    public const string SubscriptionName = "integration-relay";

    /// <summary>Batches whose confirms may be outstanding at once; a further batch first waits for the oldest.</summary>
    private const int MaxOutstandingBatches = 8;

    private readonly object _sync = new();
    private readonly Queue<(GlobalPosition End, Task Done)> _outstanding = new();
    private readonly Dictionary<(Guid, string), Task> _lastPerStream = [];
    private SemaphoreSlim? _gate;
    private GlobalPosition? _completed;
    private GlobalPosition? _started;

    public string Name => SubscriptionName;

    public int BatchSize => Math.Max(1, options.BatchSize);

    public bool Handles(StoredEvent e) => e.Data is IIntegrationEvent;

    public GlobalPosition? CompletedThrough
    {
        get
        {
            lock (_sync)
            {
                Retire();
                return _completed;
            }
        }
    }

    public async Task HandleAsync(NpgsqlTransaction transaction, IReadOnlyList<StoredEvent> events, CancellationToken ct)
    {
        if (events.Count == 0)
        {
            return;
        }
        if (_started is { } started && events[0].Position <= started)
        {
            // The engine re-reads from the stored checkpoint (a failed batch, a restart of the runner): what was in flight
            // is published again, after the old attempts are over (they may still be ahead of their copies).
            await DrainAsync();
        }
        await WaitForBusAsync(ct);

        // Waiting for each broker confirm before the next publish capped the relay at ~1 / confirm latency; waiting for a
        // batch's confirms before reading the next capped it at ~1 batch per confirm latency. Streams are independent, so
        // their publishes overlap, and batches overlap too; within a stream each publish starts after the previous one of
        // that stream (earlier batches included) was confirmed.
        var gate = _gate ??= new SemaphoreSlim(Math.Max(1, options.MaxInFlight));
        var publishes = new List<Task>();
        lock (_sync)
        {
            foreach (var e in events)
            {
                if (e.Data is not IIntegrationEvent)
                {
                    continue;
                }
                var key = (e.TenantId, e.StreamId);
                var previous = _lastPerStream.GetValueOrDefault(key) ?? Task.CompletedTask;
                var publish = PublishAfterAsync(previous, e, gate, ct);
                _lastPerStream[key] = publish;
                publishes.Add(publish);
            }
        }
        var batch = Task.WhenAll(publishes);
        Task? oldest = null;
        lock (_sync)
        {
            _outstanding.Enqueue((events[^1].Position, batch));
            _started = events[^1].Position;
            if (_outstanding.Count > MaxOutstandingBatches)
            {
                oldest = _outstanding.Peek().Done;
            }
        }
        if (oldest is not null)
        {
            await oldest; // bounded memory and back-pressure; a failure throws here and the engine re-reads the batch
        }
        if (options.CrashAfterPublish)
        {
            await batch;
            Environment.FailFast("Messaging:Relay:CrashAfterPublish test hook: dying after publish, before the checkpoint commit.");
        }
        logger.LogDebug("Relay started {Count} integration events up to {Position}", publishes.Count, events[^1].Position);
    }

    public async Task FlushAsync(CancellationToken ct)
    {
        Task[] pending;
        lock (_sync)
        {
            pending = [.. _outstanding.Select(o => o.Done)];
        }
        await Task.WhenAll(pending).WaitAsync(ct);
        lock (_sync)
        {
            Retire();
        }
    }

    private async Task PublishAfterAsync(Task previous, StoredEvent e, SemaphoreSlim gate, CancellationToken ct)
    {
        await previous; // same stream, earlier event: a failure there fails this one too (the batch is re-read)
        await gate.WaitAsync(ct);
        try
        {
            var message = (IIntegrationEvent)e.Data!;
            var sending = System.Diagnostics.Stopwatch.GetTimestamp();
            await bus.Publish(message, message.GetType(), Pipe.Execute<PublishContext>(ctx => Stamp(ctx, e)), ct);
            MessagingMetrics.PublishDuration.Record(System.Diagnostics.Stopwatch.GetElapsedTime(sending).TotalMilliseconds,
                new KeyValuePair<string, object?>("event_type", e.EventType));
            MessagingMetrics.Published.Add(1, new KeyValuePair<string, object?>("event_type", e.EventType));
            MessagingMetrics.RelayLag.Record(Math.Max(0, (DateTimeOffset.UtcNow - e.CreatedAt).TotalMilliseconds),
                new KeyValuePair<string, object?>("event_type", e.EventType));
        }
        finally
        {
            gate.Release();
        }
    }

    /// <summary>Moves the completed position over every finished batch at the head of the queue (caller holds the lock).</summary>
    private void Retire()
    {
        while (_outstanding.TryPeek(out var head) && head.Done.IsCompleted)
        {
            if (!head.Done.IsCompletedSuccessfully)
            {
                head.Done.GetAwaiter().GetResult(); // throws: the engine fails the batch and re-reads from the stored checkpoint
            }
            _outstanding.Dequeue();
            _completed = head.End;
        }
        foreach (var key in _lastPerStream.Where(p => p.Value.IsCompletedSuccessfully).Select(p => p.Key).ToList())
        {
            _lastPerStream.Remove(key);
        }
    }

    /// <summary>Waits out every attempt in flight, failed or not, and forgets them.</summary>
    private async Task DrainAsync()
    {
        Task[] pending;
        lock (_sync)
        {
            pending = [.. _outstanding.Select(o => o.Done), .. _lastPerStream.Values];
        }
        try
        {
            await Task.WhenAll(pending);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            logger.LogInformation(ex, "Relay: earlier publishes failed; they are published again from the stored checkpoint");
        }
        lock (_sync)
        {
            _outstanding.Clear();
            _lastPerStream.Clear();
            _completed = null;
            _started = null;
        }
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
