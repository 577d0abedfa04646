using System.Diagnostics.Metrics;
using Microsoft.Extensions.DependencyInjection;
using OutreachOS.Generation.Telemetry;

namespace OutreachOS.UnitTests.Generation;

public sealed class GenerationMetricsTests
{
    [Fact]
    public void First_attempt_outcomes_are_counted_by_outcome_so_the_pass_rate_can_be_derived()
    {
        using var services = new ServiceCollection().AddMetrics().BuildServiceProvider();
        var factory = services.GetRequiredService<IMeterFactory>();
        var seen = new Dictionary<string, long>();
        using var listener = new MeterListener
        {
            InstrumentPublished = (instrument, l) =>
            {
                if (ReferenceEquals(instrument.Meter.Scope, factory) && instrument.Name == "outreachos.generation.first_attempt_variants")
                {
                    l.EnableMeasurementEvents(instrument);
                }
            },
        };
        listener.SetMeasurementEventCallback<long>((_, value, tags, _) =>
        {
            var outcome = (string)tags.ToArray().Single(t => t.Key == "outcome").Value!;
            seen[outcome] = seen.GetValueOrDefault(outcome) + value;
        });
        listener.Start();

        var metrics = new GenerationMetrics(factory);
        metrics.FirstAttempt(passed: 2, blocked: 1);
        metrics.FirstAttempt(passed: 3, blocked: 0);

        Assert.Equal(5, seen["passed"]);
        Assert.Equal(1, seen["blocked"]);
        Assert.Equal(5.0 / 6.0, seen["passed"] / (double)(seen["passed"] + seen["blocked"]), 6);
    }
}
