using System.Net;
using System.Text.Json;
using OutreachOS.IntegrationTests.Api;
using static OutreachOS.IntegrationTests.Generation.GenerationApi;

namespace OutreachOS.IntegrationTests.Generation;

/// <summary>The Anthropic provider path through /personalize: the host's real Anthropic SDK against the loopback stub.</summary>
public sealed class PersonalizeAnthropicTests
{
    private static readonly string Dirty = OpenAIStub.Variants(
        ("Acme grew 40%", "Acme Logistics grew 40% last quarter on freight visibility. Act now: our results are guaranteed. Would it make sense to book a 15-min call?"),
        ("Idea", "Hi Sarah,\n\nI noticed Acme Logistics is focused on carrier onboarding.\n\nWould it make sense to book a 15-min call?"));

    private static readonly string Clean = OpenAIStub.Variants(
        ("Freight visibility at Acme", "Hi Sarah,\n\nI noticed Acme Logistics is focused on freight visibility.\n\nWould it make sense to book a 15-min call?"));

    [Fact]
    public async Task Anthropic_answers_are_checked_flagged_retried_once_and_metered_like_openai_ones()
    {
        await using var stub = await OpenAIStub.StartAsync(Dirty, Clean);
        await using var app = await OutreachApp.StartAsync(stub.AnthropicSettings());
        using var client = app.ClientWithKey();

        var (status, json) = await PostAsync(client, "/personalize", Body(variantCount: 2));

        Assert.True(status == HttpStatusCode.OK, Describe(json));
        Assert.Equal(["/v1/messages", "/v1/messages"], stub.Paths);
        Assert.Equal(2, json["attempts"]!.GetValue<int>());
        var variants = json["variants"]!.AsArray();
        Assert.Equal(2, variants.Count);
        Assert.All(variants, v => Assert.False(v!["blocked"]!.GetValue<bool>()));
        Assert.Equal(2, json["credits"]!["charged"]!.GetValue<int>());

        // Structured output was requested through the SDK, and the retry carried the guardrail reasons.
        using var first = JsonDocument.Parse(stub.Bodies[0]);
        Assert.Equal("claude-haiku-4-5", first.RootElement.GetProperty("model").GetString());
        Assert.Equal("json_schema", first.RootElement.GetProperty("output_config").GetProperty("format").GetProperty("type").GetString());
        var retry = JsonDocument.Parse(stub.Bodies[1]).RootElement.GetProperty("messages")[0].GetProperty("content").GetString()!;
        Assert.Contains("UNSOURCED_PERCENT", retry, StringComparison.Ordinal);
        Assert.Contains("SPAM_PHRASE", retry, StringComparison.Ordinal);

        var (_, audit) = await GetAsync(client, $"/personalize/{json["request_id"]}");
        var output = audit["attempt_sets"]![0]!["attempts"]![0]!["output"]!;
        Assert.Equal("Anthropic", output["provider"]!.GetValue<string>());
        Assert.Equal("claude-haiku-4-5-20251001", output["model"]!.GetValue<string>());
        Assert.Equal(380, output["input_tokens"]!.GetValue<int>());
        Assert.Equal(140, output["output_tokens"]!.GetValue<int>());
        Assert.True(audit["chain_valid"]!.GetValue<bool>());
    }
}
