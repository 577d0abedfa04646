using Microsoft.Extensions.Configuration;
using OutreachOS.Llm.Pricing;

namespace OutreachOS.Llm;

internal enum LlmProviderKind
{
    Offline,
    OpenAI,
    Anthropic,
}

/// <summary>The <c>Llm</c> configuration section, read once at startup and validated there.</summary>
internal sealed record LlmSettings(
    LlmProviderKind Provider,
    string? Model,
    double Temperature,
    int MaxOutputTokens,
    int MaxRetries,
    TimeSpan Timeout,
    Uri? OpenAIBaseUrl,
    string? OpenAIApiKey,
    Uri? AnthropicBaseUrl,
    string? AnthropicApiKey,
    IReadOnlyDictionary<string, ModelPrice> Prices,
    LlmCircuitSettings Circuit)
{
    public const string SectionName = "Llm";

    /// <summary>
    /// Upper bound for <c>Llm:MaxRetries</c>. Each SDK retry is a billed call when the provider did the work
    /// before failing, and an outer bus retry multiplies it again, so a large value is refused at startup.
    /// </summary>
    public const int MaxRetriesLimit = 5;

    public const int DefaultMaxRetries = 2;

    public static LlmSettings From(IConfiguration configuration)
    {
        var section = configuration.GetSection(SectionName);

        var providerText = section["Provider"];
        var provider = string.IsNullOrWhiteSpace(providerText)
            ? LlmProviderKind.Offline
            : Enum.TryParse<LlmProviderKind>(providerText, ignoreCase: true, out var parsed) && Enum.IsDefined(parsed)
                ? parsed
                : throw Invalid($"Llm:Provider '{providerText}' is not one of Offline, OpenAI, Anthropic.");

        var maxRetries = ReadInt(section, "MaxRetries", DefaultMaxRetries);
        if (maxRetries is < 0 or > MaxRetriesLimit)
        {
            throw Invalid($"Llm:MaxRetries must be between 0 and {MaxRetriesLimit} (was {maxRetries}).");
        }

        var timeoutSeconds = ReadDouble(section, "TimeoutSeconds", 60);
        if (timeoutSeconds <= 0)
        {
            throw Invalid($"Llm:TimeoutSeconds must be positive (was {timeoutSeconds}).");
        }

        var temperature = ReadDouble(section, "Temperature", 0.2);
        if (temperature is < 0 or > 2)
        {
            throw Invalid($"Llm:Temperature must be between 0 and 2 (was {temperature}).");
        }

        var maxOutputTokens = ReadInt(section, "MaxOutputTokens", 1024);
        if (maxOutputTokens <= 0)
        {
            throw Invalid($"Llm:MaxOutputTokens must be positive (was {maxOutputTokens}).");
        }

        var threshold = ReadInt(section, "CircuitBreaker:FailureThreshold", LlmCircuitSettings.Default.FailureThreshold);
        var openSeconds = ReadDouble(section, "CircuitBreaker:OpenSeconds", LlmCircuitSettings.Default.OpenFor.TotalSeconds);
        if (threshold is < 0 or > 1000 || openSeconds is <= 0 or > 3600)
        {
            throw Invalid($"Llm:CircuitBreaker:FailureThreshold must be 0 (off) to 1000 and Llm:CircuitBreaker:OpenSeconds in (0, 3600] (were {threshold}, {openSeconds}).");
        }

        var prices = PriceTableReader.Read(section.GetSection("Prices"));
        var model = NullIfBlank(section["Model"]);
        if (provider != LlmProviderKind.Offline && model is not null && LlmPriceTable.Find(prices, model) is null)
        {
            // Every call would be recorded as costing 0 USD: the audit trail and the cost KPIs would hide what it costs.
            throw Unpriced("Llm:Model", model);
        }

        return new LlmSettings(
            provider,
            model,
            temperature,
            maxOutputTokens,
            maxRetries,
            TimeSpan.FromSeconds(timeoutSeconds),
            ReadUri(section, "OpenAI:BaseUrl"),
            NullIfBlank(section["OpenAI:ApiKey"]),
            ReadUri(section, "Anthropic:BaseUrl"),
            NullIfBlank(section["Anthropic:ApiKey"]),
            prices,
            new LlmCircuitSettings(threshold, TimeSpan.FromSeconds(openSeconds)));
    }

    /// <summary>The generated record ToString would print the API keys into any log that prints the settings.</summary>
    public override string ToString() =>
        $"LlmSettings {{ Provider = {Provider}, Model = {Model ?? "(provider default)"}, MaxRetries = {MaxRetries}, Timeout = {Timeout}, "
        + $"OpenAIBaseUrl = {OpenAIBaseUrl}, AnthropicBaseUrl = {AnthropicBaseUrl}, Prices = {Prices.Count} models }}";

    private static string? NullIfBlank(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();

    private static int ReadInt(IConfigurationSection section, string key, int fallback) =>
        NullIfBlank(section[key]) is { } text
            ? int.TryParse(text, System.Globalization.NumberStyles.Integer, System.Globalization.CultureInfo.InvariantCulture, out var value)
                ? value
                : throw Invalid($"Llm:{key} '{text}' is not an integer.")
            : fallback;

    private static double ReadDouble(IConfigurationSection section, string key, double fallback) =>
        NullIfBlank(section[key]) is { } text
            ? double.TryParse(text, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out var value)
                ? value
                : throw Invalid($"Llm:{key} '{text}' is not a number.")
            : fallback;

    private static Uri? ReadUri(IConfigurationSection section, string key) =>
        NullIfBlank(section[key]) is { } text
            ? Uri.TryCreate(text, UriKind.Absolute, out var uri)
                ? uri
                : throw Invalid($"Llm:{key} '{text}' is not an absolute URL.")
            : null;

    internal static InvalidOperationException Invalid(string message) => new(message);

    /// <summary>A billed model with no price: its calls would be recorded at 0 USD.</summary>
    internal static InvalidOperationException Unpriced(string key, string model) => Invalid(
        $"{key} '{model}' has no price, so its calls would be recorded as costing 0 USD. Set Llm:Prices:{model}:InputPerMillion and "
        + $"Llm:Prices:{model}:OutputPerMillion (USD per million tokens; 0 for a free local server; a tagged name like 'llama3.1:8b' is priced by its base name).");

    /// <summary>The model a prompt naming none goes to: <c>Llm:Model</c>, else the provider's default.</summary>
    internal string DefaultModel => Model ?? Provider switch
    {
        LlmProviderKind.OpenAI => OpenAI.OpenAILlmProvider.DefaultModelName,
        LlmProviderKind.Anthropic => Anthropic.AnthropicLlmProvider.DefaultModelName,
        _ => Offline.OfflineLlmProvider.ModelName,
    };
}
