using System.Diagnostics;
using System.Globalization;
using Microsoft.Extensions.DependencyInjection;
using System.Text.Json;
using Npgsql;
using OutreachOS.BuildingBlocks.EventStore;
using OutreachOS.BuildingBlocks.Json;

namespace OutreachOS.Benchmarks.Suites;

/// <summary>Batched append throughput vs raw binary COPY, and single-append latency vs a raw single-row INSERT.</summary>
internal sealed class EventStoreSuite(BenchPostgres postgres, Report report, bool quick)
{
    private const string Suite = "eventstore";
    private const int Streams = 100;
    private const int EventsPerStream = 100;
    private static readonly Guid Tenant = Guid.Parse("b0000000-0000-0000-0000-00000000be01");

    public async Task RunAsync()
    {
        Progress.Line("eventstore: creating a fresh database");
        await using var provider = await postgres.CreateStoreAsync("es");
        var store = provider.GetRequiredService<IEventStore>();
        var db = provider.GetRequiredService<NpgsqlDataSource>();
        await RawEvents.CreateTableAsync(db);
        await BatchedAppendAsync(store, db);
        await BatchedAppendBreakdownAsync(db);
        await SingleAppendLatencyAsync(store, db, "");
        Progress.Line("eventstore: profiling a single append statement by statement");
        await SingleAppendProfile.RunAsync(db, report, Suite, quick ? 200 : 500);

        // Diagnostic, not a target: the same latency test with commits that do not wait for the WAL flush (both sides),
        // to separate the store's own round trips and CPU from the disk's fsync time.
        Progress.Line("eventstore: diagnostic re-run of the latency test with synchronous_commit=off on both sides");
        await using var asyncProvider = await postgres.CreateStoreAsync("es_async", adjust: cs =>
            new NpgsqlConnectionStringBuilder(cs) { Options = "-c synchronous_commit=off" }.ConnectionString);
        var asyncDb = asyncProvider.GetRequiredService<NpgsqlDataSource>();
        await RawEvents.CreateTableAsync(asyncDb);
        await SingleAppendLatencyAsync(asyncProvider.GetRequiredService<IEventStore>(), asyncDb, " [synchronous_commit=off, diagnostic]");
    }

    /// <summary>Where a batched append's time goes beyond the COPY: per-event CPU and per-stream round trips.</summary>
    private async Task BatchedAppendBreakdownAsync(NpgsqlDataSource db)
    {
        var appends = Workload(-2);
        var now = DateTimeOffset.UtcNow;
        // The store's per-event CPU work: serialise, canonicalise data and metadata, chain hash.
        var t0 = Stopwatch.GetTimestamp();
        foreach (var a in appends)
        {
            byte[]? previous = null;
            var version = 0L;
            foreach (var e in a.Events)
            {
                var data = CanonicalJson.Serialize(e.Data, e.Data.GetType(), OutreachJson.Options);
                var metadata = CanonicalJson.Serialize(new Dictionary<string, string>(), typeof(Dictionary<string, string>), OutreachJson.Options);
                previous = EventHash.Compute(previous, a.TenantId, a.StreamId, ++version, "BenchDeposited", e.EventId, now, data, metadata);
            }
        }
        var cpuMs = Stopwatch.GetElapsedTime(t0).TotalMilliseconds;
        // Three statements per stream (lock/upsert, idempotency check, version update): 300 round trips for 100 streams.
        await using var conn = await db.OpenConnectionAsync();
        await using var tx = await conn.BeginTransactionAsync();
        t0 = Stopwatch.GetTimestamp();
        for (var i = 0; i < Streams * 3; i++)
        {
            await using var cmd = new NpgsqlCommand("SELECT 1", conn, tx);
            await cmd.ExecuteScalarAsync();
        }
        var roundTripMs = Stopwatch.GetElapsedTime(t0).TotalMilliseconds;
        await tx.CommitAsync();
        report.Figure(Suite, "breakdown: per-event CPU (serialise+canonicalise+hash), 10k events", cpuMs, "ms",
            string.Create(CultureInfo.InvariantCulture, $"{cpuMs * 1000 / (Streams * EventsPerStream):F1} us/event"));
        report.Figure(Suite, "breakdown: 300 empty round trips (3 per stream)", roundTripMs, "ms",
            string.Create(CultureInfo.InvariantCulture, $"{roundTripMs * 1000 / (Streams * 3):F0} us each; lower bound of the per-stream statements"));
    }

    private async Task BatchedAppendAsync(IEventStore store, NpgsqlDataSource db)
    {
        var reps = quick ? 3 : 7;
        const int total = Streams * EventsPerStream;
        Progress.Line($"eventstore: batched append, {Streams} streams x {EventsPerStream} events, 1 warm-up + {reps} repetitions (median)");
        var oneCall = new List<double>();
        var perStream = new List<double>();
        var rawCopy = new List<double>();
        for (var rep = 0; rep <= reps; rep++)
        {
            var appends = Workload(rep);
            var now = DateTimeOffset.UtcNow;
            var rows = appends.SelectMany(a => a.Events.Select((e, i) => RawEvents.Serialize(a.TenantId, a.StreamId, i + 1, e, now))).ToList();
            // A fresh copy of the workload with new event ids for the second store variant (ids are unique across the log).
            var appends2 = Workload(rep + 1000);

            // Rotate the order so that no variant always runs first (cache state, a neighbour's build).
            var runs = new List<(string Name, Func<Task> Run, List<double> Into)>
            {
                ("AppendManyAsync x1 (100 streams)", () => store.AppendManyAsync(appends), oneCall),
                ("AppendManyAsync x100 (1 stream each)", async () =>
                {
                    foreach (var a in appends2)
                    {
                        await store.AppendManyAsync([a]);
                    }
                }, perStream),
                ("raw binary COPY", () => RawEvents.CopyAsync(db, rows), rawCopy),
            };
            for (var k = 0; k < runs.Count; k++)
            {
                var (name, run, into) = runs[(k + rep) % runs.Count];
                await RawEvents.ExecAsync(db, $"TRUNCATE oos.events, oos.streams, {RawEvents.Table} RESTART IDENTITY");
                var sw = Stopwatch.StartNew();
                await run();
                sw.Stop();
                var rate = total / sw.Elapsed.TotalSeconds;
                Progress.Line(string.Create(CultureInfo.InvariantCulture, $"  rep {rep}{(rep == 0 ? " (warm-up)" : "")}: {name}: {sw.Elapsed.TotalMilliseconds:F0} ms, {rate:N0} events/s"));
                if (rep > 0)
                {
                    into.Add(rate);
                }
            }
        }
        var one = Stats.Median(oneCall);
        var many = Stats.Median(perStream);
        var raw = Stats.Median(rawCopy);
        report.Figure(Suite, "batched append, 1 call of 100 streams", one, "events/s", $"median of {reps}");
        report.Figure(Suite, "batched append, 100 calls of 100 events", many, "events/s", $"median of {reps}");
        report.Figure(Suite, "raw binary COPY (baseline)", raw, "events/s", $"median of {reps}");
        report.Ratio(Suite, "1 call / raw COPY", one / raw);
        report.Ratio(Suite, "100 calls / raw COPY", many / raw);
        report.Target("batched append >= 50% of raw COPY (1 call)", one / raw >= 0.5, $"{one / raw:P0}");
        report.Target("batched append >= 50% of raw COPY (100 calls)", many / raw >= 0.5, $"{many / raw:P0}");
    }

    private async Task SingleAppendLatencyAsync(IEventStore store, NpgsqlDataSource db, string variant)
    {
        var diagnostic = variant.Length > 0;
        var count = quick || diagnostic ? 300 : 2000;
        var warmUp = quick || diagnostic ? 50 : 200;
        const int streams = 100;
        Progress.Line($"eventstore: single-event append latency, {warmUp} warm-up + {count} appends to {streams} existing streams (expected version), interleaved with raw INSERTs");
        await RawEvents.ExecAsync(db, $"TRUNCATE oos.events, oos.streams, {RawEvents.Table} RESTART IDENTITY");
        var versions = new long[streams];
        await store.AppendManyAsync(Enumerable.Range(0, streams)
            .Select(s => new StreamAppend(Tenant, StreamName(-1, s), "bench", ExpectedVersion.NoStream, [EventToAppend.Create(BenchDeposited.Sample("acc", 0))]))
            .ToList());
        Array.Fill(versions, 1);

        var storeMs = new List<double>(count);
        var rawMs = new List<double>(count);
        long rawVersion = 0;
        for (var i = 0; i < warmUp + count; i++)
        {
            var s = i % streams;
            var e = EventToAppend.Create(BenchDeposited.Sample("acc-" + s, i));
            var row = RawEvents.Serialize(Tenant, "raw-single", ++rawVersion, EventToAppend.Create(BenchDeposited.Sample("acc-" + s, i)), DateTimeOffset.UtcNow);

            var t0 = Stopwatch.GetTimestamp();
            var result = await store.AppendAsync(Tenant, StreamName(-1, s), "bench", ExpectedVersion.Exactly(versions[s]), [e]);
            var storeElapsed = Stopwatch.GetElapsedTime(t0).TotalMilliseconds;
            versions[s] = result.Version;

            t0 = Stopwatch.GetTimestamp();
            await RawEvents.InsertAsync(db, row);
            var rawElapsed = Stopwatch.GetElapsedTime(t0).TotalMilliseconds;
            if (i >= warmUp)
            {
                storeMs.Add(storeElapsed);
                rawMs.Add(rawElapsed);
            }
            if ((i + 1) % 500 == 0)
            {
                Progress.Line($"  {i + 1}/{warmUp + count} appends");
            }
        }
        foreach (var p in new[] { 50, 95, 99 })
        {
            report.Figure(Suite, $"single append p{p}{variant}", Stats.Percentile(storeMs, p), "ms", $"n={count}");
        }
        foreach (var p in new[] { 50, 95, 99 })
        {
            report.Figure(Suite, $"raw INSERT p{p} (baseline){variant}", Stats.Percentile(rawMs, p), "ms", $"n={count}");
        }
        var p50 = Stats.Percentile(storeMs, 50);
        report.Ratio(Suite, $"single append p50 / raw INSERT p50{variant}", p50 / Stats.Percentile(rawMs, 50));
        report.Figure(Suite, $"single append throughput (sequential){variant}", count / (storeMs.Sum() / 1000.0), "appends/s");
        if (!diagnostic)
        {
            report.Target("single append p50 < 2 ms", p50 < 2.0, string.Create(CultureInfo.InvariantCulture, $"{p50:F2} ms"));
        }
    }

    private static string StreamName(int rep, int stream) => string.Create(CultureInfo.InvariantCulture, $"account-{rep}-{stream:D3}");

    private static List<StreamAppend> Workload(int rep) =>
        Enumerable.Range(0, Streams).Select(s => new StreamAppend(Tenant, StreamName(rep, s), "bench", ExpectedVersion.NoStream,
            Enumerable.Range(1, EventsPerStream).Select(n => EventToAppend.Create(BenchDeposited.Sample("acc-" + s, n))).ToList())).ToList();
}
