using OutreachOS.BuildingBlocks.Privacy;
using OutreachOS.BuildingBlocks.Web;
using OutreachOS.Ingestion.Contracts;

namespace OutreachOS.Ingestion.Normalizing;

/// <summary>A validated, normalized message with what normalization removed.</summary>
internal sealed record NormalizedEmail(InboundEmail Email, int HiddenCharactersRemoved, int HiddenHtmlElementsRemoved, bool Truncated);

/// <summary>
/// Validation (each bad field named with its JSON path) and normalization of a <see cref="RawEmail"/>: HTML → text when
/// there is no text part, hidden HTML dropped, invisible characters stripped from everything a model reads (subject, text,
/// names), header names lower-cased, sizes capped. Pure: the clock comes in.
/// </summary>
internal static class EmailNormalizer
{
    public const int MaxMessageIdChars = 998; // RFC 5322 line limit

    public static (FieldErrors Errors, NormalizedEmail? Email) Normalize(RawEmail r, IngestionOptions o, DateTimeOffset now)
    {
        var e = new FieldErrors();
        e.Required("message_id", r.MessageId, MaxMessageIdChars);
        e.Optional("thread_id", r.ThreadId, MaxMessageIdChars);
        e.Optional("in_reply_to", r.InReplyTo, MaxMessageIdChars * 4);
        if (r.From is null)
        {
            e.Add("from", "is required");
        }
        else if (!EmailAddresses.IsValid(r.From.Email))
        {
            e.Add("from.email", "must be an e-mail address such as name@example.com");
        }
        var to = Addresses(e, "to", r.To, o);
        var cc = Addresses(e, "cc", r.Cc, o);
        if (r.Headers is { Count: var hc } && hc > o.MaxHeaders)
        {
            e.Add("headers", $"must hold at most {o.MaxHeaders} headers");
        }
        if (r.Headers is not null)
        {
            foreach (var name in r.Headers.Keys)
            {
                if (string.IsNullOrWhiteSpace(name) || name.Length > 200 || name.Any(c => c <= ' ' || c == ':' || c > '~'))
                {
                    e.Add("headers", $"'{Shorten(name)}' is not a valid header name");
                }
            }
        }
        if (r.References is { Count: > 500 })
        {
            e.Add("references", "must hold at most 500 ids");
        }
        if (string.IsNullOrWhiteSpace(r.Text) && string.IsNullOrWhiteSpace(r.Html) && string.IsNullOrWhiteSpace(r.Subject))
        {
            e.Add("text", "a message needs a subject, text or html");
        }
        if (e.Any)
        {
            return (e, null);
        }

        var truncated = false;
        var hiddenHtml = 0;
        var html = r.Html;
        if (html is { Length: var hl } && hl > o.MaxHtmlChars)
        {
            html = html[..o.MaxHtmlChars];
            truncated = true;
        }
        var text = r.Text ?? "";
        if (!string.IsNullOrWhiteSpace(html))
        {
            // Converted even when a text part exists: hidden HTML in the part mail clients display is a signal either way.
            var converted = HtmlToText.Convert(html);
            hiddenHtml = converted.HiddenElementsRemoved;
            if (string.IsNullOrWhiteSpace(text))
            {
                text = converted.Text;
            }
        }
        var (cleanText, hiddenInText) = InvisibleCharacters.Strip(text);
        var (cleanSubject, hiddenInSubject) = InvisibleCharacters.Strip(r.Subject ?? "");
        var (fromName, hiddenInName) = InvisibleCharacters.Strip(r.From!.Name);
        if (cleanText.Length > o.MaxTextChars)
        {
            cleanText = cleanText[..o.MaxTextChars];
            truncated = true;
        }
        if (cleanSubject.Length > o.MaxSubjectChars)
        {
            cleanSubject = cleanSubject[..o.MaxSubjectChars];
            truncated = true;
        }

        var headers = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (name, value) in r.Headers ?? new Dictionary<string, string>())
        {
            var key = name.Trim().ToLowerInvariant();
            var v = value ?? "";
            if (v.Length > o.MaxHeaderValueChars)
            {
                v = v[..o.MaxHeaderValueChars];
                truncated = true;
            }
            // The same header twice (case variants) is folded the way RFC 5322 allows for most fields.
            headers[key] = headers.TryGetValue(key, out var existing) ? existing + ", " + v : v;
        }

        var inReplyTo = r.InReplyTo ?? headers.GetValueOrDefault("in-reply-to");
        IReadOnlyList<string> references = r.References is { Count: > 0 }
            ? r.References.SelectMany(MessageIds.SplitRaw).Distinct(StringComparer.Ordinal).ToList()
            : MessageIds.SplitRaw(headers.GetValueOrDefault("references")).Distinct(StringComparer.Ordinal).ToList();

        var email = new InboundEmail(
            r.MessageId!.Trim(),
            string.IsNullOrWhiteSpace(r.ThreadId) ? null : r.ThreadId.Trim(),
            new MailAddress(EmailAddresses.Canonical(r.From.Email!), string.IsNullOrWhiteSpace(fromName) ? null : fromName.Trim()),
            to,
            cc,
            cleanSubject,
            cleanText,
            html,
            headers,
            r.ReceivedAt ?? now,
            string.IsNullOrWhiteSpace(inReplyTo) ? null : inReplyTo.Trim(),
            references);
        return (e, new NormalizedEmail(email, hiddenInText + hiddenInSubject + hiddenInName, hiddenHtml, truncated));
    }

    private static List<MailAddress> Addresses(FieldErrors e, string field, IReadOnlyList<RawAddress>? items, IngestionOptions o)
    {
        var list = new List<MailAddress>();
        if (items is null)
        {
            return list;
        }
        if (items.Count > o.MaxRecipients)
        {
            e.Add(field, $"must hold at most {o.MaxRecipients} addresses");
            return list;
        }
        for (var i = 0; i < items.Count; i++)
        {
            var a = items[i];
            if (a is null || !EmailAddresses.IsValid(a.Email))
            {
                e.Add($"{field}[{i}].email", "must be an e-mail address such as name@example.com");
                continue;
            }
            var (name, _) = InvisibleCharacters.Strip(a.Name);
            list.Add(new MailAddress(EmailAddresses.Canonical(a.Email!), string.IsNullOrWhiteSpace(name) ? null : name.Trim()));
        }
        return list;
    }

    private static string Shorten(string s) => s.Length > 40 ? s[..40] + "…" : s;
}
