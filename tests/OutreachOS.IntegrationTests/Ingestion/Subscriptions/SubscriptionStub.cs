using System.Collections.Concurrent;
using System.Globalization;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using OutreachOS.IntegrationTests.Infrastructure;

namespace OutreachOS.IntegrationTests.Ingestion.Subscriptions;

/// <summary>
/// A loopback server (127.0.0.1, ephemeral port) playing Google's token endpoint, Gmail's <c>users.watch</c> and
/// <c>messages.get</c>, and Graph's <c>/subscriptions</c>. Gmail calls are accepted only with the bearer token issued for
/// that user's refresh token (<see cref="GmailRefreshTokens"/>), so a mailbox served with another mailbox's token gets 401.
/// Expirations are computed from the test's clock. Every request is recorded.
/// </summary>
internal sealed class SubscriptionStub : IAsyncDisposable
{
    public const string GraphToken = "graph-token-subs";
    public static readonly TimeSpan GmailWatchLifetime = TimeSpan.FromDays(7);

    private readonly WebApplication _app;
    private readonly TimeProvider _clock;
    private int _historyId = 1000;
    private int _subscriptionId;
    private int _graphFailures;

    private SubscriptionStub(TimeProvider clock)
    {
        _clock = clock;
        _app = LoopbackApp.Create(HandleAsync);
    }

    public Uri BaseUrl { get; private set; } = null!;

    public ConcurrentQueue<(string Method, string Path, string? Authorization, string Body)> Requests { get; } = new();

    /// <summary>Gmail user (lower-case) → the refresh token whose access token that user's calls must carry.</summary>
    public ConcurrentDictionary<string, string> GmailRefreshTokens { get; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>
    /// The public half of a service account's key: the token endpoint then also grants JWT-bearer assertions it signed
    /// (domain-wide delegation), checking signature, audience, scope and lifetime, with the token <c>at-sa-{sub}</c>.
    /// </summary>
    public System.Security.Cryptography.RSA? ServiceAccountKey { get; set; }

    /// <summary>The subjects (mailboxes) of the JWT-bearer assertions granted so far.</summary>
    public ConcurrentQueue<string> DelegatedSubjects { get; } = new();

    /// <summary>How long a watch lasts (Gmail: 7 days).</summary>
    public TimeSpan WatchLifetime { get; set; } = GmailWatchLifetime;

    /// <summary>When set, a watch call waits for it before answering (to hold one host inside its renewal).</summary>
    public TaskCompletionSource? WatchGate { get; set; }

    /// <summary>Completed when a watch call arrives.</summary>
    public TaskCompletionSource WatchArrived { get; private set; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Messages in every Graph mailbox's Inbox (id, receivedDateTime), for the catch-up listing.</summary>
    public ConcurrentQueue<(string Id, DateTimeOffset ReceivedAt)> GraphMessages { get; } = new();

    /// <summary>Messages per page of a Graph listing (the rest behind <c>@odata.nextLink</c>).</summary>
    public int GraphPageSize { get; set; } = 100;

    /// <summary>When set, a listing's next-page link points to this origin instead of the stub's own.</summary>
    public Uri? GraphNextLinkOrigin { get; set; }

    /// <summary>Graph subscriptions that exist (id → expiration).</summary>
    public ConcurrentDictionary<string, DateTimeOffset> GraphSubscriptions { get; } = new();

    public IReadOnlyList<(string Method, string Path, string? Authorization, string Body)> Calls(string method, string pathContains) =>
        [.. Requests.Where(r => r.Method == method && r.Path.Contains(pathContains, StringComparison.Ordinal))];

    /// <summary>The next <paramref name="count"/> Graph subscription calls answer 500.</summary>
    public void FailGraph(int count) => Interlocked.Exchange(ref _graphFailures, count);

    public static string AccessTokenFor(string refreshToken) => "at-" + refreshToken;

    private static byte[] Base64UrlDecode(string part) => OutreachOS.Ingestion.Gmail.JwtRs256.Base64Url(part);

    public static async Task<SubscriptionStub> StartAsync(TimeProvider clock)
    {
        var stub = new SubscriptionStub(clock);
        stub.BaseUrl = await LoopbackApp.StartAsync(stub._app);
        return stub;
    }

    public async ValueTask DisposeAsync()
    {
        WatchGate?.TrySetResult();
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    private async Task HandleAsync(HttpContext context)
    {
        using var reader = new StreamReader(context.Request.Body);
        var body = await reader.ReadToEndAsync(context.RequestAborted);
        var path = context.Request.Path.Value ?? "";
        var auth = context.Request.Headers.Authorization.ToString();
        var method = context.Request.Method;
        Requests.Enqueue((method, path, auth, body));
        context.Response.ContentType = "application/json";
        var now = _clock.GetUtcNow();

        if (path == "/google/token" && method == "POST")
        {
            var form = System.Web.HttpUtility.ParseQueryString(body);
            if (form["grant_type"] == "urn:ietf:params:oauth:grant-type:jwt-bearer")
            {
                var parts = (form["assertion"] ?? "").Split('.');
                var claims = parts.Length == 3 ? JsonNode.Parse(Base64UrlDecode(parts[1])) : null;
                var valid = ServiceAccountKey is { } key && claims is not null
                    && key.VerifyData(System.Text.Encoding.ASCII.GetBytes(parts[0] + "." + parts[1]), Base64UrlDecode(parts[2]),
                        System.Security.Cryptography.HashAlgorithmName.SHA256, System.Security.Cryptography.RSASignaturePadding.Pkcs1)
                    && claims["aud"]?.GetValue<string>() == new Uri(BaseUrl, "google/token").ToString()
                    && claims["scope"]?.GetValue<string>() == "https://www.googleapis.com/auth/gmail.readonly"
                    && claims["exp"]!.GetValue<long>() > now.ToUnixTimeSeconds();
                if (!valid)
                {
                    context.Response.StatusCode = 400;
                    await context.Response.WriteAsJsonAsync(new { error = "invalid_grant", error_description = "Invalid JWT Signature." });
                    return;
                }
                var subject = claims!["sub"]!.GetValue<string>();
                DelegatedSubjects.Enqueue(subject);
                await context.Response.WriteAsJsonAsync(new { access_token = "at-sa-" + subject, expires_in = 3600, token_type = "Bearer" });
                return;
            }
            await context.Response.WriteAsJsonAsync(new { access_token = AccessTokenFor(form["refresh_token"]!), expires_in = 3600, token_type = "Bearer" });
            return;
        }
        const string gmail = "/gmail-api/gmail/v1/users/";
        if (path.StartsWith(gmail, StringComparison.Ordinal))
        {
            var rest = path[gmail.Length..].Split('/');
            var user = Uri.UnescapeDataString(rest[0]);
            var delegated = ServiceAccountKey is not null && auth == "Bearer at-sa-" + user;
            if (!delegated && (!GmailRefreshTokens.TryGetValue(user, out var refresh) || auth != "Bearer " + AccessTokenFor(refresh)))
            {
                context.Response.StatusCode = 401;
                await context.Response.WriteAsJsonAsync(new { error = new { code = 401, message = "Request had invalid authentication credentials." } });
                return;
            }
            if (rest is [_, "watch"] && method == "POST")
            {
                WatchArrived.TrySetResult();
                if (WatchGate is { } gate)
                {
                    await gate.Task;
                }
                var history = Interlocked.Increment(ref _historyId);
                await context.Response.WriteAsJsonAsync(new
                {
                    historyId = history.ToString(CultureInfo.InvariantCulture),
                    expiration = (now + WatchLifetime).ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture),
                });
                return;
            }
            if (rest is [_, "messages", var id] && method == "GET")
            {
                await context.Response.WriteAsJsonAsync(new
                {
                    id,
                    threadId = "t-" + id,
                    internalDate = now.ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture),
                    payload = new
                    {
                        mimeType = "text/plain",
                        headers = new[]
                        {
                            new { name = "Message-ID", value = $"<{id}@{user}>" },
                            new { name = "From", value = "Dana <dana@customer.test>" },
                            new { name = "To", value = user },
                            new { name = "Subject", value = "Hello " + user },
                        },
                        body = new { data = Convert.ToBase64String("Hi"u8.ToArray()).TrimEnd('=') },
                    },
                });
                return;
            }
            context.Response.StatusCode = 404;
            return;
        }
        const string inbox = "/mailFolders('Inbox')/messages";
        if (path.StartsWith("/graph/v1.0/users/", StringComparison.Ordinal) && path.EndsWith(inbox, StringComparison.Ordinal) && method == "GET")
        {
            if (auth != "Bearer " + GraphToken)
            {
                context.Response.StatusCode = 401;
                return;
            }
            var filter = System.Text.RegularExpressions.Regex.Match(context.Request.Query["$filter"].ToString(), @"^receivedDateTime ge (\S+)$");
            if (!filter.Success || context.Request.Query["$select"] != "id" || context.Request.Query["$orderby"] != "receivedDateTime")
            {
                context.Response.StatusCode = 400;
                await context.Response.WriteAsJsonAsync(new { error = new { code = "BadRequest", message = "Unexpected query." } });
                return;
            }
            var since = DateTimeOffset.Parse(filter.Groups[1].Value, CultureInfo.InvariantCulture);
            var skip = int.TryParse(context.Request.Query["$skip"], CultureInfo.InvariantCulture, out var k) ? k : 0;
            var matching = GraphMessages.Where(m => m.ReceivedAt >= since).OrderBy(m => m.ReceivedAt).ToList();
            var page = matching.Skip(skip).Take(GraphPageSize).Select(m => new { id = m.Id }).ToList();
            var origin = GraphNextLinkOrigin ?? BaseUrl;
            var next = skip + GraphPageSize < matching.Count
                ? new Uri(origin, $"{path.TrimStart('/')}?$select=id&$filter={Uri.EscapeDataString(filter.Value)}&$orderby=receivedDateTime&$skip={skip + GraphPageSize}").ToString()
                : null;
            await context.Response.WriteAsync(new JsonObject
            {
                ["value"] = new JsonArray([.. page.Select(p => (JsonNode)new JsonObject { ["id"] = p.id })]),
                ["@odata.nextLink"] = next,
            }.ToJsonString());
            return;
        }
        const string graph = "/graph/v1.0/subscriptions";
        if (path.StartsWith(graph, StringComparison.Ordinal))
        {
            if (auth != "Bearer " + GraphToken)
            {
                context.Response.StatusCode = 401;
                return;
            }
            if (method != "DELETE" && Interlocked.Decrement(ref _graphFailures) >= 0)
            {
                context.Response.StatusCode = 500;
                await context.Response.WriteAsJsonAsync(new { error = new { code = "InternalServerError", message = "Try again later." } });
                return;
            }
            var id = path.Length > graph.Length + 1 ? Uri.UnescapeDataString(path[(graph.Length + 1)..]) : null;
            if (method == "POST" && id is null)
            {
                var json = JsonNode.Parse(body)!;
                var expiration = DateTimeOffset.Parse(json["expirationDateTime"]!.GetValue<string>(), CultureInfo.InvariantCulture);
                var newId = $"graph-sub-{Interlocked.Increment(ref _subscriptionId)}";
                GraphSubscriptions[newId] = expiration;
                context.Response.StatusCode = 201;
                await context.Response.WriteAsJsonAsync(new
                {
                    id = newId,
                    resource = json["resource"]!.GetValue<string>(),
                    changeType = "created",
                    expirationDateTime = expiration.UtcDateTime.ToString("o", CultureInfo.InvariantCulture),
                });
                return;
            }
            if (method == "PATCH" && id is not null)
            {
                if (!GraphSubscriptions.ContainsKey(id))
                {
                    context.Response.StatusCode = 404;
                    await context.Response.WriteAsJsonAsync(new { error = new { code = "ResourceNotFound", message = "The object was not found." } });
                    return;
                }
                var expiration = DateTimeOffset.Parse(JsonNode.Parse(body)!["expirationDateTime"]!.GetValue<string>(), CultureInfo.InvariantCulture);
                GraphSubscriptions[id] = expiration;
                await context.Response.WriteAsJsonAsync(new { id, expirationDateTime = expiration.UtcDateTime.ToString("o", CultureInfo.InvariantCulture) });
                return;
            }
            if (method == "DELETE" && id is not null)
            {
                context.Response.StatusCode = GraphSubscriptions.TryRemove(id, out _) ? 204 : 404;
                return;
            }
        }
        context.Response.StatusCode = 404;
    }
}
