namespace OutreachOS.Llm;

/// <summary>
/// Deterministic answer for one prompt task when <c>Llm:Provider</c> is Offline. Modules register one per task
/// they use (e.g. Generation registers "personalize.v1"), so the offline mode stays grounded in the input only.
/// </summary>
public interface IOfflineTaskHandler
{
    /// <summary>The <see cref="LlmPrompt.Task"/> this handler answers.</summary>
    string Task { get; }

    /// <summary>Must be a pure function of the prompt: same prompt, same text.</summary>
    string Complete(LlmPrompt prompt);
}
