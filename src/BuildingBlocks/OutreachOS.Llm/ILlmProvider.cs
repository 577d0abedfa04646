namespace OutreachOS.Llm;

/// <summary>One backend. <see cref="LlmClient"/> adds timing, attempt counting, pricing, telemetry and failure mapping.</summary>
internal interface ILlmProvider
{
    /// <summary>"Offline", "OpenAI" or "Anthropic".</summary>
    string Name { get; }

    string DefaultModel { get; }

    /// <summary>False for the offline provider: its calls cost nothing and are not looked up in the price table.</summary>
    bool IsBilled { get; }

    Task<ProviderReply> SendAsync(ProviderRequest request, CancellationToken ct);

    /// <summary>Recognises this provider's SDK failures; null means the exception is not a provider failure.</summary>
    ProviderFailure? Classify(Exception exception, CancellationToken ct);
}

/// <summary>The prompt with every default resolved.</summary>
internal sealed record ProviderRequest(LlmPrompt Prompt, string Model, double Temperature, int MaxOutputTokens);

internal sealed record ProviderReply(string Text, string Model, int InputTokens, int OutputTokens);

internal sealed record ProviderFailure(int? StatusCode, bool IsTransient)
{
    /// <summary>What the SDKs retry too: timeouts, rate limits, conflicts (lock contention) and server errors.</summary>
    public static bool IsTransientStatus(int status) => status is 408 or 409 or 429 or >= 500;

    public static ProviderFailure FromStatus(int status) =>
        status <= 0 ? new ProviderFailure(null, IsTransient: true) : new ProviderFailure(status, IsTransientStatus(status));
}
