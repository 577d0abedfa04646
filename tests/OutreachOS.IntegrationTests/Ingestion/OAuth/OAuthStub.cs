using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.WebUtilities;

using OutreachOS.IntegrationTests.Infrastructure;

namespace OutreachOS.IntegrationTests.Ingestion.OAuth;

/// <summary>
/// Loopback (127.0.0.1) token server plus Gmail and Graph APIs that accept only tokens it issued and has not revoked.
/// Token endpoints: <c>/google/token</c> and <c>/{tenant}/oauth2/v2.0/token</c>. Every message id exists.
/// </summary>
internal sealed class OAuthStub : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ConcurrentDictionary<string, bool> _valid = new();
    private int _issued;

    private OAuthStub()
    {
        _app = LoopbackApp.Create(HandleAsync);
    }

    public Uri BaseUrl { get; private set; } = null!;

    public ConcurrentQueue<(string Path, Dictionary<string, string> Form)> TokenRequests { get; } = new();

    public ConcurrentQueue<(string Path, string Authorization, int Status)> ApiRequests { get; } = new();

    public int ExpiresIn { get; set; } = 3600;

    /// <summary>When set, the token endpoint answers 400 with this OAuth error (and a description echoing nothing secret).</summary>
    public string? TokenError { get; set; }

    /// <summary>The API rejects every token, even fresh ones (a client without the mail scope, say).</summary>
    public bool RejectAll { get; set; }

    /// <summary>Milliseconds the token endpoint waits before answering (lets concurrent callers pile up).</summary>
    public int TokenDelayMs { get; set; }

    /// <summary>The provider revokes every token issued so far (the API answers 401 until a new one is obtained).</summary>
    public void RevokeAll() => _valid.Clear();

    public static async Task<OAuthStub> StartAsync()
    {
        var stub = new OAuthStub();
        stub.BaseUrl = await LoopbackApp.StartAsync(stub._app);
        return stub;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    private async Task HandleAsync(HttpContext context)
    {
        var path = context.Request.Path.Value ?? "";
        context.Response.ContentType = "application/json";
        if (path == "/google/token" || path.EndsWith("/oauth2/v2.0/token", StringComparison.Ordinal))
        {
            using var reader = new StreamReader(context.Request.Body);
            var form = QueryHelpers.ParseQuery(await reader.ReadToEndAsync(context.RequestAborted)).ToDictionary(kv => kv.Key, kv => kv.Value.ToString());
            TokenRequests.Enqueue((path, form));
            if (TokenDelayMs > 0)
            {
                await Task.Delay(TokenDelayMs, context.RequestAborted);
            }
            if (TokenError is { } error)
            {
                context.Response.StatusCode = 400;
                await context.Response.WriteAsync(new JsonObject { ["error"] = error, ["error_description"] = "Token has been expired or revoked." }.ToJsonString());
                return;
            }
            var token = $"at-{Interlocked.Increment(ref _issued)}-{Guid.NewGuid():N}";
            _valid[token] = true;
            await context.Response.WriteAsync(new JsonObject { ["access_token"] = token, ["expires_in"] = ExpiresIn, ["token_type"] = "Bearer" }.ToJsonString());
            return;
        }
        var auth = context.Request.Headers.Authorization.ToString();
        var ok = !RejectAll && auth.StartsWith("Bearer ", StringComparison.Ordinal) && _valid.ContainsKey(auth["Bearer ".Length..]);
        ApiRequests.Enqueue((path, auth, ok ? 200 : 401));
        if (!ok)
        {
            context.Response.StatusCode = 401;
            return;
        }
        var id = path[(path.LastIndexOf('/') + 1)..];
        if (path.StartsWith("/gmail-api/gmail/v1/users/", StringComparison.Ordinal))
        {
            await context.Response.WriteAsync(new JsonObject
            {
                ["id"] = id,
                ["threadId"] = "t-" + id,
                ["payload"] = new JsonObject
                {
                    ["mimeType"] = "text/plain",
                    ["headers"] = new JsonArray(
                        new JsonObject { ["name"] = "Message-ID", ["value"] = $"<{id}@gmail.test>" },
                        new JsonObject { ["name"] = "From", ["value"] = "Ana <ana@prospect.test>" },
                        new JsonObject { ["name"] = "Subject", ["value"] = "Hello " + id }),
                },
            }.ToJsonString());
            return;
        }
        if (path.StartsWith("/graph/v1.0/", StringComparison.Ordinal))
        {
            await context.Response.WriteAsync(new JsonObject
            {
                ["internetMessageId"] = $"<{id}@graph.test>",
                ["subject"] = "Hello " + id,
                ["from"] = new JsonObject { ["emailAddress"] = new JsonObject { ["address"] = "ana@prospect.test", ["name"] = "Ana" } },
                ["body"] = new JsonObject { ["contentType"] = "text", ["content"] = "hi" },
            }.ToJsonString());
            return;
        }
        context.Response.StatusCode = 404;
    }
}
