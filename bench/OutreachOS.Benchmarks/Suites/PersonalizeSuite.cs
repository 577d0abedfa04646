using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Npgsql;
using OutreachOS.Host.Organizations;

namespace OutreachOS.Benchmarks.Suites;

/// <summary>
/// The real host in-process (TestServer, no sockets) on a fresh database with the Offline model: <c>POST /personalize</c>
/// (EMAIL, 3 variants: credit reservation, prompt, offline composer, guardrails, settlement, audit events) at a fixed
/// number of concurrent clients, against <c>GET /organizations/me</c> (authentication + one read) at the same concurrency.
/// </summary>
internal sealed class PersonalizeSuite(BenchPostgres postgres, Report report, bool quick, int? singleCount = null, int rounds = 1)
{
    private const string Suite = "personalize";
    internal const string BootstrapKey = "bench-bootstrap-key-0123456789abcdef";
    private const int Clients = 20;
    private const int MaxWarmUpSteps = 40;

    // A valid request as the API documents it; the offline composer answers it with 3 clean variants.
    private const string PersonalizeBody = """
        {
          "channel": "EMAIL",
          "tone": "PROFESSIONAL",
          "goal": "book a 15-min call",
          "variant_count": 3,
          "lead": { "first_name": "Sarah", "last_name": "Chen", "title": "VP of Sales", "company_name": "Acme Logistics", "domain": "acmelogistics.com" },
          "company_context": {
            "summary": "Acme Logistics runs same-day freight for regional retailers.",
            "keywords": ["freight visibility", "carrier onboarding"],
            "tech_stack": ["Salesforce", "Snowflake"]
          },
          "signals": { "intent_signals": ["Hiring SDRs"] },
          "constraints": { "max_words": 120, "include_subjects": true, "no_claims_policy": true }
        }
        """;

    public async Task RunAsync()
    {
        var total = quick ? 200 : 1_000;
        var warmup = quick ? 100 : 200;
        var cs = await postgres.CreateDatabaseAsync("personalize");
        if (!await PostgresCpu.AttachAsync(cs))
        {
            Progress.Line("personalize: the PostgreSQL server's processes are not readable here; its CPU per request is reported as 0");
        }
        Progress.Line("personalize: starting the host in-process (WebApplicationFactory, Llm:Provider=Offline, fresh database)");
        await using var app = new BenchHost(cs);
        using var client = app.CreateClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", BootstrapKey);

        // The platform organization is ENTERPRISE (100,000 credits/month); warm-up + run cost 3 credits per request.
        var needed = (warmup * MaxWarmUpSteps + total + (singleCount ?? 100)) * 3;
        if (needed > 100_000)
        {
            throw new InvalidOperationException($"{needed} credits needed, the ENTERPRISE allowance is 100,000");
        }

        Progress.Line($"personalize: warm-up in steps of {warmup} requests of each kind at {Clients} clients until the JIT settles");
        await WarmUp.UntilJitSettlesAsync(Suite, async () =>
        {
            await RunAsync(client, warmup, Personalize);
            await RunAsync(client, warmup, OrganizationMe);
        }, MaxWarmUpSteps);

        Progress.Line($"personalize: {total:N0} × GET /organizations/me at {Clients} clients (baseline)");
        var baseline = await RunAsync(client, total, OrganizationMe);
        // --rounds R repeats the measured pass (R rounds of `total` requests each) and reports the round with the median p50:
        // on a shared 2-core machine one pass varies by 5-15 ms, so an A/B comparison needs several. Each round also
        // reports the CPU the machine and this process spent per request (load-independent where latency is not).
        var roundRuns = new List<(Run Run, PassCost Cost, double LedgerMs)>();
        for (var r = 1; r <= rounds; r++)
        {
            Progress.Line($"personalize: {total:N0} × POST /personalize (EMAIL, 3 variants) at {Clients} clients, one organization" + (rounds > 1 ? $" (round {r} of {rounds})" : ""));
            var meter = PassMeter.Start();
            using var ledger = new ActivityTimer("OutreachOS.Credits");
            var run = await RunAsync(client, total, Personalize);
            var cost = meter.Per(total);
            var ledgerMs = ledger.TotalMilliseconds / total;
            roundRuns.Add((run, cost, ledgerMs));
            Progress.Line(string.Create(CultureInfo.InvariantCulture,
                $"personalize: round {r}: p50 {Stats.Median(run.Millis):F2} ms, {run.PerSecond:F0} req/s, CPU per request: machine {cost.MachineMs:F2} ms, this process {cost.ProcessMs:F2} ms, PostgreSQL {cost.PostgresMs:F2} ms; allocated {cost.AllocatedKb:F0} KB per request; {ledgerMs:F2} ms per request in the credit ledger (reserve + settle, queueing included)"));
        }
        var median = roundRuns.OrderBy(x => Stats.Median(x.Run.Millis)).ElementAt(roundRuns.Count / 2);
        var personalize = median.Run;

        // The same load from 20 organizations (one client each): tells the work of a request apart from the queue on the
        // organization's credit account, which every reservation and settlement of one organization locks in turn.
        var perOrg = await CreateOrganizationsAsync(app, client, Clients);
        Progress.Line($"personalize: {total:N0} × POST /personalize at {Clients} clients, one organization each");
        var spread = await RunAsync(perOrg, total, Personalize);

        // One client, one request at a time: the service time without queueing behind the other 19 clients.
        var single = singleCount ?? (quick ? 30 : 100);
        Progress.Line($"personalize: {single} × POST /personalize at 1 client (service time without contention)");
        // Background commits (projection daemon, sweeper) with no request in flight, to tell them apart from the request's.
        // Each counter read is itself one committed transaction, hence the "- 1". The pause lets the daemon catch up first.
        await Task.Delay(TimeSpan.FromSeconds(3));
        var idleStart = await CommitsAsync(cs);
        var idleClock = Stopwatch.StartNew();
        var idleDelta = await CommitsAsync(cs) - idleStart - 1;
        var idlePerSecond = idleDelta / idleClock.Elapsed.TotalSeconds;
        var commitsBefore = await CommitsAsync(cs);
        var window = Stopwatch.StartNew();
        // Load-independent figures for the same pass: database commands issued by this process (Npgsql's activity
        // per command or batch: one round trip each, background runners included) and CPU time of this process.
        using var commands = new NpgsqlCommandCounter();
        var aloneMeter = PassMeter.Start();
        var alone = await RunAsync(client, single, Personalize, clients: 1);
        var cpuPerRequest = aloneMeter.Per(single).ProcessMs;
        var commandsPerRequest = commands.Count / (double)single;
        if (commands.Statements is { } statements)
        {
            foreach (var (sql, n) in statements.OrderByDescending(x => x.Value).Take(40))
            {
                Progress.Line(string.Create(CultureInfo.InvariantCulture, $"  sql {n / (double)single,6:F2}/req  {sql}"));
            }
        }
        var delta = await CommitsAsync(cs) - commitsBefore - 1;
        var rawCommits = delta / (double)single;
        var netCommits = (delta - idlePerSecond * window.Elapsed.TotalSeconds) / single;

        Record("baseline: GET /organizations/me", baseline, Clients);
        Record("POST /personalize (3 variants)", personalize, Clients);
        if (median.Cost.MachineMs > 0)
        {
            report.Figure(Suite, "machine CPU per /personalize (20 clients)", median.Cost.MachineMs, "ms", "all processes (/proc/stat busy time) over the pass / requests; PostgreSQL included");
        }
        report.Figure(Suite, "host CPU per /personalize (20 clients)", median.Cost.ProcessMs, "ms", "process CPU time over the pass / requests (client + server in-process)");
        report.Figure(Suite, "PostgreSQL CPU per /personalize (20 clients)", median.Cost.PostgresMs, "ms", "the server's processes only (/proc), over the pass / requests");
        report.Figure(Suite, "managed allocation per /personalize (20 clients)", median.Cost.AllocatedKb, "KB", "GC.GetTotalAllocatedBytes over the pass / requests (client, server and background)");
        report.Figure(Suite, "time in the credit ledger per /personalize (20 clients)", median.LedgerMs, "ms", "credits.reserve + credits.settle activities, queueing included");
        if (rounds > 1)
        {
            report.Note(string.Create(CultureInfo.InvariantCulture,
                $"personalize: {rounds} rounds of the one-organization pass, p50 per round: {string.Join(", ", roundRuns.Select(x => Stats.Median(x.Run.Millis).ToString("F2", CultureInfo.InvariantCulture)))} ms; the median round is reported"));
        }
        Record("POST /personalize, 20 organizations", spread, Clients);
        Record("POST /personalize, 1 client", alone, 1);
        report.Figure(Suite, "PostgreSQL commits per /personalize, raw", rawCommits, "", "pg_stat_database over the 1-client pass, background included");
        report.Figure(Suite, "PostgreSQL commits per /personalize, net", netCommits, "", "raw minus the idle rate over the same window");
        report.Figure(Suite, "PostgreSQL commits/s with no request in flight", idlePerSecond, "/s", "background: projection daemon, sweeper");
        report.Figure(Suite, "Npgsql commands per /personalize (1 client)", commandsPerRequest, "", "round trips of this process over the pass, background included");
        report.Figure(Suite, "host CPU per /personalize (1 client)", cpuPerRequest, "ms", "process CPU time over the pass / requests (client + server in-process)");
        report.Ratio(Suite, "p50 personalize / baseline", Stats.Median(personalize.Millis) / Stats.Median(baseline.Millis));
        report.Ratio(Suite, "throughput baseline / personalize", baseline.PerSecond / personalize.PerSecond);
        report.Ratio(Suite, "p50 one organization / 20 organizations", Stats.Median(personalize.Millis) / Stats.Median(spread.Millis));
        foreach (var c in perOrg)
        {
            c.Dispose();
        }
        if (baseline.Failures + personalize.Failures + spread.Failures + alone.Failures > 0)
        {
            report.Note($"personalize: {baseline.Failures} baseline and {personalize.Failures + spread.Failures + alone.Failures} personalize responses were not 200 " +
                $"(first: {baseline.FirstFailure ?? personalize.FirstFailure ?? spread.FirstFailure ?? alone.FirstFailure})");
        }

        var p50 = Stats.Median(personalize.Millis);
        report.Target($"personalize: p50 of POST /personalize at {Clients} clients < 20 ms", p50 < 20 && personalize.Failures == 0,
            string.Create(CultureInfo.InvariantCulture, $"{p50:F2} ms, {personalize.Failures} failures"));
    }

    private static async Task<HttpResponseMessage> Personalize(HttpClient client)
    {
        using var content = new StringContent(PersonalizeBody, Encoding.UTF8, "application/json");
        return await client.PostAsync("/personalize", content);
    }

    /// <summary>Committed transactions of the database; PostgreSQL publishes the counters at most once a second.</summary>
    private static async Task<long> CommitsAsync(string connectionString)
    {
        await Task.Delay(TimeSpan.FromSeconds(1.5));
        await using var conn = new NpgsqlConnection(connectionString);
        await conn.OpenAsync();
        await using var cmd = new NpgsqlCommand("SELECT xact_commit FROM pg_stat_database WHERE datname = current_database()", conn);
        return (long)(await cmd.ExecuteScalarAsync())!;
    }

    private static Task<HttpResponseMessage> OrganizationMe(HttpClient client) => client.GetAsync("/organizations/me");

    /// <summary>ENTERPRISE organizations created through the API, one authenticated client each.</summary>
    private static async Task<HttpClient[]> CreateOrganizationsAsync(BenchHost app, HttpClient platform, int count)
    {
        var clients = new HttpClient[count];
        for (var i = 0; i < count; i++)
        {
            using var content = new StringContent($$"""{ "name": "bench org {{i}}", "tier": "ENTERPRISE" }""", Encoding.UTF8, "application/json");
            using var response = await platform.PostAsync("/organizations", content);
            var body = await response.Content.ReadAsStringAsync();
            if (response.StatusCode != HttpStatusCode.Created)
            {
                throw new InvalidOperationException($"creating a bench organization failed: {(int)response.StatusCode} {body}");
            }
            using var json = System.Text.Json.JsonDocument.Parse(body);
            clients[i] = app.CreateClient();
            clients[i].DefaultRequestHeaders.Authorization =
                new AuthenticationHeaderValue("Bearer", json.RootElement.GetProperty("api_key").GetProperty("key").GetString());
        }
        return clients;
    }

    private void Record(string name, Run run, int clients)
    {
        report.Figure(Suite, name + " p50", Stats.Median(run.Millis), "ms");
        report.Figure(Suite, name + " p95", Stats.Percentile(run.Millis, 95), "ms");
        report.Figure(Suite, name + " p99", Stats.Percentile(run.Millis, 99), "ms");
        report.Figure(Suite, name + " throughput", run.PerSecond, "req/s", $"{run.Millis.Length} requests, {clients} clients");
    }

    /// <summary><paramref name="clients"/> loops share one counter, so exactly <paramref name="total"/> requests are sent.</summary>
    private static Task<Run> RunAsync(HttpClient client, int total, Func<HttpClient, Task<HttpResponseMessage>> send, int clients = Clients) =>
        RunAsync(Enumerable.Repeat(client, clients).ToArray(), total, send);

    /// <summary>One loop per client (loop k sends with <paramref name="clients"/>[k]); the loops share one counter.</summary>
    private static async Task<Run> RunAsync(HttpClient[] clients, int total, Func<HttpClient, Task<HttpResponseMessage>> send)
    {
        var millis = new double[total];
        var next = -1;
        var failures = 0;
        string? firstFailure = null;
        var wall = Stopwatch.StartNew();
        var loops = clients.Select(client => Task.Run(async () =>
        {
            int i;
            while ((i = Interlocked.Increment(ref next)) < total)
            {
                var start = Stopwatch.GetTimestamp();
                using var response = await send(client);
                var body = await response.Content.ReadAsStringAsync();
                millis[i] = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
                if (response.StatusCode != HttpStatusCode.OK)
                {
                    Interlocked.Increment(ref failures);
                    Interlocked.CompareExchange(ref firstFailure, $"{(int)response.StatusCode} {body[..Math.Min(300, body.Length)]}", null);
                }
            }
        }));
        await Task.WhenAll(loops);
        wall.Stop();
        return new Run(millis, total / wall.Elapsed.TotalSeconds, failures, firstFailure);
    }

    private sealed record Run(double[] Millis, double PerSecond, int Failures, string? FirstFailure);

    /// <summary>
    /// The host's own Program. Typed by a host class rather than <c>Program</c> because this assembly's top-level
    /// statements declare a <c>Program</c> of their own; the factory only needs a type from the host assembly.
    /// </summary>
    internal sealed class BenchHost(string connectionString) : WebApplicationFactory<OrganizationService>
    {
        protected override void ConfigureWebHost(IWebHostBuilder builder)
        {
            // The factory looks for MvcTestingAppManifest.json in the current directory, which `dotnet run` does not
            // make the output folder; the host has no content files, so the output folder is a valid content root.
            builder.UseContentRoot(AppContext.BaseDirectory);
            builder.UseSetting("ConnectionStrings:Postgres", connectionString);
            builder.UseSetting("Auth:BootstrapApiKey", BootstrapKey);
            builder.UseSetting("Llm:Provider", "Offline");
            // Capacity, not policy: one key drives the whole load, far above the default per-key limit (ADR 0028).
            builder.UseSetting("RateLimits:PerKey:PermitsPerSecond", "0");
            builder.UseSetting("Projections:Enabled", "true");
            builder.UseSetting("Logging:LogLevel:Default", "Warning");
            builder.UseEnvironment("Production");
        }
    }
}

/// <summary>What a measured pass cost per request: machine CPU (PostgreSQL included), this process's CPU, managed allocation.</summary>
internal readonly record struct PassCost(double MachineMs, double ProcessMs, double AllocatedKb, double PostgresMs);

/// <summary>The CPU and allocation counters at the start of a pass; <see cref="Per"/> divides what was spent since by the requests.</summary>
internal readonly record struct PassMeter(TimeSpan Machine, TimeSpan Process, long Allocated, TimeSpan Postgres)
{
    public static PassMeter Start() =>
        new(MachineBusy(), System.Diagnostics.Process.GetCurrentProcess().TotalProcessorTime, GC.GetTotalAllocatedBytes(precise: true), PostgresCpu.Total());

    public PassCost Per(int requests) => new(
        (MachineBusy() - Machine).TotalMilliseconds / requests,
        (System.Diagnostics.Process.GetCurrentProcess().TotalProcessorTime - Process).TotalMilliseconds / requests,
        (GC.GetTotalAllocatedBytes(precise: true) - Allocated) / 1024.0 / requests,
        (PostgresCpu.Total() - Postgres).TotalMilliseconds / requests);

    /// <summary>Busy CPU time of the whole machine from /proc/stat (user + nice + system + irq + softirq + steal); zero elsewhere.</summary>
    private static TimeSpan MachineBusy()
    {
        if (!File.Exists("/proc/stat"))
        {
            return TimeSpan.Zero;
        }
        var fields = File.ReadLines("/proc/stat").First().Split(' ', StringSplitOptions.RemoveEmptyEntries);
        long ticks = 0;
        foreach (var i in (int[])[1, 2, 3, 6, 7, 8])
        {
            ticks += long.Parse(fields[i], CultureInfo.InvariantCulture);
        }
        return TimeSpan.FromSeconds(ticks / 100.0); // USER_HZ is 100 on Linux
    }
}

/// <summary>Sums the durations of the activities of one source while alive.</summary>
internal sealed class ActivityTimer : IDisposable
{
    private readonly ActivityListener _listener;
    private long _ticks;

    public ActivityTimer(string source)
    {
        _listener = new ActivityListener
        {
            ShouldListenTo = s => s.Name == source,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllData,
            ActivityStopped = a => Interlocked.Add(ref _ticks, a.Duration.Ticks),
        };
        ActivitySource.AddActivityListener(_listener);
    }

    public double TotalMilliseconds => TimeSpan.FromTicks(Interlocked.Read(ref _ticks)).TotalMilliseconds;

    public void Dispose() => _listener.Dispose();
}

/// <summary>Counts Npgsql's command activities (one per command or batch sent) while alive.</summary>
internal sealed class NpgsqlCommandCounter : IDisposable
{
    private readonly ActivityListener _listener;
    private long _count;

    public NpgsqlCommandCounter()
    {
        _listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name == "Npgsql",
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => Statements is null ? ActivitySamplingResult.PropagationData : ActivitySamplingResult.AllData,
            ActivityStarted = _ => Interlocked.Increment(ref _count),
            ActivityStopped = a =>
            {
                if (Statements is not null && (a.GetTagItem("db.query.text") ?? a.GetTagItem("db.statement")) is string sql)
                {
                    var key = string.Join(' ', sql.Split((char[])[' ', '\n', '\r', '\t'], StringSplitOptions.RemoveEmptyEntries));
                    Statements.AddOrUpdate(key.Length > 110 ? key[..110] : key, 1, (_, n) => n + 1);
                }
            },
        };
        ActivitySource.AddActivityListener(_listener);
    }

    public long Count => Interlocked.Read(ref _count);

    /// <summary>Statement texts and counts, when OUTREACHOS_BENCH_SQL=1 (diagnostic; recording them costs time).</summary>
    public System.Collections.Concurrent.ConcurrentDictionary<string, int>? Statements { get; } =
        Environment.GetEnvironmentVariable("OUTREACHOS_BENCH_SQL") == "1" ? new(StringComparer.Ordinal) : null;

    public void Dispose() => _listener.Dispose();
}
