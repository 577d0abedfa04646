using System.Diagnostics.Metrics;
using OutreachOS.BuildingBlocks.EventStore;

namespace OutreachOS.BuildingBlocks.Projections;

/// <summary>
/// The database read of the global log for a subscriber: events after a position (at most <c>max</c>), and whether committed
/// events after it are held back behind an older open transaction. <see cref="PostgresEventStore.ReadAllForSubscriberAsync"/>.
/// </summary>
internal delegate Task<(IReadOnlyList<StoredEvent> Events, bool HeldBack)> LogRead(GlobalPosition after, int max, CancellationToken ct);

/// <summary>
/// The recent global log, read once per process and served from memory to every subscription runner (see ADR 0002).
/// <para>
/// Why it is safe: a subscriber's read returns only events of transactions older than its snapshot's xmin, so nothing can
/// later appear at or below the last position it returned. A contiguous range of such reads — the window (start, end] — is
/// therefore immutable: a runner whose position lies in it gets the events after its position from memory.
/// </para>
/// <para>
/// The end of the window: a database read from the end ("end read") appends what it returns beyond the end; its
/// held-back flag then speaks for what lies beyond. A runner that reached the end may trust the latest such read — its
/// events and its flag — only if that read started after the runner's <c>mark</c> (see <see cref="Mark"/>): the runner
/// takes the mark when it learns that there is something to read (a NOTIFY received, a poll or re-check due), so a read
/// started later has a snapshot that includes whatever the runner was told about. An end read that came back full is
/// never trusted (more may follow). Otherwise the runner awaits the newest end read in flight if that one started after
/// its mark (single flight: runners woken by the same NOTIFY share one read), or starts a new one at once — not after
/// the older read in flight, which could not answer for it anyway. Reads in flight together all start from an end
/// the window had, so each covers a contiguous range from inside the window: whichever returns further extends it.
/// </para>
/// <para>
/// Elsewhere: a runner behind the window (evicted, or catching up from an old checkpoint) reads the database directly
/// and the result is not cached: it is history the others do not need, and caching it would split the window. A runner
/// ahead of the window (its position came from a newer read of its own) awaits an end read that started after it asked,
/// which normally carries the window past its position; if it does not (the window was far behind), the window is reset
/// to start at that runner's position. Resetting only then keeps runners at the head from taking turns at discarding it.
/// </para>
/// <para>
/// Bounded by <see cref="SubscriptionOptions.LogTailEvents"/> and <see cref="SubscriptionOptions.LogTailBytes"/> (an
/// estimate); the oldest events go first, but never those of the read being appended, whose readers still need them.
/// </para>
/// </summary>
internal sealed class LogTail
{
    /// <summary>An end read smaller than this is widened to it: the read costs one round trip either way, and the other runners need the events too.</summary>
    internal const int MinEndRead = 1000;

    private static readonly Counter<long> Reads = SubscriptionEngine.Meter.CreateCounter<long>("outreachos.subscription.log_reads", "reads",
        "Subscription batch reads of the global log, by source: memory (served from the shared recent log, including a read awaited from another runner) or database (this read went to the database).");

    private readonly LogRead _read;
    private readonly int _maxEvents;
    private readonly long _maxBytes;
    private readonly Lock _gate = new();

    // The window (_start, _end]: _events[_head..] in log order; _start is null while nothing was read yet.
    private readonly List<StoredEvent> _events = [];
    private int _head;
    private long _bytes;
    private GlobalPosition? _start;
    private GlobalPosition _end;

    private long _started;          // end reads started so far: a read's ticket, and the mark handed out
    private long _epoch;            // window resets so far: a read started before one is not appended
    private EndRead? _last;         // the newest completed end read that reached _end: its flag speaks for what lies beyond
    private (Task<EndRead> Task, long Ticket)? _inflight; // the newest end read in flight
    private long _memoryReads;
    private long _databaseReads;

    public LogTail(LogRead read, SubscriptionOptions options)
    {
        ArgumentNullException.ThrowIfNull(read);
        ArgumentNullException.ThrowIfNull(options);
        _read = read;
        _maxEvents = options.LogTailEvents;
        _maxBytes = options.LogTailBytes;
    }

    /// <summary>
    /// A point in the sequence of end reads: a read started after this call has a larger ticket. A runner passes the mark
    /// taken when it learned of new events (or decided to re-check) to <see cref="ReadAsync"/>.
    /// </summary>
    public long Mark
    {
        get
        {
            lock (_gate)
            {
                return _started;
            }
        }
    }

    /// <summary>Reads served without a database read of their own (also those that awaited another runner's read).</summary>
    public long MemoryReads => Interlocked.Read(ref _memoryReads);

    /// <summary>Reads that went to the database.</summary>
    public long DatabaseReads => Interlocked.Read(ref _databaseReads);

    /// <summary>Events held now (for tests and diagnostics).</summary>
    public int Count
    {
        get
        {
            lock (_gate)
            {
                return _events.Count - _head;
            }
        }
    }

    /// <summary>
    /// Events after <paramref name="after"/> (at most <paramref name="max"/>) and the held-back flag, as
    /// <see cref="PostgresEventStore.ReadAllForSubscriberAsync"/> returns them, for a caller that knows of nothing
    /// committed after <paramref name="mark"/> was taken. A full batch carries no held-back flag: the caller reads again.
    /// </summary>
    public async Task<(IReadOnlyList<StoredEvent> Events, bool HeldBack)> ReadAsync(GlobalPosition after, int max, long mark, CancellationToken ct)
    {
        if (_maxEvents <= 0)
        {
            Record(database: true);
            return await _read(after, max, ct);
        }
        max = Math.Clamp(max, 1, 100_000);
        var issued = false;     // this call started a database read
        long? entry = null;     // _started when this call came in
        var stillAhead = false; // an end read started after `entry` came back and the window still ends before `after`
        while (true)
        {
            Task<EndRead>? pending;
            TaskCompletionSource<EndRead>? mine = null;
            GlobalPosition readAfter = default;
            var readMax = 0;
            var ticket = 0L;
            var epoch = 0L;
            lock (_gate)
            {
                entry ??= _started;
                if (_start is null)
                {
                    // Cold: the first reader's position starts the window.
                    _start = _end = after;
                }
                if (after < _start.Value)
                {
                    pending = null;
                }
                else
                {
                    if (after > _end && stillAhead)
                    {
                        Reset(after);
                    }
                    if (after <= _end)
                    {
                        var served = Take(after, max);
                        if (served.Count == max)
                        {
                            Record(database: issued);
                            return (served, false);
                        }
                        if (_last is { Full: false } last && last.Ticket > mark)
                        {
                            Record(database: issued);
                            return (served, last.HeldBack);
                        }
                    }
                    // Reaching the end (or ahead of it): a read that started after what this caller knows of must answer.
                    var newer = after > _end ? entry.Value : mark;
                    if (_inflight is { } inflight && inflight.Ticket > newer)
                    {
                        pending = inflight.Task;
                    }
                    else
                    {
                        mine = new TaskCompletionSource<EndRead>(TaskCreationOptions.RunContinuationsAsynchronously);
                        ticket = ++_started;
                        _inflight = (mine.Task, ticket);
                        readAfter = _end;
                        readMax = Math.Max(max, MinEndRead);
                        epoch = _epoch;
                        pending = mine.Task;
                    }
                }
            }
            if (pending is null)
            {
                // Behind the window: this runner's own read, not cached.
                Record(database: true);
                return await _read(after, max, ct);
            }
            if (mine is not null)
            {
                issued = true;
                _ = RunEndReadAsync(mine, ticket, epoch, readAfter, readMax);
            }
            var done = await pending.WaitAsync(ct);
            lock (_gate)
            {
                stillAhead = after > _end && done.Ticket > entry;
            }
        }
    }

    private async Task RunEndReadAsync(TaskCompletionSource<EndRead> completion, long ticket, long epoch, GlobalPosition after, int max)
    {
        try
        {
            // Not the starter's token: other runners await this read; each stops waiting on its own token.
            var (events, heldBack) = await _read(after, max, CancellationToken.None);
            var read = new EndRead(ticket, events.Count >= max, heldBack);
            lock (_gate)
            {
                if (_inflight?.Ticket == ticket)
                {
                    _inflight = null;
                }
                // Started from an end of this window (so after <= _end now): its events beyond _end extend it, and if it
                // reached the end, it is the freshest word on what lies beyond unless a newer read already said so.
                if (epoch == _epoch)
                {
                    var reached = events.Count > 0 ? events[^1].Position : after;
                    if (reached > _end)
                    {
                        Append(events, after);
                    }
                    if (reached == _end && (_last is null || ticket > _last.Ticket))
                    {
                        _last = read;
                    }
                }
            }
            completion.SetResult(read);
        }
        catch (Exception ex)
        {
            lock (_gate)
            {
                if (_inflight?.Ticket == ticket)
                {
                    _inflight = null;
                }
            }
            completion.SetException(ex);
        }
    }

    private List<StoredEvent> Take(GlobalPosition after, int max)
    {
        // First event after `after`: binary search over the live part of the window.
        int lo = _head, hi = _events.Count;
        while (lo < hi)
        {
            var mid = lo + ((hi - lo) >> 1);
            if (_events[mid].Position <= after)
            {
                lo = mid + 1;
            }
            else
            {
                hi = mid;
            }
        }
        return _events.GetRange(lo, Math.Min(max, _events.Count - lo));
    }

    private void Append(IReadOnlyList<StoredEvent> events, GlobalPosition readAfter)
    {
        foreach (var e in events)
        {
            if (e.Position > _end)
            {
                _events.Add(e);
                _bytes += EstimateBytes(e);
                _end = e.Position;
            }
        }
        // Oldest first, but not the events of this read: its readers are about to be served from them.
        while ((_events.Count - _head > _maxEvents || _bytes > _maxBytes) && _head < _events.Count && _events[_head].Position <= readAfter)
        {
            var evicted = _events[_head];
            _bytes -= EstimateBytes(evicted);
            _start = evicted.Position;
            _events[_head++] = null!;
        }
        if (_head > 1024 && _head > _events.Count / 2)
        {
            _events.RemoveRange(0, _head);
            _head = 0;
        }
    }

    private void Reset(GlobalPosition at)
    {
        _epoch++;
        _inflight = null;
        _events.Clear();
        _head = 0;
        _bytes = 0;
        _start = _end = at;
        _last = null;
    }

    /// <summary>The JSON text (UTF-16) plus about as much again for the deserialised payload, and the envelope.</summary>
    internal static long EstimateBytes(StoredEvent e) => 256 + (4L * e.Json.Length) + (2L * (e.StreamId.Length + e.EventType.Length)) + e.Hash.Length;

    private void Record(bool database)
    {
        if (database)
        {
            Interlocked.Increment(ref _databaseReads);
        }
        else
        {
            Interlocked.Increment(ref _memoryReads);
        }
        Reads.Add(1, new KeyValuePair<string, object?>("source", database ? "database" : "memory"));
    }

    private sealed record EndRead(long Ticket, bool Full, bool HeldBack);
}
