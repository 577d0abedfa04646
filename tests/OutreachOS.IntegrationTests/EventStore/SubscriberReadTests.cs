using Npgsql;
using OutreachOS.BuildingBlocks.EventStore;

namespace OutreachOS.IntegrationTests.EventStore;

/// <summary>
/// The subscriber's read of the log (<see cref="PostgresEventStore.ReadAllForSubscriberAsync"/>): every committed event after
/// the position is either returned or reported as held back, even when the transaction holding it back ends mid-read.
/// </summary>
public sealed class SubscriberReadTests
{
    private static readonly Guid Tenant = Guid.NewGuid();

    /// <summary>A key of the advisory lock the hooked operator waits on (this test's database only).</summary>
    private const long PauseKey = 730_019;

    [Fact]
    public async Task An_event_held_back_by_a_transaction_that_ends_during_the_read_is_flagged_not_lost()
    {
        await using var h = await EventStoreHarness.CreateAsync();
        var store = (PostgresEventStore)h.Store;
        await h.Store.AppendAsync(Tenant, "before", "account", ExpectedVersion.NoStream, [SharedLogTests.Deposit(1, "before")]);
        var before = (await ReadUntilAsync(store, GlobalPosition.Start))[^1].Position; // a parallel test's transaction may hold it back a moment

        // The read pauses after its snapshot is taken: its "tx < xmin" resolves, through this database's search path, to an
        // operator that waits on an advisory lock the test holds, row by row at execution. (A hooked function would also be
        // called by the planner's estimates, before the execution's snapshot.) Nothing else about the statement changes.
        await h.ExecAsync($"""
            CREATE SCHEMA pause_hook;
            CREATE FUNCTION pause_hook.xid8_lt(a xid8, b xid8) RETURNS boolean LANGUAGE plpgsql STABLE AS $$
            BEGIN
                PERFORM pg_catalog.pg_advisory_lock_shared({PauseKey});
                PERFORM pg_catalog.pg_advisory_unlock_shared({PauseKey});
                RETURN a OPERATOR(pg_catalog.<) b;
            END $$;
            CREATE OPERATOR pause_hook.< (LEFTARG = xid8, RIGHTARG = xid8, FUNCTION = pause_hook.xid8_lt);
            DO $$ BEGIN EXECUTE format('ALTER DATABASE %I SET search_path = pause_hook, pg_catalog, public', current_database()); END $$;
            """);
        h.DataSource.Clear(); // connections opened from now on use the search path

        // A transaction that sends no NOTIFY (it appends nothing) holds an xid older than the event's.
        await using var holderConn = await h.DataSource.OpenConnectionAsync();
        await using var holder = await holderConn.BeginTransactionAsync();
        await using (var xid = new NpgsqlCommand("SELECT pg_current_xact_id()", holderConn, holder))
        {
            await xid.ExecuteScalarAsync();
        }
        await h.Store.AppendAsync(Tenant, "held", "account", ExpectedVersion.NoStream, [SharedLogTests.Deposit(2, "held")]);

        await using var pauseConn = await h.DataSource.OpenConnectionAsync();
        await Exec(pauseConn, $"SELECT pg_advisory_lock({PauseKey})");
        var read = store.ReadAllForSubscriberAsync(before, 100);
        using (var patience = new CancellationTokenSource(TimeSpan.FromSeconds(30)))
        {
            while (await Scalar(pauseConn, "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted AND database = (SELECT oid FROM pg_database WHERE datname = current_database())") == 0)
            {
                await Task.Delay(10, patience.Token); // the read has its snapshot and waits in the hook
            }
        }
        await holder.CommitAsync();   // the event is readable from now on, and nothing announces it
        await Exec(pauseConn, $"SELECT pg_advisory_unlock({PauseKey})");
        var (events, heldBack) = await read;

        // Its snapshot still saw the holder: the event is not returned, so it must be flagged (a runner re-checks soon).
        Assert.Empty(events);
        Assert.True(heldBack, "an event the read's snapshot saw was neither returned nor reported as held back");

        // And a later read returns it (once no older transaction anywhere in the cluster holds it back any more).
        Assert.Equal(["held"], (await ReadUntilAsync(store, before)).Select(e => e.As<TestDeposited>().Note));
    }

    /// <summary>The subscriber's read after <paramref name="after"/>, repeated until it returns something (30 s at most).</summary>
    private static async Task<IReadOnlyList<StoredEvent>> ReadUntilAsync(PostgresEventStore store, GlobalPosition after)
    {
        using var wait = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        IReadOnlyList<StoredEvent> events;
        while ((events = (await store.ReadAllForSubscriberAsync(after, 100, wait.Token)).Events).Count == 0)
        {
            await Task.Delay(20, wait.Token);
        }
        return events;
    }

    private static async Task Exec(NpgsqlConnection conn, string sql)
    {
        await using var cmd = new NpgsqlCommand(sql, conn);
        await cmd.ExecuteNonQueryAsync();
    }

    private static async Task<long> Scalar(NpgsqlConnection conn, string sql)
    {
        await using var cmd = new NpgsqlCommand(sql, conn);
        return Convert.ToInt64(await cmd.ExecuteScalarAsync(), System.Globalization.CultureInfo.InvariantCulture);
    }
}
