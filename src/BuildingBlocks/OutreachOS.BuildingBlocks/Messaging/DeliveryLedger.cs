using OutreachOS.BuildingBlocks.EventStore;

namespace OutreachOS.BuildingBlocks.Messaging;

/// <summary>
/// In-memory bookkeeping of the embedded transport (ADR 0003, addendum 2026-12-03): for each integration event the relay
/// covered, which receive endpoints the bus delivered it to and which of them have finished with it (consumed, or
/// recorded as a dead letter). <see cref="SettledUpTo"/> is the furthest log position the relay may store: every covered
/// event up to it is finished everywhere it went. A crash loses this ledger and nothing else: the stored checkpoint is
/// behind every unfinished event, so the next relay publishes them again and the inboxes drop what was already done.
/// </summary>
/// <remarks>
/// Pure and synchronous (endpoints are names, time comes from the caller's clock), so the rules are unit-tested without a
/// bus. One lock: every call is a few dictionary operations, and the relay, the publisher on commit and the endpoints'
/// filters call it once per message each.
/// <para>
/// An endpoint counts once however often the message reached it (a re-publication after a failed or expired hand-over):
/// what matters is that each endpoint has durably handled the message id at least once.
/// </para>
/// </remarks>
internal sealed class DeliveryLedger
{
    private readonly Lock _lock = new();
    private readonly Dictionary<Guid, Delivery> _byId = [];
    private readonly Queue<Delivery> _covered = new(); // in the relay's (log) order
    private GlobalPosition? _settled; // the last covered position popped as finished since the last clear
    private int _uncoveredUnfinished; // admitted or published on commit, not covered by the relay yet, not finished everywhere

    /// <summary>Events covered by the relay and not yet finished everywhere (what holds the checkpoint back).</summary>
    public int Unsettled
    {
        get
        {
            lock (_lock)
            {
                return _covered.Count;
            }
        }
    }

    /// <summary>
    /// What counts against <c>Messaging:Relay:MaxUnsettled</c>: the covered events not popped yet (the unfinished ones and
    /// the finished ones behind them) and the events admitted on commit that the relay has not covered and some endpoint
    /// has not finished. An event published on commit and finished before the relay covers it sits in no queue: it does not
    /// count, so the relay is never kept waiting for room by events that only it can move past.
    /// </summary>
    public int Occupied
    {
        get
        {
            lock (_lock)
            {
                return _covered.Count + _uncoveredUnfinished;
            }
        }
    }

    /// <summary>Messages known to the ledger (covered or only published so far).</summary>
    public int Tracked
    {
        get
        {
            lock (_lock)
            {
                return _byId.Count;
            }
        }
    }

    /// <summary>
    /// The publication on commit asks, before the append commits, to publish the message once it has: yes when the ledger
    /// knows it already, or when <see cref="Occupied"/> is below <paramref name="max"/> (it then counts from now on).
    /// Checked and counted under the ledger's lock, as the relay's <see cref="CoverFitting"/> is, so the two paths together
    /// never put more than <paramref name="max"/> unfinished events in the queues. <see cref="Release"/> undoes it.
    /// </summary>
    public bool TryAdmit(Guid messageId, string messageType, int max)
    {
        lock (_lock)
        {
            if (_byId.ContainsKey(messageId))
            {
                return true;
            }
            if (_covered.Count + _uncoveredUnfinished >= max)
            {
                return false;
            }
            Get(messageId, messageType);
            return true;
        }
    }

    /// <summary>
    /// An admitted message that will not be published on commit after all (the append rolled back, or the publication
    /// was abandoned or failed; the relay then publishes it): forgotten, unless the relay covered it, a publish of it is
    /// under way, or one routed it.
    /// </summary>
    public void Release(Guid messageId)
    {
        lock (_lock)
        {
            if (_byId.TryGetValue(messageId, out var d) && !d.Covered && !d.Routed && d.Publishing == 0)
            {
                _byId.Remove(messageId);
                _uncoveredUnfinished--;
            }
        }
    }

    /// <summary>A publish of the message is about to start: deliveries finished from now on are counted for it.</summary>
    public void Publishing(Guid messageId, string messageType)
    {
        lock (_lock)
        {
            var d = Get(messageId, messageType);
            var before = CountsUncovered(d);
            d.Publishing++;
            Recount(d, before);
        }
    }

    /// <summary>The publish returned: the message sits in the queues of <paramref name="endpoints"/> (none: no consumer).</summary>
    public void Routed(Guid messageId, IEnumerable<string> endpoints)
    {
        lock (_lock)
        {
            if (!_byId.TryGetValue(messageId, out var d))
            {
                return; // cleared meanwhile (the relay moved away or was reset)
            }
            var before = CountsUncovered(d);
            d.Expected.UnionWith(endpoints);
            d.Routed = true;
            d.Publishing = Math.Max(0, d.Publishing - 1);
            Recount(d, before);
            Advance();
        }
    }

    /// <summary>
    /// The publish threw: what it reached still counts once finished, and the relay publishes the message again (a failed
    /// batch is retried), which routes it.
    /// </summary>
    public void PublishFailed(Guid messageId)
    {
        lock (_lock)
        {
            if (_byId.TryGetValue(messageId, out var d))
            {
                var before = CountsUncovered(d);
                d.Publishing = Math.Max(0, d.Publishing - 1);
                Recount(d, before);
            }
        }
    }

    /// <summary>An endpoint is done with the message (consumed, or recorded as a dead letter). Unknown ids are ignored.</summary>
    public void Finished(Guid messageId, string endpoint)
    {
        lock (_lock)
        {
            if (!_byId.TryGetValue(messageId, out var d))
            {
                return;
            }
            var before = CountsUncovered(d);
            if (d.Finished.Add(endpoint))
            {
                Recount(d, before);
                if (d.Covered)
                {
                    Advance();
                }
            }
        }
    }

    /// <summary>
    /// The relay covers the event at <paramref name="position"/>: call in log order, before publishing it (or collecting its
    /// publication on commit). From now on the event holds the checkpoint back until it is finished everywhere it went.
    /// </summary>
    public void Cover(GlobalPosition position, Guid messageId, string messageType, long now)
    {
        lock (_lock)
        {
            CoverOne(position, messageId, messageType, now);
        }
    }

    /// <summary>
    /// The relay's side of the bound: covers, in order, as many of <paramref name="events"/> from <paramref name="start"/>
    /// on as fit under <paramref name="max"/> and returns how many (0: wait for room). An event the ledger knows already
    /// (admitted on commit, or covered before) is out or counted already and always fits; every other one needs room.
    /// </summary>
    public int CoverFitting(IReadOnlyList<StoredEvent> events, int start, int max, long now)
    {
        ArgumentNullException.ThrowIfNull(events);
        lock (_lock)
        {
            var i = start;
            for (; i < events.Count; i++)
            {
                var e = events[i];
                if (!_byId.ContainsKey(e.EventId) && _covered.Count + _uncoveredUnfinished >= max)
                {
                    break;
                }
                CoverOne(e.Position, e.EventId, e.EventType, now);
            }
            return i - start;
        }
    }

    private void CoverOne(GlobalPosition position, Guid messageId, string messageType, long now)
    {
        var d = Get(messageId, messageType);
        if (d.Covered)
        {
            return; // covered again (a failed batch retried): it keeps its place
        }
        var before = CountsUncovered(d);
        d.Covered = true;
        d.Position = position;
        d.CoveredAt = now;
        Recount(d, before);
        _covered.Enqueue(d);
        Advance();
    }

    /// <summary>
    /// The furthest position the relay may store, given the position it reached (every integration event up to it covered)
    /// and the one stored: <paramref name="reached"/> when nothing covered is unfinished, otherwise the last position
    /// before the oldest unfinished event that is known to be finished, never behind <paramref name="stored"/>.
    /// </summary>
    public GlobalPosition SettledUpTo(GlobalPosition reached, GlobalPosition stored)
    {
        lock (_lock)
        {
            if (_covered.Count == 0)
            {
                return reached;
            }
            return _settled is { } s && s > stored ? (s < reached ? s : reached) : stored;
        }
    }

    /// <summary>The oldest covered event not finished everywhere yet, for the held-back warning; null when there is none.</summary>
    public UnsettledDelivery? Oldest()
    {
        lock (_lock)
        {
            if (!_covered.TryPeek(out var d))
            {
                return null;
            }
            var waitingFor = d.Expected.Where(e => !d.Finished.Contains(e)).Order(StringComparer.Ordinal).ToList();
            return new UnsettledDelivery(d.MessageId, d.MessageType, d.Position, d.CoveredAt, !d.Routed || d.Publishing > 0, waitingFor);
        }
    }

    /// <summary>
    /// Forgets everything: the relay stopped running here, moved to another host, or is rebuilt from the start of the log.
    /// What was unfinished is published again by whoever runs the relay next, from the stored checkpoint.
    /// </summary>
    public void Clear()
    {
        lock (_lock)
        {
            _byId.Clear();
            _covered.Clear();
            _settled = null;
            _uncoveredUnfinished = 0;
        }
    }

    private Delivery Get(Guid messageId, string messageType)
    {
        if (!_byId.TryGetValue(messageId, out var d))
        {
            d = new Delivery(messageId, messageType);
            _byId.Add(messageId, d);
            _uncoveredUnfinished++; // new: not covered, not routed
        }
        return d;
    }

    private static bool CountsUncovered(Delivery d) => !d.Covered && !d.IsSettled;

    // Keeps _uncoveredUnfinished true after a change to d (before: whether d counted before the change).
    private void Recount(Delivery d, bool before)
    {
        var after = CountsUncovered(d);
        if (after != before)
        {
            _uncoveredUnfinished += after ? 1 : -1;
        }
    }

    // Pops the finished events at the head of the relay's order: the checkpoint may move up to the last of them.
    private void Advance()
    {
        while (_covered.TryPeek(out var head) && head.IsSettled)
        {
            _covered.Dequeue();
            _byId.Remove(head.MessageId);
            _settled = head.Position;
        }
    }

    private sealed class Delivery(Guid messageId, string messageType)
    {
        public Guid MessageId { get; } = messageId;
        public string MessageType { get; } = messageType;
        public HashSet<string> Expected { get; } = new(StringComparer.OrdinalIgnoreCase);
        public HashSet<string> Finished { get; } = new(StringComparer.OrdinalIgnoreCase);
        public int Publishing { get; set; }
        public bool Routed { get; set; }
        public bool Covered { get; set; }
        public GlobalPosition Position { get; set; }
        public long CoveredAt { get; set; }

        // Routed at least once, no publish of it still under way, and every endpoint it reached is done with it.
        public bool IsSettled => Routed && Publishing == 0 && Expected.IsSubsetOf(Finished);
    }
}

/// <summary>
/// The event that holds the relay's checkpoint back: still being published, or waiting for the listed endpoints.
/// <paramref name="CoveredAt"/> is a timestamp of the ledger's caller (<see cref="TimeProvider.GetTimestamp"/>).
/// </summary>
internal sealed record UnsettledDelivery(Guid MessageId, string MessageType, GlobalPosition Position, long CoveredAt, bool Publishing,
    IReadOnlyList<string> WaitingFor);
