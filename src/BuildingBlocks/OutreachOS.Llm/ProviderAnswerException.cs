namespace OutreachOS.Llm;

/// <summary>The provider answered 200 but with nothing usable (a refusal, no text): retrying the same prompt is not expected to help.</summary>
internal sealed class ProviderAnswerException(string message) : Exception(message);
