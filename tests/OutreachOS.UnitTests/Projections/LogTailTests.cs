using OutreachOS.BuildingBlocks.EventStore;
using OutreachOS.BuildingBlocks.Projections;

namespace OutreachOS.UnitTests.Projections;

/// <summary>The shared window of the recent log, against a fake database read (no I/O, no clock).</summary>
public sealed class LogTailTests
{
    private static GlobalPosition P(int i) => new((ulong)i, i);

    /// <summary>
    /// The database as a subscriber reads it: final events in log order, a held-back flag, every call recorded. A read
    /// takes its snapshot when called; with a gate set, it then waits for the test to release it.
    /// </summary>
    private sealed class FakeLog
    {
        private readonly List<StoredEvent> _events = [];
        private readonly Lock _gate = new();

        public List<(GlobalPosition After, int Max)> Calls { get; } = [];

        public bool HeldBack { get; set; }

        public TaskCompletionSource? Gate { get; set; }

        public Exception? Fail { get; set; }

        /// <summary>Each read waits for its own release (in <see cref="Held"/>, in call order).</summary>
        public bool HoldEach { get; set; }

        public List<TaskCompletionSource> Held { get; } = [];

        public FakeLog Add(int count)
        {
            lock (_gate)
            {
                for (var k = 0; k < count; k++)
                {
                    var i = _events.Count + 1;
                    _events.Add(new StoredEvent(i, (ulong)i, Guid.NewGuid(), Guid.Empty, $"s-{i}", 1, "test.v1", $"{{\"i\":{i}}}",
                        new Dictionary<string, string>(), DateTimeOffset.UnixEpoch, [], null));
                }
            }
            return this;
        }

        public async Task<(IReadOnlyList<StoredEvent> Events, bool HeldBack)> ReadAsync(GlobalPosition after, int max, CancellationToken ct)
        {
            List<StoredEvent> snapshot;
            bool heldBack;
            TaskCompletionSource? gate;
            Exception? fail;
            lock (_gate)
            {
                Calls.Add((after, max));
                snapshot = _events.Where(e => e.Position > after).Take(max).ToList();
                heldBack = HeldBack;
                gate = Gate;
                fail = Fail;
                if (HoldEach)
                {
                    gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                    Held.Add(gate);
                }
            }
            if (gate is not null)
            {
                await gate.Task;
            }
            if (fail is not null)
            {
                throw fail;
            }
            return (snapshot, heldBack);
        }

        /// <summary>Lets the reads waiting at the gate finish; later reads no longer wait.</summary>
        public void Release()
        {
            var gate = Gate!;
            Gate = null;
            gate.SetResult();
        }
    }

    private static LogTail Tail(FakeLog log, int events = 10_000, long bytes = 64L << 20) =>
        new(log.ReadAsync, new SubscriptionOptions { LogTailEvents = events, LogTailBytes = bytes });

    private static int[] Numbers(IReadOnlyList<StoredEvent> events) => [.. events.Select(e => (int)e.Sequence)];

    private static int[] Range(int from, int to) => [.. Enumerable.Range(from, to - from + 1)];

    [Fact]
    public async Task A_cold_read_goes_to_the_database_and_later_reads_inside_the_window_are_served_from_memory()
    {
        var log = new FakeLog().Add(10);
        var tail = Tail(log);
        var mark = tail.Mark;

        var first = await tail.ReadAsync(GlobalPosition.Start, 100, mark, CancellationToken.None);
        var second = await tail.ReadAsync(P(3), 100, mark, CancellationToken.None);
        var third = await tail.ReadAsync(P(5), 2, mark, CancellationToken.None);

        Assert.Equal(Range(1, 10), Numbers(first.Events));
        Assert.Equal(Range(4, 10), Numbers(second.Events));
        Assert.Equal([6, 7], Numbers(third.Events));
        Assert.Single(log.Calls);
        Assert.Equal((1L, 2L), (tail.DatabaseReads, tail.MemoryReads));
    }

    [Fact]
    public async Task A_reader_told_of_events_after_the_last_read_goes_to_the_database_from_the_end_and_the_window_grows()
    {
        var log = new FakeLog().Add(3);
        var tail = Tail(log);
        await tail.ReadAsync(GlobalPosition.Start, 100, tail.Mark, CancellationToken.None);

        log.Add(2);
        var mark = tail.Mark; // the NOTIFY of events 4 and 5 arrives after the first read started
        var atEnd = await tail.ReadAsync(P(3), 100, mark, CancellationToken.None);
        var fromInside = await tail.ReadAsync(P(1), 100, mark, CancellationToken.None);

        Assert.Equal([4, 5], Numbers(atEnd.Events));
        Assert.Equal(Range(2, 5), Numbers(fromInside.Events));
        Assert.Equal([GlobalPosition.Start, P(3)], log.Calls.Select(c => c.After));
        Assert.Equal(5, tail.Count);
    }

    [Fact]
    public async Task A_reader_that_reaches_the_end_trusts_a_read_started_after_its_mark_including_the_held_back_flag()
    {
        var log = new FakeLog().Add(4);
        log.HeldBack = true;
        var tail = Tail(log);
        var mark = tail.Mark; // both readers were woken before the read below started

        var a = await tail.ReadAsync(P(2), 100, mark, CancellationToken.None);
        var b = await tail.ReadAsync(P(4), 100, mark, CancellationToken.None);
        var c = await tail.ReadAsync(P(3), 100, mark, CancellationToken.None);

        Assert.Equal([3, 4], Numbers(a.Events));
        Assert.Empty(b.Events);
        Assert.Equal([4], Numbers(c.Events));
        Assert.True(a.HeldBack && b.HeldBack && c.HeldBack);
        Assert.Single(log.Calls);

        // Re-checking later (a fresh mark): the stale answer is not reused; the new read's flag is.
        log.HeldBack = false;
        log.Add(1);
        var recheck = await tail.ReadAsync(P(4), 100, tail.Mark, CancellationToken.None);
        Assert.Equal([5], Numbers(recheck.Events));
        Assert.False(recheck.HeldBack);
        Assert.Equal(2, log.Calls.Count);
    }

    [Fact]
    public async Task A_full_end_read_is_not_trusted_the_next_reader_at_the_end_reads_on()
    {
        var log = new FakeLog().Add(LogTail.MinEndRead + 5);
        var tail = Tail(log);
        var mark = tail.Mark;

        var first = await tail.ReadAsync(GlobalPosition.Start, 10, mark, CancellationToken.None);
        var rest = await tail.ReadAsync(P(LogTail.MinEndRead - 3), 100, mark, CancellationToken.None);

        Assert.Equal(Range(1, 10), Numbers(first.Events)); // a full batch for the caller; the read itself took MinEndRead
        Assert.Equal(Range(LogTail.MinEndRead - 2, LogTail.MinEndRead + 5), Numbers(rest.Events));
        Assert.Equal(new[] { (GlobalPosition.Start, LogTail.MinEndRead), (P(LogTail.MinEndRead), LogTail.MinEndRead) }, log.Calls);
    }

    [Fact]
    public async Task Eviction_drops_the_oldest_events_and_a_reader_behind_the_window_reads_the_database_without_disturbing_it()
    {
        var log = new FakeLog().Add(3);
        var tail = Tail(log, events: 4);
        await tail.ReadAsync(GlobalPosition.Start, 100, tail.Mark, CancellationToken.None);
        log.Add(3);
        await tail.ReadAsync(P(3), 100, tail.Mark, CancellationToken.None); // window 1..6 over 4: 1 and 2 go

        Assert.Equal(4, tail.Count);
        var behind = await tail.ReadAsync(P(1), 100, tail.Mark, CancellationToken.None);
        Assert.Equal(Range(2, 6), Numbers(behind.Events));
        Assert.Equal(P(1), log.Calls[^1].After);

        var inside = await tail.ReadAsync(P(2), 100, 0, CancellationToken.None);
        Assert.Equal(Range(3, 6), Numbers(inside.Events));
        Assert.Equal(3, log.Calls.Count);

        log.Add(1);
        var atEnd = await tail.ReadAsync(P(6), 100, tail.Mark, CancellationToken.None);
        Assert.Equal([7], Numbers(atEnd.Events));
        Assert.Equal(P(6), log.Calls[^1].After); // the window's end did not move back to the reader behind it
        Assert.Equal(4, tail.Count);
    }

    [Fact]
    public async Task The_events_of_the_latest_read_are_kept_even_beyond_the_byte_bound()
    {
        var log = new FakeLog().Add(5);
        var tail = Tail(log, bytes: 1);

        var read = await tail.ReadAsync(GlobalPosition.Start, 2, tail.Mark, CancellationToken.None);
        var next = await tail.ReadAsync(P(2), 100, 0, CancellationToken.None);

        Assert.Equal([1, 2], Numbers(read.Events));
        Assert.Equal(Range(3, 5), Numbers(next.Events));
        Assert.Single(log.Calls);
    }

    [Fact]
    public async Task Concurrent_readers_woken_by_the_same_notify_share_one_database_read()
    {
        var log = new FakeLog().Add(3);
        var tail = Tail(log);
        await tail.ReadAsync(GlobalPosition.Start, 100, tail.Mark, CancellationToken.None);

        log.Add(3);
        var mark = tail.Mark; // the NOTIFY of events 4..6, received by every runner
        log.Gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var readers = Enumerable.Range(0, 8).Select(i => tail.ReadAsync(i % 2 == 0 ? P(3) : P(1), 100, mark, CancellationToken.None)).ToList();
        Assert.Equal(2, log.Calls.Count); // the first reader's read is in flight; the others wait for it
        log.Release();
        var results = await Task.WhenAll(readers);

        Assert.Equal(2, log.Calls.Count);
        for (var i = 0; i < results.Length; i++)
        {
            Assert.Equal(i % 2 == 0 ? [4, 5, 6] : Range(2, 6), Numbers(results[i].Events));
            Assert.False(results[i].HeldBack);
        }
        Assert.Equal((2L, 7L), (tail.DatabaseReads, tail.MemoryReads));
    }

    [Fact]
    public async Task A_reader_told_of_an_event_after_the_in_flight_read_started_does_not_wait_for_it_but_reads_at_once()
    {
        var log = new FakeLog().Add(3);
        var tail = Tail(log);
        await tail.ReadAsync(GlobalPosition.Start, 100, tail.Mark, CancellationToken.None);

        log.Gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var early = tail.ReadAsync(P(3), 100, tail.Mark, CancellationToken.None); // its read sees nothing new
        log.Add(1);
        var late = tail.ReadAsync(P(3), 100, tail.Mark, CancellationToken.None); // woken by event 4's NOTIFY
        Assert.Equal([GlobalPosition.Start, P(3), P(3)], log.Calls.Select(c => c.After)); // both reads in flight
        log.Release();

        var (earlyEvents, _) = await early;
        var (lateEvents, _) = await late;
        Assert.Equal([4], Numbers(lateEvents));
        Assert.True(earlyEvents.Count == 0 || Numbers(earlyEvents) is [4]); // its own read, or the newer one if that came back first
        Assert.Equal(3, log.Calls.Count);

        // Both reads started from the same end: the window holds event 4 once, and a reader told nothing new is served.
        var again = await tail.ReadAsync(P(2), 100, tail.Mark - 1, CancellationToken.None);
        Assert.Equal([3, 4], Numbers(again.Events));
        Assert.Equal(4, tail.Count);
        Assert.Equal(3, log.Calls.Count);
    }

    [Fact]
    public async Task An_older_read_that_comes_back_after_a_newer_one_neither_shrinks_the_window_nor_replaces_its_held_back_flag()
    {
        var log = new FakeLog().Add(3);
        var tail = Tail(log);
        await tail.ReadAsync(GlobalPosition.Start, 100, tail.Mark, CancellationToken.None);

        log.HoldEach = true;
        log.HeldBack = true;
        log.Add(1);
        var early = tail.ReadAsync(P(3), 100, tail.Mark, CancellationToken.None); // sees event 4, and something held back
        var markBetween = tail.Mark;
        log.HeldBack = false;
        var late = tail.ReadAsync(P(3), 100, tail.Mark, CancellationToken.None); // sees event 4, nothing held back any more
        log.Held[1].SetResult();
        var (lateEvents, lateHeldBack) = await late;
        log.Held[0].SetResult();
        var (earlyEvents, earlyHeldBack) = await early;

        Assert.Equal([4], Numbers(lateEvents));
        Assert.False(lateHeldBack);
        Assert.Equal([4], Numbers(earlyEvents));
        Assert.False(earlyHeldBack); // the newer read answers for it
        Assert.Equal(4, tail.Count);
        var atEnd = await tail.ReadAsync(P(4), 100, markBetween, CancellationToken.None);
        Assert.Empty(atEnd.Events);
        Assert.False(atEnd.HeldBack);
        Assert.Equal(3, log.Calls.Count);
    }

    [Fact]
    public async Task A_reader_ahead_of_the_window_gets_an_end_read_that_carries_the_window_past_it()
    {
        var log = new FakeLog().Add(3);
        var tail = Tail(log);
        await tail.ReadAsync(GlobalPosition.Start, 100, tail.Mark, CancellationToken.None);
        log.Add(5);

        var ahead = await tail.ReadAsync(P(5), 100, tail.Mark, CancellationToken.None); // position from a newer read elsewhere
        var inside = await tail.ReadAsync(P(3), 100, 0, CancellationToken.None);

        Assert.Equal([6, 7, 8], Numbers(ahead.Events));
        Assert.Equal(Range(4, 8), Numbers(inside.Events));
        Assert.Equal([GlobalPosition.Start, P(3)], log.Calls.Select(c => c.After));
    }

    [Fact]
    public async Task A_reader_far_ahead_of_the_window_resets_it_after_one_full_end_read()
    {
        var log = new FakeLog().Add(3);
        var tail = Tail(log);
        await tail.ReadAsync(GlobalPosition.Start, 100, tail.Mark, CancellationToken.None);
        log.Add(3000);

        var ahead = await tail.ReadAsync(P(2500), 10, tail.Mark, CancellationToken.None);
        Assert.Equal(Range(2501, 2510), Numbers(ahead.Events));
        Assert.Equal([GlobalPosition.Start, P(3), P(2500)], log.Calls.Select(c => c.After));

        var old = await tail.ReadAsync(P(100), 10, tail.Mark, CancellationToken.None);
        Assert.Equal(Range(101, 110), Numbers(old.Events));
        Assert.Equal(P(100), log.Calls[^1].After); // behind the reset window: the database
        var next = await tail.ReadAsync(P(2510), 10, 0, CancellationToken.None);
        Assert.Equal(Range(2511, 2520), Numbers(next.Events));
        Assert.Equal(4, log.Calls.Count);
    }

    [Fact]
    public async Task A_failed_read_fails_every_reader_waiting_for_it_and_the_next_reader_reads_again()
    {
        var log = new FakeLog().Add(2);
        var tail = Tail(log);
        log.Fail = new InvalidOperationException("connection lost");
        log.Gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var a = tail.ReadAsync(GlobalPosition.Start, 100, tail.Mark, CancellationToken.None);
        var b = tail.ReadAsync(GlobalPosition.Start, 100, 0, CancellationToken.None);
        log.Release();

        await Assert.ThrowsAsync<InvalidOperationException>(() => a);
        await Assert.ThrowsAsync<InvalidOperationException>(() => b);
        log.Fail = null;
        var retry = await tail.ReadAsync(GlobalPosition.Start, 100, tail.Mark, CancellationToken.None);
        Assert.Equal([1, 2], Numbers(retry.Events));
        Assert.Equal(2, log.Calls.Count);
    }

    [Fact]
    public async Task A_waiting_reader_stops_on_its_own_cancellation_without_cancelling_the_shared_read()
    {
        var log = new FakeLog().Add(2);
        var tail = Tail(log);
        log.Gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var first = tail.ReadAsync(GlobalPosition.Start, 100, tail.Mark, CancellationToken.None);
        using var cts = new CancellationTokenSource();
        var second = tail.ReadAsync(GlobalPosition.Start, 100, 0, cts.Token);
        await cts.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => second);
        log.Release();
        var (events, _) = await first;
        Assert.Equal([1, 2], Numbers(events));
    }

    [Fact]
    public async Task With_no_window_configured_every_read_goes_to_the_database()
    {
        var log = new FakeLog().Add(3);
        var tail = Tail(log, events: 0);

        await tail.ReadAsync(GlobalPosition.Start, 100, tail.Mark, CancellationToken.None);
        await tail.ReadAsync(P(1), 100, 0, CancellationToken.None);

        Assert.Equal(2, log.Calls.Count);
    }
}
