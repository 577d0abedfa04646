using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using OutreachOS.Ingestion.Contracts;
using OutreachOS.Ingestion.Mailbox;
using OutreachOS.Ingestion.Normalizing;
using OutreachOS.Ingestion.OAuth;

namespace OutreachOS.Ingestion.Gmail;

/// <summary>
/// Gmail API: <c>users.history.list</c> (messageAdded since the stored history id) then <c>users.messages.get?format=full</c>.
/// Sent mail and drafts of the mailbox itself are skipped. Without a stored cursor (first push for a mailbox), the list
/// starts one before the notified history id — Gmail ids grow, and the change that caused the push is at or before it.
/// The cursor only moves to ids Gmail returned, never to the pushed one: after all pages, to the mailbox's history id;
/// when <see cref="MaxPages"/> pages were read and more remain, to the last history record read (<c>More</c>: the consumer
/// continues from there). When Gmail answers 404 (cursor older than the history it keeps), the messages received since the
/// cursor's last complete read are listed and read instead (<see cref="CatchUpAsync"/>), and the cursor moves to the
/// mailbox's history id taken before that listing; without a known last read (first read of a mailbox), it moves there
/// directly and the gap is logged.
/// The bearer token comes from the mailbox's <see cref="IAccessTokenSource"/> (<see cref="MailboxTokenSources"/>: its own
/// refresh token when configured, else the shared OAuth grant or the static setting).
/// </summary>
internal sealed class GmailMailboxAdapter(HttpClient http, IngestionOptions options, MailboxTokenSources tokens, ILogger<GmailMailboxAdapter> logger) : IMailboxAdapter
{
    internal const int MaxPages = 20;

    /// <summary>Every mailbox with the same token source.</summary>
    public GmailMailboxAdapter(HttpClient http, IngestionOptions options, IAccessTokenSource tokens, ILogger<GmailMailboxAdapter> logger)
        : this(http, options, MailboxTokenSources.Single(tokens), logger)
    {
    }

    public InboundSource Source => InboundSource.Gmail;

    public async Task<MailboxChanges> ChangesAsync(string mailbox, string notified, string? cursor, DateTimeOffset? syncedAt, CancellationToken ct)
    {
        // The pushed history id is the pusher's to choose: it only picks where the very first read starts (no cursor yet).
        // The cursor itself only ever moves to ids Gmail returned.
        var start = cursor is not null ? ulong.Parse(cursor, CultureInfo.InvariantCulture)
            : ulong.TryParse(notified, NumberStyles.None, CultureInfo.InvariantCulture, out var notifiedId) ? Math.Max(1, notifiedId - 1)
            : await CurrentHistoryIdAsync(mailbox, ct);
        var ids = new List<string>();
        ulong? lastRecord = null; // the newest history record read so far
        ulong? mailboxLatest = null;
        string? page = null;
        for (var n = 0; n < MaxPages; n++)
        {
            var url = $"gmail/v1/users/{Uri.EscapeDataString(mailbox)}/history?startHistoryId={start}&historyTypes=messageAdded"
                + (page is null ? "" : "&pageToken=" + Uri.EscapeDataString(page));
            using var response = await SendAsync(mailbox, url, ct);
            if (response.StatusCode == HttpStatusCode.NotFound)
            {
                if (lastRecord is { } read)
                {
                    // Pages already read are kept; the next run starts after them.
                    return new MailboxChanges(ids, Id(read), More: true);
                }
                if (cursor is not null && syncedAt is { } since)
                {
                    return await CatchUpAsync(mailbox, start, since, ct);
                }
                // No read of this mailbox to start from (the first push named a history id Gmail no longer has).
                var current = await CurrentHistoryIdAsync(mailbox, ct);
                logger.LogWarning("Gmail history {Start} of a mailbox is no longer available and the mailbox was never read; moving the cursor to the mailbox's history id {Current} (earlier messages are not read)",
                    start, current);
                return new MailboxChanges(ids, Id(current));
            }
            response.EnsureSuccessStatusCode();
            using var doc = JsonDocument.Parse(await response.Content.ReadAsStringAsync(ct));
            var root = doc.RootElement;
            if (root.TryGetProperty("history", out var history) && history.ValueKind == JsonValueKind.Array)
            {
                foreach (var h in history.EnumerateArray())
                {
                    if (Str(h, "id") is { } hid && ulong.TryParse(hid, NumberStyles.None, CultureInfo.InvariantCulture, out var recordId))
                    {
                        lastRecord = Math.Max(lastRecord ?? 0, recordId);
                    }
                    if (!h.TryGetProperty("messagesAdded", out var added) || added.ValueKind != JsonValueKind.Array)
                    {
                        continue;
                    }
                    foreach (var a in added.EnumerateArray())
                    {
                        if (a.TryGetProperty("message", out var m) && Str(m, "id") is { } id && !IsOwn(m) && !ids.Contains(id))
                        {
                            ids.Add(id);
                        }
                    }
                }
            }
            if (Str(root, "historyId") is { } latest && ulong.TryParse(latest, NumberStyles.None, CultureInfo.InvariantCulture, out var l))
            {
                mailboxLatest = l;
            }
            page = Str(root, "nextPageToken");
            if (page is null)
            {
                // Everything read: the mailbox's history id as Gmail gave it (not the start, which may come from a push).
                var latestKnown = Math.Max(mailboxLatest ?? 0, lastRecord ?? 0);
                return new MailboxChanges(ids, latestKnown > 0 ? Id(latestKnown) : cursor);
            }
        }
        // Pages remain: resume after the last record read. Without one (pages of nothing), there is no progress to keep.
        if (lastRecord is not { } last)
        {
            logger.LogWarning("Gmail history of a mailbox: {Pages} pages after {Start} held no history record; reading stops until the next push",
                MaxPages, start);
            return new MailboxChanges(ids, cursor);
        }
        return new MailboxChanges(ids, Id(last), More: true);
    }

    /// <summary>
    /// The history after the cursor is gone: list (<c>users.messages.list</c>, newest first, sent mail and drafts left out
    /// as the history read skips them) the messages received after <paramref name="syncedAt"/> less the overlap, and
    /// return them oldest first with the mailbox's history id read <em>before</em> the listing as the cursor: a message
    /// that arrives during the listing is either listed or after that id, and read by the next history read either way.
    /// Those already ingested are dropped by Message-ID downstream. At most <see cref="GmailCatchUpOptions.MaxMessages"/>
    /// messages on <see cref="GmailCatchUpOptions.MaxPages"/> pages: beyond, the oldest of the range are not read, which
    /// is logged and counted (<see cref="MailboxMetrics.GmailCatchUps"/>, outcome truncated).
    /// </summary>
    private async Task<MailboxChanges> CatchUpAsync(string mailbox, ulong start, DateTimeOffset syncedAt, CancellationToken ct)
    {
        var bounds = options.Gmail.CatchUp;
        var current = await CurrentHistoryIdAsync(mailbox, ct);
        var after = syncedAt - bounds.Overlap;
        var query = "after:" + Math.Max(0, after.ToUnixTimeSeconds()).ToString(CultureInfo.InvariantCulture) + " -in:sent -in:drafts";
        var ids = new List<string>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        string? page = null;
        var pages = 0;
        var truncated = false;
        do
        {
            if (pages == bounds.MaxPages || ids.Count >= bounds.MaxMessages)
            {
                truncated = true;
                break;
            }
            var url = $"gmail/v1/users/{Uri.EscapeDataString(mailbox)}/messages?q={Uri.EscapeDataString(query)}"
                + $"&maxResults={Math.Min(500, bounds.MaxMessages - ids.Count).ToString(CultureInfo.InvariantCulture)}"
                + (page is null ? "" : "&pageToken=" + Uri.EscapeDataString(page));
            using var response = await SendAsync(mailbox, url, ct);
            response.EnsureSuccessStatusCode();
            using var doc = JsonDocument.Parse(await response.Content.ReadAsStringAsync(ct));
            pages++;
            if (doc.RootElement.TryGetProperty("messages", out var messages) && messages.ValueKind == JsonValueKind.Array)
            {
                foreach (var m in messages.EnumerateArray())
                {
                    if (Str(m, "id") is { } id && ids.Count < bounds.MaxMessages && seen.Add(id))
                    {
                        ids.Add(id);
                    }
                }
            }
            page = Str(doc.RootElement, "nextPageToken");
        }
        while (page is not null);
        ids.Reverse();
        if (truncated)
        {
            logger.LogError("Gmail history {Start} of a mailbox is no longer available; the catch-up stopped at {Count} messages on {Pages} pages (bounds {MaxMessages} messages, {MaxPages} pages): older messages received after {After:o} are not read. Cursor moved to {Current}",
                start, ids.Count, pages, bounds.MaxMessages, bounds.MaxPages, after, current);
        }
        else
        {
            logger.LogWarning("Gmail history {Start} of a mailbox is no longer available; caught up by listing {Count} messages received after {After:o}. Cursor moved to {Current}",
                start, ids.Count, after, current);
        }
        MailboxMetrics.GmailCatchUps.Add(1, new KeyValuePair<string, object?>("outcome", truncated ? "truncated" : "complete"));
        return new MailboxChanges(ids, Id(current));
    }

    /// <summary>The mailbox's current history id (<c>users.getProfile</c>).</summary>
    private async Task<ulong> CurrentHistoryIdAsync(string mailbox, CancellationToken ct)
    {
        using var response = await SendAsync(mailbox, $"gmail/v1/users/{Uri.EscapeDataString(mailbox)}/profile", ct);
        response.EnsureSuccessStatusCode();
        using var doc = JsonDocument.Parse(await response.Content.ReadAsStringAsync(ct));
        return Str(doc.RootElement, "historyId") is { } h && ulong.TryParse(h, NumberStyles.None, CultureInfo.InvariantCulture, out var id)
            ? id
            : throw new InvalidOperationException("Gmail's profile of a mailbox has no historyId.");
    }

    private static string Id(ulong id) => id.ToString(CultureInfo.InvariantCulture);

    public async Task<RawEmail?> FetchAsync(string mailbox, string resourceId, CancellationToken ct)
    {
        using var response = await SendAsync(mailbox, $"gmail/v1/users/{Uri.EscapeDataString(mailbox)}/messages/{Uri.EscapeDataString(resourceId)}?format=full", ct);
        if (response.StatusCode == HttpStatusCode.NotFound)
        {
            return null;
        }
        response.EnsureSuccessStatusCode();
        using var doc = JsonDocument.Parse(await response.Content.ReadAsStringAsync(ct));
        return Map(doc.RootElement);
    }

    internal static RawEmail Map(JsonElement m)
    {
        var payload = m.TryGetProperty("payload", out var p) ? p : default;
        var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        if (payload.ValueKind == JsonValueKind.Object && payload.TryGetProperty("headers", out var hs) && hs.ValueKind == JsonValueKind.Array)
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
        Walk(payload, ref text, ref html);
        DateTimeOffset? received = Str(m, "internalDate") is { } ms && long.TryParse(ms, CultureInfo.InvariantCulture, out var epoch)
            ? DateTimeOffset.FromUnixTimeMilliseconds(epoch) : null;
        return new RawEmail(
            Str(m, "id") is { } gid ? MessageIds.UsableOr(headers.GetValueOrDefault("Message-ID"), $"gmail:{gid}") : headers.GetValueOrDefault("Message-ID"),
            Str(m, "threadId"),
            // Several authors are legal in From; the first is the sender we answer.
            headers.TryGetValue("From", out var from) && AddressHeader.Parse(from) is [var sender, ..] ? sender : null,
            AddressList(headers.GetValueOrDefault("To")),
            AddressList(headers.GetValueOrDefault("Cc")),
            headers.GetValueOrDefault("Subject"),
            text,
            html,
            headers,
            received,
            headers.GetValueOrDefault("In-Reply-To"),
            MessageIds.SplitRaw(headers.GetValueOrDefault("References")).ToList());
    }

    /// <summary>First text/plain and first text/html part, depth first (attachments have a filename and are skipped).</summary>
    private static void Walk(JsonElement part, ref string? text, ref string? html)
    {
        if (part.ValueKind != JsonValueKind.Object)
        {
            return;
        }
        var mime = Str(part, "mimeType") ?? "";
        var attachment = Str(part, "filename") is { Length: > 0 };
        if (!attachment && part.TryGetProperty("body", out var body) && Str(body, "data") is { } data)
        {
            var decoded = Encoding.UTF8.GetString(JwtRs256.Base64Url(data));
            if (mime.Equals("text/plain", StringComparison.OrdinalIgnoreCase))
            {
                text ??= decoded;
            }
            else if (mime.Equals("text/html", StringComparison.OrdinalIgnoreCase))
            {
                html ??= decoded;
            }
        }
        if (part.TryGetProperty("parts", out var parts) && parts.ValueKind == JsonValueKind.Array)
        {
            foreach (var child in parts.EnumerateArray())
            {
                Walk(child, ref text, ref html);
            }
        }
    }

    /// <summary>An address header's addresses (<see cref="AddressHeader"/>: quotes, comments, groups).</summary>
    internal static List<RawAddress> AddressList(string? value) => AddressHeader.Parse(value);

    private static bool IsOwn(JsonElement message) =>
        message.TryGetProperty("labelIds", out var labels) && labels.ValueKind == JsonValueKind.Array
        && labels.EnumerateArray().Any(l => l.GetString() is "SENT" or "DRAFT");

    private Task<HttpResponseMessage> SendAsync(string mailbox, string relative, CancellationToken ct) =>
        BearerSender.SendAsync(http, tokens.For(mailbox), () => new HttpRequestMessage(HttpMethod.Get, new Uri(options.Gmail.BaseUrl, relative)), ct);

    private static string? Str(JsonElement e, string name) =>
        e.ValueKind == JsonValueKind.Object && e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;
}
