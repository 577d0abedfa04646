using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace OutreachOS.Llm;

/// <summary>
/// Names of the trace source and meter of every LLM call, for the host's OpenTelemetry wiring
/// (<c>AddSource(LlmTelemetry.SourceName)</c>, <c>AddMeter(LlmTelemetry.MeterName)</c>).
/// Tags follow the OpenTelemetry gen_ai conventions where one exists.
/// </summary>
public static class LlmTelemetry
{
    public const string SourceName = "OutreachOS.Llm";
    public const string MeterName = "OutreachOS.Llm";

    public const string CallsInstrument = "outreachos.llm.calls";
    public const string TokensInstrument = "outreachos.llm.tokens";
    public const string CostInstrument = "outreachos.llm.cost";
    public const string LatencyInstrument = "outreachos.llm.latency";
    public const string HttpAttemptsInstrument = "outreachos.llm.http_attempts";

    public const string ProviderTag = "gen_ai.provider.name";
    public const string ModelTag = "gen_ai.request.model";
    public const string ResponseModelTag = "gen_ai.response.model";
    public const string TaskTag = "outreachos.llm.task";
    public const string OutcomeTag = "outreachos.llm.outcome";
    public const string TokenTypeTag = "gen_ai.token.type";

    internal static readonly ActivitySource Source = new(SourceName);
}

/// <summary>Instruments created from the host's <see cref="IMeterFactory"/> so tests can listen to one container only.</summary>
internal sealed class LlmMetrics
{
    public LlmMetrics(IMeterFactory meterFactory)
    {
        var meter = meterFactory.Create(LlmTelemetry.MeterName);
        Calls = meter.CreateCounter<long>(LlmTelemetry.CallsInstrument, "{call}", "LLM calls, by outcome (ok, transient_error, error).");
        Tokens = meter.CreateCounter<long>(LlmTelemetry.TokensInstrument, "{token}", "Billed tokens, by gen_ai.token.type (input, output).");
        Cost = meter.CreateCounter<double>(LlmTelemetry.CostInstrument, "USD", "Cost from the price table.");
        Latency = meter.CreateHistogram<double>(LlmTelemetry.LatencyInstrument, "s", "Wall time of a call, SDK retries included.");
        HttpAttempts = meter.CreateCounter<long>(LlmTelemetry.HttpAttemptsInstrument, "{request}", "HTTP requests sent to providers, retries included.");
    }

    public Counter<long> Calls { get; }

    public Counter<long> Tokens { get; }

    public Counter<double> Cost { get; }

    public Histogram<double> Latency { get; }

    public Counter<long> HttpAttempts { get; }
}
