using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;

namespace OutreachOS.IntegrationTests.Generation;

internal static class GenerationApi
{
    public static JsonObject Body(string channel = "EMAIL", string tone = "PROFESSIONAL", int? variantCount = 3, string? framework = null)
    {
        var body = new JsonObject
        {
            ["channel"] = channel,
            ["tone"] = tone,
            ["goal"] = "book a 15-min call",
            ["lead"] = new JsonObject
            {
                ["first_name"] = "Sarah", ["last_name"] = "Chen", ["title"] = "VP of Sales", ["company_name"] = "Acme Logistics", ["domain"] = "acmelogistics.com",
            },
            ["company_context"] = new JsonObject
            {
                ["summary"] = "Acme Logistics runs same-day freight for regional retailers.",
                ["keywords"] = new JsonArray("freight visibility", "carrier onboarding"),
                ["tech_stack"] = new JsonArray("Salesforce", "Snowflake"),
            },
            ["signals"] = new JsonObject { ["intent_signals"] = new JsonArray("Hiring SDRs") },
            ["constraints"] = new JsonObject { ["max_words"] = 120, ["include_subjects"] = true, ["no_claims_policy"] = true },
        };
        if (variantCount is { } n)
        {
            body["variant_count"] = n;
        }

        if (framework is not null)
        {
            body["framework"] = framework;
        }

        return body;
    }

    public static async Task<(HttpStatusCode Status, JsonObject Json)> PostAsync(HttpClient client, string path, JsonNode? body)
    {
        using var response = await client.PostAsync(path, body is null ? null : JsonContent.Create(body));
        return (response.StatusCode, await ReadAsync(response));
    }

    public static async Task<(HttpStatusCode Status, JsonObject Json)> GetAsync(HttpClient client, string path)
    {
        using var response = await client.GetAsync(path);
        return (response.StatusCode, await ReadAsync(response));
    }

    private static async Task<JsonObject> ReadAsync(HttpResponseMessage response)
    {
        var text = await response.Content.ReadAsStringAsync();
        return text.Length == 0 ? [] : JsonNode.Parse(text) as JsonObject ?? new JsonObject { ["_"] = JsonNode.Parse(text) };
    }

    public static string Describe(JsonNode node) => node.ToJsonString();

    /// <summary>A first attempt set reserved before the model call and settled after it (billed models, degraded sets, fallbacks).</summary>
    public static readonly string[] TwoStepSet =
    [
        "personalization_requested.v1", "personalization_attempt_set_started.v1", "personalization_credits_reserved.v1",
        "personalization_prompt_rendered.v1", "personalization_model_responded.v1", "personalization_variants_parsed.v1",
        "personalization_guardrails_evaluated.v1", "personalization_variants_returned.v1", "personalization_credits_settled.v1",
    ];

    /// <summary>The event types of a request's audit, in order.</summary>
    public static IEnumerable<string> EventTypes(JsonNode audit) => audit["events"]!.AsArray().Select(e => e!["type"]!.GetValue<string>());
}
