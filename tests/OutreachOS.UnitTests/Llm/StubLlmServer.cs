using System.Collections.Concurrent;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace OutreachOS.UnitTests.Llm;

/// <summary>What the SDK sent to the stub.</summary>
internal sealed record RecordedRequest(string Method, string Path, IReadOnlyDictionary<string, string> Headers, string Body)
{
    public JsonElement Json => JsonDocument.Parse(Body).RootElement;

    public string? Header(string name) => Headers.TryGetValue(name, out var value) ? value : null;
}

/// <param name="Headers">Response headers set after the defaults, so they can replace the stub's zero retry-after (an empty value removes one).</param>
internal sealed record StubResponse(int Status, string Body, TimeSpan Delay = default, IReadOnlyDictionary<string, string>? Headers = null)
{
    /// <summary>Drops the connection without an answer, as a crashed proxy or a reset network would.</summary>
    public static StubResponse Drop { get; } = new(0, "");

    public static StubResponse Error(int status) => new(status, """{"error":{"type":"api_error","message":"stub failure"}}""");

    /// <summary>A rate limit asking the client to wait <paramref name="retryAfterSeconds"/> before trying again (no retry-after-ms).</summary>
    public static StubResponse RateLimited(int retryAfterSeconds, int status = 429) => Error(status) with
    {
        Headers = new Dictionary<string, string>
        {
            ["retry-after"] = retryAfterSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["retry-after-ms"] = "",
        },
    };
}

/// <summary>
/// A loopback HTTP server (Kestrel on 127.0.0.1, ephemeral port) that plays the provider's side, so the tests run
/// the real OpenAI and Anthropic SDK code: serialization, auth headers, retry policy, error mapping.
/// </summary>
internal sealed class StubLlmServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ConcurrentQueue<RecordedRequest> _requests = new();
    private readonly Func<RecordedRequest, int, StubResponse> _respond;
    private int _count;

    private StubLlmServer(Func<RecordedRequest, int, StubResponse> respond)
    {
        _respond = respond;
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        _app = builder.Build();
        _app.Run(HandleAsync);
    }

    public Uri BaseUrl { get; private set; } = null!;

    public IReadOnlyList<RecordedRequest> Requests => [.. _requests];

    /// <summary>Answers the n-th request (0-based) with <paramref name="respond"/>.</summary>
    public static async Task<StubLlmServer> StartAsync(Func<RecordedRequest, int, StubResponse> respond)
    {
        var server = new StubLlmServer(respond);
        await server._app.StartAsync();
        server.BaseUrl = new Uri(server._app.Urls.Single());
        return server;
    }

    /// <summary>Answers requests in order from <paramref name="script"/>; past its end, with 599 so over-sending shows.</summary>
    public static Task<StubLlmServer> StartAsync(params StubResponse[] script) =>
        StartAsync((_, n) => n < script.Length ? script[n] : new StubResponse(599, "script exhausted"));

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    private async Task HandleAsync(HttpContext context)
    {
        using var reader = new StreamReader(context.Request.Body);
        var body = await reader.ReadToEndAsync(context.RequestAborted);
        var headers = context.Request.Headers.ToDictionary(h => h.Key.ToLowerInvariant(), h => h.Value.ToString(), StringComparer.OrdinalIgnoreCase);
        var request = new RecordedRequest(context.Request.Method, context.Request.Path.Value ?? "", headers, body);
        _requests.Enqueue(request);
        var response = _respond(request, Interlocked.Increment(ref _count) - 1);
        if (response.Delay > TimeSpan.Zero)
        {
            try
            {
                await Task.Delay(response.Delay, context.RequestAborted);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }

        if (response.Status == 0)
        {
            context.Abort();
            return;
        }

        context.Response.StatusCode = response.Status;
        context.Response.ContentType = "application/json";
        // The Anthropic SDK honours this hint, so its retry tests do not sleep through the default backoff.
        context.Response.Headers["retry-after-ms"] = "1";
        context.Response.Headers["retry-after"] = "0";
        foreach (var (name, value) in response.Headers ?? new Dictionary<string, string>())
        {
            if (value.Length == 0)
            {
                context.Response.Headers.Remove(name); // an empty value removes a default header
            }
            else
            {
                context.Response.Headers[name] = value;
            }
        }

        await context.Response.WriteAsync(response.Body, context.RequestAborted);
    }
}
