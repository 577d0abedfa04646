using System.Diagnostics;
using System.Globalization;
using Microsoft.Extensions.Logging;
using OutreachOS.Llm.Pricing;

namespace OutreachOS.Llm;

/// <summary>
/// The <see cref="ILlmClient"/> every module gets: resolves defaults, counts HTTP attempts, prices the call,
/// records an activity and metrics for success and failure, and turns SDK failures into
/// <see cref="LlmCallFailedException"/>. Providers only translate a prompt into their SDK's request. A circuit breaker
/// (<see cref="LlmCircuit"/>) fails calls at once while the provider keeps failing transiently.
/// </summary>
internal sealed partial class LlmClient(ILlmProvider provider, LlmSettings settings, LlmPriceTable prices, LlmMetrics metrics, LlmCircuit circuit,
    ILogger<LlmClient> logger) : ILlmClient
{
    public bool SendsPromptsOutside => provider.IsBilled;

    public async Task<LlmCompletion> CompleteAsync(LlmPrompt prompt, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(prompt);
        ArgumentException.ThrowIfNullOrWhiteSpace(prompt.Task);
        if (prompt.JsonSchema is not null && string.IsNullOrWhiteSpace(prompt.JsonSchemaName))
        {
            throw new ArgumentException("A prompt with a JSON schema needs a JsonSchemaName.", nameof(prompt));
        }

        var request = Resolve(prompt);
        var tags = new TagList
        {
            { LlmTelemetry.ProviderTag, provider.Name },
            { LlmTelemetry.ModelTag, request.Model },
            { LlmTelemetry.TaskTag, prompt.Task },
        };

        using var activity = LlmTelemetry.Source.StartActivity($"chat {request.Model}", ActivityKind.Client);
        activity?.SetTag("gen_ai.operation.name", "chat");
        activity?.SetTag(LlmTelemetry.ProviderTag, provider.Name);
        activity?.SetTag(LlmTelemetry.ModelTag, request.Model);
        activity?.SetTag(LlmTelemetry.TaskTag, prompt.Task);
        activity?.SetTag("gen_ai.request.temperature", request.Temperature);
        activity?.SetTag("gen_ai.request.max_tokens", request.MaxOutputTokens);

        if (!circuit.TryEnter(out var retryAt, out var trial))
        {
            var open = new LlmCallFailedException(
                $"{provider.Name} call for task '{prompt.Task}' (model {request.Model}) not sent: the circuit breaker is open after "
                + $"{circuit.ConsecutiveFailures} consecutive transient failures; the next call goes through after {retryAt:O}",
                provider.Name, request.Model, prompt.Task, statusCode: null, isTransient: true, attempts: 0, innerException: null);
            activity?.SetStatus(ActivityStatusCode.Error, open.Message);
            activity?.SetTag("error.type", "circuit_open");
            var rejected = tags;
            rejected.Add(LlmTelemetry.OutcomeTag, "circuit_open");
            metrics.Calls.Add(1, rejected);
            throw open;
        }

        var attempts = HttpAttemptCounter.Begin();
        var started = Stopwatch.GetTimestamp();
        ProviderReply reply;
        // One deadline for the whole call, retries and their waits included (ADR 0008 addendum). When it fires the
        // caller's token is not cancelled, so the provider classifies the cancellation as a transient failure.
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(ct);
        deadline.CancelAfter(RetryDelayCap.CallDeadline(settings));
        try
        {
            reply = await provider.SendAsync(request, deadline.Token);
        }
        catch (Exception ex) when (provider.Classify(ex, ct) is { } failure)
        {
            Observe(transientFailure: failure.IsTransient, trial);
            var latency = Stopwatch.GetElapsedTime(started);
            // A 200 the provider billed but that was unusable (a refusal, no text) still costs its tokens.
            var usage = (ex as ProviderAnswerException)?.Usage;
            var failedCost = usage is null ? 0m : CostOf(usage.Model, request.Model, usage.InputTokens, usage.OutputTokens);
            var failed = new LlmCallFailedException(
                $"{provider.Name} call for task '{prompt.Task}' (model {request.Model}) failed after {attempts.Value} HTTP attempt(s)"
                + (failure.StatusCode is { } status ? $" with status {status.ToString(CultureInfo.InvariantCulture)}" : " without a response")
                + $": {ex.Message}",
                provider.Name,
                request.Model,
                prompt.Task,
                failure.StatusCode,
                failure.IsTransient,
                attempts.Value,
                ex,
                usage?.InputTokens ?? 0,
                usage?.OutputTokens ?? 0,
                failedCost);
            RecordFailure(activity, tags, failed, latency);
            throw failed;
        }
        catch (Exception ex)
        {
            // A trial call that ended without a provider answer (the caller cancelled) leaves the breaker as it was.
            circuit.Release(trial);
            // Not a provider failure (caller cancelled, unknown offline task, a bug): still visible in telemetry.
            activity?.SetStatus(ActivityStatusCode.Error, ex.Message);
            activity?.SetTag("error.type", ex.GetType().Name);
            var outcome = tags;
            outcome.Add(LlmTelemetry.OutcomeTag, ex is OperationCanceledException && ct.IsCancellationRequested ? "cancelled" : "error");
            metrics.Calls.Add(1, outcome);
            throw;
        }

        Observe(transientFailure: false, trial);
        var elapsed = Stopwatch.GetElapsedTime(started);
        var cost = CostOf(reply.Model, request.Model, reply.InputTokens, reply.OutputTokens);
        var completion = new LlmCompletion(
            reply.Text, provider.Name, reply.Model, reply.InputTokens, reply.OutputTokens, cost, elapsed, attempts.Value);
        RecordSuccess(activity, tags, completion);
        return completion;
    }

    /// <summary>What the provider billed for an answer from the price table; nothing for the offline provider.</summary>
    private decimal CostOf(string answeredModel, string requestedModel, int inputTokens, int outputTokens) =>
        provider.IsBilled ? prices.CostOf(answeredModel, requestedModel, inputTokens, outputTokens) : 0m;

    private ProviderRequest Resolve(LlmPrompt prompt) => new(
        prompt,
        prompt.Model ?? settings.Model ?? provider.DefaultModel,
        double.IsNaN(prompt.Temperature) || prompt.Temperature < 0 ? settings.Temperature : prompt.Temperature,
        prompt.MaxOutputTokens > 0 ? prompt.MaxOutputTokens : settings.MaxOutputTokens);

    private void RecordSuccess(Activity? activity, TagList tags, LlmCompletion c)
    {
        activity?.SetTag(LlmTelemetry.ResponseModelTag, c.Model);
        activity?.SetTag("outreachos.llm.http_attempts", c.HttpAttempts);

        var ok = tags;
        ok.Add(LlmTelemetry.OutcomeTag, "ok");
        metrics.Calls.Add(1, ok);
        metrics.Latency.Record(c.Latency.TotalSeconds, ok);
        metrics.HttpAttempts.Add(c.HttpAttempts, tags);
        RecordUsage(activity, tags, c.InputTokens, c.OutputTokens, c.CostUsd);
    }

    /// <summary>Tokens and cost of an answer the provider billed: a completion, or an unusable answer (a refusal).</summary>
    private void RecordUsage(Activity? activity, TagList tags, int inputTokens, int outputTokens, decimal costUsd)
    {
        activity?.SetTag("gen_ai.usage.input_tokens", inputTokens);
        activity?.SetTag("gen_ai.usage.output_tokens", outputTokens);
        activity?.SetTag("outreachos.llm.cost_usd", (double)costUsd);
        metrics.Cost.Add((double)costUsd, tags);
        var input = tags;
        input.Add(LlmTelemetry.TokenTypeTag, "input");
        metrics.Tokens.Add(inputTokens, input);
        var output = tags;
        output.Add(LlmTelemetry.TokenTypeTag, "output");
        metrics.Tokens.Add(outputTokens, output);
    }

    private void RecordFailure(Activity? activity, TagList tags, LlmCallFailedException failed, TimeSpan latency)
    {
        activity?.SetStatus(ActivityStatusCode.Error, failed.Message);
        activity?.SetTag("error.type", failed.StatusCode?.ToString(CultureInfo.InvariantCulture) ?? failed.InnerException?.GetType().Name);
        activity?.SetTag("outreachos.llm.http_attempts", failed.Attempts);
        activity?.SetTag("outreachos.llm.already_retried", failed.AlreadyRetried);

        var outcome = tags;
        outcome.Add(LlmTelemetry.OutcomeTag, failed.IsTransient ? "transient_error" : "error");
        metrics.Calls.Add(1, outcome);
        metrics.Latency.Record(latency.TotalSeconds, outcome);
        metrics.HttpAttempts.Add(failed.Attempts, tags);
        if (failed.InputTokens > 0 || failed.OutputTokens > 0)
        {
            RecordUsage(activity, tags, failed.InputTokens, failed.OutputTokens, failed.CostUsd);
        }
    }

    private void Observe(bool transientFailure, bool trial)
    {
        var (changed, open) = circuit.Record(transientFailure, trial);
        if (changed && open)
        {
            LogOpened(provider.Name, circuit.ConsecutiveFailures, settings.Circuit.OpenFor.TotalSeconds);
        }
        else if (changed)
        {
            LogClosed(provider.Name);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning,
        Message = "LLM circuit breaker opened for {Provider} after {Failures} consecutive transient failures: calls fail at once for {OpenSeconds} s, then one trial call decides")]
    private partial void LogOpened(string provider, int failures, double openSeconds);

    [LoggerMessage(Level = LogLevel.Information, Message = "LLM circuit breaker closed for {Provider}: the provider answered")]
    private partial void LogClosed(string provider);
}
