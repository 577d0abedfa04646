using System.Globalization;
using System.Net;
using System.Text.Json;
using OutreachOS.Ingestion.Contracts;
using OutreachOS.Ingestion.Normalizing;
using OutreachOS.Ingestion.Mailbox;
using OutreachOS.Ingestion.OAuth;

namespace OutreachOS.Ingestion.Graph;

/// <summary>
/// Microsoft Graph REST: <c>GET {BaseUrl}/{resource}?$select=...</c> (never outside BaseUrl) with a bearer token from
/// <see cref="IAccessTokenSource"/> (OAuth client-credentials grant, or the static setting). The body is
/// requested as Graph stores it (HTML for most mail) so that our own conversion finds and counts hidden content.
/// </summary>
internal sealed class GraphMailboxAdapter(HttpClient http, IngestionOptions options, IAccessTokenSource tokens) : IMailboxAdapter
{
    private const string Select = "internetMessageId,conversationId,subject,body,from,toRecipients,ccRecipients,receivedDateTime,internetMessageHeaders";

    public InboundSource Source => InboundSource.Graph;

    public Task<MailboxChanges> ChangesAsync(string mailbox, string notified, string? cursor, DateTimeOffset? syncedAt, CancellationToken ct) =>
        Task.FromResult(new MailboxChanges([notified], null));

    public async Task<RawEmail?> FetchAsync(string mailbox, string resourceId, CancellationToken ct)
    {
        var url = new Uri(options.Graph.BaseUrl, $"{resourceId}?$select={Select}");
        if (!GraphResource.IsUnder(url, options.Graph.BaseUrl))
        {
            // The webhook accepts only message paths; this guards the token against anything that reaches here otherwise.
            throw new InvalidOperationException($"Refusing to send the Graph token outside {options.Graph.BaseUrl}: the resource of this notification is not a Graph path.");
        }
        using var response = await BearerSender.SendAsync(http, tokens, () => new HttpRequestMessage(HttpMethod.Get, url), ct);
        if (response.StatusCode == HttpStatusCode.NotFound)
        {
            return null;
        }
        response.EnsureSuccessStatusCode();
        using var doc = JsonDocument.Parse(await response.Content.ReadAsStringAsync(ct));
        return Map(doc.RootElement, resourceId);
    }

    internal static RawEmail Map(JsonElement m, string resourceId)
    {
        var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        if (m.TryGetProperty("internetMessageHeaders", out var hs) && hs.ValueKind == JsonValueKind.Array)
        {
            foreach (var h in hs.EnumerateArray())
            {
                if (Str(h, "name") is { } name && Str(h, "value") is { } value)
                {
                    headers[name] = headers.TryGetValue(name, out var prev) ? prev + ", " + value : value;
                }
            }
        }
        string? text = null, html = null;
        if (m.TryGetProperty("body", out var body) && body.ValueKind == JsonValueKind.Object)
        {
            if (string.Equals(Str(body, "contentType"), "html", StringComparison.OrdinalIgnoreCase))
            {
                html = Str(body, "content");
            }
            else
            {
                text = Str(body, "content");
            }
        }
        return new RawEmail(
            MessageIds.UsableOr(Str(m, "internetMessageId"), $"graph:{resourceId}"),
            Str(m, "conversationId"),
            m.TryGetProperty("from", out var from) ? Recipient(from) : null,
            Recipients(m, "toRecipients"),
            Recipients(m, "ccRecipients"),
            Str(m, "subject"),
            text,
            html,
            headers,
            Str(m, "receivedDateTime") is { } at && DateTimeOffset.TryParse(at, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var t) ? t : null,
            headers.GetValueOrDefault("In-Reply-To"),
            MessageIds.SplitRaw(headers.GetValueOrDefault("References")).ToList());
    }

    private static List<RawAddress> Recipients(JsonElement m, string name) =>
        m.TryGetProperty(name, out var list) && list.ValueKind == JsonValueKind.Array
            ? list.EnumerateArray().Select(Recipient).OfType<RawAddress>().ToList()
            : [];

    private static RawAddress? Recipient(JsonElement r) =>
        r.ValueKind == JsonValueKind.Object && r.TryGetProperty("emailAddress", out var a) && a.ValueKind == JsonValueKind.Object
            ? new RawAddress(Str(a, "address"), Str(a, "name"))
            : null;

    private static string? Str(JsonElement e, string name) =>
        e.ValueKind == JsonValueKind.Object && e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;
}
