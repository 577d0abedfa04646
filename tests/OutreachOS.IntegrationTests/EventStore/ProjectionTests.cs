using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Npgsql;
using OutreachOS.BuildingBlocks;
using OutreachOS.BuildingBlocks.Documents;
using OutreachOS.BuildingBlocks.EventStore;
using OutreachOS.BuildingBlocks.Projections;

namespace OutreachOS.IntegrationTests.EventStore;

public sealed record BalanceView(string Account, decimal Balance, int Deposits);

/// <summary>An async projection that would double-count if any event were applied twice.</summary>
internal sealed class BalanceProjection : ISubscription
{
    public string Name => "test-balances";

    public int BatchSize => 7; // small batches: many checkpoints, more chances to get concurrency wrong

    public async Task HandleAsync(NpgsqlTransaction transaction, IReadOnlyList<StoredEvent> events, CancellationToken ct)
    {
        foreach (var e in events)
        {
            if (e.Data is not TestDeposited d)
            {
                continue;
            }
            var current = await DocumentStore.GetAsync<BalanceView>(transaction, e.TenantId, d.Account, forUpdate: true, ct);
            var next = current is null
                ? new BalanceView(d.Account, d.Amount, 1)
                : current.Data with { Balance = current.Data.Balance + d.Amount, Deposits = current.Data.Deposits + 1 };
            await DocumentStore.UpsertAsync(transaction, e.TenantId, d.Account, next, ct);
        }
    }

    public Task ResetAsync(NpgsqlTransaction transaction, CancellationToken ct) =>
        DocumentStore.DeleteAllAsync(transaction, DocumentStore.TypeName<BalanceView>(), ct);
}

/// <summary>An inline projection: written in the append's own transaction.</summary>
internal sealed class InlineCounter : IInlineProjection
{
    public IReadOnlyCollection<Type> EventTypes { get; } = [typeof(TestWithdrawn)];

    public async Task ApplyAsync(NpgsqlTransaction transaction, IReadOnlyList<StoredEvent> events, CancellationToken ct)
    {
        foreach (var e in events)
        {
            var w = (TestWithdrawn)e.Data!;
            var current = await DocumentStore.GetAsync<BalanceView>(transaction, e.TenantId, "withdrawals-" + w.Account, forUpdate: true, ct);
            await DocumentStore.UpsertAsync(transaction, e.TenantId, "withdrawals-" + w.Account,
                new BalanceView(w.Account, (current?.Data.Balance ?? 0) + w.Amount, (current?.Data.Deposits ?? 0) + 1), ct);
        }
    }
}

public sealed class ProjectionTests
{
    private static readonly Guid Tenant = Guid.NewGuid();

    private static Task<EventStoreHarness> HostAsync(string? cs = null, TimeSpan? poll = null) =>
        EventStoreHarness.CreateAsync(cs, s => s.AddSubscription<BalanceProjection>().AddInlineProjection<InlineCounter>(),
            o => { o.PollInterval = poll ?? TimeSpan.FromMilliseconds(100); o.StandbyRetry = TimeSpan.FromMilliseconds(100); });

    private static async Task AppendDepositsAsync(EventStoreHarness h, int streams, int perStream)
    {
        await Parallel.ForEachAsync(Enumerable.Range(0, streams), new ParallelOptions { MaxDegreeOfParallelism = 4 }, async (s, ct) =>
        {
            for (var i = 0; i < perStream; i++)
            {
                await h.Store.AppendAsync(Tenant, $"acc-{s}", "account", ExpectedVersion.Any,
                    [EventToAppend.Create(new TestDeposited($"acc-{s % 3}", 1m, $"{s}/{i}"))], ct);
            }
        });
    }

    [Fact]
    public async Task Async_projection_catches_up_and_applies_every_event_exactly_once_with_two_competing_hosts()
    {
        await using var a = await HostAsync();
        await using var b = await HostAsync(a.ConnectionString);
        await a.StartDaemonAsync();
        await b.StartDaemonAsync();

        await AppendDepositsAsync(a, streams: 12, perStream: 10);
        await a.Engine.WaitForCatchUpAsync("test-balances", TimeSpan.FromSeconds(30));
        await a.StopDaemonAsync();
        await b.StopDaemonAsync();

        var docs = await a.Services.GetRequiredService<DocumentStore>().ListAsync<BalanceView>(Tenant);
        Assert.Equal(120, docs.Sum(d => d.Data.Deposits));
        Assert.Equal(120m, docs.Sum(d => d.Data.Balance));
    }

    [Fact]
    public async Task Only_one_host_holds_a_projection_and_a_standby_takes_over_when_it_stops()
    {
        await using var a = await HostAsync();
        await using var b = await HostAsync(a.ConnectionString);
        await a.StartDaemonAsync();
        await Task.Delay(300);
        await b.StartDaemonAsync();

        await using (var conn = await a.DataSource.OpenConnectionAsync())
        {
            Assert.False(await SubscriptionEngine.TryLockAsync(conn, "test-balances", CancellationToken.None)); // held by a
        }
        await a.StopDaemonAsync(); // b takes over
        await AppendDepositsAsync(a, streams: 2, perStream: 5);
        await b.Engine.WaitForCatchUpAsync("test-balances", TimeSpan.FromSeconds(30));
        await b.StopDaemonAsync();

        var docs = await b.Services.GetRequiredService<DocumentStore>().ListAsync<BalanceView>(Tenant);
        Assert.Equal(10, docs.Sum(d => d.Data.Deposits));
    }

    [Fact]
    public async Task Notify_wakes_the_runner_long_before_the_poll_interval()
    {
        await using var h = await HostAsync(poll: TimeSpan.FromSeconds(30));
        await h.StartDaemonAsync();
        await Task.Delay(500); // the runner is now waiting on LISTEN with a 30 s timeout

        var started = System.Diagnostics.Stopwatch.StartNew();
        await AppendDepositsAsync(h, 1, 1);
        await h.Engine.WaitForCatchUpAsync("test-balances", TimeSpan.FromSeconds(10));
        await h.StopDaemonAsync();
        Assert.True(started.Elapsed < TimeSpan.FromSeconds(10), $"took {started.Elapsed}");
    }

    [Fact]
    public async Task Rebuild_from_zero_equals_the_live_projection()
    {
        await using var h = await HostAsync();
        await h.StartDaemonAsync();
        await AppendDepositsAsync(h, streams: 5, perStream: 6);
        await h.Engine.WaitForCatchUpAsync("test-balances", TimeSpan.FromSeconds(30));
        await h.StopDaemonAsync();
        var store = h.Services.GetRequiredService<DocumentStore>();
        var live = (await store.ListAsync<BalanceView>(Tenant)).Select(d => d.Data).ToList();

        // Corrupt the read model, then rebuild it from the log.
        await h.ExecAsync("UPDATE oos.documents SET data = jsonb_set(data, '{balance}', '-1')");
        var progress = new List<RebuildProgress>();
        var processed = await h.Engine.RebuildAsync("test-balances", new SyncProgress<RebuildProgress>(progress.Add), TimeSpan.FromSeconds(5));

        Assert.Equal(30, processed);
        Assert.Equal(live, (await store.ListAsync<BalanceView>(Tenant)).Select(d => d.Data).ToList());
        Assert.Equal(30, progress[^1].Processed);
    }

    [Fact]
    public async Task Inline_projection_commits_with_the_append_and_not_without_it()
    {
        await using var h = await HostAsync();
        await h.Store.AppendAsync(Tenant, "w", "account", ExpectedVersion.NoStream, [EventToAppend.Create(new TestWithdrawn("x", 5m))]);
        await Assert.ThrowsAsync<ConcurrencyException>(() =>
            h.Store.AppendAsync(Tenant, "w", "account", ExpectedVersion.NoStream, [EventToAppend.Create(new TestWithdrawn("x", 7m))]));

        var doc = await h.Services.GetRequiredService<DocumentStore>().GetAsync<BalanceView>(Tenant, "withdrawals-x");
        Assert.Equal(5m, doc!.Data.Balance);
        Assert.Null(await h.Services.GetRequiredService<DocumentStore>().GetAsync<BalanceView>(Guid.NewGuid(), "withdrawals-x"));
    }

    [Fact]
    public async Task Documents_written_and_read_many_at_once_are_keyed_by_tenant_and_versioned_like_single_writes()
    {
        await using var h = await HostAsync();
        var other = Guid.NewGuid();
        var dataSource = h.Services.GetRequiredService<NpgsqlDataSource>();
        await using (var conn = await dataSource.OpenConnectionAsync())
        await using (var tx = await conn.BeginTransactionAsync())
        {
            await DocumentStore.UpsertManyAsync<BalanceView>(tx, [(Tenant, "a", new BalanceView("a", 1m, 1)), (Tenant, "b", new BalanceView("b", 2m, 1)), (other, "a", new BalanceView("a", 9m, 1))]);
            await tx.CommitAsync();
        }
        await using (var conn = await dataSource.OpenConnectionAsync())
        await using (var tx = await conn.BeginTransactionAsync())
        {
            var found = await DocumentStore.GetManyAsync<BalanceView>(tx, [(Tenant, "a"), (Tenant, "missing"), (other, "a"), (other, "b")], forUpdate: true);
            Assert.Equal(2, found.Count);
            Assert.Equal((1m, 9m), (found[(Tenant, "a")].Balance, found[(other, "a")].Balance));
            await DocumentStore.UpsertManyAsync<BalanceView>(tx, [(Tenant, "a", found[(Tenant, "a")] with { Balance = 3m })]);
            await tx.CommitAsync();
        }

        var docs = h.Services.GetRequiredService<DocumentStore>();
        var a = await docs.GetAsync<BalanceView>(Tenant, "a");
        Assert.Equal((3m, 2L), (a!.Data.Balance, a.Version));
        Assert.Equal(2m, (await docs.GetAsync<BalanceView>(Tenant, "b"))!.Data.Balance);
        Assert.Equal((9m, 1L), ((await docs.GetAsync<BalanceView>(other, "a"))!.Data.Balance, (await docs.GetAsync<BalanceView>(other, "a"))!.Version));
    }

    [Fact]
    public async Task A_batch_whose_checkpoint_another_runner_moved_is_discarded_with_its_writes_and_the_connection_stays_usable()
    {
        await using var h = await HostAsync();
        var projection = h.Engine.Get("test-balances");
        var docs = h.Services.GetRequiredService<DocumentStore>();
        await AppendDepositsAsync(h, streams: 1, perStream: 3);
        await ReadableAsync(h, 3);

        // The move and the commit travel together: a clean batch commits both.
        var first = await BatchAsync(h, projection, GlobalPosition.Start, GlobalPosition.Start);
        Assert.Equal(3, first.Count);
        var reached = first.Position!.Value;
        Assert.Equal(reached, await h.Engine.GetCheckpointAsync("test-balances"));
        Assert.Equal(3, (await docs.ListAsync<BalanceView>(Tenant)).Sum(d => d.Data.Deposits));

        // Another runner moves the checkpoint while this one still believes in `reached`.
        await AppendDepositsAsync(h, streams: 1, perStream: 2);
        await h.ExecAsync("UPDATE oos.checkpoints SET seq = seq + 1000000 WHERE name = 'test-balances'");
        var lost = await BatchAsync(h, projection, reached, reached);
        Assert.Null(lost.Position);
        Assert.Equal(3, (await docs.ListAsync<BalanceView>(Tenant)).Sum(d => d.Data.Deposits)); // the handler's writes rolled back
        Assert.False(await h.Engine.PersistCheckpointAsync("test-balances", reached, reached with { Sequence = reached.Sequence + 1 }, CancellationToken.None));
        Assert.Equal(reached.Sequence + 1000000, (await h.Engine.GetCheckpointAsync("test-balances")).Sequence);

        // The pooled connections that carried the aborted transactions work normally afterwards.
        await h.ExecAsync($"UPDATE oos.checkpoints SET seq = {reached.Sequence} WHERE name = 'test-balances'");
        await ReadableAsync(h, 5);
        var again = await BatchAsync(h, projection, null, null);
        Assert.Equal(2, again.Count);
        Assert.Equal(5, (await docs.ListAsync<BalanceView>(Tenant)).Sum(d => d.Data.Deposits));
        Assert.Equal(0, await h.ScalarAsync("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND state = 'idle in transaction'"));
    }

    /// <summary>
    /// One batch, retried while it read nothing: a transaction open anywhere in the cluster (a parallel test's database
    /// included) can hold the new events back from a read for a moment.
    /// </summary>
    private static async Task<BatchOutcome> BatchAsync(EventStoreHarness h, ISubscription projection, GlobalPosition? known, GlobalPosition? stored)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (true)
        {
            var outcome = await h.Engine.ProcessBatchAsync(projection, known, stored, deferIdle: false, readMark: null, CancellationToken.None);
            if (outcome.Count > 0 || outcome.Position is null || DateTime.UtcNow > deadline)
            {
                return outcome;
            }
            await Task.Delay(20);
        }
    }

    /// <summary>
    /// Waits until <paramref name="count"/> events are readable: each append is its own transaction, and one open elsewhere in
    /// the cluster can hold the later ones back for a moment, so a batch read at once may see only the first.
    /// </summary>
    private static async Task ReadableAsync(EventStoreHarness h, int count)
    {
        using var patience = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        while ((await h.Store.ReadAllAsync(GlobalPosition.Start, count, patience.Token)).Count < count)
        {
            await Task.Delay(20, patience.Token);
        }
    }

    private sealed class SyncProgress<T>(Action<T> report) : IProgress<T>
    {
        public void Report(T value) => report(value);
    }
}
