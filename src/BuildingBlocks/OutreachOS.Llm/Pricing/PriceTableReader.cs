using System.Globalization;
using Microsoft.Extensions.Configuration;

namespace OutreachOS.Llm.Pricing;

/// <summary>Built-in list prices overlaid with <c>Llm:Prices:&lt;model&gt;:InputPerMillion|OutputPerMillion</c>.</summary>
internal static class PriceTableReader
{
    /// <summary>
    /// Public list prices (USD per million tokens, standard tier) when this table was written. They drift:
    /// production overrides them in configuration, and an unknown model is priced 0 with a warning.
    /// </summary>
    public static IReadOnlyDictionary<string, ModelPrice> Defaults { get; } =
        new Dictionary<string, ModelPrice>(StringComparer.OrdinalIgnoreCase)
        {
            ["gpt-4o-mini"] = new(0.15m, 0.60m),
            ["gpt-4o"] = new(2.50m, 10.00m),
            ["gpt-4.1"] = new(2.00m, 8.00m),
            ["gpt-4.1-mini"] = new(0.40m, 1.60m),
            ["gpt-4.1-nano"] = new(0.10m, 0.40m),
            ["claude-haiku-4-5"] = new(1.00m, 5.00m),
            ["claude-sonnet-4-5"] = new(3.00m, 15.00m),
            ["claude-opus-4-5"] = new(5.00m, 25.00m),
        };

    public static IReadOnlyDictionary<string, ModelPrice> Read(IConfigurationSection prices)
    {
        var table = new Dictionary<string, ModelPrice>(Defaults, StringComparer.OrdinalIgnoreCase);
        foreach (var model in prices.GetChildren())
        {
            table.TryGetValue(model.Key, out var known);
            var input = ReadPrice(model, "InputPerMillion") ?? known?.InputPerMillion;
            var output = ReadPrice(model, "OutputPerMillion") ?? known?.OutputPerMillion;
            if (input is null || output is null)
            {
                throw LlmSettings.Invalid($"Llm:Prices:{model.Key} needs both InputPerMillion and OutputPerMillion.");
            }

            table[model.Key] = new ModelPrice(input.Value, output.Value);
        }

        return table;
    }

    private static decimal? ReadPrice(IConfigurationSection model, string key)
    {
        var text = model[key];
        if (string.IsNullOrWhiteSpace(text))
        {
            return null;
        }

        return decimal.TryParse(text, NumberStyles.Number, CultureInfo.InvariantCulture, out var value) && value >= 0
            ? value
            : throw LlmSettings.Invalid($"Llm:Prices:{model.Key}:{key} '{text}' is not a non-negative number.");
    }
}
