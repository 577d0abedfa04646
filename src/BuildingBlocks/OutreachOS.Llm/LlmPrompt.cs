namespace OutreachOS.Llm;

/// <summary>One request to a model.</summary>
/// <param name="Task">Versioned name of the use ("personalize.v1", "classify.v1"): the offline provider dispatches on it and telemetry is tagged with it.</param>
/// <param name="System">System instructions.</param>
/// <param name="User">The user message (already redacted where the module needs it).</param>
/// <param name="Model">Model to use; null means <c>Llm:Model</c> or the provider's default.</param>
/// <param name="Temperature">Sampling temperature; <see cref="ConfiguredTemperature"/> (NaN) or a negative value means <c>Llm:Temperature</c>.</param>
/// <param name="JsonSchemaName">Name of the structured-output schema, required when <paramref name="JsonSchema"/> is given.</param>
/// <param name="JsonSchema">JSON schema text the answer must follow (strict structured output), or null for free text.</param>
/// <param name="MaxOutputTokens">Upper bound of generated tokens; zero or less means <c>Llm:MaxOutputTokens</c>.</param>
public sealed record LlmPrompt(
    string Task,
    string System,
    string User,
    string? Model,
    double Temperature,
    string? JsonSchemaName,
    string? JsonSchema,
    int MaxOutputTokens)
{
    /// <summary>Pass as <see cref="Temperature"/> to use the configured default.</summary>
    public const double ConfiguredTemperature = double.NaN;
}
