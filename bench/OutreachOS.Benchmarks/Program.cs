using OutreachOS.Benchmarks;
using OutreachOS.Benchmarks.Suites;

// dotnet run -c Release --project bench/OutreachOS.Benchmarks -- <eventstore|projections|relay|guardrails|personalize|inbound|kpi|erasure|all> [--quick] [--single N] [--rounds R]
var suite = args.FirstOrDefault(a => !a.StartsWith("--", StringComparison.Ordinal) && !int.TryParse(a, out _)) ?? "all";
var quick = args.Contains("--quick");
// --single N: the number of one-client /personalize requests (default 100, --quick 30); a larger N gives a profiler a steady window.
var single = PositiveOption("--single");
// --rounds R: repeat the measured 20-client /personalize pass R times and report the median round (A/B comparisons).
var rounds = PositiveOption("--rounds") ?? 1;
string[] known = ["eventstore", "projections", "relay", "guardrails", "personalize", "inbound", "kpi", "erasure", "all"];
if (!known.Contains(suite))
{
    await Console.Error.WriteLineAsync($"Unknown suite '{suite}'. Usage: -- <{string.Join('|', known)}> [--quick] [--single N] [--rounds R]");
    return 2;
}

var report = new Report();
Progress.Line($"OutreachOS benchmarks: suite={suite} quick={quick} nproc={Environment.ProcessorCount} started={DateTimeOffset.UtcNow:u}");
await using var postgres = await BenchPostgres.StartAsync();
try
{
    if (suite is "eventstore" or "all")
    {
        await new EventStoreSuite(postgres, report, quick).RunAsync();
    }
    if (suite is "projections" or "all")
    {
        await new ProjectionSuite(postgres, report, quick).RunAsync();
    }
    if (suite is "relay" or "all")
    {
        await new RelaySuite(postgres, report, quick).RunAsync();
    }
    if (suite is "guardrails" or "all")
    {
        await new GuardrailsSuite(report, quick).RunAsync();
    }
    if (suite is "kpi") { await new OutreachOS.Benchmarks.Analytics.KpiSuite(postgres, report, quick).RunAsync(); } // not in "all": 1M events
    if (suite is "personalize" or "all")
    {
        await new PersonalizeSuite(postgres, report, quick, single, rounds).RunAsync();
    }
    if (suite is "erasure")
    {
        await new ErasureSuite(postgres, report, quick).RunAsync(); // not in "all": loads 100k events
    }
    if (suite is "inbound")
    {
        await new OutreachOS.Benchmarks.Inbound.InboundSuite(postgres, report, quick).RunAsync();
    }
}
finally
{
    report.Print(postgres.Description);
}
return 0;

// The positive number after a flag, or null when the flag is absent or not followed by one.
int? PositiveOption(string flag)
{
    var at = Array.IndexOf(args, flag);
    return at >= 0 && at + 1 < args.Length && int.TryParse(args[at + 1], out var value) && value > 0 ? value : null;
}
