using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using Microsoft.Extensions.DependencyInjection;
using OutreachOS.Llm;

namespace OutreachOS.UnitTests.Llm;

public sealed class LlmTelemetryTests
{
    private sealed record Measurement(string Instrument, double Value, IReadOnlyDictionary<string, object?> Tags);

    /// <summary>Listens to this container's meter only, and to the activities of one task only.</summary>
    private sealed class Recorder : IDisposable
    {
        private readonly MeterListener _meters = new();
        private readonly ActivityListener _activities;

        public Recorder(IServiceProvider services, string task)
        {
            var factory = services.GetRequiredService<IMeterFactory>();
            _meters.InstrumentPublished = (instrument, listener) =>
            {
                if (ReferenceEquals(instrument.Meter.Scope, factory) && instrument.Meter.Name == LlmTelemetry.MeterName)
                {
                    listener.EnableMeasurementEvents(instrument);
                }
            };
            _meters.SetMeasurementEventCallback<long>((i, v, tags, _) => Record(i, v, tags));
            _meters.SetMeasurementEventCallback<double>((i, v, tags, _) => Record(i, v, tags));
            _meters.Start();

            _activities = new ActivityListener
            {
                ShouldListenTo = source => source.Name == LlmTelemetry.SourceName,
                Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
                ActivityStopped = a =>
                {
                    if (a.GetTagItem(LlmTelemetry.TaskTag) as string == task)
                    {
                        Activities.Enqueue(a);
                    }
                },
            };
            ActivitySource.AddActivityListener(_activities);
        }

        public ConcurrentQueue<Measurement> Measurements { get; } = new();

        public ConcurrentQueue<Activity> Activities { get; } = new();

        public double Sum(string instrument, string? tag = null, string? value = null) => Measurements
            .Where(m => m.Instrument == instrument && (tag is null || Equals(m.Tags.GetValueOrDefault(tag), value)))
            .Sum(m => m.Value);

        public void Dispose()
        {
            _meters.Dispose();
            _activities.Dispose();
        }

        private void Record(Instrument instrument, double value, ReadOnlySpan<KeyValuePair<string, object?>> tags) =>
            Measurements.Enqueue(new Measurement(instrument.Name, value, tags.ToArray().ToDictionary(t => t.Key, t => t.Value)));
    }

    [Fact]
    public async Task A_successful_call_records_an_activity_and_calls_tokens_cost_latency_and_attempts()
    {
        await using var stub = await StubLlmServer.StartAsync(OpenAIProviderTests.Completion(input: 1000, output: 500));
        using var host = new LlmTestHost(Prompts.Settings("OpenAI", stub.BaseUrl));
        using var recorder = new Recorder(host.Services, "telemetry-ok.v1");

        await host.Client.CompleteAsync(Prompts.Classify("telemetry-ok.v1", "gpt-4o-mini"), CancellationToken.None);

        var activity = Assert.Single(recorder.Activities);
        Assert.Equal(ActivityKind.Client, activity.Kind);
        Assert.Equal("OpenAI", activity.GetTagItem(LlmTelemetry.ProviderTag));
        Assert.Equal("gpt-4o-mini", activity.GetTagItem(LlmTelemetry.ModelTag));
        Assert.Equal(1000, activity.GetTagItem("gen_ai.usage.input_tokens"));
        Assert.Equal(500, activity.GetTagItem("gen_ai.usage.output_tokens"));

        var call = Assert.Single(recorder.Measurements, m => m.Instrument == LlmTelemetry.CallsInstrument);
        Assert.Equal("ok", call.Tags[LlmTelemetry.OutcomeTag]);
        Assert.Equal("OpenAI", call.Tags[LlmTelemetry.ProviderTag]);
        Assert.Equal("gpt-4o-mini", call.Tags[LlmTelemetry.ModelTag]);
        Assert.Equal("telemetry-ok.v1", call.Tags[LlmTelemetry.TaskTag]);
        Assert.Equal(1000, recorder.Sum(LlmTelemetry.TokensInstrument, LlmTelemetry.TokenTypeTag, "input"));
        Assert.Equal(500, recorder.Sum(LlmTelemetry.TokensInstrument, LlmTelemetry.TokenTypeTag, "output"));
        // 1000 * 0.15 / 1e6 + 500 * 0.60 / 1e6
        Assert.Equal(0.00045, recorder.Sum(LlmTelemetry.CostInstrument), 9);
        Assert.Equal(1, recorder.Sum(LlmTelemetry.HttpAttemptsInstrument));
        Assert.Single(recorder.Measurements, m => m.Instrument == LlmTelemetry.LatencyInstrument && m.Value > 0);
    }

    [Fact]
    public async Task A_failed_call_marks_the_activity_as_error_and_counts_every_attempt()
    {
        await using var stub = await StubLlmServer.StartAsync(StubResponse.Error(500), StubResponse.Error(500));
        using var host = new LlmTestHost(Prompts.Settings("OpenAI", stub.BaseUrl, maxRetries: 1));
        using var recorder = new Recorder(host.Services, "telemetry-fail.v1");

        await Assert.ThrowsAsync<LlmCallFailedException>(
            () => host.Client.CompleteAsync(Prompts.Classify("telemetry-fail.v1"), CancellationToken.None));

        var activity = Assert.Single(recorder.Activities);
        Assert.Equal(ActivityStatusCode.Error, activity.Status);
        Assert.Equal(true, activity.GetTagItem("outreachos.llm.already_retried"));
        var call = Assert.Single(recorder.Measurements, m => m.Instrument == LlmTelemetry.CallsInstrument);
        Assert.Equal("transient_error", call.Tags[LlmTelemetry.OutcomeTag]);
        Assert.Equal(2, recorder.Sum(LlmTelemetry.HttpAttemptsInstrument));
        Assert.Equal(0, recorder.Sum(LlmTelemetry.TokensInstrument));
    }
}
