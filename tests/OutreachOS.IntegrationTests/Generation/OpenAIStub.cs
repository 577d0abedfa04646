using System.Collections.Concurrent;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

using OutreachOS.IntegrationTests.Infrastructure;

namespace OutreachOS.IntegrationTests.Generation;

/// <summary>
/// A model server on 127.0.0.1 (ephemeral port) speaking OpenAI chat completions and, on <c>/v1/messages</c>, the
/// Anthropic Messages API: the host's real OpenAI or Anthropic SDK talks to it. Answers the n-th call with the n-th
/// scripted message content, and records every request path and body.
/// </summary>
internal sealed class OpenAIStub : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ConcurrentQueue<string> _bodies = new();
    private readonly ConcurrentQueue<string> _paths = new();
    private readonly string[] _contents;
    private readonly ConcurrentDictionary<int, Gate> _gates = new();
    private int _count;

    private OpenAIStub(string[] contents)
    {
        _contents = contents;
        _app = LoopbackApp.Create(HandleAsync);
    }

    public Uri BaseUrl { get; private set; } = null!;

    public IReadOnlyList<string> Bodies => [.. _bodies];

    public IReadOnlyList<string> Paths => [.. _paths];

    /// <summary>How long each answer waits (a slow model); a caller that gives up first aborts it.</summary>
    public TimeSpan Delay { get; set; }

    /// <summary>When set, every call is answered 200 with this body verbatim (an HTML page, an empty choices list).</summary>
    public string? RawAnswer { get; set; }

    /// <summary>
    /// Holds the <paramref name="call"/>-th call (0-based) until the test releases it: a slow model whose answer the test
    /// times, without sleeps. <see cref="Gate.Arrived"/> completes when the call reaches the stub.
    /// </summary>
    public Gate Hold(int call) => _gates.GetOrAdd(call, _ => new Gate());

    public static async Task<OpenAIStub> StartAsync(params string[] contents)
    {
        var stub = new OpenAIStub(contents);
        stub.BaseUrl = await LoopbackApp.StartAsync(stub._app);
        return stub;
    }

    public Dictionary<string, string?> Settings() => new()
    {
        ["Llm:Provider"] = "OpenAI",
        ["Llm:Model"] = "gpt-4o-mini",
        ["Llm:MaxRetries"] = "0",
        ["Llm:TimeoutSeconds"] = "10",
        ["Llm:OpenAI:BaseUrl"] = new Uri(BaseUrl, "v1").ToString(),
        ["Llm:OpenAI:ApiKey"] = "test-openai-key-generation",
        // Replay may name this model besides the configured one (the allow-list of Generation:ReplayModels).
        ["Generation:ReplayModels:0"] = "gpt-4.1-mini",
    };

    public Dictionary<string, string?> AnthropicSettings() => new()
    {
        ["Llm:Provider"] = "Anthropic",
        ["Llm:Model"] = "claude-haiku-4-5",
        ["Llm:MaxRetries"] = "0",
        ["Llm:TimeoutSeconds"] = "10",
        ["Llm:Anthropic:BaseUrl"] = BaseUrl.ToString(),
        ["Llm:Anthropic:ApiKey"] = "test-anthropic-key-generation",
    };

    public static string Variants(params (string Subject, string Message)[] variants) => JsonSerializer.Serialize(new
    {
        variants = variants.Select(v => new { subject = v.Subject, message = v.Message, personalization_points = new[] { "company focus" } }),
    });

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    private async Task HandleAsync(HttpContext context)
    {
        using var reader = new StreamReader(context.Request.Body);
        _bodies.Enqueue(await reader.ReadToEndAsync(context.RequestAborted));
        _paths.Enqueue(context.Request.Path.Value ?? "");
        var n = Interlocked.Increment(ref _count) - 1;
        if (_gates.TryGetValue(n, out var gate))
        {
            gate.Arrive();
            await gate.Released.WaitAsync(context.RequestAborted);
        }
        if (Delay > TimeSpan.Zero)
        {
            await Task.Delay(Delay, context.RequestAborted);
        }
        if (n >= _contents.Length)
        {
            context.Response.StatusCode = 500; // over-sending shows as a failure
            return;
        }

        context.Response.ContentType = "application/json";
        if (RawAnswer is { } raw)
        {
            await context.Response.WriteAsync(raw, context.RequestAborted);
            return;
        }

        if (context.Request.Path.Value?.EndsWith("/v1/messages", StringComparison.Ordinal) == true)
        {
            await context.Response.WriteAsync(JsonSerializer.Serialize(new
            {
                id = $"msg_{n}",
                type = "message",
                role = "assistant",
                model = "claude-haiku-4-5-20251001",
                content = new[] { new { type = "text", text = _contents[n] } },
                stop_reason = "end_turn",
                stop_sequence = (string?)null,
                usage = new { input_tokens = 380, output_tokens = 140 },
            }), context.RequestAborted);
            return;
        }

        await context.Response.WriteAsync(JsonSerializer.Serialize(new
        {
            id = $"chatcmpl-{n}",
            @object = "chat.completion",
            created = 1_700_000_000,
            model = "gpt-4o-mini-2024-07-18",
            choices = new[] { new { index = 0, message = new { role = "assistant", content = _contents[n] }, finish_reason = "stop" } },
            usage = new { prompt_tokens = 400, completion_tokens = 150, total_tokens = 550 },
        }), context.RequestAborted);
    }
}

/// <summary>One held model call: the stub reports its arrival and answers once the test releases it.</summary>
internal sealed class Gate
{
    private readonly TaskCompletionSource _arrived = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _released = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Completes when the held call has reached the stub (bounded, so a test that never gets it fails instead of hanging).</summary>
    public Task Arrived => _arrived.Task.WaitAsync(TimeSpan.FromMinutes(2));

    internal Task Released => _released.Task;

    public void Release() => _released.TrySetResult();

    internal void Arrive() => _arrived.TrySetResult();
}
