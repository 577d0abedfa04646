namespace OutreachOS.Llm;

/// <summary>What a model answered, and what it cost.</summary>
/// <param name="Text">The answer text (JSON text when the prompt carried a schema).</param>
/// <param name="Provider">"Offline", "OpenAI" or "Anthropic".</param>
/// <param name="Model">The model that answered, as the provider reported it.</param>
/// <param name="InputTokens">Billed input tokens (estimated by the offline provider).</param>
/// <param name="OutputTokens">Billed output tokens (estimated by the offline provider).</param>
/// <param name="CostUsd">Cost from the price table; 0 for offline and for unknown models.</param>
/// <param name="Latency">Wall time of the call, retries included.</param>
/// <param name="HttpAttempts">HTTP requests actually sent (1 + SDK retries); 0 offline.</param>
public sealed record LlmCompletion(
    string Text,
    string Provider,
    string Model,
    int InputTokens,
    int OutputTokens,
    decimal CostUsd,
    TimeSpan Latency,
    int HttpAttempts);
