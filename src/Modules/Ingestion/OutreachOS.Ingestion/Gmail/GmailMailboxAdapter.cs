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
        var (text, html) = Body(payload);
        DateTimeOffset? received = Str(m, "internalDate") is { } ms && long.TryParse(ms, CultureInfo.InvariantCulture, out var epoch)
            ? DateTimeOffset.FromUnixTimeMilliseconds(epoch) : null;
        return new RawEmail(
            Str(m, "id") is { } gid ? MessageIds.UsableOr(headers.GetValueOrDefault("Message-ID"), $"gmail:{gid}") : headers.GetValueOrDefault("Message-ID"),
            Str(m, "threadId"),
            // Several authors are legal in From; the first is the sender we answer.
            headers.TryGetValue("From", out var from) && AddressHeader.Parse(from) is [var sender, ..] ? sender : null,
            AddressList(headers.GetValueOrDefault("To")),
            AddressList(headers.GetValueOrDefault("Cc")),
            EncodedWords.Decode(headers.GetValueOrDefault("Subject")), // the API gives headers as carried: encoded words too
            text,
            html,
            headers,
            received,
            headers.GetValueOrDefault("In-Reply-To"),
            MessageIds.SplitRaw(headers.GetValueOrDefault("References")).ToList());
    }

    /// <summary>
    /// The message's own text and HTML. An attachment (a filename, <c>Content-Disposition: attachment</c>, or an attached
    /// message, <c>message/*</c>) is neither read nor descended into: the text of a forwarded .eml is not the body. In a
    /// <c>multipart/alternative</c> the first text and first HTML among its alternatives are taken (they are one body in
    /// two forms); in any other multipart (<c>mixed</c>, <c>related</c>...) the first part that holds a body is the body,
    /// both its forms from that part only, so a later inline part (a list footer) never stands in for a missing one.
    /// Each part is decoded by the charset of its Content-Type (<see cref="Decode"/>).
    /// </summary>
    internal static (string? Text, string? Html) Body(JsonElement part)
    {
        if (part.ValueKind != JsonValueKind.Object || IsAttachment(part))
        {
            return (null, null);
        }
        var mime = (Str(part, "mimeType") ?? "").ToLowerInvariant();
        if (mime.StartsWith("multipart/", StringComparison.Ordinal))
        {
            if (!part.TryGetProperty("parts", out var parts) || parts.ValueKind != JsonValueKind.Array)
            {
                return (null, null);
            }
            string? text = null, html = null;
            foreach (var child in parts.EnumerateArray())
            {
                var (t, h) = Body(child);
                if (mime == "multipart/alternative")
                {
                    text ??= t;
                    html ??= h;
                }
                else if (t is not null || h is not null)
                {
                    return (t, h);
                }
            }
            return (text, html);
        }
        if (mime is not ("text/plain" or "text/html") || !part.TryGetProperty("body", out var body) || Str(body, "data") is not { } data)
        {
            return (null, null);
        }
        var decoded = Decode(JwtRs256.Base64Url(data), Header(part, "Content-Type"));
        return mime == "text/plain" ? (decoded, null) : (null, decoded);
    }

    private static bool IsAttachment(JsonElement part) =>
        Str(part, "filename") is { Length: > 0 }
        || (Str(part, "mimeType") ?? "").StartsWith("message/", StringComparison.OrdinalIgnoreCase)
        || (Header(part, "Content-Disposition") ?? "").TrimStart().StartsWith("attachment", StringComparison.OrdinalIgnoreCase);

    /// <summary>A part's header (the first of that name), or null.</summary>
    private static string? Header(JsonElement part, string name)
    {
        if (part.TryGetProperty("headers", out var hs) && hs.ValueKind == JsonValueKind.Array)
        {
            foreach (var h in hs.EnumerateArray())
            {
                if (string.Equals(Str(h, "name"), name, StringComparison.OrdinalIgnoreCase))
                {
                    return Str(h, "value");
                }
            }
        }
        return null;
    }

    /// <summary>
    /// A body part's bytes as text, by the <c>charset</c> of its Content-Type. As browsers do (WHATWG Encoding), ISO-8859-1
    /// and its aliases are read as windows-1252, their superset, which mail labelled Latin-1 mostly is; US-ASCII as UTF-8,
    /// its superset, which 8-bit mail labelled ASCII mostly is. Code pages beyond the few .NET has built in (windows-125x,
    /// ISO-8859-x, KOI8-R, Shift_JIS...) come from <see cref="CodePagesEncodingProvider"/> without registering it process-wide.
    /// No charset, or one unknown or refused (UTF-7), is read as UTF-8. Undecodable bytes become U+FFFD.
    /// </summary>
    internal static string Decode(byte[] bytes, string? contentType)
    {
        var encoding = Charset(contentType) is { } name ? EncodingOf(name) : null;
        return (encoding ?? Encoding.UTF8).GetString(bytes);
    }

    private static Encoding? EncodingOf(string name)
    {
        name = name.Trim().ToLowerInvariant();
        name = name switch
        {
            "iso-8859-1" or "iso8859-1" or "latin1" or "l1" or "iso_8859-1" or "iso-ir-100" or "cp819" or "ibm819" or "csisolatin1" => "windows-1252",
            "us-ascii" or "ascii" or "ansi_x3.4-1968" or "us" or "csascii" => "utf-8",
            "utf-7" or "utf7" or "unicode-1-1-utf-7" or "csunicode11utf7" => "utf-8",
            _ => name,
        };
        try
        {
            return CodePagesEncodingProvider.Instance.GetEncoding(name) ?? Encoding.GetEncoding(name);
        }
        catch (Exception e) when (e is ArgumentException or NotSupportedException)
        {
            return null;
        }
    }

    /// <summary>The <c>charset</c> parameter of a Content-Type (quoted or not), or null.</summary>
    internal static string? Charset(string? contentType)
    {
        if (string.IsNullOrEmpty(contentType))
        {
            return null;
        }
        foreach (var parameter in contentType.Split(';').Skip(1))
        {
            var eq = parameter.IndexOf('=', StringComparison.Ordinal);
            if (eq > 0 && parameter[..eq].Trim().Equals("charset", StringComparison.OrdinalIgnoreCase))
            {
                var value = parameter[(eq + 1)..].Trim().Trim('"', '\'').Trim();
                return value.Length == 0 ? null : value;
            }
        }
        return null;
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
