using Npgsql;
using OutreachOS.BuildingBlocks.EventStore;
using OutreachOS.BuildingBlocks.Messaging;
using OutreachOS.IntegrationTests.Infrastructure;
using OutreachOS.IntegrationTests.EventStore;

namespace OutreachOS.IntegrationTests.Messaging;

/// <summary>The inbox claim on real PostgreSQL: once per message id, without holding back other writers' events.</summary>
public sealed class InboxClaimTests
{
    private static readonly Guid Tenant = Guid.Parse("d0000000-0000-0000-0000-0000000000c1");

    [Fact]
    public async Task A_consumer_still_working_holds_no_transaction_id_so_it_holds_back_no_one()
    {
        await using var h = await EventStoreHarness.CreateAsync();

        // A consumer has claimed its message and is, say, waiting for a model: nothing written yet.
        await using var working = await InboxTransaction.BeginAsync(h.DataSource, "test-claim", Guid.NewGuid(), Tenant);
        Assert.NotNull(working);
        int pid;
        await using (var cmd = new Npgsql.NpgsqlCommand("SELECT pg_backend_pid()", working.Transaction.Connection, working.Transaction))
        {
            pid = (int)(await cmd.ExecuteScalarAsync())!;
        }

        // Meanwhile another writer commits. Global readers (relay, projections) read below the oldest open transaction
        // id of the whole cluster; the working consumer must not be one (asserted as the server sees it, because other
        // databases of a shared test cluster may hold back readers for their own reasons).
        await h.Store.AppendAsync(Tenant, "meanwhile", "test", ExpectedVersion.Any, [EventToAppend.Create(new TestDeposited("b", 2, "y"))]);
        Assert.Equal(1, await h.ScalarAsync($"SELECT count(*) FROM pg_stat_activity WHERE pid = {pid} AND state = 'idle in transaction' AND backend_xid IS NULL"));

        // Its final write takes an id only now, for the length of the commit.
        await h.Store.AppendManyAsync(working.Transaction,
            [new StreamAppend(Tenant, "effects", "test", ExpectedVersion.Any, [EventToAppend.Create(new TestDeposited("a", 1, "x"))])]);
        Assert.Equal(1, await h.ScalarAsync($"SELECT count(*) FROM pg_stat_activity WHERE pid = {pid} AND backend_xid IS NOT NULL"));
        Assert.True(await working.CommitAsync());
    }

    [Fact]
    public async Task A_concurrent_delivery_of_the_same_message_waits_for_the_first_and_then_finds_it_processed()
    {
        await using var h = await EventStoreHarness.CreateAsync();
        var messageId = Guid.NewGuid();
        var first = await InboxTransaction.BeginAsync(h.DataSource, "test-claim", messageId, Tenant);
        Assert.NotNull(first);

        var second = InboxTransaction.BeginAsync(h.DataSource, "test-claim", messageId, Tenant);
        // The second delivery is blocked on the claim while the first is open (checked through pg_locks, not by timing).
        await Eventually.TrueAsync(async () => await h.ScalarAsync(
            "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted " +
            "AND database = (SELECT oid FROM pg_database WHERE datname = current_database())") == 1, "the second delivery waits on the claim");
        Assert.False(second.IsCompleted);

        await h.Store.AppendManyAsync(first.Transaction,
            [new StreamAppend(Tenant, "effects", "test", ExpectedVersion.Any, [EventToAppend.Create(new TestDeposited("a", 1, "once"))])]);
        Assert.True(await first.CommitAsync());
        await first.DisposeAsync();

        Assert.Null(await second);
        Assert.Single(await h.Store.ReadStreamAsync(Tenant, "effects"));
        Assert.True(await InboxTransaction.IsProcessedAsync(h.DataSource, "test-claim", messageId));
    }

    [Fact]
    public async Task A_delivery_that_rolled_back_leaves_the_message_to_the_next_one()
    {
        await using var h = await EventStoreHarness.CreateAsync();
        var messageId = Guid.NewGuid();
        await using (var failed = await InboxTransaction.BeginAsync(h.DataSource, "test-claim", messageId, Tenant))
        {
            Assert.NotNull(failed);
            await h.Store.AppendManyAsync(failed.Transaction,
                [new StreamAppend(Tenant, "effects", "test", ExpectedVersion.Any, [EventToAppend.Create(new TestDeposited("a", 1, "lost"))])]);
            // disposed without commit: the handler threw
        }
        Assert.False(await InboxTransaction.IsProcessedAsync(h.DataSource, "test-claim", messageId));

        await using var retry = await InboxTransaction.BeginAsync(h.DataSource, "test-claim", messageId, Tenant);
        Assert.NotNull(retry);
        Assert.True(await retry.CommitAsync());
        Assert.Empty(await h.Store.ReadStreamAsync(Tenant, "effects"));
        Assert.True(await InboxTransaction.IsProcessedAsync(h.DataSource, "test-claim", messageId));
    }

    [Fact]
    public async Task An_abandoned_inbox_transaction_leaves_nothing_behind_for_the_next_transaction_on_its_connection()
    {
        // One pooled connection: the next transaction gets the same connector (and Npgsql's reused transaction object).
        var cs = await TestPostgres.CreateDatabaseAsync("inbox-reuse");
        await using var h = await EventStoreHarness.CreateAsync(cs + ";Maximum Pool Size=1");
        var failed = Guid.NewGuid();
        await using (var abandoned = await InboxTransaction.BeginAsync(h.DataSource, "test-claim", failed, Tenant))
        {
            Assert.NotNull(abandoned); // the handler throws: no append, no commit
        }

        await h.Store.AppendAsync(Tenant, "other", "test", ExpectedVersion.Any, [EventToAppend.Create(new TestDeposited("b", 1, "x"))]);

        Assert.False(await InboxTransaction.IsProcessedAsync(h.DataSource, "test-claim", failed));
    }

    [Fact]
    public async Task A_row_written_without_the_claim_makes_the_commit_roll_back_the_effects()
    {
        await using var h = await EventStoreHarness.CreateAsync();
        var messageId = Guid.NewGuid();
        await using var tx = await InboxTransaction.BeginAsync(h.DataSource, "test-claim", messageId, Tenant);
        Assert.NotNull(tx);
        // Another writer records the message without taking the claim, before the handler's append (which carries the
        // inbox row: written after the append, the other writer would wait on that uncommitted row instead).
        await h.ExecAsync($"INSERT INTO oos.inbox (consumer, message_id) VALUES ('test-claim', '{messageId}')");
        await h.Store.AppendManyAsync(tx.Transaction,
            [new StreamAppend(Tenant, "effects", "test", ExpectedVersion.Any, [EventToAppend.Create(new TestDeposited("a", 1, "dup"))])]);

        Assert.False(await tx.CommitAsync());
        Assert.Empty(await h.Store.ReadStreamAsync(Tenant, "effects"));
    }

    [Fact]
    public async Task Without_an_append_the_row_and_the_commit_go_together_and_a_row_written_meanwhile_rolls_back_the_other_writes()
    {
        await using var h = await EventStoreHarness.CreateAsync();
        await h.ExecAsync("CREATE TABLE IF NOT EXISTS oos.test_claim_effects (id uuid PRIMARY KEY)");

        // No append: the inbox row is written at commit, in the commit's round trip.
        var clean = Guid.NewGuid();
        await using (var tx = await InboxTransaction.BeginAsync(h.DataSource, "test-claim", clean, Tenant))
        {
            await using var write = new NpgsqlCommand($"INSERT INTO oos.test_claim_effects VALUES ('{clean}')", tx!.Transaction.Connection, tx.Transaction);
            await write.ExecuteNonQueryAsync();
            Assert.True(await tx.CommitAsync());
        }
        Assert.True(await InboxTransaction.IsProcessedAsync(h.DataSource, "test-claim", clean));
        Assert.Equal(1, await h.ScalarAsync($"SELECT count(*) FROM oos.test_claim_effects WHERE id = '{clean}'"));

        // A writer that did not take the claim records the message first: the guard aborts the commit and its writes.
        var taken = Guid.NewGuid();
        await using (var tx = await InboxTransaction.BeginAsync(h.DataSource, "test-claim", taken, Tenant))
        {
            await using var write = new NpgsqlCommand($"INSERT INTO oos.test_claim_effects VALUES ('{taken}')", tx!.Transaction.Connection, tx.Transaction);
            await write.ExecuteNonQueryAsync();
            await h.ExecAsync($"INSERT INTO oos.inbox (consumer, message_id) VALUES ('test-claim', '{taken}')");
            Assert.False(await tx.CommitAsync());
        }
        Assert.Equal(0, await h.ScalarAsync($"SELECT count(*) FROM oos.test_claim_effects WHERE id = '{taken}'"));
        Assert.Equal(0, await h.ScalarAsync("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND state LIKE 'idle in transaction%'"));
    }
}
