using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Npgsql;
using OutreachOS.BuildingBlocks.EventStore;
using OutreachOS.BuildingBlocks.Projections;

namespace OutreachOS.IntegrationTests.EventStore;

/// <summary>Records what its batches hand it (the events it <see cref="Handles"/>), in order.</summary>
internal sealed class RecordingSubscription(string name, int batchSize, Func<StoredEvent, bool>? handles = null, TimeSpan? work = null,
    TimeSpan? gather = null) : ISubscription
{
    private readonly List<StoredEvent> _seen = [];
    private int _batches;

    public TimeSpan GatherDelay => gather ?? TimeSpan.Zero;

    /// <summary>Batches handed over (each one transaction).</summary>
    public int Batches => Volatile.Read(ref _batches);

    public string Name => name;

    public int BatchSize => batchSize;

    public bool Handles(StoredEvent e) => handles?.Invoke(e) ?? true;

    public IReadOnlyList<StoredEvent> Seen
    {
        get
        {
            lock (_seen)
            {
                return [.. _seen];
            }
        }
    }

    public async Task HandleAsync(NpgsqlTransaction transaction, IReadOnlyList<StoredEvent> events, CancellationToken ct)
    {
        lock (_seen)
        {
            _seen.AddRange(events.Where(Handles));
        }
        Interlocked.Increment(ref _batches);
        if (work is { } w)
        {
            await Task.Delay(w, ct); // a slow projection: notifications arrive while it works
        }
    }

    public Task ResetAsync(NpgsqlTransaction transaction, CancellationToken ct)
    {
        lock (_seen)
        {
            _seen.Clear();
        }
        return Task.CompletedTask;
    }
}

/// <summary>
/// Subscription runners of one process share one read of the global log (LogTail). The poll interval is a minute: events
/// reach the runners by NOTIFY and held-back re-checks only, so a runner wrongly served a stale "nothing more" would not
/// catch up within the waits below.
/// </summary>
public sealed class SharedLogTests
{
    private static readonly Guid Tenant = Guid.NewGuid();

    internal static Task<EventStoreHarness> HostAsync(params RecordingSubscription[] subscriptions) =>
        EventStoreHarness.CreateAsync(null, s =>
        {
            foreach (var subscription in subscriptions)
            {
                s.AddSingleton<ISubscription>(subscription);
            }
        }, o => o.PollInterval = TimeSpan.FromMinutes(1));

    internal static EventToAppend Deposit(int amount, string note) => EventToAppend.Create(new TestDeposited("acc", amount, note));

    private static async Task<IReadOnlyList<StoredEvent>> LogAsync(EventStoreHarness h) => await h.Store.ReadAllAsync(GlobalPosition.Start, 100_000);

    internal static async Task CatchUpAsync(EventStoreHarness h, params RecordingSubscription[] subscriptions)
    {
        foreach (var s in subscriptions)
        {
            await h.Engine.WaitForCatchUpAsync(s.Name, TimeSpan.FromSeconds(30));
        }
    }

    [Fact]
    public async Task Runners_sharing_the_log_each_see_every_event_once_in_log_order_including_events_held_back_by_an_open_transaction()
    {
        var small = new RecordingSubscription("shared-small", 5);
        var large = new RecordingSubscription("shared-large", 1000);
        var even = new RecordingSubscription("shared-even", 50, e => e.Data is TestDeposited { Amount: var a } && a % 2 == 0);
        await using var h = await HostAsync(small, large, even);

        // A backlog first: every runner starts at the beginning of the log, so the first read of it serves the others.
        for (var i = 0; i < 50; i++)
        {
            await h.Store.AppendAsync(Tenant, $"backlog-{i % 5}", "account", ExpectedVersion.Any, [Deposit(i, $"backlog {i}")]);
        }
        await h.StartDaemonAsync();

        // Then live appends from four writers, while one transaction holds back everything committed after it.
        await using var blockerConn = await h.DataSource.OpenConnectionAsync();
        var blocker = await blockerConn.BeginTransactionAsync();
        await Parallel.ForEachAsync(Enumerable.Range(0, 4), async (w, ct) =>
        {
            for (var i = 0; i < 15; i++)
            {
                await h.Store.AppendAsync(Tenant, $"live-{w}", "account", ExpectedVersion.Any, [Deposit(i, $"live {w}/{i}"), Deposit(i + 1, $"live {w}/{i}b")], ct);
                if (w == 0 && i == 5)
                {
                    await h.Store.AppendManyAsync(blocker, [new StreamAppend(Tenant, "blocker", "account", ExpectedVersion.NoStream, [Deposit(2, "blocker")])], ct);
                }
            }
        });
        await blocker.CommitAsync();
        await blocker.DisposeAsync();
        for (var i = 0; i < 10; i++)
        {
            await h.Store.AppendAsync(Tenant, "after", "account", ExpectedVersion.Any, [Deposit(i, $"after {i}")]);
        }
        await CatchUpAsync(h, small, large, even);
        await h.StopDaemonAsync();

        var log = await LogAsync(h);
        Assert.Equal(50 + 120 + 1 + 10, log.Count);
        Assert.Equal(log.Select(e => e.EventId), small.Seen.Select(e => e.EventId));
        Assert.Equal(log.Select(e => e.EventId), large.Seen.Select(e => e.EventId));
        Assert.Equal(log.Where(even.Handles).Select(e => e.EventId), even.Seen.Select(e => e.EventId));

        // The backlog alone is 10 batches of the small runner, and one read of the log's end covers it: at least 9 of them
        // came from memory whichever runner read first.
        var tail = h.Services.GetRequiredService<LogTail>();
        Assert.True(tail.MemoryReads >= 9, $"{tail.MemoryReads} reads from memory, {tail.DatabaseReads} from the database");
    }

    [Fact]
    public async Task Two_runners_sharing_the_log_wait_for_an_open_transaction_then_both_deliver_its_event_before_the_later_one()
    {
        var first = new RecordingSubscription("held-first", 100);
        var second = new RecordingSubscription("held-second", 3);
        await using var h = await HostAsync(first, second);
        await h.StartDaemonAsync();
        await h.Store.AppendAsync(Tenant, "warm", "account", ExpectedVersion.NoStream, [Deposit(1, "warm")]);
        await CatchUpAsync(h, first, second);

        // T1 appends first and stays open; T2 appends later and commits first: its event must wait for T1's.
        await using var c1 = await h.DataSource.OpenConnectionAsync();
        await using var t1 = await c1.BeginTransactionAsync();
        await h.Store.AppendManyAsync(t1, [new StreamAppend(Tenant, "late", "account", ExpectedVersion.NoStream, [Deposit(2, "late")])]);
        await h.Store.AppendAsync(Tenant, "early", "account", ExpectedVersion.NoStream, [Deposit(3, "early")]);
        var tail = h.Services.GetRequiredService<LogTail>();
        var reads = tail.MemoryReads + tail.DatabaseReads;
        using (var patience = new CancellationTokenSource(TimeSpan.FromSeconds(30)))
        {
            while (tail.MemoryReads + tail.DatabaseReads < reads + 10)
            {
                await Task.Delay(10, patience.Token); // both runners re-check while T1 stays open
            }
        }
        Assert.Equal(["warm"], first.Seen.Select(e => e.As<TestDeposited>().Note));
        Assert.Equal(["warm"], second.Seen.Select(e => e.As<TestDeposited>().Note));

        await t1.CommitAsync();
        await h.Store.AppendAsync(Tenant, "later", "account", ExpectedVersion.NoStream, [Deposit(4, "later")]);
        await CatchUpAsync(h, first, second);
        await h.StopDaemonAsync();

        Assert.Equal(["warm", "late", "early", "later"], first.Seen.Select(e => e.As<TestDeposited>().Note));
        Assert.Equal(["warm", "late", "early", "later"], second.Seen.Select(e => e.As<TestDeposited>().Note));
    }
}

/// <summary>
/// Counts of reads and batches. They run alone: a transaction open anywhere in the cluster (another test's database
/// included) lowers every snapshot's xmin, makes events look held back and adds re-reads that these counts do not expect.
/// </summary>
[CollectionDefinition(nameof(LogReadCountCollection), DisableParallelization = true)]
public sealed class LogReadCountCollection;

[Collection(nameof(LogReadCountCollection))]
public sealed class SharedLogCountTests
{
    private static readonly Guid Tenant = Guid.NewGuid();

    private static Task<EventStoreHarness> HostAsync(params RecordingSubscription[] subscriptions) => SharedLogTests.HostAsync(subscriptions);

    private static EventToAppend Deposit(int amount, string note) => SharedLogTests.Deposit(amount, note);

    private static Task CatchUpAsync(EventStoreHarness h, params RecordingSubscription[] subscriptions) => SharedLogTests.CatchUpAsync(h, subscriptions);

    [Fact]
    public async Task Runners_woken_by_one_append_share_one_database_read_even_when_one_of_them_is_busy_when_it_arrives()
    {
        // Two quick runners and a slow one, which is still working on an earlier batch when the next append is announced:
        // it must still be handed the mark of the announcement, not of the moment it gets round to it.
        RecordingSubscription[] subscriptions =
        [
            new("woken-quick-1", 1000), new("woken-quick-2", 1000), new("woken-slow", 1000, work: TimeSpan.FromMilliseconds(40)),
        ];
        await using var h = await HostAsync(subscriptions);
        await h.StartDaemonAsync();
        await h.Store.AppendAsync(Tenant, "woken", "account", ExpectedVersion.Any, [Deposit(0, "first")]);
        await CatchUpAsync(h, subscriptions);
        var tail = h.Services.GetRequiredService<LogTail>();
        var before = tail.DatabaseReads;

        const int appends = 30;
        for (var i = 1; i <= appends; i++)
        {
            await h.Store.AppendAsync(Tenant, "woken", "account", ExpectedVersion.Any, [Deposit(i, $"append {i}")]);
            await Task.Delay(15);
        }
        await CatchUpAsync(h, subscriptions);
        var reads = tail.DatabaseReads - before;
        await h.StopDaemonAsync();

        Assert.All(subscriptions, s => Assert.Equal(appends + 1, s.Seen.Count));
        Assert.True(reads <= appends + 3, $"{reads} database reads of the log for {appends} appends and 3 runners");
    }

    [Fact]
    public async Task A_subscription_with_a_gather_delay_handles_a_burst_of_appends_in_few_batches_and_misses_none()
    {
        var gathering = new RecordingSubscription("gathering", 1000, gather: TimeSpan.FromMilliseconds(300));
        var eager = new RecordingSubscription("eager", 1000);
        await using var h = await HostAsync(gathering, eager);
        await h.StartDaemonAsync();
        await h.Store.AppendAsync(Tenant, "burst", "account", ExpectedVersion.Any, [Deposit(0, "first")]);
        await CatchUpAsync(h, gathering, eager);
        var (gatheringBefore, eagerBefore) = (gathering.Batches, eager.Batches);

        // Twelve appends about 10 ms apart: a burst well inside one gather delay.
        for (var i = 1; i <= 12; i++)
        {
            await h.Store.AppendAsync(Tenant, "burst", "account", ExpectedVersion.Any, [Deposit(i, $"burst {i}")]);
            await Task.Delay(10);
        }
        await CatchUpAsync(h, gathering, eager);
        await h.StopDaemonAsync();

        Assert.Equal(13, gathering.Seen.Count);
        Assert.Equal(eager.Seen.Select(e => e.EventId), gathering.Seen.Select(e => e.EventId));
        var gatheringBatches = gathering.Batches - gatheringBefore;
        Assert.True(gatheringBatches <= 3, $"{gatheringBatches} batches with the gather delay, {eager.Batches - eagerBefore} without");
    }
}
