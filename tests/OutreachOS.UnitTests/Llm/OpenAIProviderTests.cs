using System.Text.Json;
using OutreachOS.Llm;

namespace OutreachOS.UnitTests.Llm;

/// <summary>The real OpenAI SDK against a loopback stub of the Chat Completions endpoint.</summary>
public sealed class OpenAIProviderTests
{
    private const string Answer = """{"intent":"pricing","urgency":2}""";

    internal static StubResponse Completion(string model = "gpt-4o-mini-2024-07-18", int input = 120, int output = 30) => new(200, JsonSerializer.Serialize(new
    {
        id = "chatcmpl-1",
        @object = "chat.completion",
        created = 1_700_000_000,
        model,
        choices = new[] { new { index = 0, message = new { role = "assistant", content = Answer, refusal = (string?)null }, finish_reason = "stop", logprobs = (object?)null } },
        usage = new { prompt_tokens = input, completion_tokens = output, total_tokens = input + output },
    }));

    [Fact]
    public async Task Sends_system_and_user_messages_with_a_strict_json_schema_and_the_bearer_key()
    {
        await using var stub = await StubLlmServer.StartAsync(Completion());
        using var host = new LlmTestHost(Prompts.Settings("OpenAI", stub.BaseUrl));

        await host.Client.CompleteAsync(Prompts.Classify(model: "gpt-4o-mini"), CancellationToken.None);

        var request = Assert.Single(stub.Requests);
        Assert.Equal("POST", request.Method);
        Assert.Equal("/v1/chat/completions", request.Path);
        Assert.Equal("Bearer test-openai-key", request.Header("authorization"));
        var body = request.Json;
        Assert.Equal("gpt-4o-mini", body.GetProperty("model").GetString());
        Assert.Equal(0.1, body.GetProperty("temperature").GetDouble(), 3);
        Assert.Equal(300, body.GetProperty("max_completion_tokens").GetInt32());
        var messages = body.GetProperty("messages").EnumerateArray().ToArray();
        Assert.Equal(2, messages.Length);
        Assert.Equal("system", messages[0].GetProperty("role").GetString());
        Assert.Equal("You triage inbound business email.", messages[0].GetProperty("content").GetString());
        Assert.Equal("user", messages[1].GetProperty("role").GetString());
        Assert.Equal("Hi, what does the Pro plan cost for 20 seats?", messages[1].GetProperty("content").GetString());
        var format = body.GetProperty("response_format");
        Assert.Equal("json_schema", format.GetProperty("type").GetString());
        Assert.Equal("triage", format.GetProperty("json_schema").GetProperty("name").GetString());
        Assert.True(format.GetProperty("json_schema").GetProperty("strict").GetBoolean());
        Assert.Equal(
            JsonSerializer.Serialize(JsonDocument.Parse(Prompts.ClassifySchema).RootElement),
            JsonSerializer.Serialize(format.GetProperty("json_schema").GetProperty("schema")));
    }

    [Fact]
    public async Task Returns_the_text_usage_priced_cost_and_one_attempt()
    {
        await using var stub = await StubLlmServer.StartAsync(Completion(input: 120, output: 30));
        using var host = new LlmTestHost(Prompts.Settings("OpenAI", stub.BaseUrl));

        var completion = await host.Client.CompleteAsync(Prompts.Classify(model: "gpt-4o-mini"), CancellationToken.None);

        Assert.Equal(Answer, completion.Text);
        Assert.Equal("OpenAI", completion.Provider);
        Assert.Equal("gpt-4o-mini-2024-07-18", completion.Model);
        Assert.Equal(120, completion.InputTokens);
        Assert.Equal(30, completion.OutputTokens);
        // gpt-4o-mini default price: 0.15 in / 0.60 out per million tokens; the dated name resolves to it.
        Assert.Equal(0.000036m, completion.CostUsd);
        Assert.Equal(1, completion.HttpAttempts);
        Assert.True(completion.Latency > TimeSpan.Zero);
    }

    [Fact]
    public async Task Without_a_schema_asks_for_free_text_and_uses_the_configured_model_and_temperature()
    {
        await using var stub = await StubLlmServer.StartAsync(Completion(model: "gpt-4.1-nano"));
        var settings = Prompts.Settings("OpenAI", stub.BaseUrl);
        settings["Llm:Model"] = "gpt-4.1-nano";
        settings["Llm:Temperature"] = "0.7";
        using var host = new LlmTestHost(settings);
        var prompt = new LlmPrompt("personalize.v1", "sys", "user", null, LlmPrompt.ConfiguredTemperature, null, null, 0);

        await host.Client.CompleteAsync(prompt, CancellationToken.None);

        var body = Assert.Single(stub.Requests).Json;
        Assert.Equal("gpt-4.1-nano", body.GetProperty("model").GetString());
        Assert.Equal(0.7, body.GetProperty("temperature").GetDouble(), 3);
        Assert.False(body.TryGetProperty("response_format", out _));
    }

    public static TheoryData<string, string> UnusableAnswers => new()
    {
        { "no choices", JsonSerializer.Serialize(new { id = "chatcmpl-1", @object = "chat.completion", created = 1_700_000_000, model = "gpt-4o-mini", choices = Array.Empty<object>(), usage = new { prompt_tokens = 500, completion_tokens = 0, total_tokens = 500 } }) },
        { "html page", "<html><body>Bad gateway</body></html>" },
        { "truncated json", """{"id":"chatcmpl-1","object":"chat.completion","choices":[{"index":0,""" },
    };

    [Theory]
    [MemberData(nameof(UnusableAnswers))]
    public async Task A_200_answer_that_is_not_a_usable_completion_fails_as_a_permanent_provider_failure_sent_once(string kind, string body)
    {
        // Two scripted answers: a retry (by the SDK or as a bus redelivery of an unrecognised exception) would show.
        await using var stub = await StubLlmServer.StartAsync(new StubResponse(200, body), Completion());
        using var host = new LlmTestHost(Prompts.Settings("OpenAI", stub.BaseUrl));

        var failure = await Assert.ThrowsAsync<LlmCallFailedException>(
            () => host.Client.CompleteAsync(Prompts.Classify(model: "gpt-4o-mini"), CancellationToken.None));

        Assert.True(stub.Requests.Count == 1, kind);
        Assert.Equal(1, failure.Attempts);
        Assert.Null(failure.StatusCode);
        Assert.False(failure.IsTransient);
        Assert.False(failure.MayRetryOutside);
        Assert.Equal("OpenAI", failure.Provider);
    }

    [Theory]
    [InlineData(429)]
    [InlineData(503)]
    public async Task A_retry_after_longer_than_the_retry_delay_cap_is_not_waited_for_and_fails_at_once_as_transient(int status)
    {
        await using var stub = await StubLlmServer.StartAsync(StubResponse.RateLimited(retryAfterSeconds: 600, status), Completion());
        using var host = new LlmTestHost(Prompts.Settings("OpenAI", stub.BaseUrl, maxRetries: 2));
        // Far less than the 600 s asked for: a client that sleeps through the Retry-After is cancelled by this instead.
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(30));

        var failure = await Assert.ThrowsAsync<LlmCallFailedException>(
            () => host.Client.CompleteAsync(Prompts.Classify(), deadline.Token));

        Assert.Single(stub.Requests);
        Assert.Equal(1, failure.Attempts);
        Assert.Equal(status, failure.StatusCode);
        Assert.True(failure.IsTransient);
    }

    [Fact]
    public async Task A_retry_after_within_the_retry_delay_cap_is_honoured_and_the_retry_answers()
    {
        await using var stub = await StubLlmServer.StartAsync(StubResponse.RateLimited(retryAfterSeconds: 1), Completion());
        using var host = new LlmTestHost(Prompts.Settings("OpenAI", stub.BaseUrl));
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(30));

        var completion = await host.Client.CompleteAsync(Prompts.Classify(), deadline.Token);

        Assert.Equal(2, completion.HttpAttempts);
        Assert.Equal(2, stub.Requests.Count);
    }

    [Fact]
    public async Task A_refusal_fails_as_permanent_and_carries_the_tokens_and_cost_it_was_billed()
    {
        var refusal = new StubResponse(200, JsonSerializer.Serialize(new
        {
            id = "chatcmpl-1", @object = "chat.completion", created = 1_700_000_000, model = "gpt-4o-mini",
            choices = new[] { new { index = 0, message = new { role = "assistant", content = (string?)null, refusal = "I can't help with that." }, finish_reason = "stop" } },
            usage = new { prompt_tokens = 900, completion_tokens = 12, total_tokens = 912 },
        }));
        await using var stub = await StubLlmServer.StartAsync(refusal, Completion());
        using var host = new LlmTestHost(Prompts.Settings("OpenAI", stub.BaseUrl));

        var failure = await Assert.ThrowsAsync<LlmCallFailedException>(
            () => host.Client.CompleteAsync(Prompts.Classify(model: "gpt-4o-mini"), CancellationToken.None));

        Assert.Single(stub.Requests);
        Assert.False(failure.IsTransient);
        Assert.Contains("refused", failure.Message, StringComparison.Ordinal);
        Assert.Equal(900, failure.InputTokens);
        Assert.Equal(12, failure.OutputTokens);
        // gpt-4o-mini default price: 0.15 in / 0.60 out per million tokens.
        Assert.Equal(0.0001422m, failure.CostUsd);
    }

    [Theory]
    [InlineData(500, 2)]
    [InlineData(503, 1)]
    [InlineData(429, 2)]
    public async Task A_transient_status_is_retried_at_most_MaxRetries_times_then_fails_as_already_retried(int status, int maxRetries)
    {
        // One more scripted success than the budget allows: it must never be reached.
        var script = Enumerable.Repeat(StubResponse.Error(status), maxRetries + 1).Append(Completion()).ToArray();
        await using var stub = await StubLlmServer.StartAsync(script);
        using var host = new LlmTestHost(Prompts.Settings("OpenAI", stub.BaseUrl, maxRetries));

        var failure = await Assert.ThrowsAsync<LlmCallFailedException>(
            () => host.Client.CompleteAsync(Prompts.Classify(), CancellationToken.None));

        Assert.Equal(maxRetries + 1, stub.Requests.Count);
        Assert.Equal(maxRetries + 1, failure.Attempts);
        Assert.Equal(status, failure.StatusCode);
        Assert.True(failure.IsTransient);
        Assert.True(failure.AlreadyRetried);
        Assert.False(failure.MayRetryOutside);
        Assert.Equal("OpenAI", failure.Provider);
    }

    [Fact]
    public async Task A_transient_failure_followed_by_success_reports_both_attempts()
    {
        await using var stub = await StubLlmServer.StartAsync(StubResponse.Error(502), Completion());
        using var host = new LlmTestHost(Prompts.Settings("OpenAI", stub.BaseUrl));

        var completion = await host.Client.CompleteAsync(Prompts.Classify(), CancellationToken.None);

        Assert.Equal(2, completion.HttpAttempts);
        Assert.Equal(2, stub.Requests.Count);
    }

    [Fact]
    public async Task A_bad_request_is_not_retried()
    {
        await using var stub = await StubLlmServer.StartAsync(StubResponse.Error(400), Completion());
        using var host = new LlmTestHost(Prompts.Settings("OpenAI", stub.BaseUrl));

        var failure = await Assert.ThrowsAsync<LlmCallFailedException>(
            () => host.Client.CompleteAsync(Prompts.Classify(), CancellationToken.None));

        Assert.Single(stub.Requests);
        Assert.Equal(1, failure.Attempts);
        Assert.Equal(400, failure.StatusCode);
        Assert.False(failure.IsTransient);
        Assert.False(failure.AlreadyRetried);
    }

    [Fact]
    public async Task With_zero_retries_a_transient_failure_is_left_to_the_caller_to_retry()
    {
        await using var stub = await StubLlmServer.StartAsync(StubResponse.Error(503), Completion());
        using var host = new LlmTestHost(Prompts.Settings("OpenAI", stub.BaseUrl, maxRetries: 0));

        var failure = await Assert.ThrowsAsync<LlmCallFailedException>(
            () => host.Client.CompleteAsync(Prompts.Classify(), CancellationToken.None));

        Assert.Single(stub.Requests);
        Assert.True(failure.IsTransient);
        Assert.False(failure.AlreadyRetried);
        Assert.True(failure.MayRetryOutside);
    }

    [Fact]
    public async Task Responses_slower_than_the_timeout_are_retried_then_fail_as_transient_without_status()
    {
        var slow = Completion() with { Delay = TimeSpan.FromSeconds(10) };
        await using var stub = await StubLlmServer.StartAsync(slow, slow, Completion());
        var settings = Prompts.Settings("OpenAI", stub.BaseUrl, maxRetries: 1);
        // Long enough for the retried request to reach the stub on a loaded 2-core machine (0.3 s was not, once in CI:
        // the attempt timed out before the stub had it); the stub's 10 s delay still trips it on every attempt.
        settings["Llm:TimeoutSeconds"] = "1.5";
        using var host = new LlmTestHost(settings);

        var failure = await Assert.ThrowsAsync<LlmCallFailedException>(
            () => host.Client.CompleteAsync(Prompts.Classify(), CancellationToken.None));

        Assert.Null(failure.StatusCode);
        Assert.True(failure.IsTransient);
        Assert.Equal(2, failure.Attempts);
        Assert.Equal(2, stub.Requests.Count);
    }

    [Fact]
    public async Task Concurrent_calls_count_their_own_attempts()
    {
        // Requests for the user text "flaky" fail once; the others succeed at once.
        var flakyFailed = 0;
        await using var stub = await StubLlmServer.StartAsync((request, _) =>
            request.Body.Contains("flaky", StringComparison.Ordinal) && Interlocked.Exchange(ref flakyFailed, 1) == 0
                ? StubResponse.Error(500)
                : Completion());
        using var host = new LlmTestHost(Prompts.Settings("OpenAI", stub.BaseUrl));

        var flaky = host.Client.CompleteAsync(Prompts.Classify() with { User = "flaky" }, CancellationToken.None);
        var steady = host.Client.CompleteAsync(Prompts.Classify() with { User = "steady" }, CancellationToken.None);
        var results = await Task.WhenAll(flaky, steady);

        Assert.Equal(2, results[0].HttpAttempts);
        Assert.Equal(1, results[1].HttpAttempts);
    }

    [Fact]
    public async Task A_dropped_connection_is_retried_then_fails_as_transient_without_status()
    {
        await using var stub = await StubLlmServer.StartAsync(StubResponse.Drop, StubResponse.Drop, Completion());
        using var host = new LlmTestHost(Prompts.Settings("OpenAI", stub.BaseUrl, maxRetries: 1));

        var failure = await Assert.ThrowsAsync<LlmCallFailedException>(
            () => host.Client.CompleteAsync(Prompts.Classify(), CancellationToken.None));

        Assert.Equal(2, stub.Requests.Count);
        Assert.Equal(2, failure.Attempts);
        Assert.Null(failure.StatusCode);
        Assert.True(failure.IsTransient);
        Assert.True(failure.AlreadyRetried);
    }

    [Fact]
    public async Task A_call_cancelled_by_the_caller_is_a_cancellation_not_a_provider_failure()
    {
        await using var stub = await StubLlmServer.StartAsync(Completion() with { Delay = TimeSpan.FromSeconds(10) });
        using var host = new LlmTestHost(Prompts.Settings("OpenAI", stub.BaseUrl));
        using var cts = new CancellationTokenSource();

        // Cancel once the stub has the request (not on a timer: a loaded machine may not have sent it yet).
        var call = host.Client.CompleteAsync(Prompts.Classify(), cts.Token);
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (stub.Requests.Count == 0 && DateTime.UtcNow < deadline)
        {
            await Task.Delay(10);
        }
        await cts.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => call);

        Assert.Single(stub.Requests); // and no retry after the caller gave up
    }
}
