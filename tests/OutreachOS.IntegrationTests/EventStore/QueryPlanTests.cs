using Npgsql;
using NpgsqlTypes;
using OutreachOS.BuildingBlocks;
using OutreachOS.BuildingBlocks.Documents;
using OutreachOS.BuildingBlocks.EventStore;
using OutreachOS.Credits.Ledger;

namespace OutreachOS.IntegrationTests.EventStore;

/// <summary>
/// Plans of hot statements on a young table: no statistics yet (autovacuum has not analysed it), which is where a planner
/// guessing range selectivities picks a sequential scan. The plans are asked for with the parameters bound, as the
/// application sends them (a custom plan).
/// </summary>
public sealed class QueryPlanTests
{
    private static readonly Guid Tenant = Guid.Parse("aaaaaaaa-0000-0000-0000-0000000000a1");

    [Fact]
    public async Task The_held_back_probe_uses_the_log_index_when_nothing_is_held_back()
    {
        await using var h = await YoungTableAsync("oos.events", fill: "");
        var note = new string('n', 500);
        var appends = Enumerable.Range(0, 30).Select(s => new StreamAppend(Tenant, $"account-{s}", "account", ExpectedVersion.NoStream,
            [.. Enumerable.Range(0, 100).Select(i => EventToAppend.Create(new TestDeposited($"acc-{s}", i, note)))])).ToList();
        foreach (var chunk in appends.Chunk(3))
        {
            await h.Store.AppendManyAsync(chunk);
        }

        // The 1,500th event's position, read from the table itself: a read of the log could come back empty while a
        // parallel test's transaction holds everything back (xmin is cluster-wide).
        await using var at = h.DataSource.CreateCommand("SELECT tx, seq FROM oos.events ORDER BY tx, seq OFFSET 1499 LIMIT 1");
        await using var row = await at.ExecuteReaderAsync();
        Assert.True(await row.ReadAsync());
        var (tx, seq) = (row.GetFieldValue<ulong>(0), row.GetInt64(1));
        await row.DisposeAsync();
        var plan = await PlanAsync(h.DataSource, PostgresEventStore.ReadForSubscriberSql,
            new NpgsqlParameter("tx", NpgsqlDbType.Xid8) { Value = tx }, new NpgsqlParameter("seq", seq),
            new NpgsqlParameter("max", 1000));

        AssertUses("events_tx_seq", plan);
    }

    [Fact]
    public async Task Stream_heads_are_written_through_the_primary_key()
    {
        await using var h = await YoungTableAsync("oos.streams", """
            INSERT INTO oos.streams (tenant_id, id, type, version, created_at, updated_at)
            SELECT 'aaaaaaaa-0000-0000-0000-0000000000a1', 'stream-' || g, 'account', 1, now(), now() FROM generate_series(1, 300) g;
            """);

        // A group transaction's worth of streams (20): as UPDATE … FROM unnest this hashed a sequential scan of the table.
        const int n = 20;
        var plan = await PlanAsync(h.DataSource, PostgresEventStore.UpdateHeadsSql,
            new NpgsqlParameter("t", Enumerable.Repeat(Tenant, n).ToArray()),
            new NpgsqlParameter("s", Enumerable.Range(1, n).Select(i => $"stream-{i * 7}").ToArray()),
            new NpgsqlParameter("ty", Enumerable.Repeat("account", n).ToArray()), new NpgsqlParameter("v", Enumerable.Repeat(2L, n).ToArray()),
            new NpgsqlParameter("h", Enumerable.Repeat(new byte[32], n).ToArray()), new NpgsqlParameter("now", DateTimeOffset.UtcNow));

        AssertUses("streams_pkey", plan);
    }

    [Fact]
    public async Task Documents_are_looked_up_by_primary_key_not_by_the_smaller_status_index()
    {
        await using var h = await YoungTableAsync("oos.documents", """
            INSERT INTO oos.documents (tenant_id, type, id, data)
            SELECT 'aaaaaaaa-0000-0000-0000-0000000000a1', 'record', 'doc-' || g, jsonb_build_object('body', repeat('b', 300), 'n', g)
            FROM generate_series(1, 3000) g;
            INSERT INTO oos.documents (tenant_id, type, id, data)
            SELECT 'aaaaaaaa-0000-0000-0000-0000000000a1', 'draft', 'draft-' || g, jsonb_build_object('status', CASE WHEN g % 50 = 0 THEN 'PENDING' ELSE 'APPROVED' END)
            FROM generate_series(1, 3000) g;
            """);

        foreach (var forUpdate in new[] { false, true })
        {
            var lookup = await PlanAsync(h.DataSource, DocumentStore.GetManySql(forUpdate),
                new NpgsqlParameter("t", new[] { Tenant, Tenant }), new NpgsqlParameter("ids", new[] { "doc-7", "doc-2999" }),
                new NpgsqlParameter("type", "record"));
            AssertUses("documents_pkey", lookup);
        }
    }

    [Fact]
    public async Task A_page_of_documents_by_status_is_found_through_the_status_index()
    {
        // The approval queue's shape: many decided drafts, few pending, beside other documents; ids unrelated to age.
        await using var h = await YoungTableAsync("oos.documents", """
            INSERT INTO oos.documents (tenant_id, type, id, data)
            SELECT 'aaaaaaaa-0000-0000-0000-0000000000a1', 'record', 'doc-' || g, jsonb_build_object('body', repeat('b', 300), 'n', g)
            FROM generate_series(1, 3000) g;
            INSERT INTO oos.documents (tenant_id, type, id, data)
            SELECT 'aaaaaaaa-0000-0000-0000-0000000000a1', 'draft', md5(g::text),
                   jsonb_build_object('status', CASE WHEN g % 50 = 0 THEN 'PENDING' ELSE 'APPROVED' END, 'body', repeat('b', 300),
                                      'created_at', to_char(timestamptz '2026-11-20 08:00Z' + g * interval '1 minute', 'YYYY-MM-DD"T"HH24:MI:SS.US"+00:00"'))
            FROM generate_series(1, 3000) g;
            """);

        const string md5Of7 = "8f14e45fceea167a5a36dedd4bea2543";
        foreach (var after in new[] { false, true })
        {
            var parameters = new List<NpgsqlParameter>
            {
                new("t", Tenant), new("type", "draft"), new("key", "created_at"), new("limit", 101),
                new("status", NpgsqlDbType.Jsonb) { Value = "\"PENDING\"" },
            };
            if (after)
            {
                parameters.Add(new("after_at", NpgsqlDbType.TimestampTz) { Value = new DateTimeOffset(2026, 11, 20, 9, 0, 0, TimeSpan.Zero) });
                parameters.Add(new("after_id", md5Of7));
            }
            var plan = await PlanAsync(h.DataSource, DocumentStore.ListPageSql(byStatus: true, after), [.. parameters]);
            AssertUses("documents_status", plan);
        }
    }

    [Fact]
    public async Task Credit_reservations_are_looked_up_by_key()
    {
        await using var h = await YoungTableAsync("oos.credit_reservations", """
            INSERT INTO oos.credit_reservations (tenant_id, id, period, credits, status, reason, created_at, expires_at)
            SELECT 'aaaaaaaa-0000-0000-0000-0000000000a1', gen_random_uuid(), '2026-12', 3, 'SETTLED', 'personalize', now(), now()
            FROM generate_series(1, 400) g;
            """, s => s.AddMigration(CreditAccountProjection.Migration));

        var plan = await PlanAsync(h.DataSource, PostgresCreditLedger.ReservationLookupSql,
            new NpgsqlParameter("t", Enumerable.Repeat(Tenant, 16).ToArray()),
            new NpgsqlParameter("ids", Enumerable.Range(0, 16).Select(_ => Guid.NewGuid()).ToArray()));

        AssertUses("credit_reservations_pkey", plan);
    }

    /// <summary>A fresh database whose <paramref name="table"/> autovacuum leaves alone (no statistics), filled by <paramref name="fill"/>.</summary>
    private static async Task<EventStoreHarness> YoungTableAsync(string table, string fill, Action<Microsoft.Extensions.DependencyInjection.IServiceCollection>? configure = null)
    {
        var h = await EventStoreHarness.CreateAsync(configure: configure);
        await h.ExecAsync($"ALTER TABLE {table} SET (autovacuum_enabled = false); {fill}");
        return h;
    }

    private static void AssertUses(string index, string plan)
    {
        Assert.DoesNotContain("Seq Scan", plan);
        Assert.Contains(index, plan);
    }

    /// <summary>The plan PostgreSQL chooses for <paramref name="sql"/> with these parameter values, as text.</summary>
    internal static async Task<string> PlanAsync(NpgsqlDataSource dataSource, string sql, params NpgsqlParameter[] parameters)
    {
        await using var cmd = dataSource.CreateCommand("EXPLAIN " + sql);
        cmd.Parameters.AddRange(parameters);
        var lines = new List<string>();
        await using var r = await cmd.ExecuteReaderAsync();
        while (await r.ReadAsync())
        {
            lines.Add(r.GetString(0));
        }

        return string.Join('\n', lines);
    }
}
