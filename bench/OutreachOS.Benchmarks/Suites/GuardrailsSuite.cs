using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;
using OutreachOS.Guardrails.Checks;
using OutreachOS.Guardrails.Contracts;
using OutreachOS.Guardrails.Evaluation;

namespace OutreachOS.Benchmarks.Suites;

/// <summary>
/// The guardrail evaluator (all default checks, inline path) on a realistic 120-word email, one evaluation at a time,
/// against a single compiled <see cref="Regex"/> scan of the same text for the built-in spam phrase list.
/// No database; a Stopwatch per call, so p95/p99 include GC pauses as a caller would see them.
/// </summary>
internal sealed class GuardrailsSuite(Report report, bool quick)
{
    private const string Suite = "guardrails";

    private const string Body = """
        Hi Sarah,

        Congrats on the Chicago office. I noticed Acme Logistics is hiring 12 SDRs, and ramp time usually becomes
        the bottleneck when a team grows that fast: new reps spend their first weeks researching accounts instead
        of talking to retailers across the Midwest.

        Outreachly gives new reps researched, personalized drafts inside HubSpot, grounded in what each account
        actually shares, so they can focus on conversations from their first week. Managers keep control of tone
        and wording, and every draft stays inside the process you already run in Gong and HubSpot today.

        Would you be open to a 15-min call next week to see if it fits your outbound prospecting plans?

        Best,
        Tom
        """;

    private static readonly GuardrailInput Input = new()
    {
        Channel = MessageChannel.Email,
        Subject = "Ramp time for your 12 new SDRs",
        Message = Body,
        LeadFirstName = "Sarah",
        LeadCompany = "Acme Logistics",
        Goal = "book a 15-min call",
        MaxWords = 120,
        SourceTexts =
        [
            "Lead: Sarah Chen, VP of Sales at Acme Logistics",
            "Company summary: Acme Logistics runs freight brokerage for mid-market retailers across the Midwest.",
            "Signals: hiring 12 SDRs; opened a Chicago office in 2024; 40% growth in shipments last quarter",
            "Tech stack: HubSpot, Gong",
            "Keywords: outbound prospecting, rep ramp time",
            "Sender: Tom Baker, Outreachly",
        ],
    };

    public async Task RunAsync()
    {
        var n = quick ? 5_000 : 20_000;
        var warmup = quick ? 1_000 : 3_000;
        var words = Body.Split((char[])[' ', '\n', '\r'], StringSplitOptions.RemoveEmptyEntries).Length;
        var evaluator = GuardrailEvaluator.CreateDefault();

        var first = await evaluator.EvaluateAsync(Input, CancellationToken.None);
        if (!first.Passed)
        {
            throw new InvalidOperationException("The benchmark email should pass every check: " +
                string.Join("; ", first.Flags.Select(f => $"{f.Code} {f.Detail}")));
        }

        // The evaluator keeps the last source index; a request's 3 variants share it, a new request rebuilds it.
        // The second input differs only in its goal, so alternating the two forces a rebuild on every call.
        var other = Input with { Goal = "book a 15-min call next week" };
        var spam = new Regex(
            string.Join('|', SpamPhraseCheck.Defaults.Select(p => Regex.Escape(p.Phrase)).Distinct(StringComparer.OrdinalIgnoreCase)),
            RegexOptions.IgnoreCase | RegexOptions.CultureInvariant | RegexOptions.Compiled);

        Progress.Line($"guardrails: {words} words, {Body.Length} chars, {first.Flags.Count} flags; warm-up {warmup:N0}, then {n:N0} timed calls per case");
        var sink = 0;
        for (var i = 0; i < warmup; i++)
        {
            sink += (await evaluator.EvaluateAsync(i % 2 == 0 ? Input : other, CancellationToken.None)).Flags.Count;
            sink += spam.Count(Body);
        }

        var baseline = Measure(n, _ => spam.Count(Body));
        var cached = await MeasureAsync(n, _ => evaluator.EvaluateAsync(Input, CancellationToken.None));
        var rebuilt = await MeasureAsync(n, i => evaluator.EvaluateAsync(i % 2 == 0 ? Input : other, CancellationToken.None));
        GC.KeepAlive(sink);

        Record("baseline: compiled Regex scan, spam phrase list", baseline, "");
        Record("evaluate, source index reused", cached, "3 variants of one request");
        Record("evaluate, source index rebuilt", rebuilt, "first variant of a request");
        // Where an evaluation spends its time: each check's own timing, as the report carries it (prepare = the source index).
        foreach (var (check, micros) in rebuilt.PerCheck!)
        {
            report.Figure(Suite, $"rebuilt: {check} p50", Stats.Median(micros), "µs", check == "prepare" ? "source index and message text" : "");
        }
        foreach (var (check, micros) in cached.PerCheck!)
        {
            report.Figure(Suite, $"reused: {check} p50", Stats.Median(micros), "µs");
        }
        var baseP50 = Stats.Median(baseline.Micros);
        report.Ratio(Suite, "p50 reused / baseline", Stats.Median(cached.Micros) / baseP50, "evaluator cost vs one regex scan");
        report.Ratio(Suite, "p50 rebuilt / baseline", Stats.Median(rebuilt.Micros) / baseP50);

        var worst = Math.Max(Stats.Median(cached.Micros), Stats.Median(rebuilt.Micros));
        report.Target("guardrails: p50 of one evaluation < 1 ms", worst < 1_000,
            string.Create(CultureInfo.InvariantCulture, $"{worst / 1000.0:F3} ms (worse of reused/rebuilt)"));
    }

    private void Record(string name, Sample sample, string note)
    {
        report.Figure(Suite, name + " p50", Stats.Median(sample.Micros), "µs", note);
        report.Figure(Suite, name + " p95", Stats.Percentile(sample.Micros, 95), "µs");
        report.Figure(Suite, name + " p99", Stats.Percentile(sample.Micros, 99), "µs");
        report.Figure(Suite, name + " alloc/call", sample.AllocatedBytesPerCall, "B");
    }

    private static Sample Measure(int n, Func<int, int> call)
    {
        var micros = new double[n];
        var sink = 0;
        var allocated = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < n; i++)
        {
            var start = Stopwatch.GetTimestamp();
            sink += call(i);
            micros[i] = Stopwatch.GetElapsedTime(start).TotalMicroseconds;
        }
        allocated = GC.GetAllocatedBytesForCurrentThread() - allocated;
        GC.KeepAlive(sink);
        return new Sample(micros, (double)allocated / n);
    }

    private static async Task<Sample> MeasureAsync(int n, Func<int, ValueTask<GuardrailReport>> call)
    {
        var micros = new double[n];
        var reports = new GuardrailReport[n];
        var allocated = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < n; i++)
        {
            var start = Stopwatch.GetTimestamp();
            reports[i] = await call(i);
            micros[i] = Stopwatch.GetElapsedTime(start).TotalMicroseconds;
        }
        // Inline path: every call completes synchronously, so all allocations are on this thread.
        allocated = GC.GetAllocatedBytesForCurrentThread() - allocated;
        var perCheck = reports.SelectMany(r => r.Timings).GroupBy(t => t.Check)
            .Select(g => (g.Key, (IReadOnlyList<double>)[.. g.Select(t => t.Elapsed.TotalMicroseconds)])).ToList();
        return new Sample(micros, (double)allocated / n) { PerCheck = perCheck };
    }

    private sealed record Sample(double[] Micros, double AllocatedBytesPerCall)
    {
        /// <summary>Each check's timings, in report order (evaluations only).</summary>
        public IReadOnlyList<(string Check, IReadOnlyList<double> Micros)>? PerCheck { get; init; }
    }
}
