using Npgsql;
using NpgsqlTypes;
using OutreachOS.BuildingBlocks.EventStore;

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
        await using var h = await EventStoreHarness.CreateAsync();
        await h.ExecAsync("ALTER TABLE oos.events SET (autovacuum_enabled = false)");
        var note = new string('n', 500);
        var appends = Enumerable.Range(0, 30).Select(s => new StreamAppend(Tenant, $"account-{s}", "account", ExpectedVersion.NoStream,
            [.. Enumerable.Range(0, 100).Select(i => EventToAppend.Create(new TestDeposited($"acc-{s}", i, note)))])).ToList();
        foreach (var chunk in appends.Chunk(3))
        {
            await h.Store.AppendManyAsync(chunk);
        }

        var middle = (await h.Store.ReadAllAsync(GlobalPosition.Start, 1500))[^1];
        var plan = await PlanAsync(h.DataSource, PostgresEventStore.HeldBackProbeSql,
            new NpgsqlParameter("tx", NpgsqlDbType.Xid8) { Value = middle.Transaction }, new NpgsqlParameter("seq", middle.Sequence));

        Assert.DoesNotContain("Seq Scan", plan);
        Assert.Contains("events_tx_seq", plan);
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
