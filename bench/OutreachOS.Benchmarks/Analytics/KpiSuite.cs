using System.Diagnostics;
using System.Globalization;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using OutreachOS.Analytics;
using OutreachOS.Analytics.Contracts;
using OutreachOS.BuildingBlocks;
using OutreachOS.BuildingBlocks.EventStore;
using OutreachOS.BuildingBlocks.Projections;
using OutreachOS.Credits.Contracts;

namespace OutreachOS.Benchmarks.Analytics;

/// <summary>
/// KPI read side at scale: 1M catalogue events (100k with --quick) over 20 organizations and 365 days, loaded through the
/// store's batched append (COPY path); the KPI projection's catch-up rate (a rebuild from zero); KPI query latency over
/// 30 and 365 days, against the baseline a projection-less system would run: the same KPI aggregated from oos.events.
/// </summary>
internal sealed class KpiSuite(BenchPostgres postgres, Report report, bool quick)
{
    private const string Suite = "kpi";
    private const int Organizations = 20;
    private const int Days = 365;
    private static readonly DateTimeOffset End = new(2026, 11, 1, 0, 0, 0, TimeSpan.Zero);

    private sealed class FixedPlan : ICreditPlanSource
    {
        public ValueTask<string> GetTierAsync(Guid tenantId, CancellationToken ct) => ValueTask.FromResult("ENTERPRISE");
    }

    public async Task RunAsync()
    {
        var target = quick ? 100_000 : 1_000_000;
        var queryReps = quick ? 50 : 200;
        var baselineReps = quick ? 5 : 10;
        await using var provider = await postgres.CreateStoreAsync("kpi", s =>
        {
            s.AddAnalyticsModule(new ConfigurationBuilder().Build());
            s.AddSingleton<ICreditPlanSource, FixedPlan>();
            s.AddEventTypes(KpiBenchEvents.All);
        });
        var store = provider.GetRequiredService<IEventStore>();
        var db = provider.GetRequiredService<NpgsqlDataSource>();
        var engine = provider.GetRequiredService<SubscriptionEngine>();
        var kpis = provider.GetRequiredService<IKpiQueries>();
        // The baseline aggregates the log by organization and type; the product has no such index (core migration 4),
        // so the baseline gets the one it needs to be a fair comparison.
        await using (var index = db.CreateCommand("CREATE INDEX IF NOT EXISTS bench_events_tenant_type ON oos.events (tenant_id, type, created_at)"))
        {
            await index.ExecuteNonQueryAsync();
        }
        var orgs = Enumerable.Range(1, Organizations).Select(i => Guid.Parse(string.Create(CultureInfo.InvariantCulture, $"c0000000-0000-0000-0000-{i:D12}"))).ToArray();

        Progress.Line($"kpi: generating ~{target:N0} events over {Organizations} organizations x {Days} days, appended with AppendManyAsync (COPY path)");
        var random = new Random(20261122);
        long loaded = 0;
        var load = Stopwatch.StartNew();
        var nextReport = 100_000L;
        // The log is in time order, as in production: each day's units (random organizations, times within the day) in turn.
        var perDay = target / Days;
        var day = 0;
        var dayLoaded = 0L;
        while (loaded < target)
        {
            var appends = new List<StreamAppend>();
            var inCall = 0;
            while (inCall < 10_000 && loaded + inCall < target)
            {
                if (dayLoaded >= perDay && day < Days - 1)
                {
                    day++;
                    dayLoaded = 0;
                }
                var at = End.AddDays(-Days + day).AddSeconds((double)dayLoaded / perDay * 86_399);
                foreach (var a in KpiBenchEvents.Unit(random, orgs[random.Next(orgs.Length)], at))
                {
                    appends.Add(a);
                    inCall += a.Events.Count;
                    dayLoaded += a.Events.Count;
                }
            }
            await store.AppendManyAsync(appends);
            loaded += inCall;
            if (loaded >= nextReport || loaded >= target)
            {
                Progress.Line(string.Create(CultureInfo.InvariantCulture, $"  loaded {loaded:N0}/{target:N0} ({loaded / load.Elapsed.TotalSeconds:N0} events/s)"));
                nextReport += 100_000;
            }
        }
        load.Stop();
        report.Figure(Suite, "load via AppendManyAsync (~10k per call)", loaded / load.Elapsed.TotalSeconds, "events/s", string.Create(CultureInfo.InvariantCulture, $"setup: {loaded:N0} events"));
        await Exec(db, "VACUUM ANALYZE oos.events");

        Progress.Line("kpi: reference: read the whole log through IEventStore.ReadAllAsync (batch 5000), no projection work");
        var read = Stopwatch.StartNew();
        long readCount = 0;
        for (var position = GlobalPosition.Start; ;)
        {
            var batch = await store.ReadAllAsync(position, 5000);
            if (batch.Count == 0)
            {
                break;
            }
            readCount += batch.Count;
            position = batch[^1].Position;
        }
        read.Stop();
        var readRate = readCount / read.Elapsed.TotalSeconds;
        report.Figure(Suite, "reference: ReadAllAsync loop, batch 5000", readRate, "events/s", "reading alone: the ceiling of any catch-up");

        Progress.Line("kpi: projection catch-up = rebuild of analytics-kpis from the start of the log (batch 5000)");
        var lastPrint = Stopwatch.StartNew();
        var catchUp = Stopwatch.StartNew();
        var processed = await engine.RebuildAsync(KpiProjectionNames.Kpis, new Progress<RebuildProgress>(p =>
        {
            if (lastPrint.Elapsed > TimeSpan.FromSeconds(5))
            {
                lastPrint.Restart();
                Progress.Line(string.Create(CultureInfo.InvariantCulture, $"  {p.Processed:N0}/{p.Total:N0} events"));
            }
        }), TimeSpan.FromSeconds(10));
        catchUp.Stop();
        var rate = processed / catchUp.Elapsed.TotalSeconds;
        report.Figure(Suite, "projection catch-up (rebuild analytics-kpis)", rate, "events/s", string.Create(CultureInfo.InvariantCulture, $"{processed:N0} events in {catchUp.Elapsed.TotalSeconds:F1} s"));
        report.Ratio(Suite, "catch-up / ReadAllAsync loop", rate / readRate);
        await Exec(db, "VACUUM ANALYZE");
        await PrintSizesAsync(db);

        // Same answer from both paths before timing them (received / auto-sent / approved over 365 days, org 1).
        var year = KpiRange.Create(End.AddDays(-Days), End);
        var month = KpiRange.Create(End.AddDays(-30), End);
        var projected = await kpis.InboundAsync(orgs[0], year, null);
        var naive = await NaiveInboundAsync(db, orgs[0], year);
        if (projected.Received != naive.Received || projected.AutoSent != naive.AutoSent || projected.ApprovedUnchanged + projected.ApprovedEdited != naive.Approved)
        {
            throw new InvalidOperationException($"projection and baseline disagree: {projected.Received}/{projected.AutoSent} vs {naive.Received}/{naive.AutoSent}");
        }
        Progress.Line(string.Create(CultureInfo.InvariantCulture, $"kpi: org 1 over 365 days: received {projected.Received:N0}, autoRate {projected.AutoRate:P1}, equal in projection and baseline"));

        var i = 0;
        Guid NextOrg() => orgs[i++ % orgs.Length];
        foreach (var (label, range) in new[] { ("30 days", month), ("365 days", year) })
        {
            var p = await TimeAsync($"inboundKpis {label}", queryReps, () => kpis.InboundAsync(NextOrg(), range, null));
            var b = await TimeAsync($"baseline: aggregate over oos.events {label}", baselineReps, () => NaiveInboundAsync(db, NextOrg(), range));
            report.Figure(Suite, $"inboundKpis {label} p50", p.P50, "ms", string.Create(CultureInfo.InvariantCulture, $"p95 {p.P95:F2} ms, {queryReps} queries"));
            report.Figure(Suite, $"baseline oos.events aggregate {label} p50", b.P50, "ms", string.Create(CultureInfo.InvariantCulture, $"p95 {b.P95:F2} ms, {baselineReps} queries"));
            report.Ratio(Suite, $"baseline / projection p50 ({label})", b.P50 / p.P50);
            report.Target($"inboundKpis p50 < 10 ms over {label} ({target / 1000:N0}k events)", p.P50 < 10, string.Create(CultureInfo.InvariantCulture, $"{p.P50:F2} ms"));
        }
        foreach (var (name, run) in new (string, Func<Task<object>>)[]
        {
            ("outboundKpis 365 days", async () => await kpis.OutboundAsync(NextOrg(), year, null)),
            ("inboundKpis 365 days, intent filter", async () => await kpis.InboundAsync(NextOrg(), year, "billing")),
            ("stageLatency 365 days", async () => await kpis.StageLatencyAsync(NextOrg(), year)),
            ("costByModel 30 days", async () => await kpis.CostByModelAsync(NextOrg(), month)),
            ("creditsTrend 365 days", async () => await kpis.CreditsTrendAsync(NextOrg(), year)),
        })
        {
            var t = await TimeAsync(name, queryReps, run);
            report.Figure(Suite, name + " p50", t.P50, "ms", string.Create(CultureInfo.InvariantCulture, $"p95 {t.P95:F2} ms"));
        }
        report.Figure(Suite, "peak working set (process)", Process.GetCurrentProcess().PeakWorkingSet64 / 1024.0 / 1024.0, "MiB", "includes the load phase");
    }

    private static async Task<(double P50, double P95)> TimeAsync<T>(string name, int reps, Func<Task<T>> run)
    {
        for (var w = 0; w < Math.Min(5, reps); w++)
        {
            await run(); // warm-up: plans, pool, buffer cache
        }
        var samples = new List<double>(reps);
        for (var n = 0; n < reps; n++)
        {
            var t0 = Stopwatch.GetTimestamp();
            await run();
            samples.Add(Stopwatch.GetElapsedTime(t0).TotalMilliseconds);
        }
        var result = (Stats.Percentile(samples, 50), Stats.Percentile(samples, 95));
        Progress.Line(string.Create(CultureInfo.InvariantCulture, $"  {name}: p50 {result.Item1:F2} ms, p95 {result.Item2:F2} ms ({reps} runs)"));
        return result;
    }

    /// <summary>
    /// The baseline: the same inbound counters per day straight from the log, with the event's own time from the payload
    /// (created_at is the append time, not when the message arrived), using the (tenant, type, created_at) index for the filter.
    /// </summary>
    private static async Task<(int Received, int AutoSent, int Approved)> NaiveInboundAsync(NpgsqlDataSource db, Guid org, KpiRange range)
    {
        await using var cmd = db.CreateCommand("""
            SELECT day, count(*) FILTER (WHERE type = 'inbound_received.v1'),
                   count(*) FILTER (WHERE type = 'inbound_filtered.v1'),
                   count(*) FILTER (WHERE type = 'inbound_reply_sent.v1' AND (data->>'auto')::boolean),
                   count(*) FILTER (WHERE type = 'inbound_reply_drafted.v1' AND data->>'path' = 'DRAFT_FOR_REVIEW'),
                   count(*) FILTER (WHERE type = 'inbound_draft_approved.v1'),
                   count(*) FILTER (WHERE type = 'inbound_draft_rejected.v1'),
                   count(*) FILTER (WHERE type = 'inbound_qa_verdict.v1' AND (data->>'correct')::boolean)
            FROM (SELECT type, data, (coalesce(data->>'at', data->>'accepted_at', data->>'decided_at')::timestamptz AT TIME ZONE 'UTC')::date AS day
                  FROM oos.events
                  WHERE tenant_id = @t AND type = ANY(@types)) e
            WHERE day >= @from AND day < @to
            GROUP BY day
            """);
        cmd.Parameters.AddWithValue("t", org);
        cmd.Parameters.AddWithValue("types", new[] { "inbound_received.v1", "inbound_filtered.v1", "inbound_reply_sent.v1", "inbound_reply_drafted.v1",
            "inbound_draft_approved.v1", "inbound_draft_rejected.v1", "inbound_qa_verdict.v1" });
        cmd.Parameters.AddWithValue("from", range.FirstDay);
        cmd.Parameters.AddWithValue("to", range.EndDay);
        int received = 0, auto = 0, approved = 0;
        await using var r = await cmd.ExecuteReaderAsync();
        while (await r.ReadAsync())
        {
            received += (int)r.GetInt64(1);
            auto += (int)r.GetInt64(3);
            approved += (int)r.GetInt64(5);
        }
        return (received, auto, approved);
    }

    private static async Task PrintSizesAsync(NpgsqlDataSource db)
    {
        await using var cmd = db.CreateCommand("""
            SELECT relname, n_live_tup, pg_size_pretty(pg_total_relation_size(relid)) FROM pg_stat_user_tables
            WHERE relname LIKE 'analytics_%' OR relname = 'events' ORDER BY relname
            """);
        await using var r = await cmd.ExecuteReaderAsync();
        while (await r.ReadAsync())
        {
            Progress.Line(string.Create(CultureInfo.InvariantCulture, $"  table {r.GetString(0)}: {r.GetInt64(1):N0} rows, {r.GetString(2)}"));
        }
    }

    private static async Task Exec(NpgsqlDataSource db, string sql)
    {
        await using var cmd = db.CreateCommand(sql);
        cmd.CommandTimeout = 600;
        await cmd.ExecuteNonQueryAsync();
    }
}
