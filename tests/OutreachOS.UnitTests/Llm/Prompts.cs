using OutreachOS.Llm;

namespace OutreachOS.UnitTests.Llm;

internal static class Prompts
{
    public const string ClassifySchema = """
        {"type":"object","properties":{"intent":{"type":"string","enum":["pricing","support","other"]},"urgency":{"type":"integer"}},"required":["intent","urgency"],"additionalProperties":false}
        """;

    public static LlmPrompt Classify(string task = "classify.v1", string? model = null) => new(
        task,
        System: "You triage inbound business email.",
        User: "Hi, what does the Pro plan cost for 20 seats?",
        Model: model,
        Temperature: 0.1,
        JsonSchemaName: "triage",
        JsonSchema: ClassifySchema,
        MaxOutputTokens: 300);

    public static Dictionary<string, string?> Settings(string provider, Uri baseUrl, int maxRetries = 2) => new()
    {
        ["Llm:Provider"] = provider,
        ["Llm:MaxRetries"] = maxRetries.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["Llm:TimeoutSeconds"] = "10",
        ["Llm:OpenAI:BaseUrl"] = new Uri(baseUrl, "v1").ToString(),
        ["Llm:OpenAI:ApiKey"] = "test-openai-key",
        ["Llm:Anthropic:BaseUrl"] = baseUrl.ToString(),
        ["Llm:Anthropic:ApiKey"] = "test-anthropic-key",
    };
}
