using Microsoft.Extensions.Configuration;
using OutreachOS.Llm.Pricing;

namespace OutreachOS.Llm;

/// <summary>
/// The configured provider's models as a module may name them: the default one, and whether a name is priced. Read
/// from configuration like <c>AddLlm</c> reads it, so a module can check its own model settings at startup.
/// </summary>
public sealed class LlmModels
{
    private readonly LlmSettings _settings;

    private LlmModels(LlmSettings settings) => _settings = settings;

    /// <exception cref="InvalidOperationException">The <c>Llm</c> section is invalid (as for <c>AddLlm</c>).</exception>
    public static LlmModels From(IConfiguration configuration) => new(LlmSettings.From(configuration));

    /// <summary>The model a prompt that names none goes to: <c>Llm:Model</c>, else the provider's default.</summary>
    public string DefaultModel => _settings.DefaultModel;

    /// <summary>False for the offline provider: its calls cost nothing.</summary>
    public bool IsBilled => _settings.Provider != LlmProviderKind.Offline;

    /// <summary>
    /// The longest one model call may take, SDK retries and their capped waits included (ADR 0008); zero for the offline
    /// provider, which makes no network call.
    /// </summary>
    public TimeSpan CallDeadline => IsBilled ? RetryDelayCap.CallDeadline(_settings) : TimeSpan.Zero;

    /// <summary>Whether a call to <paramref name="model"/> is priced (always, for the offline provider).</summary>
    public bool IsPriced(string model) => !IsBilled || LlmPriceTable.Find(_settings.Prices, model) is not null;

    /// <summary>Throws when <paramref name="model"/>, read from <paramref name="key"/>, is billed and has no price (its calls would cost 0 USD on record).</summary>
    public void RequirePrice(string key, string model)
    {
        if (!IsPriced(model))
        {
            throw LlmSettings.Unpriced(key, model);
        }
    }
}
