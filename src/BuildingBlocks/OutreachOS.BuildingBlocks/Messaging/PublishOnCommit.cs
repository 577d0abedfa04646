using System.Collections.Concurrent;
using System.Diagnostics;
using MassTransit;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using OutreachOS.BuildingBlocks.EventStore;

namespace OutreachOS.BuildingBlocks.Messaging;

/// <summary>
/// Publishes the integration events of a stream that an append opens as soon as the append commits, ahead of the relay
/// (ADR 0019). The log stays the outbox: the relay still reads every event and moves its checkpoint only past events
/// whose publication was confirmed — by this class (it hands its outcome over and the relay skips the event) or by the
/// relay itself (when this publication failed, timed out, or never started).
/// <para>
/// Only streams the append opened qualify: none of their earlier events can still wait for the relay, so publishing now
/// keeps each stream's events in log order on the bus. Only while this process runs the relay: another host's relay
/// would publish the same events again (harmless to the idempotent consumers, but twice the traffic).
/// </para>
/// </summary>
internal sealed class PublishOnCommit(IBusControl bus, RelayOptions options, IHostApplicationLifetime lifetime, TimeProvider clock,
    ILogger<PublishOnCommit> logger, InMemoryDelivery? delivery = null) : IAppendCommitObserver
{
    /// <summary>Handed-over outcomes the relay has not collected yet (it normally does within milliseconds).</summary>
    internal const int MaxPending = 10_000;

    private readonly ConcurrentDictionary<Guid, Handoff> _pending = new();
    private readonly ConcurrentQueue<Handoff> _byAge = new();
    private volatile bool _relayActive;
    private long _published;
    private volatile bool _busReady;

    /// <summary>Set by the relay while this process holds the relay's lock.</summary>
    internal bool RelayActive
    {
        get => _relayActive;
        set => _relayActive = value;
    }

    internal int PendingCount => _pending.Count;

    /// <summary>Publications on commit confirmed by the broker since start.</summary>
    internal long PublishedCount => Interlocked.Read(ref _published);

    public object? BeforeCommit(IReadOnlyList<StoredEvent> events)
    {
        if (!options.PublishOnCommit || !RelayActive || !BusReady())
        {
            return null;
        }
        ForgetExpired();
        // ConcurrentDictionary.Count takes every bucket lock: counted once per append, not per event.
        var pending = _pending.Count;
        if (pending >= MaxPending)
        {
            return null; // the relay is not collecting: leave these to it
        }
        List<Handoff>? picked = null;
        HashSet<(Guid, string)>? opened = null; // streams this append opens (their version 1 is in it), built once
        foreach (var e in events)
        {
            if (e.Data is IIntegrationEvent && (e.Version == 1 || (opened ??= OpenedStreams(events)).Contains((e.TenantId, e.StreamId))))
            {
                if (delivery is not null && !delivery.Ledger.TryAdmit(e.EventId, e.EventType, Math.Max(1, options.MaxUnsettled)))
                {
                    // The in-memory queues hold as many unfinished events as allowed: this one and the rest of the append
                    // are left to the relay, which publishes them in log order when there is room.
                    break;
                }
                var handoff = new Handoff(e, Stopwatch.GetTimestamp());
                // Registered before the commit: the relay can read the event as soon as it commits, possibly before the
                // appender's commit call returns, and must then wait for this publication instead of making its own.
                if (_pending.TryAdd(e.EventId, handoff))
                {
                    (picked ??= []).Add(handoff);
                    _byAge.Enqueue(handoff);
                }
            }
        }
        return picked;
    }

    public void AfterCommit(object state, bool committed)
    {
        var picked = (List<Handoff>)state;
        if (!committed)
        {
            foreach (var h in picked)
            {
                Resolve(h, published: false);
            }
            return;
        }
        // Off the appender's path: the publish's synchronous part (serialization, the channel's send) would otherwise
        // delay the appender's answer (a webhook's 202) by the publication's own cost.
        ThreadPool.UnsafeQueueUserWorkItem(static p => _ = p.Publisher.PublishAsync(p.Picked), (Publisher: this, Picked: picked), preferLocal: false);
    }

    /// <summary>
    /// The relay's side, for an event it is about to publish: true when this class published it (waiting, at most
    /// <paramref name="wait"/>, for a publication still in flight); false when the relay must publish it itself.
    /// </summary>
    internal async ValueTask<bool> TakePublishedAsync(Guid eventId, TimeSpan wait, CancellationToken ct)
    {
        if (_pending.IsEmpty || !_pending.TryRemove(eventId, out var handoff))
        {
            return false;
        }
        try
        {
            return await handoff.Outcome.Task.WaitAsync(wait, ct);
        }
        catch (TimeoutException)
        {
            logger.LogWarning("Publication on commit of {EventId} still unconfirmed after {Wait}; the relay publishes it again", eventId, wait);
            return false;
        }
    }

    // Until every receive endpoint has started, a queue may not be bound to its exchange yet, and the broker would
    // confirm a message it routed nowhere; the relay waits for a healthy bus for the same reason. Once healthy, the
    // bindings are durable on the broker, so the check is not repeated (a publication failing later falls back anyway).
    private bool BusReady()
    {
        if (!_busReady && bus.CheckHealth().Status == BusHealthStatus.Healthy)
        {
            _busReady = true;
        }
        return _busReady;
    }

    private static HashSet<(Guid, string)> OpenedStreams(IReadOnlyList<StoredEvent> events)
    {
        var opened = new HashSet<(Guid, string)>();
        foreach (var e in events)
        {
            if (e.Version == 1)
            {
                opened.Add((e.TenantId, e.StreamId));
            }
        }
        return opened;
    }

    private async Task PublishAsync(List<Handoff> picked)
    {
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(lifetime.ApplicationStopping);
        cts.CancelAfter(options.PublishOnCommitTimeout);
        // One stream after the other within a stream (log order); an append rarely opens more than one stream.
        var i = 0;
        while (i < picked.Count)
        {
            var j = i;
            var failed = false;
            while (j < picked.Count && picked[j].Event.TenantId == picked[i].Event.TenantId && picked[j].Event.StreamId == picked[i].Event.StreamId)
            {
                var h = picked[j++];
                if (failed)
                {
                    Resolve(h, published: false); // the relay publishes the rest of the stream after the failed one, in order
                    continue;
                }
                try
                {
                    cts.Token.ThrowIfCancellationRequested(); // stopping or out of time: leave it to the relay
                    await IntegrationEventRelay.PublishAsync(bus, h.Event, clock, "commit", delivery, cts.Token);
                    Interlocked.Increment(ref _published);
                    Resolve(h, published: true);
                }
                catch (Exception ex)
                {
                    failed = true;
                    logger.LogWarning(ex, "Publication on commit of {EventType} {EventId} failed; the relay publishes it", h.Event.EventType, h.Event.EventId);
                    Resolve(h, published: false);
                }
            }
            i = j;
        }
    }

    private void Resolve(Handoff h, bool published)
    {
        if (!published)
        {
            // Nothing to hand over: the relay publishes the event as if this class did not exist. Its admission under the
            // bound is given back (unless a publish of it reached a queue): held by an event nobody publishes until the
            // relay reaches it, it could keep the relay waiting for room in front of an earlier event.
            _pending.TryRemove(new KeyValuePair<Guid, Handoff>(h.Event.EventId, h));
            delivery?.Ledger.Release(h.Event.EventId);
        }
        h.Outcome.TrySetResult(published);
    }

    // Outcomes the relay never collects (it lost its lock to another host, or was reset) must not pile up.
    private void ForgetExpired()
    {
        var horizon = Stopwatch.GetTimestamp() - (long)(options.HandoffRetention.TotalSeconds * Stopwatch.Frequency);
        while (_byAge.TryPeek(out var oldest) && oldest.Registered < horizon)
        {
            if (_byAge.TryDequeue(out var h))
            {
                _pending.TryRemove(new KeyValuePair<Guid, Handoff>(h.Event.EventId, h));
            }
        }
    }

    internal sealed class Handoff(StoredEvent e, long registered)
    {
        public StoredEvent Event { get; } = e;

        public long Registered { get; } = registered;

        public TaskCompletionSource<bool> Outcome { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
