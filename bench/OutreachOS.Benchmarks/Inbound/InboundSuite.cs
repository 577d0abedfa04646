using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using OutreachOS.Benchmarks.Suites;
using OutreachOS.Host.Organizations;
using OutreachOS.Ingestion.Accepting;
using OutreachOS.Ingestion.Contracts;
using OutreachOS.Triage.Classification;
using OutreachOS.Triage.Policies;

namespace OutreachOS.Benchmarks.Inbound;

/// <summary>
/// Inbound triage end to end at a fixed arrival rate: accept (<c>POST /ingest/email</c> with the API key, through the host's
/// HTTP pipeline in process: validation, normalization, append of <c>inbound_received.v1</c>, 202) → bus → triage consumer
/// (pre-filter, offline classifier, policy, router) → <c>inbound_decided.v1</c> committed, observed by polling the log.
/// RabbitMQ when <c>OUTREACHOS_BENCH_RABBITMQ</c> is set, otherwise the in-memory transport (reported as such).
/// Also prints the offline classifier's accuracy on the labelled sets.
/// </summary>
internal sealed class InboundSuite(BenchPostgres postgres, Report report, bool quick)
{
    private const string Suite = "inbound";
    private const string BootstrapKey = "bench-bootstrap-key-0123456789abcdef";
    // The load; OUTREACHOS_BENCH_INBOUND_RATE changes it (diagnostic: a fixed delay shows at any rate, queueing does not).
    private static readonly double RatePerSecond =
        double.TryParse(Environment.GetEnvironmentVariable("OUTREACHOS_BENCH_INBOUND_RATE"), CultureInfo.InvariantCulture, out var rate) && rate > 0 ? rate : 50;

    public async Task RunAsync()
    {
        ClassifierAccuracy();
        var rabbit = Environment.GetEnvironmentVariable("OUTREACHOS_BENCH_RABBITMQ");
        var transport = string.IsNullOrWhiteSpace(rabbit) ? "InMemory" : "RabbitMQ";
        var total = quick ? 150 : 1_000;
        var warmup = quick ? 100 : 250;
        var cs = await postgres.CreateDatabaseAsync("inbound");
        Progress.Line($"inbound: host in-process, Llm:Provider=Offline, transport={transport}, fresh database");
        await using var app = new BenchHost(cs, rabbit);
        using var client = app.CreateClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", BootstrapKey);
        var org = JsonNode.Parse(await client.GetStringAsync("/organizations/me"))!["id"]!.GetValue<Guid>();
        var db = app.Services.GetRequiredService<NpgsqlDataSource>();
        // The harness polls for decisions by type and time; the product has no such index (core migration 4), so the
        // harness brings a narrow one of its own rather than scan the log every 2 ms.
        await using (var index = db.CreateCommand(
            "CREATE INDEX IF NOT EXISTS bench_inbound_decided ON oos.events (tenant_id, created_at) WHERE type = 'inbound_decided.v1'"))
        {
            await index.ExecuteNonQueryAsync();
        }

        Progress.Line($"inbound: warm-up in steps of {warmup} messages until the JIT settles");
        var step = 0;
        await WarmUp.UntilJitSettlesAsync(Suite, () => RunAsync(client, db, org, warmup, $"warm{step++}"), maxSteps: quick ? 4 : 12);
        Progress.Line($"inbound: {total:N0} messages at {RatePerSecond} msg/s (accept → inbound_decided.v1 committed)");
        using var hops = new HopListener();
        using var sampling = new CancellationTokenSource();
        var poolSamples = new List<(int Threads, long Pending)>();
        var sampler = Task.Run(async () =>
        {
            while (!sampling.IsCancellationRequested)
            {
                poolSamples.Add((ThreadPool.ThreadCount, ThreadPool.PendingWorkItemCount));
                await Task.Delay(100);
            }
        });
        // Load-independent figures: round trips of this process (host + its background runners; the harness's own
        // polling subtracted) and its CPU time, per message.
        using var commands = new NpgsqlCommandCounter();
        var cpuBefore = Process.GetCurrentProcess().TotalProcessorTime;
        Interlocked.Exchange(ref _harnessQueries, 0);
        var r = await RunAsync(client, db, org, total, "run");
        var cpuPerMessage = (Process.GetCurrentProcess().TotalProcessorTime - cpuBefore).TotalMilliseconds / total;
        var commandsPerMessage = (commands.Count - Interlocked.Read(ref _harnessQueries)) / (double)total;
        if (commands.Statements is { } statements)
        {
            foreach (var (sql, n) in statements.OrderByDescending(x => x.Value).Take(40))
            {
                Progress.Line(string.Create(CultureInfo.InvariantCulture, $"  sql {n / (double)total,6:F2}/msg  {sql}"));
            }
        }
        report.Figure(Suite, $"Npgsql commands per message [{transport}]", commandsPerMessage, "",
            "round trips of the host over the run, background included, harness polling excluded; the append is one of them");
        report.Figure(Suite, $"host CPU per message [{transport}]", cpuPerMessage, "ms", "process CPU over the run / messages (host, runners, harness)");
        await sampling.CancelAsync();
        await sampler;
        hops.Stop();
        report.Figure(Suite, $"thread pool during the run: threads max / pending work items p50, max [{transport}]", poolSamples.Max(p => p.Threads), "",
            string.Create(CultureInfo.InvariantCulture,
                $"pending p50 {Stats.Median([.. poolSamples.Select(p => (double)p.Pending)]):F0}, max {poolSamples.Max(p => p.Pending)}"));

        report.Figure(Suite, $"accept (POST /ingest/email → 202) p50 [{transport}]", Stats.Median(r.Accept), "ms");
        report.Figure(Suite, $"accept p95 [{transport}]", Stats.Percentile(r.Accept, 95), "ms");
        report.Figure(Suite, $"accept → decision recorded p50 [{transport}]", Stats.Median(r.EndToEnd), "ms", $"{r.EndToEnd.Count} decided of {total}");
        report.Figure(Suite, $"accept → decision recorded p95 [{transport}]", Stats.Percentile(r.EndToEnd, 95), "ms");
        report.Figure(Suite, $"accept → decision recorded max [{transport}]", r.EndToEnd.Max(), "ms");
        report.Figure(Suite, $"  of which received → consumer start (relay + bus + inbox) p50 [{transport}]", Stats.Median(r.Delivery), "ms");
        report.Figure(Suite, $"  of which received → consumer start p95 [{transport}]", Stats.Percentile(r.Delivery, 95), "ms");
        report.Figure(Suite, $"  of which consumer start → decided append (classify + route) p50 [{transport}]", Stats.Median(r.Consumer), "ms");
        if (hops.RelayLag.Count > 0 && hops.Delivery.Count > 0)
        {
            report.Figure(Suite, $"  hop: append → publish confirmed (outreachos.relay.lag) p50 / p95 [{transport}]",
                Stats.Median([.. hops.RelayLag]), "ms", string.Create(CultureInfo.InvariantCulture, $"p95 {Stats.Percentile([.. hops.RelayLag], 95):F1} ms, n={hops.RelayLag.Count}"));
            report.Figure(Suite, $"  of which one publish until the broker confirms (outreachos.relay.publish_duration) p50 [{transport}]",
                Stats.Median([.. hops.Publish]), "ms", string.Create(CultureInfo.InvariantCulture, $"p95 {Stats.Percentile([.. hops.Publish], 95):F1} ms"));
            report.Figure(Suite, $"  relay waits on held-back events (outreachos.subscription.held_back) [{transport}]", hops.HeldBack.Count, "",
                hops.HeldBack.IsEmpty ? "none" : string.Create(CultureInfo.InvariantCulture,
                    $"p50 {Stats.Median([.. hops.HeldBack]):F1} ms, p95 {Stats.Percentile([.. hops.HeldBack], 95):F1} ms, total {hops.HeldBack.Sum():F0} ms"));
            report.Figure(Suite, $"  hop: publish → triage consumer start (outreachos.messaging.delivery_latency) p50 / p95 [{transport}]",
                Stats.Median([.. hops.Delivery]), "ms", string.Create(CultureInfo.InvariantCulture, $"p95 {Stats.Percentile([.. hops.Delivery], 95):F1} ms, n={hops.Delivery.Count}"));
        }
        report.Figure(Suite, $"offered rate [{transport}]", total / r.OfferSeconds, "msg/s");
        report.Figure(Suite, $"decided throughput [{transport}]", r.EndToEnd.Count / r.DrainSeconds, "msg/s", "first accept → last decision");
        report.Target("inbound accept → decision p50 < 25 ms at 50 msg/s (offline classifier)", RatePerSecond >= 50 && Stats.Median(r.EndToEnd) < 25,
            string.Create(CultureInfo.InvariantCulture, $"{Stats.Median(r.EndToEnd):F1} ms over {transport} at {RatePerSecond} msg/s"));
        report.Note(PeakMemory.Describe());
    }

    private void ClassifierAccuracy()
    {
        foreach (var name in new[] { "inbound-labelled.jsonl", "inbound-holdout.jsonl", "inbound-holdout-2.jsonl" })
        {
            var path = Find(name);
            if (path is null)
            {
                report.Note($"labelled set {name} not found (run from the repository)");
                continue;
            }
            var set = LabelledSetEvaluation.Parse(File.ReadAllLines(path));
            var result = LabelledSetEvaluation.Evaluate(set, TriagePolicy.DefaultIntents);
            Console.WriteLine($"--- offline classifier on {name} ---");
            Console.WriteLine(result.Format());
            report.Figure(Suite, $"classifier intent accuracy ({name}, n={set.Count})", result.IntentAccuracy * 100, "%");
        }
        var sample = new ClassifierInput("Need to reschedule tomorrow's demo", "Hi, something came up and I need to reschedule our demo tomorrow at 10am. Can we move it to Thursday?", false);
        for (var i = 0; i < 2_000; i++)
        {
            OfflineClassifier.Classify(sample, TriagePolicy.DefaultIntents);
        }
        var sw = Stopwatch.StartNew();
        const int n = 20_000;
        for (var i = 0; i < n; i++)
        {
            OfflineClassifier.Classify(sample, TriagePolicy.DefaultIntents);
        }
        report.Figure(Suite, "offline classifier, one message", sw.Elapsed.TotalMicroseconds / n, "µs");
    }

    private static string? Find(string name)
    {
        for (var dir = new DirectoryInfo(Directory.GetCurrentDirectory()); dir is not null; dir = dir.Parent)
        {
            var path = Path.Combine(dir.FullName, "src/Modules/Triage/OutreachOS.Triage/Classification/labelled", name);
            if (File.Exists(path))
            {
                return path;
            }
        }
        return null;
    }

    private sealed record RunResult(List<double> Accept, List<double> EndToEnd, double OfferSeconds, double DrainSeconds, List<double> Delivery, List<double> Consumer);

    /// <summary>
    /// Where the time goes, from the events' own clocks (one process, one clock): received (append) → consumer start
    /// (<c>inbound_classified.v1</c>'s <c>at</c>, taken after the inbox row, stream read and policy read) = relay + bus + inbox;
    /// consumer start → decided append = classify + route.
    /// </summary>
    private static async Task<(List<double> Delivery, List<double> Consumer)> BreakdownAsync(NpgsqlDataSource db, Guid org, string[] streams)
    {
        await using var cmd = db.CreateCommand("""
            SELECT extract(epoch FROM ((c.data->>'at')::timestamptz - r.created_at)) * 1000,
                   extract(epoch FROM (d.created_at - (c.data->>'at')::timestamptz)) * 1000
            FROM oos.events r
            JOIN oos.events c ON c.tenant_id = r.tenant_id AND c.stream_id = r.stream_id AND c.type = 'inbound_classified.v1'
            JOIN oos.events d ON d.tenant_id = r.tenant_id AND d.stream_id = r.stream_id AND d.type = 'inbound_decided.v1'
            WHERE r.tenant_id = @t AND r.type = 'inbound_received.v1' AND r.stream_id = ANY(@s)
            """);
        cmd.Parameters.AddWithValue("t", org);
        cmd.Parameters.AddWithValue("s", streams);
        var delivery = new List<double>();
        var consumer = new List<double>();
        await using var r = await cmd.ExecuteReaderAsync();
        while (await r.ReadAsync())
        {
            delivery.Add(Convert.ToDouble(r.GetValue(0), CultureInfo.InvariantCulture));
            consumer.Add(Convert.ToDouble(r.GetValue(1), CultureInfo.InvariantCulture));
        }
        return (delivery, consumer);
    }

    private static async Task<RunResult> RunAsync(HttpClient client, NpgsqlDataSource db, Guid org, int count, string tag)
    {
        var started = new ConcurrentDictionary<string, long>(StringComparer.Ordinal);
        var accept = new ConcurrentBag<double>();
        var endToEnd = new List<double>();
        var clock = Stopwatch.StartNew();
        using var stop = new CancellationTokenSource();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var lastDecision = 0L;
        var poller = Task.Run(async () =>
        {
            // Decisions only, through the harness's partial (tenant, created_at) index, from one second behind the newest decision
            // seen (created_at is taken before the commit: a late commit must still be found). Before, a range of the
            // primary key returned every event of the window, 300 rows every 2 ms: the harness loaded the machine it measures.
            var since = DateTimeOffset.UtcNow.AddSeconds(-1);
            while (seen.Count < count)
            {
                Interlocked.Increment(ref _harnessQueries);
                await using (var cmd = db.CreateCommand(
                    "SELECT stream_id, created_at FROM oos.events WHERE tenant_id = @t AND type = 'inbound_decided.v1' AND created_at > @since"))
                {
                    cmd.Parameters.AddWithValue("t", org);
                    cmd.Parameters.AddWithValue("since", since);
                    await using var r = await cmd.ExecuteReaderAsync(stop.Token);
                    var now = clock.ElapsedTicks;
                    var newest = since;
                    while (await r.ReadAsync(stop.Token))
                    {
                        var stream = r.GetString(0);
                        var at = r.GetFieldValue<DateTimeOffset>(1);
                        newest = at > newest ? at : newest;
                        if (started.TryGetValue(stream, out var t0) && seen.Add(stream))
                        {
                            endToEnd.Add((now - t0) * 1000.0 / Stopwatch.Frequency);
                            lastDecision = now;
                        }
                    }
                    var floor = newest.AddSeconds(-1);
                    since = floor > since ? floor : since;
                }
                await Task.Delay(2, stop.Token);
            }
        }, stop.Token);

        var interval = TimeSpan.FromSeconds(1 / RatePerSecond);
        var sends = new List<Task>(count);
        for (var i = 0; i < count; i++)
        {
            var due = interval * i;
            var wait = due - clock.Elapsed;
            if (wait > TimeSpan.Zero)
            {
                await Task.Delay(wait);
            }
            var n = i;
            sends.Add(Task.Run(async () =>
            {
                var (messageId, body) = Message(tag, n);
                // The id the webhook derives from (organization, Message-ID): known before the request, so a decision
                // that commits before the 202 reaches this client is still matched.
                var stream = InboundStreams.StreamId(DeterministicId.Inbound(org, messageId));
                var t0 = clock.ElapsedTicks;
                started[stream] = t0;
                using var response = await client.PostAsync("/ingest/email", body);
                accept.Add((clock.ElapsedTicks - t0) * 1000.0 / Stopwatch.Frequency);
                if (response.StatusCode != System.Net.HttpStatusCode.Accepted)
                {
                    throw new InvalidOperationException($"POST /ingest/email answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
                }
            }));
        }
        await Task.WhenAll(sends);
        var offerSeconds = clock.Elapsed.TotalSeconds;
        var finished = await Task.WhenAny(poller, Task.Delay(TimeSpan.FromSeconds(120)));
        await stop.CancelAsync();
        if (finished != poller)
        {
            Progress.Line($"inbound: only {seen.Count} of {count} decided after 120 s");
        }
        try
        {
            await poller;
        }
        catch (OperationCanceledException)
        {
        }
        Interlocked.Increment(ref _harnessQueries); // the breakdown query
        var (delivery, consumer) = await BreakdownAsync(db, org, [.. started.Keys]);
        return new RunResult([.. accept], endToEnd, offerSeconds, lastDecision / (double)Stopwatch.Frequency, delivery, consumer);
    }

    private static long _harnessQueries;

    private static readonly (string Subject, string Text)[] Samples =
    [
        ("Need to reschedule tomorrow's demo", "Hi, something came up and I need to reschedule our demo tomorrow at 10am. Can we move it to Thursday?"),
        ("Pricing for 50 seats", "Hi, we're evaluating tools for our sales team of about 50 people. What would the pricing look like per seat on an annual plan?"),
        ("Invoice for October", "Hi, could you send me the invoice for October? Our accounts payable team needs it with our VAT number on it."),
        ("API returns 500 on /contacts", "When we call the contacts API with a filter, we get a 500 error. Request id 8f2c-11. Is this a known bug?"),
        ("Partnership opportunity", "Hi, I run a RevOps consultancy. Do you have a partner program or reseller terms?"),
    ];

    private static (string MessageId, StringContent Body) Message(string tag, int n)
    {
        var (subject, text) = Samples[n % Samples.Length];
        var messageId = $"<{tag}-{n}-{Guid.NewGuid():N}@bench.example>";
        var body = new JsonObject
        {
            ["message_id"] = messageId,
            ["from"] = new JsonObject { ["email"] = $"customer{n}@bench.example", ["name"] = "Bench Customer" },
            ["to"] = new JsonArray("hello@vendor.example"),
            ["subject"] = subject,
            ["text"] = text,
            ["received_at"] = DateTimeOffset.UtcNow.ToString("O", CultureInfo.InvariantCulture),
        };
        return (messageId, new StringContent(body.ToJsonString(), System.Text.Encoding.UTF8, "application/json"));
    }

    private sealed class BenchHost(string connectionString, string? rabbit) : WebApplicationFactory<OrganizationService>
    {
        protected override void ConfigureWebHost(IWebHostBuilder builder)
        {
            builder.UseContentRoot(AppContext.BaseDirectory);
            builder.UseSetting("ConnectionStrings:Postgres", connectionString);
            builder.UseSetting("Auth:BootstrapApiKey", BootstrapKey);
            builder.UseSetting("Llm:Provider", "Offline");
            // Capacity, not policy: one key drives the whole load, far above the default per-key limit (ADR 0028).
            builder.UseSetting("RateLimits:PerKey:PermitsPerSecond", "0");
            builder.UseSetting("Projections:Enabled", "true");
            builder.UseSetting("Logging:LogLevel:Default", "Warning");
            if (Environment.GetEnvironmentVariable("OUTREACHOS_BENCH_HELD_BACK_MAX_WAIT_MS") is { Length: > 0 } heldBack)
            {
                builder.UseSetting("Projections:HeldBackMaxWaitMs", heldBack);
            }
            if (!string.IsNullOrWhiteSpace(rabbit))
            {
                builder.UseSetting("Messaging:Transport", "RabbitMQ");
                builder.UseSetting("ConnectionStrings:RabbitMQ", rabbit);
            }
            builder.UseEnvironment("Production");
        }
    }
}

/// <summary>The relay's and the consumers' own histograms (meter "OutreachOS.Messaging") for the inbound messages of one run.</summary>
internal sealed class HopListener : IDisposable
{
    private readonly System.Diagnostics.Metrics.MeterListener _listener = new();
    private volatile bool _stopped;

    public ConcurrentQueue<double> RelayLag { get; } = new();
    public ConcurrentQueue<double> Delivery { get; } = new();
    public ConcurrentQueue<double> Publish { get; } = new();
    public ConcurrentQueue<double> HeldBack { get; } = new();

    public HopListener()
    {
        _listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Name == "outreachos.subscription.held_back")
            {
                l.EnableMeasurementEvents(instrument);
            }
            if (instrument.Meter.Name == "OutreachOS.Messaging" && instrument.Name is "outreachos.relay.lag" or "outreachos.relay.publish_duration" or "outreachos.messaging.delivery_latency")
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<double>((instrument, value, tags, _) =>
        {
            if (_stopped)
            {
                return;
            }
            foreach (var tag in tags)
            {
                if (instrument.Name == "outreachos.subscription.held_back" && tag is { Key: "subscription", Value: "integration-relay" })
                {
                    HeldBack.Enqueue(value);
                }
                if (instrument.Name == "outreachos.relay.lag" && tag is { Key: "event_type", Value: "inbound_received.v1" })
                {
                    RelayLag.Enqueue(value);
                }
                else if (instrument.Name == "outreachos.relay.publish_duration" && tag is { Key: "event_type", Value: "inbound_received.v1" })
                {
                    Publish.Enqueue(value);
                }
                else if (instrument.Name == "outreachos.messaging.delivery_latency" && tag is { Key: "consumer", Value: "triage.inbound-received" })
                {
                    Delivery.Enqueue(value);
                }
            }
        });
        _listener.Start();
    }

    public void Stop() => _stopped = true;

    public void Dispose() => _listener.Dispose();
}
