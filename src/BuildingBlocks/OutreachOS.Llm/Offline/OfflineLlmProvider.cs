namespace OutreachOS.Llm.Offline;

/// <summary>
/// No network: each prompt task is answered by the module's registered <see cref="IOfflineTaskHandler"/>.
/// Used by default, in tests and in demos, so the whole pipeline runs deterministically without keys.
/// </summary>
internal sealed class OfflineLlmProvider : ILlmProvider
{
    public const string ProviderName = "Offline";
    public const string ModelName = "offline-v1";

    private readonly Dictionary<string, IOfflineTaskHandler> _handlers;

    public OfflineLlmProvider(IEnumerable<IOfflineTaskHandler> handlers)
    {
        _handlers = new Dictionary<string, IOfflineTaskHandler>(StringComparer.Ordinal);
        foreach (var handler in handlers)
        {
            if (!_handlers.TryAdd(handler.Task, handler))
            {
                throw new InvalidOperationException(
                    $"Two offline handlers answer task '{handler.Task}': {_handlers[handler.Task].GetType().FullName} and {handler.GetType().FullName}.");
            }
        }
    }

    public string Name => ProviderName;

    public string DefaultModel => ModelName;

    public bool IsBilled => false;

    public Task<ProviderReply> SendAsync(ProviderRequest request, CancellationToken ct)
    {
        ct.ThrowIfCancellationRequested();
        var prompt = request.Prompt;
        if (!_handlers.TryGetValue(prompt.Task, out var handler))
        {
            var known = _handlers.Count == 0 ? "none" : string.Join(", ", _handlers.Keys.Order(StringComparer.Ordinal));
            throw new OfflineTaskNotSupportedException(
                $"The offline LLM provider has no handler for task '{prompt.Task}' (registered: {known}). "
                + "Register an IOfflineTaskHandler for it, or set Llm:Provider to OpenAI or Anthropic.",
                prompt.Task);
        }

        var text = handler.Complete(prompt);
        // Roughly four characters per token for English text: good enough for quotas and dashboards offline.
        var reply = new ProviderReply(
            text,
            ModelName,
            EstimateTokens(prompt.System) + EstimateTokens(prompt.User),
            EstimateTokens(text));
        return Task.FromResult(reply);
    }

    public ProviderFailure? Classify(Exception exception, CancellationToken ct) => null;

    internal static int EstimateTokens(string? text) => string.IsNullOrEmpty(text) ? 0 : (text.Length + 3) / 4;
}
