namespace OutreachOS.Llm;

/// <summary>
/// The one way modules talk to a language model. The provider behind it (Offline, OpenAI, Anthropic)
/// is chosen by configuration; every call is metered, traced and priced.
/// </summary>
public interface ILlmClient
{
    /// <exception cref="LlmCallFailedException">The provider failed after the SDK's bounded retries.</exception>
    Task<LlmCompletion> CompleteAsync(LlmPrompt prompt, CancellationToken ct);

    /// <summary>
    /// True when a call leaves the process (a paid, external provider). Callers that must put a prompt on record before
    /// it is sent (audit) only need that extra write when this is true; a local, deterministic model is recorded together
    /// with its answer.
    /// </summary>
    bool SendsPromptsOutside => true;
}
