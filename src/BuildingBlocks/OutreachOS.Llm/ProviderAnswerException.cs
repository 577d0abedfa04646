namespace OutreachOS.Llm;

/// <summary>
/// The provider answered 200 but with nothing usable (a refusal, no text, no choice, a body that is not the API's JSON):
/// retrying the same prompt is not expected to help. <see cref="Usage"/> is what the answer said it billed, when it said.
/// </summary>
internal sealed class ProviderAnswerException(string message, Exception? innerException = null, ProviderUsage? usage = null)
    : Exception(message, innerException)
{
    public ProviderUsage? Usage { get; } = usage;
}

/// <summary>Tokens a provider reported for an answer, and the model it named.</summary>
internal sealed record ProviderUsage(string Model, int InputTokens, int OutputTokens);
