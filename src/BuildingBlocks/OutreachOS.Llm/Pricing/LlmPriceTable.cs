using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace OutreachOS.Llm.Pricing;

/// <summary>Prices a call. Providers answer with dated model names ("gpt-4o-mini-2024-07-18"), so a
/// configured base name also prices its dated variants (longest matching prefix wins), and an Ollama-style tag
/// ("llama3.1:8b") is priced by its base name: a configuration key cannot hold a ':'.</summary>
internal sealed partial class LlmPriceTable(LlmSettings settings, ILogger<LlmPriceTable> logger)
{
    private readonly ConcurrentDictionary<string, byte> _warned = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>Cost of a call: the model that answered is priced first, then the one that was asked for.</summary>
    public decimal CostOf(string answeredModel, string requestedModel, int inputTokens, int outputTokens) =>
        (Find(answeredModel) ?? Find(requestedModel)) is { } price
            ? price.CostOf(inputTokens, outputTokens)
            : UnknownModel(answeredModel);

    public ModelPrice? Find(string model) => Find(settings.Prices, model);

    public static ModelPrice? Find(IReadOnlyDictionary<string, ModelPrice> prices, string model)
    {
        if (prices.TryGetValue(model, out var exact))
        {
            return exact;
        }

        return prices
            .Where(p => model.StartsWith(p.Key + "-", StringComparison.OrdinalIgnoreCase) || model.StartsWith(p.Key + ":", StringComparison.OrdinalIgnoreCase))
            .OrderByDescending(p => p.Key.Length)
            .Select(p => p.Value)
            .FirstOrDefault();
    }

    private decimal UnknownModel(string model)
    {
        if (_warned.TryAdd(model, 0))
        {
            LogUnknownModel(logger, model);
        }

        return 0m;
    }

    [LoggerMessage(Level = LogLevel.Warning,
        Message = "No price for LLM model {Model}: its calls are costed at 0 USD. Add Llm:Prices:{Model}:InputPerMillion and OutputPerMillion.")]
    private static partial void LogUnknownModel(ILogger logger, string model);
}
