using System.Diagnostics;
using System.Globalization;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using NpgsqlTypes;
using OutreachOS.BuildingBlocks;
using OutreachOS.BuildingBlocks.EventStore;
using OutreachOS.BuildingBlocks.Projections;

namespace OutreachOS.Benchmarks.Suites;

/// <summary>Async projection catch-up through the subscription engine vs a plain keyset SELECT of the same rows.</summary>
internal sealed class ProjectionSuite(BenchPostgres postgres, Report report, bool quick)
{
    private const string Suite = "projections";
    private const int BatchSize = 500; // ISubscription.BatchSize default
    private static readonly Guid Tenant = Guid.Parse("b0000000-0000-0000-0000-00000000be02");

    public async Task RunAsync()
    {
        var total = quick ? 20_000 : 200_000;
        var reps = quick ? 1 : 3;
        Progress.Line($"projections: fresh database, loading {total:N0} events through AppendManyAsync (COPY path, 100 streams x 100 events per call)");
        await using var provider = await postgres.CreateStoreAsync("proj", s => s
            .AddSubscription<NoopProjection>().AddSubscription<TotalsProjection>().AddSubscription<PerStreamProjection>());
        var store = provider.GetRequiredService<IEventStore>();
        var db = provider.GetRequiredService<NpgsqlDataSource>();
        var engine = provider.GetRequiredService<SubscriptionEngine>();

        var load = Stopwatch.StartNew();
        for (var call = 0; call < total / 10_000; call++)
        {
            await store.AppendManyAsync(Enumerable.Range(0, 100).Select(s => new StreamAppend(Tenant,
                string.Create(CultureInfo.InvariantCulture, $"account-{call}-{s:D3}"), "bench", ExpectedVersion.NoStream,
                Enumerable.Range(1, 100).Select(n => EventToAppend.Create(BenchDeposited.Sample("acc-" + s, n))).ToList())).ToList());
            if ((call + 1) % 5 == 0)
            {
                Progress.Line($"  loaded {(call + 1) * 10_000:N0}/{total:N0}");
            }
        }
        load.Stop();
        report.Figure(Suite, "load via AppendManyAsync (10k per call)", total / load.Elapsed.TotalSeconds, "events/s", "setup, for reference");
        await RawEvents.ExecAsync(db, "VACUUM ANALYZE oos.events");

        Progress.Line("projections: warm-up read of the whole log (buffer cache)");
        await RawSelectAsync(db);

        var runs = new List<(string Name, Func<Task<long>> Run)>
        {
            ("raw keyset SELECT, batch 500 (baseline)", () => RawSelectAsync(db)),
            ("IEventStore.ReadAllAsync loop, batch 500", () => ReadAllLoopAsync(store)),
            ("engine rebuild: no-op projection", () => engine.RebuildAsync("bench-noop", null, TimeSpan.FromSeconds(10))),
            ("engine rebuild: in-memory + 1 upsert/batch", () => engine.RebuildAsync("bench-totals", null, TimeSpan.FromSeconds(10))),
            ("engine rebuild: 1 upsert per stream in batch", () => engine.RebuildAsync("bench-per-stream", null, TimeSpan.FromSeconds(10))),
        };
        var rates = runs.ToDictionary(r => r.Name, _ => new List<double>());
        for (var rep = 0; rep < reps; rep++)
        {
            for (var k = 0; k < runs.Count; k++)
            {
                var (name, run) = runs[(k + rep) % runs.Count];
                var sw = Stopwatch.StartNew();
                var n = await run();
                sw.Stop();
                if (n != total)
                {
                    throw new InvalidOperationException($"{name} processed {n} events, expected {total}");
                }
                var rate = n / sw.Elapsed.TotalSeconds;
                rates[name].Add(rate);
                Progress.Line(string.Create(CultureInfo.InvariantCulture, $"  rep {rep + 1}/{reps}: {name}: {sw.Elapsed.TotalSeconds:F2} s, {rate:N0} events/s"));
            }
        }
        var baseline = Stats.Median(rates[runs[0].Name]);
        foreach (var (name, _) in runs)
        {
            report.Figure(Suite, name, Stats.Median(rates[name]), "events/s", $"median of {reps}");
        }
        foreach (var (name, _) in runs.Skip(1))
        {
            report.Ratio(Suite, name + " / raw SELECT", Stats.Median(rates[name]) / baseline);
        }
        foreach (var (name, _) in runs.Skip(3))
        {
            var r = Stats.Median(rates[name]);
            report.Target($"catch-up >= 50k events/s ({name})", r >= 50_000, string.Create(CultureInfo.InvariantCulture, $"{r:N0} events/s"));
        }

        var totals = provider.GetServices<ISubscription>().Single(s => s.Name == "bench-totals");
        await ProfileAsync(engine, store, db, total, totals, BatchSize, asyncCommit: false, breakdown: true);
        // What-if variants for the coordinator (the engine itself is unchanged): each is the same loop with one change.
        await ProfileAsync(engine, store, db, total, totals, BatchSize, asyncCommit: true, breakdown: false);
        await ProfileAsync(engine, store, db, total, totals, 5_000, asyncCommit: false, breakdown: false);
        await ProfileAsync(engine, store, db, total, totals, 5_000, asyncCommit: true, breakdown: false);
    }

    /// <summary>The engine's batch loop re-done step by step with a stopwatch per step: where a catch-up spends its time.</summary>
    private async Task ProfileAsync(SubscriptionEngine engine, IEventStore store, NpgsqlDataSource db, int total, ISubscription subscription,
        int batchSize, bool asyncCommit, bool breakdown)
    {
        var label = string.Create(CultureInfo.InvariantCulture, $"batch {batchSize}, synchronous_commit {(asyncCommit ? "off (SET LOCAL)" : "on")}");
        Progress.Line($"projections: profiling one catch-up step by step (same statements as SubscriptionEngine.ProcessBatchAsync), {label}");
        var name = "bench-profile";
        await RawEvents.ExecAsync(db, "DELETE FROM oos.checkpoints WHERE name = 'bench-profile'");
        var steps = new Dictionary<string, TimeSpan>();
        void Add(string step, long t0) => steps[step] = steps.GetValueOrDefault(step) + Stopwatch.GetElapsedTime(t0);
        var all = Stopwatch.StartNew();
        long processed = 0;
        while (true)
        {
            var t0 = Stopwatch.GetTimestamp();
            var checkpoint = await engine.GetCheckpointAsync(name);
            Add("1 read checkpoint", t0);
            t0 = Stopwatch.GetTimestamp();
            var events = await store.ReadAllAsync(checkpoint, batchSize);
            Add("2 ReadAllAsync (query + deserialise)", t0);
            if (events.Count == 0)
            {
                break;
            }
            t0 = Stopwatch.GetTimestamp();
            await using var conn = await db.OpenConnectionAsync();
            await using var tx = await conn.BeginTransactionAsync();
            if (asyncCommit)
            {
                // Safe for a projection: documents and checkpoint are lost together, so a lost commit is simply replayed.
                await using var set = new NpgsqlCommand("SET LOCAL synchronous_commit = off", conn, tx);
                await set.ExecuteNonQueryAsync();
            }
            Add("3 open + begin", t0);
            t0 = Stopwatch.GetTimestamp();
            await subscription.HandleAsync(tx, events, CancellationToken.None);
            Add("4 HandleAsync (1 upsert)", t0);
            t0 = Stopwatch.GetTimestamp();
            var last = events[^1].Position;
            await using (var move = new NpgsqlCommand("""
                INSERT INTO oos.checkpoints AS c (name, tx, seq, updated_at) VALUES (@n, @tx, @seq, now())
                ON CONFLICT (name) DO UPDATE SET tx = excluded.tx, seq = excluded.seq, updated_at = now()
                WHERE c.tx = @otx AND c.seq = @oseq
                """, conn, tx))
            {
                move.Parameters.AddWithValue("n", name);
                move.Parameters.Add(new NpgsqlParameter("tx", NpgsqlDbType.Xid8) { Value = last.Transaction });
                move.Parameters.AddWithValue("seq", last.Sequence);
                move.Parameters.Add(new NpgsqlParameter("otx", NpgsqlDbType.Xid8) { Value = checkpoint.Transaction });
                move.Parameters.AddWithValue("oseq", checkpoint.Sequence);
                await move.ExecuteNonQueryAsync();
            }
            Add("5 move checkpoint", t0);
            t0 = Stopwatch.GetTimestamp();
            await tx.CommitAsync();
            Add("6 commit", t0);
            processed += events.Count;
        }
        all.Stop();
        if (processed != total)
        {
            throw new InvalidOperationException($"profile processed {processed} events, expected {total}");
        }
        report.Figure(Suite, $"profiled loop (totals projection), {label}", processed / all.Elapsed.TotalSeconds, "events/s", "instrumented copy of ProcessBatchAsync");
        if (!breakdown)
        {
            return;
        }
        foreach (var (step, time) in steps.OrderBy(s => s.Key, StringComparer.Ordinal))
        {
            report.Figure(Suite, "profile " + step, time.TotalMilliseconds / all.Elapsed.TotalMilliseconds * 100, "%",
                string.Create(CultureInfo.InvariantCulture, $"{time.TotalMilliseconds:F0} ms, {time.TotalMicroseconds / (processed / (double)batchSize):F0} us/batch"));
        }

        // The read step split once more: the same rows read raw with the store's predicate, no deserialisation.
        var sw = Stopwatch.StartNew();
        await RawSelectAsync(db, withSnapshotFilter: true);
        report.Figure(Suite, "raw SELECT + snapshot-xmin filter", total / sw.Elapsed.TotalSeconds, "events/s", "ReadAllAsync's SQL without deserialisation");
    }

    /// <summary>Keyset pages of <see cref="BatchSize"/> over (tx, seq), every column read, nothing deserialised.</summary>
    private static async Task<long> RawSelectAsync(NpgsqlDataSource db, bool withSnapshotFilter = false)
    {
        ulong tx = 0;
        long seq = 0;
        long count = 0;
        var filter = withSnapshotFilter ? "AND tx < pg_snapshot_xmin(pg_current_snapshot())" : "";
        while (true)
        {
            await using var cmd = db.CreateCommand($"""
                SELECT seq, tx, id, tenant_id, stream_id, version, type, data::text, metadata::text, created_at, hash FROM oos.events
                WHERE (tx, seq) > (@tx, @seq) {filter} ORDER BY tx, seq LIMIT {BatchSize}
                """);
            cmd.Parameters.Add(new NpgsqlParameter("tx", NpgsqlDbType.Xid8) { Value = tx });
            cmd.Parameters.AddWithValue("seq", seq);
            var rows = 0;
            await using (var r = await cmd.ExecuteReaderAsync())
            {
                while (await r.ReadAsync())
                {
                    seq = r.GetInt64(0);
                    tx = r.GetFieldValue<ulong>(1);
                    _ = r.GetGuid(2);
                    _ = r.GetGuid(3);
                    _ = r.GetString(4);
                    _ = r.GetInt64(5);
                    _ = r.GetString(6);
                    _ = r.GetString(7);
                    _ = r.GetString(8);
                    _ = r.GetFieldValue<DateTimeOffset>(9);
                    _ = (byte[])r[10];
                    rows++;
                }
            }
            if (rows == 0)
            {
                return count;
            }
            count += rows;
        }
    }

    private static async Task<long> ReadAllLoopAsync(IEventStore store)
    {
        var position = GlobalPosition.Start;
        long count = 0;
        while (true)
        {
            var events = await store.ReadAllAsync(position, BatchSize);
            if (events.Count == 0)
            {
                return count;
            }
            count += events.Count;
            position = events[^1].Position;
        }
    }
}
