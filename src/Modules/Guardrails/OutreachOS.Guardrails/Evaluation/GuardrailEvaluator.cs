using System.Diagnostics;
using OutreachOS.Guardrails.Checks;
using OutreachOS.Guardrails.Contracts;

namespace OutreachOS.Guardrails.Evaluation;

/// <summary>
/// Runs every check over one variant. The checks are pure CPU work measured in microseconds, so for ordinary
/// messages they run inline and the ValueTask completes synchronously (scheduling them on the thread pool would
/// cost more than the checks). Very long texts fan the checks out with Task.WhenAll. Either way the flags come
/// back in check order, so the report is deterministic.
/// </summary>
internal sealed class GuardrailEvaluator : IGuardrailEvaluator
{
    /// <summary>Above this many characters (subject + body) the checks run concurrently.</summary>
    internal const int DefaultParallelThreshold = 8_000;

    private readonly IGuardrailCheck[] _checks;
    private readonly IGuardrailCheck[] _wordingChecks;
    private readonly int _parallelThreshold;

    // The variants of one request share their source texts, and indexing them is the largest fixed cost of an
    // evaluation: the last index is reused when the next input carries the same sources. The index is immutable,
    // so a plain volatile swap is thread-safe (a race at worst builds an index twice).
    private volatile SourceIndex? _lastSources;

    public GuardrailEvaluator(IEnumerable<IGuardrailCheck> checks)
        : this(checks, DefaultParallelThreshold)
    {
    }

    internal GuardrailEvaluator(IEnumerable<IGuardrailCheck> checks, int parallelThreshold)
    {
        _checks = checks.ToArray();
        _wordingChecks = [.. _checks.Where(c => c is SpamPhraseCheck or SafetyCheck)];
        _parallelThreshold = parallelThreshold;
    }

    /// <summary>The built-in checks in report order.</summary>
    public static IGuardrailCheck[] DefaultChecks() =>
    [
        new LengthCheck(),
        new SpamPhraseCheck(),
        new UnsourcedClaimsCheck(),
        new RequiredElementsCheck(),
        new FrameworkCheck(),
        new SafetyCheck(),
    ];

    public static GuardrailEvaluator CreateDefault(int parallelThreshold = DefaultParallelThreshold) =>
        new(DefaultChecks(), parallelThreshold);

    public ValueTask<GuardrailReport> EvaluateAsync(GuardrailInput input, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(input);
        ct.ThrowIfCancellationRequested();

        var started = Stopwatch.GetTimestamp();
        var cached = _lastSources;
        var sources = cached is not null && cached.IsFor(input) ? cached : new SourceIndex(input);
        if (!input.WordingOnly)
        {
            _lastSources = sources; // a context screen between a request's variants would evict their index
        }

        var context = new GuardrailContext(input, sources);
        var prepare = new CheckTiming("prepare", Stopwatch.GetElapsedTime(started));

        var checks = input.WordingOnly ? _wordingChecks : _checks;
        var size = (input.Message?.Length ?? 0) + (input.Subject?.Length ?? 0);
        return size < _parallelThreshold
            ? ValueTask.FromResult(RunInline(checks, context, prepare, ct))
            : new ValueTask<GuardrailReport>(RunConcurrentlyAsync(checks, context, prepare, ct));
    }

    private static GuardrailReport RunInline(IGuardrailCheck[] checks, GuardrailContext context, CheckTiming prepare, CancellationToken ct)
    {
        var flags = new List<RiskFlag>();
        var timings = new CheckTiming[checks.Length + 1];
        timings[0] = prepare;
        for (var i = 0; i < checks.Length; i++)
        {
            ct.ThrowIfCancellationRequested();
            var started = Stopwatch.GetTimestamp();
            checks[i].Run(context, flags);
            timings[i + 1] = new CheckTiming(checks[i].Name, Stopwatch.GetElapsedTime(started));
        }

        return new GuardrailReport(flags, timings);
    }

    private static async Task<GuardrailReport> RunConcurrentlyAsync(IGuardrailCheck[] checks, GuardrailContext context, CheckTiming prepare, CancellationToken ct)
    {
        var results = await Task.WhenAll(checks.Select(check => Task.Run(
            () =>
            {
                var started = Stopwatch.GetTimestamp();
                var own = new List<RiskFlag>();
                check.Run(context, own);
                return (Flags: own, Timing: new CheckTiming(check.Name, Stopwatch.GetElapsedTime(started)));
            },
            ct)));

        var flags = new List<RiskFlag>();
        var timings = new List<CheckTiming>(results.Length + 1) { prepare };
        foreach (var (own, timing) in results)
        {
            flags.AddRange(own);
            timings.Add(timing);
        }

        return new GuardrailReport(flags, timings);
    }
}
