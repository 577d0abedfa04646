using System.Diagnostics.Metrics;

namespace OutreachOS.Generation.Telemetry;

/// <summary>
/// Meter <c>OutreachOS.Generation</c>. The first-attempt pass rate is
/// <c>outreachos.generation.first_attempt_variants{outcome=passed}</c> / the same counter over all outcomes.
/// </summary>
internal sealed class GenerationMetrics
{
    public const string MeterName = "OutreachOS.Generation";

    private readonly Counter<long> _firstAttempt;
    private readonly Counter<long> _retries;
    private readonly Counter<long> _overrides;

    public GenerationMetrics(IMeterFactory meters)
    {
        var meter = meters.Create(MeterName);
        _firstAttempt = meter.CreateCounter<long>("outreachos.generation.first_attempt_variants", "{variant}",
            "Variants checked by the guardrails on the first model call, by outcome (passed / blocked).");
        _retries = meter.CreateCounter<long>("outreachos.generation.guardrail_retries", "{retry}", "Retries triggered by a BLOCK or unparseable output.");
        _overrides = meter.CreateCounter<long>("outreachos.generation.block_overrides", "{selection}", "Blocked variants selected with override.");
    }

    public void FirstAttempt(int passed, int blocked)
    {
        if (passed > 0)
        {
            _firstAttempt.Add(passed, new KeyValuePair<string, object?>("outcome", "passed"));
        }

        if (blocked > 0)
        {
            _firstAttempt.Add(blocked, new KeyValuePair<string, object?>("outcome", "blocked"));
        }
    }

    public void Retry(string reason) => _retries.Add(1, new KeyValuePair<string, object?>("reason", reason));

    public void Override() => _overrides.Add(1);
}
