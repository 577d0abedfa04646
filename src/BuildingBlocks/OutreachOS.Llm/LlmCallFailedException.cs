using OutreachOS.BuildingBlocks.Messaging;

namespace OutreachOS.Llm;

/// <summary>
/// A provider call failed. <see cref="AlreadyRetried"/> tells the message bus that the SDK already spent its
/// bounded retries on this call, so retrying the message would multiply billed calls. The bus never retries it
/// (<see cref="IAlreadyRetriedException"/>): the SDK is the only retry layer around a model call (ADR 0008).
/// </summary>
public sealed class LlmCallFailedException : Exception, IAlreadyRetriedException
{
    public LlmCallFailedException(
        string message,
        string provider,
        string model,
        string task,
        int? statusCode,
        bool isTransient,
        int attempts,
        Exception? innerException,
        int inputTokens = 0,
        int outputTokens = 0,
        decimal costUsd = 0m)
        : base(message, innerException)
    {
        InputTokens = inputTokens;
        OutputTokens = outputTokens;
        CostUsd = costUsd;
        Provider = provider;
        Model = model;
        Task = task;
        StatusCode = statusCode;
        IsTransient = isTransient;
        Attempts = attempts;
    }

    public string Provider { get; }

    public string Model { get; }

    public string Task { get; }

    /// <summary>HTTP status of the last attempt; null when no response came back (connection error, timeout).</summary>
    public int? StatusCode { get; }

    /// <summary>True when the same request could succeed later (429, 408, 5xx, connection error, timeout).</summary>
    public bool IsTransient { get; }

    /// <summary>HTTP requests sent for this call, retries included.</summary>
    public int Attempts { get; }

    /// <summary>
    /// Input tokens the provider reported billing for an answer it gave but that was unusable (a refusal, no text); 0 when
    /// no answer came back or it named no usage.
    /// </summary>
    public int InputTokens { get; }

    /// <summary>Output tokens billed for such an answer; see <see cref="InputTokens"/>.</summary>
    public int OutputTokens { get; }

    /// <summary>What such an answer cost, from the price table (0 for unpriced models and when nothing was billed).</summary>
    public decimal CostUsd { get; }

    /// <summary>True when the SDK sent the request more than once: the retry budget for this call is spent.</summary>
    public bool AlreadyRetried => Attempts > 1;

    /// <summary>Whether an outer layer (message bus) may retry: only transient failures the SDK has not retried.</summary>
    public bool MayRetryOutside => IsTransient && !AlreadyRetried;
}
