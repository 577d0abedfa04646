using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using OutreachOS.Llm;
using OutreachOS.Llm.Pricing;

namespace OutreachOS.UnitTests.Llm;

public sealed class LlmSettingsTests
{
    private static void AddLlm(Dictionary<string, string?> settings) =>
        new ServiceCollection().AddLlm(new ConfigurationBuilder().AddInMemoryCollection(settings).Build());

    [Theory]
    [InlineData("Llm:Provider", "Gemini", "Llm:Provider")]
    [InlineData("Llm:MaxRetries", "6", "Llm:MaxRetries")]
    [InlineData("Llm:MaxRetries", "-1", "Llm:MaxRetries")]
    [InlineData("Llm:TimeoutSeconds", "0", "Llm:TimeoutSeconds")]
    [InlineData("Llm:Prices:my-model:InputPerMillion", "1", "Llm:Prices:my-model")]
    public void An_invalid_setting_stops_startup_naming_the_key(string key, string value, string named)
    {
        var failure = Assert.Throws<InvalidOperationException>(() => AddLlm(new() { [key] = value }));

        Assert.Contains(named, failure.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void OpenAI_without_a_key_or_a_base_url_stops_startup()
    {
        var failure = Assert.Throws<InvalidOperationException>(() => AddLlm(new() { ["Llm:Provider"] = "openai" }));

        Assert.Contains("Llm:OpenAI:ApiKey", failure.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Defaults_are_offline_with_two_bounded_retries()
    {
        var settings = LlmSettings.From(new ConfigurationBuilder().Build());

        Assert.Equal(LlmProviderKind.Offline, settings.Provider);
        Assert.Equal(2, settings.MaxRetries);
        Assert.Equal(TimeSpan.FromSeconds(60), settings.Timeout);
    }

    [Theory]
    [InlineData("gpt-4o-mini", 0.15)]
    [InlineData("gpt-4o-mini-2024-07-18", 0.15)]
    [InlineData("gpt-4o-2024-08-06", 2.50)]
    [InlineData("GPT-4.1", 2.00)]
    [InlineData("claude-sonnet-4-5-20250929", 3.00)]
    public void A_dated_model_name_is_priced_by_its_longest_configured_prefix(string model, decimal inputPerMillion)
    {
        var table = new LlmPriceTable(LlmSettings.From(new ConfigurationBuilder().Build()), NullLogger<LlmPriceTable>.Instance);

        Assert.Equal(inputPerMillion, table.Find(model)?.InputPerMillion);
    }

    [Fact]
    public async Task An_unknown_model_costs_zero_and_is_warned_about_once()
    {
        await using var stub = await StubLlmServer.StartAsync(
            OpenAIProviderTests.Completion(model: "local-llama"), OpenAIProviderTests.Completion(model: "local-llama"));
        using var host = new LlmTestHost(Prompts.Settings("OpenAI", stub.BaseUrl));

        var first = await host.Client.CompleteAsync(Prompts.Classify(model: "local-llama"), CancellationToken.None);
        var second = await host.Client.CompleteAsync(Prompts.Classify(model: "local-llama"), CancellationToken.None);

        Assert.Equal(0m, first.CostUsd);
        Assert.Equal(0m, second.CostUsd);
        var warning = Assert.Single(host.Logs.Entries, e => e.Level == LogLevel.Warning);
        Assert.Contains("local-llama", warning.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Printing_the_settings_does_not_reveal_the_api_keys()
    {
        var settings = LlmSettings.From(new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Llm:Provider"] = "Anthropic",
            ["Llm:OpenAI:ApiKey"] = "placeholder-secret-openai",
            ["Llm:Anthropic:ApiKey"] = "placeholder-secret-anthropic",
        }).Build());

        var printed = settings.ToString();

        Assert.Contains("Anthropic", printed, StringComparison.Ordinal);
        Assert.DoesNotContain("secret", printed, StringComparison.Ordinal);
    }
}
