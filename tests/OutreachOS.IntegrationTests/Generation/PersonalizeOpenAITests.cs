using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using OutreachOS.IntegrationTests.Api;
using static OutreachOS.IntegrationTests.Generation.GenerationApi;

namespace OutreachOS.IntegrationTests.Generation;

/// <summary>The OpenAI provider path: the host's real OpenAI SDK against a loopback stub that plays the model.</summary>
public sealed class PersonalizeOpenAITests
{
    // Planted: an unsourced growth figure, spam wording, and no greeting.
    private static readonly string Dirty = OpenAIStub.Variants(
        ("Acme grew 40%", "Acme Logistics grew 40% last quarter on freight visibility. Act now: our results are guaranteed. Would it make sense to book a 15-min call?"),
        ("Limited time", "This is a limited time offer for freight visibility teams, 100% risk-free. Would it make sense to book a 15-min call?"),
        ("Idea", "Hi Sarah,\n\nI noticed Acme Logistics is focused on carrier onboarding.\n\nWould it make sense to book a 15-min call?"));

    private static readonly string Clean = OpenAIStub.Variants(
        ("Freight visibility at Acme", "Hi Sarah,\n\nI noticed Acme Logistics is focused on freight visibility.\n\nWould it make sense to book a 15-min call?"),
        ("Carrier onboarding", "Hello Sarah,\n\nI saw that Acme Logistics runs on Salesforce and Snowflake.\n\nWould you be open to book a 15-min call?"));

    [Fact]
    public async Task Planted_claims_spam_and_missing_greeting_are_flagged_and_fixed_by_exactly_one_retry()
    {
        await using var stub = await OpenAIStub.StartAsync(Dirty, Clean);
        await using var app = await OutreachApp.StartAsync(stub.Settings());
        using var client = app.ClientWithKey();

        var (status, json) = await PostAsync(client, "/personalize", Body());

        Assert.True(status == HttpStatusCode.OK, Describe(json));
        Assert.Equal(2, stub.Bodies.Count); // one metered call per attempt, no more
        Assert.Equal(2, json["attempts"]!.GetValue<int>());
        var variants = json["variants"]!.AsArray();
        Assert.Equal(3, variants.Count);
        Assert.All(variants, v => Assert.False(v!["blocked"]!.GetValue<bool>()));
        Assert.Contains("I noticed Acme Logistics is focused on freight visibility.", variants[0]!["message"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Contains("carrier onboarding", variants[2]!["message"]!.GetValue<string>(), StringComparison.Ordinal); // passed first time: kept
        Assert.Equal(3, json["credits"]!["charged"]!.GetValue<int>());

        // The first call asked for structured output; the retry carried the reasons and asked only for the blocked two.
        using var first = JsonDocument.Parse(stub.Bodies[0]);
        Assert.Equal("json_schema", first.RootElement.GetProperty("response_format").GetProperty("type").GetString());
        var retryPrompt = JsonDocument.Parse(stub.Bodies[1]).RootElement.GetProperty("messages")[1].GetProperty("content").GetString()!;
        Assert.Contains("FEEDBACK ON YOUR PREVIOUS DRAFT", retryPrompt, StringComparison.Ordinal);
        Assert.Contains("UNSOURCED_PERCENT", retryPrompt, StringComparison.Ordinal);
        Assert.Contains("SPAM_PHRASE", retryPrompt, StringComparison.Ordinal);
        Assert.Contains("GREETING_MISSING", retryPrompt, StringComparison.Ordinal);
        Assert.Contains("variant numbers 1, 2", retryPrompt, StringComparison.Ordinal);

        var (_, audit) = await GetAsync(client, $"/personalize/{json["request_id"]}");
        var attempts = audit["attempt_sets"]![0]!["attempts"]!.AsArray();
        Assert.Equal(2, attempts.Count);
        var firstFlags = attempts[0]!["verdicts"]!.AsArray().SelectMany(v => v!["flags"]!.AsArray()).ToList();
        var codes = firstFlags.Select(f => f!["code"]!.GetValue<string>()).ToHashSet();
        Assert.Contains("UNSOURCED_PERCENT", codes);
        Assert.Contains("SPAM_PHRASE", codes);
        Assert.Contains("GREETING_MISSING", codes);
        var percent = firstFlags.First(f => f!["code"]!.GetValue<string>() == "UNSOURCED_PERCENT")!;
        Assert.Equal("BLOCK", percent["severity"]!.GetValue<string>());
        Assert.Equal("40%", percent["span"]!["text"]!.GetValue<string>());
        Assert.False(audit["attempt_sets"]![0]!["first_attempt_passed"]!.GetValue<bool>());
        Assert.Equal(Dirty, attempts[0]!["output"]!["raw"]!.GetValue<string>());
        Assert.Equal("gpt-4o-mini-2024-07-18", attempts[0]!["output"]!["model"]!.GetValue<string>());
        Assert.Equal(400, attempts[0]!["output"]!["input_tokens"]!.GetValue<int>());
        Assert.Equal(1, attempts[0]!["output"]!["http_attempts"]!.GetValue<int>());
        Assert.True(attempts[0]!["output"]!["cost_usd"]!.GetValue<decimal>() > 0);
        Assert.NotNull(attempts[0]!["retry_reasons"]);
        Assert.Equal([0, 1], attempts[1]!["variant_indexes"]!.AsArray().Select(i => i!.GetValue<int>()));
        var types = audit["events"]!.AsArray().Select(e => e!["type"]!.GetValue<string>()).ToList();
        Assert.Single(types, t => t == "personalization_retry_requested.v1");
        Assert.Equal(2, types.Count(t => t == "personalization_model_responded.v1"));
        Assert.Equal(1, audit["events"]!.AsArray().Single(e => e!["type"]!.GetValue<string>() == "personalization_variants_returned.v1")!["data"]!["first_attempt_passed"]!.GetValue<int>());
    }

    [Fact]
    public async Task A_variant_still_blocked_after_the_retry_is_returned_with_flags_and_needs_an_override()
    {
        var stillDirty = OpenAIStub.Variants(("Acme grew 40%", "Hi Sarah, Acme Logistics grew 40% last quarter on freight visibility. Would it make sense to book a 15-min call?"));
        await using var stub = await OpenAIStub.StartAsync(stillDirty, stillDirty);
        await using var app = await OutreachApp.StartAsync(stub.Settings());
        using var client = app.ClientWithKey();

        var (status, json) = await PostAsync(client, "/personalize", Body(variantCount: 1));

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(2, stub.Bodies.Count);
        var variant = json["variants"]![0]!;
        Assert.True(variant["blocked"]!.GetValue<bool>());
        Assert.Contains(variant["risk_flags"]!.AsArray(), f => f!["code"]!.GetValue<string>() == "UNSOURCED_PERCENT" && f["severity"]!.GetValue<string>() == "BLOCK");

        var id = json["request_id"]!.GetValue<string>();
        var (refused, _) = await PostAsync(client, $"/personalize/{id}/select", new JsonObject { ["variant_index"] = 0 });
        Assert.Equal(HttpStatusCode.Conflict, refused);
        var (accepted, selection) = await PostAsync(client, $"/personalize/{id}/select", new JsonObject { ["variant_index"] = 0, ["override"] = true });
        Assert.Equal(HttpStatusCode.OK, accepted);
        Assert.True(selection["overridden"]!.GetValue<bool>());
    }

    [Fact]
    public async Task A_figure_from_the_leads_signals_claimed_as_the_senders_result_is_blocked_and_retried()
    {
        // The lead's signals say "pipeline grew 40%"; the model makes that the sender's own result.
        var body = Body(variantCount: 1);
        body["signals"] = new JsonObject { ["intent_signals"] = new JsonArray("Pipeline grew 40% last quarter") };
        var borrowed = OpenAIStub.Variants(("Pipeline at Acme",
            "Hi Sarah,\n\nWe help freight teams like yours grow pipeline by 40% with better carrier onboarding.\n\nWould it make sense to book a 15-min call?"));
        var fixedUp = OpenAIStub.Variants(("Pipeline at Acme",
            "Hi Sarah,\n\nCongrats on growing pipeline 40% last quarter. Carrier onboarding often gets harder at that pace.\n\nWould it make sense to book a 15-min call?"));
        await using var stub = await OpenAIStub.StartAsync(borrowed, fixedUp);
        await using var app = await OutreachApp.StartAsync(stub.Settings());
        using var client = app.ClientWithKey();

        var (status, json) = await PostAsync(client, "/personalize", body);

        Assert.True(status == HttpStatusCode.OK, Describe(json));
        Assert.Equal(2, json["attempts"]!.GetValue<int>());
        Assert.False(json["variants"]![0]!["blocked"]!.GetValue<bool>());
        var retryPrompt = JsonDocument.Parse(stub.Bodies[1]).RootElement.GetProperty("messages")[1].GetProperty("content").GetString()!;
        Assert.Contains("MISATTRIBUTED_CLAIM", retryPrompt, StringComparison.Ordinal);
        var (_, audit) = await GetAsync(client, $"/personalize/{json["request_id"]}");
        var flag = audit["attempt_sets"]![0]!["attempts"]![0]!["verdicts"]!.AsArray().SelectMany(v => v!["flags"]!.AsArray())
            .Single(f => f!["code"]!.GetValue<string>() == "MISATTRIBUTED_CLAIM")!;
        Assert.Equal("BLOCK", flag["severity"]!.GetValue<string>());
        Assert.Equal("40%", flag["span"]!["text"]!.GetValue<string>());
    }

    [Fact]
    public async Task Output_that_is_not_the_required_json_is_a_failed_attempt_and_is_retried_once()
    {
        await using var stub = await OpenAIStub.StartAsync("Sure! Here are your emails: ...", Clean);
        await using var app = await OutreachApp.StartAsync(stub.Settings());
        using var client = app.ClientWithKey();

        var (status, json) = await PostAsync(client, "/personalize", Body(variantCount: 2));

        Assert.True(status == HttpStatusCode.OK, Describe(json));
        Assert.Equal(2, json["attempts"]!.GetValue<int>());
        Assert.Equal(2, json["variants"]!.AsArray().Count);
        var (_, audit) = await GetAsync(client, $"/personalize/{json["request_id"]}");
        var first = audit["attempt_sets"]![0]!["attempts"]![0]!;
        Assert.Contains("not valid JSON", first["parse_error"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Equal("Sure! Here are your emails: ...", first["output"]!["raw"]!.GetValue<string>());
        Assert.Contains(audit["events"]!.AsArray(), e => e!["type"]!.GetValue<string>() == "personalization_output_rejected.v1");
    }

    [Fact]
    public async Task A_refusal_is_recorded_with_the_tokens_and_cost_it_was_billed()
    {
        await using var stub = await OpenAIStub.StartAsync(Clean, Clean);
        stub.RawAnswer = JsonSerializer.Serialize(new
        {
            id = "chatcmpl-r", @object = "chat.completion", created = 1_700_000_000, model = "gpt-4o-mini-2024-07-18",
            choices = new[] { new { index = 0, message = new { role = "assistant", content = (string?)null, refusal = "I can't help with that." }, finish_reason = "stop" } },
            usage = new { prompt_tokens = 400, completion_tokens = 12, total_tokens = 412 },
        });
        await using var app = await OutreachApp.StartAsync(stub.Settings());
        using var client = app.ClientWithKey();

        var (status, problem) = await PostAsync(client, "/personalize", Body(variantCount: 1));

        Assert.True(status == HttpStatusCode.BadGateway, Describe(problem));
        var (_, audit) = await GetAsync(client, $"/personalize/{problem["request_id"]}");
        var failed = audit["events"]!.AsArray().Where(e => e!["type"]!.GetValue<string>() == "personalization_model_call_failed.v2")
            .Select(e => e!["data"]!).ToList();
        Assert.NotEmpty(failed);
        Assert.All(failed, f =>
        {
            Assert.Equal(400, f!["input_tokens"]!.GetValue<int>());
            Assert.Equal(12, f["output_tokens"]!.GetValue<int>());
            Assert.True(f["cost_usd"]!.GetValue<decimal>() > 0, f.ToJsonString());
        });
    }

    [Fact]
    public async Task Two_unparseable_answers_refund_the_credits_and_answer_502()
    {
        await using var stub = await OpenAIStub.StartAsync("nope", "{\"variants\":[]}");
        await using var app = await OutreachApp.StartAsync(stub.Settings());
        using var client = app.ClientWithKey();

        var (status, problem) = await PostAsync(client, "/personalize", Body());

        Assert.Equal(HttpStatusCode.BadGateway, status);
        var id = problem["request_id"]!.GetValue<string>();
        var (_, audit) = await GetAsync(client, $"/personalize/{id}");
        Assert.Equal(["RESERVED", "REFUNDED"], audit["credit_movements"]!.AsArray().Select(m => m!["kind"]!.GetValue<string>()));
        var (_, credits) = await GetAsync(client, "/credits");
        Assert.Equal(0, credits["reserved"]!.GetValue<int>());
        Assert.Equal(0, credits["consumed"]!.GetValue<int>());
    }

    [Fact]
    public async Task A_provider_failure_is_not_retried_by_generation_and_refunds_the_credits()
    {
        await using var stub = await OpenAIStub.StartAsync(); // every call answers HTTP 500
        await using var app = await OutreachApp.StartAsync(stub.Settings());
        using var client = app.ClientWithKey();

        var (status, problem) = await PostAsync(client, "/personalize", Body());

        Assert.Equal(HttpStatusCode.BadGateway, status);
        Assert.Single(stub.Bodies); // Llm:MaxRetries=0 and no guardrail retry on a provider failure
        var (_, audit) = await GetAsync(client, $"/personalize/{problem["request_id"]}");
        Assert.Contains(audit["events"]!.AsArray(), e => e!["type"]!.GetValue<string>() == "personalization_model_call_failed.v2");
        Assert.Equal(["RESERVED", "REFUNDED"], audit["credit_movements"]!.AsArray().Select(m => m!["kind"]!.GetValue<string>()));
        var (_, credits) = await GetAsync(client, "/credits");
        Assert.Equal(0, credits["reserved"]!.GetValue<int>());
        Assert.Equal(0, credits["consumed"]!.GetValue<int>());
    }

    [Theory]
    [InlineData("<html><body>Bad gateway</body></html>")]
    [InlineData("""{"id":"chatcmpl-0","object":"chat.completion","created":1700000000,"model":"gpt-4o-mini","choices":[],"usage":{"prompt_tokens":400,"completion_tokens":0,"total_tokens":400}}""")]
    public async Task A_200_answer_that_is_not_a_usable_completion_answers_502_with_a_recorded_model_call_failure(string answer)
    {
        await using var stub = await OpenAIStub.StartAsync(OpenAIStub.Variants(("s", "m")));
        stub.RawAnswer = answer;
        await using var app = await OutreachApp.StartAsync(stub.Settings());
        using var client = app.ClientWithKey();

        var (status, problem) = await PostAsync(client, "/personalize", Body());

        Assert.Equal(HttpStatusCode.BadGateway, status);
        Assert.Single(stub.Bodies);
        var (_, audit) = await GetAsync(client, $"/personalize/{problem["request_id"]}");
        Assert.Contains(audit["events"]!.AsArray(), e => e!["type"]!.GetValue<string>() == "personalization_model_call_failed.v2");
        Assert.Equal(["RESERVED", "REFUNDED"], audit["credit_movements"]!.AsArray().Select(m => m!["kind"]!.GetValue<string>()));
    }

    [Fact]
    public async Task Replay_on_the_provider_sends_the_exact_stored_prompt_and_reports_the_difference()
    {
        await using var stub = await OpenAIStub.StartAsync(Clean, OpenAIStub.Variants(
            ("Freight visibility at Acme", "Hi Sarah,\n\nAcme Logistics grew 40% on freight visibility.\n\nWould it make sense to book a 15-min call?"),
            ("Carrier onboarding", "Hello Sarah,\n\nI saw that Acme Logistics runs on Salesforce and Snowflake.\n\nWould you be open to book a 15-min call?")));
        await using var app = await OutreachApp.StartAsync(stub.Settings());
        using var client = app.ClientWithKey();
        var (_, created) = await PostAsync(client, "/personalize", Body(variantCount: 2));

        var (status, replay) = await PostAsync(client, $"/personalize/{created["request_id"]}/replay", new JsonObject { ["model"] = "gpt-4.1-mini" });

        Assert.True(status == HttpStatusCode.OK, Describe(replay));
        using var original = JsonDocument.Parse(stub.Bodies[0]);
        using var replayed = JsonDocument.Parse(stub.Bodies[1]);
        Assert.Equal("gpt-4.1-mini", replayed.RootElement.GetProperty("model").GetString());
        Assert.Equal(original.RootElement.GetProperty("messages").GetRawText(), replayed.RootElement.GetProperty("messages").GetRawText());
        var comparison = replay["comparison"]!;
        Assert.False(comparison["same_raw_output"]!.GetValue<bool>());
        Assert.False(comparison["variants"]![0]!["replay_passed"]!.GetValue<bool>());
        Assert.Contains("UNSOURCED_PERCENT", comparison["variants"]![0]!["flags_added"]!.AsArray().Select(c => c!.GetValue<string>()));
        Assert.True(comparison["variants"]![1]!["same_message"]!.GetValue<bool>());
    }
}
