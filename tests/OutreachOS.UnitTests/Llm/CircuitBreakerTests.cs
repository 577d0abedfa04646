using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using OutreachOS.Llm;
using OutreachOS.UnitTests.Ingestion.OAuth;

namespace OutreachOS.UnitTests.Llm;

/// <summary>The LLM circuit breaker: the real OpenAI SDK against the loopback stub, time moved by hand.</summary>
public sealed class CircuitBreakerTests
{
    private static readonly DateTimeOffset T0 = DateTimeOffset.Parse("2026-12-02T12:00:00Z", System.Globalization.CultureInfo.InvariantCulture);

    private static LlmTestHost Host(StubLlmServer stub, ManualClock clock, int threshold = 2)
    {
        var settings = Prompts.Settings("OpenAI", stub.BaseUrl, maxRetries: 0);
        settings["Llm:CircuitBreaker:FailureThreshold"] = threshold.ToString(System.Globalization.CultureInfo.InvariantCulture);
        settings["Llm:CircuitBreaker:OpenSeconds"] = "30";
        return new LlmTestHost(settings, s => s.AddSingleton<TimeProvider>(clock));
    }

    [Fact]
    public async Task After_consecutive_transient_failures_calls_fail_at_once_until_a_trial_call_succeeds()
    {
        var clock = new ManualClock(T0);
        await using var stub = await StubLlmServer.StartAsync(StubResponse.Error(503), StubResponse.Error(503), OpenAIProviderTests.Completion(), OpenAIProviderTests.Completion());
        using var host = Host(stub, clock);

        for (var i = 0; i < 2; i++)
        {
            await Assert.ThrowsAsync<LlmCallFailedException>(() => host.Client.CompleteAsync(Prompts.Classify(), CancellationToken.None));
        }
        Assert.Equal(2, stub.Requests.Count);

        // Open: no request leaves, the failure is transient (a bus may retry later) and says when the next call goes through.
        var open = await Assert.ThrowsAsync<LlmCallFailedException>(() => host.Client.CompleteAsync(Prompts.Classify(), CancellationToken.None));
        Assert.Equal(2, stub.Requests.Count);
        Assert.Equal((true, 0, true), (open.IsTransient, open.Attempts, open.MayRetryOutside));
        Assert.Contains("circuit breaker is open after 2 consecutive transient failures", open.Message, StringComparison.Ordinal);
        Assert.Contains((T0 + TimeSpan.FromSeconds(30)).ToString("O"), open.Message, StringComparison.Ordinal);
        Assert.Contains(host.Logs.Entries, e => e.Level == LogLevel.Warning && e.Message.Contains("circuit breaker opened for OpenAI", StringComparison.Ordinal));

        // After the open period one trial goes through; it succeeds, the breaker closes, calls flow again.
        clock.Now = T0 + TimeSpan.FromSeconds(30);
        var trial = await host.Client.CompleteAsync(Prompts.Classify(), CancellationToken.None);
        Assert.Equal(1, trial.HttpAttempts);
        await host.Client.CompleteAsync(Prompts.Classify(), CancellationToken.None);
        Assert.Equal(4, stub.Requests.Count);
        Assert.Contains(host.Logs.Entries, e => e.Message.Contains("circuit breaker closed for OpenAI", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_failed_trial_opens_it_again_and_a_non_transient_answer_resets_the_count()
    {
        var clock = new ManualClock(T0);
        await using var stub = await StubLlmServer.StartAsync(
            StubResponse.Error(503), StubResponse.Error(400), StubResponse.Error(503), // a 400 in between: no run of two
            StubResponse.Error(503), // now two in a row: open
            StubResponse.Error(503)); // the trial fails
        using var host = Host(stub, clock);

        for (var i = 0; i < 4; i++)
        {
            await Assert.ThrowsAsync<LlmCallFailedException>(() => host.Client.CompleteAsync(Prompts.Classify(), CancellationToken.None));
            Assert.Equal(i + 1, stub.Requests.Count); // still closed through the third call, opened by the fourth
        }
        await Assert.ThrowsAsync<LlmCallFailedException>(() => host.Client.CompleteAsync(Prompts.Classify(), CancellationToken.None));
        Assert.Equal(4, stub.Requests.Count);

        clock.Now = T0 + TimeSpan.FromSeconds(31);
        await Assert.ThrowsAsync<LlmCallFailedException>(() => host.Client.CompleteAsync(Prompts.Classify(), CancellationToken.None));
        Assert.Equal(5, stub.Requests.Count); // the trial
        var again = await Assert.ThrowsAsync<LlmCallFailedException>(() => host.Client.CompleteAsync(Prompts.Classify(), CancellationToken.None));
        Assert.Equal(5, stub.Requests.Count); // open again for another 30 s
        Assert.Equal(0, again.Attempts);
    }

    [Fact]
    public void Half_open_lets_one_trial_through_at_a_time_and_a_cancelled_trial_frees_the_slot()
    {
        var clock = new ManualClock(T0);
        var circuit = new LlmCircuit(new LlmCircuitSettings(1, TimeSpan.FromSeconds(10)), clock);
        Assert.True(circuit.TryEnter(out _, out var closedCall));
        Assert.False(closedCall); // not a trial: the breaker was closed
        Assert.Equal((true, true), circuit.Record(transientFailure: true, closedCall));
        Assert.False(circuit.TryEnter(out var retryAt, out _));
        Assert.Equal(T0 + TimeSpan.FromSeconds(10), retryAt);

        clock.Now = T0 + TimeSpan.FromSeconds(10);
        Assert.True(circuit.TryEnter(out _, out var trial)); // the trial
        Assert.True(trial);
        Assert.False(circuit.TryEnter(out _, out _)); // a concurrent call waits for the trial's outcome
        circuit.Release(trial: false);                // a call that was not the trial cannot free its slot
        Assert.False(circuit.TryEnter(out _, out _));
        circuit.Release(trial);                       // the trial's caller gave up
        Assert.True(circuit.TryEnter(out _, out var second));
        Assert.Equal((true, false), circuit.Record(transientFailure: false, second));
        Assert.True(circuit.TryEnter(out _, out _));
        Assert.True(circuit.TryEnter(out _, out _));

        var off = new LlmCircuit(new LlmCircuitSettings(0, TimeSpan.FromSeconds(10)), clock);
        for (var i = 0; i < 10; i++)
        {
            off.Record(transientFailure: true, trial: false);
        }
        Assert.True(off.TryEnter(out _, out _));
    }
}
