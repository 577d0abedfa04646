using System.Text.Json;
using OutreachOS.Llm;

namespace OutreachOS.UnitTests.Llm;

/// <summary>The real Anthropic SDK against a loopback stub of the Messages endpoint.</summary>
public sealed class AnthropicProviderTests
{
    private const string Answer = """{"intent":"pricing","urgency":2}""";

    private static StubResponse Message(string model = "claude-haiku-4-5-20251001", int input = 200, int output = 40) => new(200, JsonSerializer.Serialize(new
    {
        id = "msg_01",
        type = "message",
        role = "assistant",
        model,
        content = new[] { new { type = "text", text = Answer } },
        stop_reason = "end_turn",
        stop_sequence = (string?)null,
        usage = new { input_tokens = input, output_tokens = output },
    }));

    [Fact]
    public async Task Sends_the_system_prompt_with_the_schema_the_user_message_and_the_api_key()
    {
        await using var stub = await StubLlmServer.StartAsync(Message());
        using var host = new LlmTestHost(Prompts.Settings("Anthropic", stub.BaseUrl));

        await host.Client.CompleteAsync(Prompts.Classify(model: "claude-haiku-4-5"), CancellationToken.None);

        var request = Assert.Single(stub.Requests);
        Assert.Equal("POST", request.Method);
        Assert.Equal("/v1/messages", request.Path);
        // SDK 13.x sends the API key as a bearer token (its ClientOptions.ApiKey documents this), not x-api-key.
        Assert.Equal("Bearer test-anthropic-key", request.Header("authorization"));
        Assert.NotNull(request.Header("anthropic-version"));
        var body = request.Json;
        Assert.Equal("claude-haiku-4-5", body.GetProperty("model").GetString());
        Assert.Equal(300, body.GetProperty("max_tokens").GetInt32());
        var system = body.GetProperty("system").GetString()!;
        Assert.StartsWith("You triage inbound business email.", system, StringComparison.Ordinal);
        Assert.Contains("\"triage\"", system, StringComparison.Ordinal);
        Assert.Contains(Prompts.ClassifySchema.Trim(), system, StringComparison.Ordinal);
        var message = Assert.Single(body.GetProperty("messages").EnumerateArray());
        Assert.Equal("user", message.GetProperty("role").GetString());
        Assert.Equal("Hi, what does the Pro plan cost for 20 seats?", message.GetProperty("content").GetString());
        var format = body.GetProperty("output_config").GetProperty("format");
        Assert.Equal("json_schema", format.GetProperty("type").GetString());
        Assert.Equal(
            JsonSerializer.Serialize(JsonDocument.Parse(Prompts.ClassifySchema).RootElement),
            JsonSerializer.Serialize(format.GetProperty("schema")));
    }

    [Fact]
    public async Task Without_a_schema_sends_the_system_prompt_unchanged_and_no_output_format()
    {
        await using var stub = await StubLlmServer.StartAsync(Message());
        using var host = new LlmTestHost(Prompts.Settings("Anthropic", stub.BaseUrl));

        await host.Client.CompleteAsync(new LlmPrompt("personalize.v1", "Write short.", "Lead: Ada", null, 0.3, null, null, 0), CancellationToken.None);

        var body = Assert.Single(stub.Requests).Json;
        Assert.Equal("Write short.", body.GetProperty("system").GetString());
        Assert.False(body.TryGetProperty("output_config", out _));
        // No model on the prompt nor in configuration: the provider default; no max tokens: Llm:MaxOutputTokens default.
        Assert.Equal("claude-haiku-4-5", body.GetProperty("model").GetString());
        Assert.Equal(1024, body.GetProperty("max_tokens").GetInt32());
    }

    [Fact]
    public async Task Returns_the_text_usage_priced_cost_and_one_attempt()
    {
        await using var stub = await StubLlmServer.StartAsync(Message(input: 200, output: 40));
        using var host = new LlmTestHost(Prompts.Settings("Anthropic", stub.BaseUrl));

        var completion = await host.Client.CompleteAsync(Prompts.Classify(model: "claude-haiku-4-5"), CancellationToken.None);

        Assert.Equal(Answer, completion.Text);
        Assert.Equal("Anthropic", completion.Provider);
        Assert.Equal("claude-haiku-4-5-20251001", completion.Model);
        Assert.Equal(200, completion.InputTokens);
        Assert.Equal(40, completion.OutputTokens);
        // claude-haiku-4-5 default price: 1 in / 5 out per million tokens.
        Assert.Equal(0.0004m, completion.CostUsd);
        Assert.Equal(1, completion.HttpAttempts);
    }

    [Fact]
    public async Task A_configured_price_overrides_the_default()
    {
        await using var stub = await StubLlmServer.StartAsync(Message(input: 1_000_000, output: 1_000_000));
        var settings = Prompts.Settings("Anthropic", stub.BaseUrl);
        settings["Llm:Prices:claude-haiku-4-5:InputPerMillion"] = "2";
        settings["Llm:Prices:claude-haiku-4-5:OutputPerMillion"] = "3.5";
        using var host = new LlmTestHost(settings);

        var completion = await host.Client.CompleteAsync(Prompts.Classify(), CancellationToken.None);

        Assert.Equal(5.5m, completion.CostUsd);
    }

    public static TheoryData<string, string> UnusableAnswers => new()
    {
        { "no content", JsonSerializer.Serialize(new { id = "msg_01", type = "message", role = "assistant", model = "claude-haiku-4-5", content = Array.Empty<object>(), stop_reason = "end_turn", stop_sequence = (string?)null, usage = new { input_tokens = 500, output_tokens = 0 } }) },
        { "html page", "<html><body>Bad gateway</body></html>" },
        { "truncated json", """{"id":"msg_01","type":"message","content":[{"type":"text",""" },
    };

    [Theory]
    [MemberData(nameof(UnusableAnswers))]
    public async Task A_200_answer_that_is_not_a_usable_message_fails_as_a_permanent_provider_failure_sent_once(string kind, string body)
    {
        await using var stub = await StubLlmServer.StartAsync(new StubResponse(200, body), Message());
        using var host = new LlmTestHost(Prompts.Settings("Anthropic", stub.BaseUrl));

        var failure = await Assert.ThrowsAsync<LlmCallFailedException>(
            () => host.Client.CompleteAsync(Prompts.Classify(), CancellationToken.None));

        Assert.True(stub.Requests.Count == 1, kind);
        Assert.Equal(1, failure.Attempts);
        Assert.Null(failure.StatusCode);
        Assert.False(failure.IsTransient);
        Assert.False(failure.MayRetryOutside);
        Assert.Equal("Anthropic", failure.Provider);
    }

    [Theory]
    [InlineData(429)]
    [InlineData(503)]
    public async Task A_retry_after_longer_than_the_retry_delay_cap_is_not_waited_for_and_fails_at_once_as_transient(int status)
    {
        await using var stub = await StubLlmServer.StartAsync(StubResponse.RateLimited(retryAfterSeconds: 600, status), Message());
        using var host = new LlmTestHost(Prompts.Settings("Anthropic", stub.BaseUrl, maxRetries: 2));
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
        await using var stub = await StubLlmServer.StartAsync(StubResponse.RateLimited(retryAfterSeconds: 1), Message());
        using var host = new LlmTestHost(Prompts.Settings("Anthropic", stub.BaseUrl));
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(30));

        var completion = await host.Client.CompleteAsync(Prompts.Classify(), deadline.Token);

        Assert.Equal(2, completion.HttpAttempts);
        Assert.Equal(2, stub.Requests.Count);
    }

    [Theory]
    [InlineData(500, 2)]
    [InlineData(529, 1)]
    [InlineData(429, 2)]
    public async Task A_transient_status_is_retried_at_most_MaxRetries_times_then_fails_as_already_retried(int status, int maxRetries)
    {
        var script = Enumerable.Repeat(StubResponse.Error(status), maxRetries + 1).Append(Message()).ToArray();
        await using var stub = await StubLlmServer.StartAsync(script);
        using var host = new LlmTestHost(Prompts.Settings("Anthropic", stub.BaseUrl, maxRetries));

        var failure = await Assert.ThrowsAsync<LlmCallFailedException>(
            () => host.Client.CompleteAsync(Prompts.Classify(), CancellationToken.None));

        Assert.Equal(maxRetries + 1, stub.Requests.Count);
        Assert.Equal(maxRetries + 1, failure.Attempts);
        Assert.Equal(status, failure.StatusCode);
        Assert.True(failure.IsTransient);
        Assert.True(failure.AlreadyRetried);
        Assert.Equal("Anthropic", failure.Provider);
    }

    [Fact]
    public async Task A_transient_failure_followed_by_success_reports_both_attempts()
    {
        await using var stub = await StubLlmServer.StartAsync(StubResponse.Error(503), Message());
        using var host = new LlmTestHost(Prompts.Settings("Anthropic", stub.BaseUrl));

        var completion = await host.Client.CompleteAsync(Prompts.Classify(), CancellationToken.None);

        Assert.Equal(2, completion.HttpAttempts);
        Assert.Equal(2, stub.Requests.Count);
    }

    [Fact]
    public async Task A_bad_request_is_not_retried()
    {
        await using var stub = await StubLlmServer.StartAsync(StubResponse.Error(400), Message());
        using var host = new LlmTestHost(Prompts.Settings("Anthropic", stub.BaseUrl));

        var failure = await Assert.ThrowsAsync<LlmCallFailedException>(
            () => host.Client.CompleteAsync(Prompts.Classify(), CancellationToken.None));

        Assert.Single(stub.Requests);
        Assert.Equal(1, failure.Attempts);
        Assert.Equal(400, failure.StatusCode);
        Assert.False(failure.IsTransient);
        Assert.False(failure.AlreadyRetried);
    }

    [Fact]
    public async Task Responses_slower_than_the_timeout_are_retried_then_fail_as_transient_without_status()
    {
        var slow = Message() with { Delay = TimeSpan.FromSeconds(10) };
        await using var stub = await StubLlmServer.StartAsync(slow, slow, Message());
        var settings = Prompts.Settings("Anthropic", stub.BaseUrl, maxRetries: 1);
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
    public async Task A_dropped_connection_is_retried_then_fails_as_transient_without_status()
    {
        await using var stub = await StubLlmServer.StartAsync(StubResponse.Drop, StubResponse.Drop, Message());
        using var host = new LlmTestHost(Prompts.Settings("Anthropic", stub.BaseUrl, maxRetries: 1));

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
        await using var stub = await StubLlmServer.StartAsync(Message() with { Delay = TimeSpan.FromSeconds(10) });
        using var host = new LlmTestHost(Prompts.Settings("Anthropic", stub.BaseUrl));
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
