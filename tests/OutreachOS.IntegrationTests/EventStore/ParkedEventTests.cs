using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using OutreachOS.BuildingBlocks;
using OutreachOS.BuildingBlocks.Documents;
using OutreachOS.BuildingBlocks.EventStore;
using OutreachOS.BuildingBlocks.Projections;

namespace OutreachOS.IntegrationTests.EventStore;

/// <summary>What the projection under test does with the event whose note is "poison".</summary>
internal sealed class PoisonSwitch
{
    /// <summary>Fail on it (a bug: every time, until fixed).</summary>
    public bool Broken { get; set; } = true;

    /// <summary>Fail this many times with a serialization failure (transient), then take it.</summary>
    public int TransientFailures { get; set; }

    public int Attempts;
}

/// <summary>A balances projection that cannot take one event, as a projection with a bug or unexpected data would.</summary>
internal sealed class FragileBalanceProjection(PoisonSwitch poison) : ISubscription
{
    public string Name => "test-fragile";

    public int BatchSize => 4;

    public async Task HandleAsync(NpgsqlTransaction transaction, IReadOnlyList<StoredEvent> events, CancellationToken ct)
    {
        foreach (var e in events)
        {
            if (e.Data is not TestDeposited d)
            {
                continue;
            }
            if (d.Note == "poison")
            {
                Interlocked.Increment(ref poison.Attempts);
                if (poison.TransientFailures > 0)
                {
                    poison.TransientFailures--;
                    throw new PostgresException("could not serialize access", "ERROR", "ERROR", "40001");
                }
                if (poison.Broken)
                {
                    throw new InvalidOperationException("cannot apply a deposit noted 'poison'");
                }
            }
            var current = await DocumentStore.GetAsync<BalanceView>(transaction, e.TenantId, "fragile-" + d.Account, forUpdate: true, ct);
            await DocumentStore.UpsertAsync(transaction, e.TenantId, "fragile-" + d.Account,
                new BalanceView(d.Account, (current?.Data.Balance ?? 0) + d.Amount, (current?.Data.Deposits ?? 0) + 1), ct);
        }
    }

    public Task ResetAsync(NpgsqlTransaction transaction, CancellationToken ct) =>
        DocumentStore.DeleteAllAsync(transaction, DocumentStore.TypeName<BalanceView>(), ct);
}

/// <summary>
/// One event a projection cannot take must not stop it for everyone: after <see cref="SubscriptionOptions.ParkAfterFailures"/>
/// failures it is parked (recorded with the error) and the projection goes on; a transient database error never parks.
/// </summary>
public sealed class ParkedEventTests
{
    private static readonly Guid Tenant = Guid.NewGuid();

    private static Task<EventStoreHarness> HostAsync(PoisonSwitch poison, int parkAfter) =>
        EventStoreHarness.CreateAsync(null, s => s.AddSingleton(poison).AddSubscription<FragileBalanceProjection>(),
            o => { o.PollInterval = TimeSpan.FromMilliseconds(100); o.StandbyRetry = TimeSpan.FromMilliseconds(100); o.ParkAfterFailures = parkAfter; });

    private static async Task<Guid> AppendAsync(EventStoreHarness h, string note, decimal amount = 1m)
    {
        var e = EventToAppend.Create(new TestDeposited("main", amount, note));
        await h.Store.AppendAsync(Tenant, $"acc-{Guid.NewGuid():N}", "account", ExpectedVersion.Any, [e], CancellationToken.None);
        return e.EventId;
    }

    private static async Task<BalanceView?> BalanceAsync(EventStoreHarness h) =>
        (await h.Services.GetRequiredService<DocumentStore>().GetAsync<BalanceView>(Tenant, "fragile-main"))?.Data;

    [Fact]
    public async Task An_event_the_projection_always_fails_on_is_parked_after_the_limit_and_the_others_are_applied_once()
    {
        var poison = new PoisonSwitch();
        await using var h = await HostAsync(poison, parkAfter: 3);
        for (var i = 0; i < 5; i++)
        {
            await AppendAsync(h, $"before {i}");
        }
        var poisonId = await AppendAsync(h, "poison", 100m);
        for (var i = 0; i < 6; i++)
        {
            await AppendAsync(h, $"after {i}");
        }

        await h.StartDaemonAsync();
        await h.Engine.WaitForCatchUpAsync("test-fragile", TimeSpan.FromSeconds(60));
        await h.StopDaemonAsync();

        Assert.Equal(new BalanceView("main", 11m, 11), await BalanceAsync(h)); // every other deposit, exactly once
        Assert.Equal(1 + 3, poison.Attempts); // once in its batch, then alone until the limit
        var parked = Assert.Single(await h.Engine.ParkedAsync("test-fragile"));
        Assert.Equal((poisonId, Tenant, "TestDeposited", 3), (parked.EventId, parked.TenantId, parked.EventType, parked.Attempts));
        Assert.Contains("cannot apply a deposit noted 'poison'", parked.Error, StringComparison.Ordinal);
        Assert.Contains("InvalidOperationException", parked.Error, StringComparison.Ordinal);
        Assert.Equal(1, (await h.Engine.StatusAsync()).Single(s => s.Name == "test-fragile").Parked);

        // Fixed: a rebuild replays the parked event and clears the list.
        poison.Broken = false;
        await h.Engine.RebuildAsync("test-fragile", null, TimeSpan.FromSeconds(10));
        Assert.Equal(new BalanceView("main", 111m, 12), await BalanceAsync(h));
        Assert.Empty(await h.Engine.ParkedAsync("test-fragile"));
    }

    [Fact]
    public async Task A_host_taking_over_goes_on_counting_the_failures_and_parks_at_the_limit()
    {
        var poison = new PoisonSwitch();
        await using var first = await HostAsync(poison, parkAfter: 4);
        await AppendAsync(first, "before");
        var poisonId = await AppendAsync(first, "poison", 100m);
        await AppendAsync(first, "after");

        // The first host fails on it alone twice (after the batch attempt), then stops, as a crash or a redeploy would.
        await first.StartDaemonAsync();
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (Volatile.Read(ref poison.Attempts) < 3 && DateTime.UtcNow < deadline)
        {
            await Task.Delay(20);
        }
        await first.StopDaemonAsync();
        var counted = await first.ScalarAsync("SELECT failures FROM oos.checkpoints WHERE name = 'test-fragile'");
        Assert.InRange(counted, 1, 3); // a stop can land between a failure and its count
        Assert.Empty(await first.Engine.ParkedAsync("test-fragile"));

        // A second host (a new engine on the same database) goes on from that count instead of starting again at 1.
        await using var second = await EventStoreHarness.CreateAsync(first.ConnectionString,
            s => s.AddSingleton(poison).AddSubscription<FragileBalanceProjection>(),
            o => { o.PollInterval = TimeSpan.FromMilliseconds(100); o.StandbyRetry = TimeSpan.FromMilliseconds(100); o.ParkAfterFailures = 4; });
        var before = Volatile.Read(ref poison.Attempts);
        await second.StartDaemonAsync();
        await second.Engine.WaitForCatchUpAsync("test-fragile", TimeSpan.FromSeconds(60));
        await second.StopDaemonAsync();

        var parked = Assert.Single(await second.Engine.ParkedAsync("test-fragile"));
        Assert.Equal((poisonId, 4), (parked.EventId, parked.Attempts));
        // The second host's batch attempt, then alone up to the fourth failure in a row: fewer runs than a fresh count.
        Assert.Equal(1 + (4 - counted), poison.Attempts - before);
        Assert.Equal(new BalanceView("main", 2m, 2), await BalanceAsync(second));
        Assert.Equal(0, await second.ScalarAsync("SELECT failures FROM oos.checkpoints WHERE name = 'test-fragile'"));
    }

    [Fact]
    public async Task A_rebuild_waits_for_events_held_back_behind_an_older_open_transaction_instead_of_finishing_short()
    {
        var poison = new PoisonSwitch();
        await using var h = await HostAsync(poison, parkAfter: 2);
        // An older transaction with an id, open in another database of the cluster (the snapshot's xmin is the cluster's),
        // as another test or another service's long transaction would be: every event committed after it is held back.
        await using var other = new NpgsqlConnection(await Infrastructure.TestPostgres.MaintenanceConnectionStringAsync());
        await other.OpenAsync();
        await using var older = await other.BeginTransactionAsync();
        await using (var xid = new NpgsqlCommand("SELECT pg_current_xact_id()", other, older))
        {
            await xid.ExecuteScalarAsync();
        }
        await AppendAsync(h, "first");
        await AppendAsync(h, "second");

        var rebuild = h.Engine.RebuildAsync("test-fragile", null, TimeSpan.FromSeconds(10));
        await Task.Delay(300);
        Assert.False(rebuild.IsCompleted, "the rebuild finished while the log was held back"); // it returned 0 here before
        await older.CommitAsync();

        Assert.Equal(2, await rebuild.WaitAsync(TimeSpan.FromSeconds(30)));
        Assert.Equal(new BalanceView("main", 2m, 2), await BalanceAsync(h));
    }

    [Fact]
    public async Task A_rebuild_through_an_event_that_still_fails_parks_it_and_finishes()
    {
        var poison = new PoisonSwitch();
        await using var h = await HostAsync(poison, parkAfter: 2);
        await AppendAsync(h, "first");
        await AppendAsync(h, "poison");
        await AppendAsync(h, "last");

        var processed = await h.Engine.RebuildAsync("test-fragile", null, TimeSpan.FromSeconds(10));

        Assert.Equal(3, processed);
        Assert.Equal(new BalanceView("main", 2m, 2), await BalanceAsync(h));
        Assert.Equal(2, Assert.Single(await h.Engine.ParkedAsync(null)).Attempts);
    }

    [Fact]
    public async Task A_transient_database_error_is_retried_and_never_parks()
    {
        // More serialization failures in a row than the parking limit: still not parked, applied once it goes through.
        var poison = new PoisonSwitch { Broken = false, TransientFailures = 4 };
        await using var h = await HostAsync(poison, parkAfter: 2);
        await AppendAsync(h, "first");
        await AppendAsync(h, "poison", 100m);
        await AppendAsync(h, "last");

        await h.StartDaemonAsync();
        await h.Engine.WaitForCatchUpAsync("test-fragile", TimeSpan.FromSeconds(60));
        await h.StopDaemonAsync();

        Assert.Equal(new BalanceView("main", 102m, 3), await BalanceAsync(h));
        Assert.Equal(5, poison.Attempts);
        Assert.Empty(await h.Engine.ParkedAsync(null));
    }

    [Fact]
    public async Task With_parking_off_the_projection_keeps_retrying_and_stays_behind()
    {
        var poison = new PoisonSwitch();
        await using var h = await HostAsync(poison, parkAfter: 0);
        await AppendAsync(h, "poison");

        await h.StartDaemonAsync();
        await Assert.ThrowsAsync<TimeoutException>(() => h.Engine.WaitForCatchUpAsync("test-fragile", TimeSpan.FromSeconds(3)));
        await h.StopDaemonAsync();

        Assert.True(poison.Attempts >= 2, $"attempts: {poison.Attempts}");
        Assert.Empty(await h.Engine.ParkedAsync(null));
    }

    [Fact]
    public void A_subscription_with_external_effects_never_parks() =>
        Assert.False(((ISubscription)new ExternalOnly()).MayPark);

    private sealed class ExternalOnly : IExternalEffectSubscription
    {
        public string Name => "external";

        public Task HandleAsync(IReadOnlyList<StoredEvent> events, CancellationToken ct) => Task.CompletedTask;

        public Task HandleAsync(NpgsqlTransaction transaction, IReadOnlyList<StoredEvent> events, CancellationToken ct) => Task.CompletedTask;

        public Task ResetAsync(NpgsqlTransaction transaction, CancellationToken ct) => Task.CompletedTask;
    }
}
