using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using OutreachOS.Ingestion.OAuth;

namespace OutreachOS.Ingestion.Subscribing;

/// <summary>A subscription call was refused or failed: the HTTP status and the provider's error message (never a token).</summary>
internal sealed class SubscriptionCallException(string provider, string operation, int status, string? detail)
    : InvalidOperationException($"{provider} {operation} failed (HTTP {status}){(detail is null ? "" : ": " + detail)}")
{
    public int Status { get; } = status;

    public static async Task<SubscriptionCallException> FromAsync(string provider, string operation, HttpResponseMessage response, CancellationToken ct)
    {
        string? detail = null;
        try
        {
            // Google and Graph both answer {"error": {"message": ...}} (Graph adds "code").
            var body = JsonNode.Parse(await response.Content.ReadAsStringAsync(ct));
            var error = body?["error"];
            detail = error is JsonObject o
                ? string.Join(" ", new[] { o["code"]?.ToString(), o["message"]?.ToString() }.Where(x => !string.IsNullOrEmpty(x)))
                : error?.ToString();
        }
        catch (JsonException)
        {
        }
        if (detail is { Length: > 300 })
        {
            detail = detail[..300] + "…";
        }
        return new SubscriptionCallException(provider, operation, (int)response.StatusCode, string.IsNullOrEmpty(detail) ? null : detail);
    }
}

/// <summary>What <c>users.watch</c> answered: the mailbox's current history id and when the watch ends.</summary>
internal sealed record GmailWatch(string HistoryId, DateTimeOffset Expiration);

/// <summary>
/// Gmail <c>POST {BaseUrl}/gmail/v1/users/{email}/watch</c> with the mailbox's own token (<see cref="MailboxTokenSources"/>).
/// The same call starts and renews a watch.
/// </summary>
internal sealed class GmailWatchClient(HttpClient http, IngestionOptions options, MailboxTokenSources tokens)
{
    public async Task<GmailWatch> WatchAsync(string mailbox, string topic, IReadOnlyList<string> labels, string? labelFilterBehavior, CancellationToken ct)
    {
        var body = new JsonObject { ["topicName"] = topic };
        if (labels.Count > 0)
        {
            body["labelIds"] = new JsonArray([.. labels.Select(l => (JsonNode)l)]);
            if (labelFilterBehavior is not null)
            {
                body["labelFilterBehavior"] = labelFilterBehavior;
            }
        }
        var url = new Uri(options.Gmail.BaseUrl, $"gmail/v1/users/{Uri.EscapeDataString(mailbox)}/watch");
        using var response = await BearerSender.SendAsync(http, tokens.For(mailbox),
            () => new HttpRequestMessage(HttpMethod.Post, url) { Content = JsonContent.Create(body) }, ct);
        if (!response.IsSuccessStatusCode)
        {
            throw await SubscriptionCallException.FromAsync("Gmail", "watch", response, ct);
        }
        using var doc = JsonDocument.Parse(await response.Content.ReadAsStringAsync(ct));
        var root = doc.RootElement;
        var historyId = Text(root, "historyId") ?? throw new InvalidOperationException("Gmail watch answered without historyId.");
        var expiration = Text(root, "expiration") is { } ms && long.TryParse(ms, NumberStyles.None, CultureInfo.InvariantCulture, out var epoch)
            ? DateTimeOffset.FromUnixTimeMilliseconds(epoch)
            : throw new InvalidOperationException("Gmail watch answered without a valid expiration.");
        return new GmailWatch(historyId, expiration);
    }

    /// <summary>Google sends int64 values as strings; accept numbers too.</summary>
    private static string? Text(JsonElement e, string name) =>
        e.ValueKind == JsonValueKind.Object && e.TryGetProperty(name, out var v)
            ? v.ValueKind switch
            {
                JsonValueKind.String => v.GetString(),
                JsonValueKind.Number => v.GetRawText(),
                _ => null,
            }
            : null;
}

/// <summary>A Graph subscription as Graph answered it.</summary>
internal sealed record GraphSubscriptionInfo(string Id, DateTimeOffset Expiration);

/// <summary>Graph <c>/subscriptions</c>: create (POST), renew (PATCH; null when Graph no longer has it), delete.</summary>
internal sealed class GraphSubscriptionClient(HttpClient http, IngestionOptions options, IAccessTokenSource tokens)
{
    public async Task<GraphSubscriptionInfo> CreateAsync(GraphMailbox mailbox, DateTimeOffset expiration, CancellationToken ct)
    {
        var s = options.Graph.Subscribe;
        var body = new JsonObject
        {
            ["changeType"] = "created",
            ["notificationUrl"] = s.NotificationUrl!.ToString(),
            ["resource"] = mailbox.Resource,
            ["expirationDateTime"] = Format(expiration),
            ["clientState"] = mailbox.ClientState,
        };
        if (s.LifecycleNotificationUrl is { } lifecycle)
        {
            body["lifecycleNotificationUrl"] = lifecycle.ToString();
        }
        using var response = await SendAsync(HttpMethod.Post, "subscriptions", body, ct);
        if (!response.IsSuccessStatusCode)
        {
            throw await SubscriptionCallException.FromAsync("Graph", "subscription create", response, ct);
        }
        return await ReadAsync(response, ct);
    }

    public async Task<GraphSubscriptionInfo?> RenewAsync(string subscriptionId, DateTimeOffset expiration, CancellationToken ct)
    {
        using var response = await SendAsync(HttpMethod.Patch, $"subscriptions/{Uri.EscapeDataString(subscriptionId)}",
            new JsonObject { ["expirationDateTime"] = Format(expiration) }, ct);
        if (response.StatusCode == HttpStatusCode.NotFound)
        {
            return null;
        }
        if (!response.IsSuccessStatusCode)
        {
            throw await SubscriptionCallException.FromAsync("Graph", "subscription renewal", response, ct);
        }
        return await ReadAsync(response, ct);
    }

    /// <summary>
    /// The ids of the messages in the mailbox's subscribed folder received at or after <paramref name="since"/>, oldest
    /// first, page by page. At most <paramref name="max"/>: <c>Truncated</c> when more were there. A next-page link is
    /// followed only on the configured Graph origin, so the bearer token never goes anywhere else.
    /// </summary>
    public async Task<(IReadOnlyList<string> Ids, bool Truncated)> ListReceivedSinceAsync(GraphMailbox mailbox, DateTimeOffset since, int max,
        CancellationToken ct)
    {
        var filter = Uri.EscapeDataString($"receivedDateTime ge {since.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture)}");
        Uri? next = new(options.Graph.BaseUrl, $"{mailbox.Resource}?$select=id&$filter={filter}&$orderby=receivedDateTime&$top=100");
        var ids = new List<string>();
        while (next is not null)
        {
            var page = next;
            using var response = await BearerSender.SendAsync(http, tokens, () => new HttpRequestMessage(HttpMethod.Get, page), ct);
            if (!response.IsSuccessStatusCode)
            {
                throw await SubscriptionCallException.FromAsync("Graph", "message listing", response, ct);
            }
            using var doc = JsonDocument.Parse(await response.Content.ReadAsStringAsync(ct));
            if (doc.RootElement.TryGetProperty("value", out var value) && value.ValueKind == JsonValueKind.Array)
            {
                foreach (var m in value.EnumerateArray())
                {
                    if (m.TryGetProperty("id", out var id) && id.ValueKind == JsonValueKind.String && id.GetString() is { Length: > 0 and <= 512 } text)
                    {
                        if (ids.Count == max)
                        {
                            return (ids, true);
                        }
                        ids.Add(text);
                    }
                }
            }
            next = doc.RootElement.TryGetProperty("@odata.nextLink", out var link) && link.ValueKind == JsonValueKind.String
                && Uri.TryCreate(link.GetString(), UriKind.Absolute, out var u) ? u : null;
            if (next is not null && Uri.Compare(next, options.Graph.BaseUrl, UriComponents.SchemeAndServer, UriFormat.Unescaped, StringComparison.OrdinalIgnoreCase) != 0)
            {
                throw new InvalidOperationException($"Graph's next-page link points outside {options.Graph.BaseUrl.GetLeftPart(UriPartial.Authority)}; not followed.");
            }
        }
        return (ids, false);
    }

    /// <summary>Best effort: a subscription we replace should stop notifying; 404 means it is gone already.</summary>
    public async Task<bool> DeleteAsync(string subscriptionId, CancellationToken ct)
    {
        using var response = await SendAsync(HttpMethod.Delete, $"subscriptions/{Uri.EscapeDataString(subscriptionId)}", null, ct);
        return response.IsSuccessStatusCode || response.StatusCode == HttpStatusCode.NotFound;
    }

    internal static string Format(DateTimeOffset at) => at.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'", CultureInfo.InvariantCulture);

    private Task<HttpResponseMessage> SendAsync(HttpMethod method, string relative, JsonObject? body, CancellationToken ct) =>
        BearerSender.SendAsync(http, tokens, () => new HttpRequestMessage(method, new Uri(options.Graph.BaseUrl, relative))
        {
            Content = body is null ? null : JsonContent.Create(body),
        }, ct);

    private static async Task<GraphSubscriptionInfo> ReadAsync(HttpResponseMessage response, CancellationToken ct)
    {
        using var doc = JsonDocument.Parse(await response.Content.ReadAsStringAsync(ct));
        var root = doc.RootElement;
        var id = root.TryGetProperty("id", out var i) && i.ValueKind == JsonValueKind.String ? i.GetString() : null;
        var at = root.TryGetProperty("expirationDateTime", out var e) && e.ValueKind == JsonValueKind.String
            && DateTimeOffset.TryParse(e.GetString(), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var t) ? t : (DateTimeOffset?)null;
        if (string.IsNullOrEmpty(id) || at is null)
        {
            throw new InvalidOperationException("Graph answered a subscription without id or expirationDateTime.");
        }
        return new GraphSubscriptionInfo(id, at.Value);
    }
}
