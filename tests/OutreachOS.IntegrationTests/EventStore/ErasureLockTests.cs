using Npgsql;
using OutreachOS.BuildingBlocks.EventStore;
using OutreachOS.IntegrationTests.Infrastructure;
using OutreachOS.IntegrationTests.Messaging;

namespace OutreachOS.IntegrationTests.EventStore;

/// <summary>
/// A writer that read a stream before an erasure (a response consumer composing a reply while the retention sweep runs)
/// and an erasure of that stream, in both orders (ADR 0030). Blocking is observed through <c>pg_locks</c>, not by timing.
/// </summary>
public sealed class ErasureLockTests
{
    private static readonly Guid Tenant = Guid.Parse("aaaaaaaa-0000-0000-0000-0000000000e1");
    private const string Stream = "inbound-race";

    private static async Task<EventStoreHarness> WithMessageAsync()
    {
        var h = await EventStoreHarness.CreateAsync();
        await h.Store.AppendAsync(Tenant, Stream, "inbound", ExpectedVersion.NoStream, [EventToAppend.Create(new TestDeposited("a", 1, "jane@example.com wrote"))]);
        await h.ExecAsync("CREATE TABLE drafts (stream_id text PRIMARY KEY, body text)");
        return h;
    }

    // The stream's order lock (advisory) comes before its row, so that is where the second one waits (ADR 0003).
    internal static async Task<bool> WaitingOnTheStreamAsync(EventStoreHarness h) => await h.ScalarAsync(
        "SELECT count(*) FROM pg_locks WHERE locktype IN ('advisory', 'transactionid', 'tuple') AND NOT granted " +
        "AND pid IN (SELECT pid FROM pg_stat_activity WHERE datname = current_database())") > 0;

    [Fact]
    public async Task An_erasure_that_starts_after_the_writers_check_waits_for_it_and_then_erases_and_cleans_what_it_wrote()
    {
        await using var h = await WithMessageAsync();
        await using var writerConn = await h.DataSource.OpenConnectionAsync();
        await using var writer = await writerConn.BeginTransactionAsync();
        Assert.False(await EventErasure.LockUnlessErasedAsync(writer, Tenant, Stream, CancellationToken.None));

        await using var eraserConn = await h.DataSource.OpenConnectionAsync();
        await using var eraser = await eraserConn.BeginTransactionAsync();
        var erasure = Task.Run(async () =>
        {
            var erased = await EventErasure.EraseStreamsAsync(eraser, Tenant, [Stream], Guid.NewGuid(), DateTimeOffset.UtcNow, CancellationToken.None);
            await using (var clean = new NpgsqlCommand("DELETE FROM drafts WHERE stream_id = $1", eraserConn, eraser) { Parameters = { new() { Value = Stream } } })
            {
                await clean.ExecuteNonQueryAsync();
            }
            await eraser.CommitAsync();
            return erased.Count;
        });
        await Eventually.TrueAsync(() => WaitingOnTheStreamAsync(h), "the erasure waits for the writer's lock on the stream");
        Assert.False(erasure.IsCompleted);

        // The writer goes on as if nothing happened: a draft row and an event naming the address.
        await using (var draft = new NpgsqlCommand("INSERT INTO drafts VALUES ($1, 'Hi Jane, jane@example.com')", writerConn, writer) { Parameters = { new() { Value = Stream } } })
        {
            await draft.ExecuteNonQueryAsync();
        }
        await h.Store.AppendManyAsync(writer, [new StreamAppend(Tenant, Stream, "inbound", ExpectedVersion.Any, [EventToAppend.Create(new TestDeposited("a", 2, "reply to jane@example.com"))])]);
        await writer.CommitAsync();

        Assert.Equal(2, await erasure);
        Assert.Equal(0, await h.ScalarAsync($"SELECT count(*) FROM oos.events WHERE stream_id = '{Stream}' AND type <> '{EventErasure.ErasedType}'"));
        Assert.Equal(0, await h.ScalarAsync("SELECT count(*) FROM drafts"));
    }

    [Fact]
    public async Task A_writer_that_checks_while_an_erasure_is_open_waits_for_it_and_is_told_to_write_nothing()
    {
        await using var h = await WithMessageAsync();
        await using var eraserConn = await h.DataSource.OpenConnectionAsync();
        await using var eraser = await eraserConn.BeginTransactionAsync();
        Assert.Equal(1, (await EventErasure.EraseStreamsAsync(eraser, Tenant, [Stream], Guid.NewGuid(), DateTimeOffset.UtcNow, CancellationToken.None)).Count);

        await using var writerConn = await h.DataSource.OpenConnectionAsync();
        await using var writer = await writerConn.BeginTransactionAsync();
        var check = Task.Run(() => EventErasure.LockUnlessErasedAsync(writer, Tenant, Stream, CancellationToken.None));
        await Eventually.TrueAsync(() => WaitingOnTheStreamAsync(h), "the writer's check waits for the open erasure");
        Assert.False(check.IsCompleted);

        await eraser.CommitAsync();
        Assert.True(await check);
    }

    [Fact]
    public async Task A_writer_on_a_stream_nobody_erases_is_not_held_up_and_sees_no_erasure()
    {
        await using var h = await WithMessageAsync();
        await using var conn = await h.DataSource.OpenConnectionAsync();
        await using var tx = await conn.BeginTransactionAsync();
        Assert.False(await EventErasure.LockUnlessErasedAsync(tx, Tenant, Stream, CancellationToken.None));
        Assert.False(await EventErasure.LockUnlessErasedAsync(tx, Tenant, "inbound-never-written", CancellationToken.None));
        await h.Store.AppendManyAsync(tx, [new StreamAppend(Tenant, Stream, "inbound", ExpectedVersion.Any, [EventToAppend.Create(new TestDeposited("a", 2, "x"))])]);
        await tx.CommitAsync();
        Assert.Equal(2, (await h.Store.ReadStreamAsync(Tenant, Stream)).Count);
    }
}
