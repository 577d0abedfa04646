using OutreachOS.BuildingBlocks.Privacy;
using OutreachOS.BuildingBlocks.Web;
using OutreachOS.Ingestion.Contracts;

namespace OutreachOS.Ingestion.Normalizing;

/// <summary>A validated, normalized message with what normalization removed.</summary>
/// <param name="RecipientsDropped">To/Cc entries left out of a provider's message: unusable addresses, and those beyond
/// <c>MaxRecipients</c> per list.</param>
internal sealed record NormalizedEmail(InboundEmail Email, int HiddenCharactersRemoved, int HiddenHtmlElementsRemoved, bool Truncated,
    int RecipientsDropped = 0);

/// <summary>
/// Validation (each bad field named with its JSON path) and normalization of a <see cref="RawEmail"/>: HTML → text when
/// there is no text part, hidden HTML dropped, invisible and control characters stripped from everything a model reads
/// (subject, text, names; counted), control characters (<see cref="InvisibleCharacters.IsControl"/>) also from the HTML,
/// header values and message ids (NUL cannot be stored, and one message must not fail a mailbox's whole read), header
/// names lower-cased, sizes capped without splitting a surrogate pair. Pure: the clock comes in.
/// A message posted to the API is refused (400) for any bad field: its caller can fix it. A message fetched from a
/// mailbox (<c>fromMailbox</c>) is mail someone already received, and refusing it loses it: only a missing or unusable
/// sender (or Message-ID, which the adapters always fill) fails it; unusable recipients and those beyond the cap are
/// dropped and counted, excess headers and references are cut (flagged as truncated), an over-long In-Reply-To is
/// dropped, and an empty message is kept.
/// </summary>
internal static class EmailNormalizer
{
    public const int MaxMessageIdChars = 998; // RFC 5322 line limit

    public const int MaxReferences = 500;

    public static (FieldErrors Errors, NormalizedEmail? Email) Normalize(RawEmail r, IngestionOptions o, DateTimeOffset now, bool fromMailbox = false)
    {
        // Ids first, so that validation sees what is stored ("<\0>" is as empty as "<>").
        r = r with
        {
            MessageId = Storable(r.MessageId),
            ThreadId = Storable(r.ThreadId),
            InReplyTo = Storable(r.InReplyTo),
            References = r.References?.Select(x => Storable(x)!).ToList(),
        };
        var e = new FieldErrors();
        e.Required("message_id", r.MessageId, MaxMessageIdChars);
        if (!string.IsNullOrWhiteSpace(r.MessageId) && MessageIds.Bare(r.MessageId).Length == 0)
        {
            // "<>" would be the same (empty) id for every such message of the organization: one stream, later ones lost.
            e.Add("message_id", "must not be empty inside its angle brackets");
        }
        var threadId = fromMailbox && r.ThreadId is { Length: > MaxMessageIdChars } ? null : r.ThreadId;
        var givenInReplyTo = fromMailbox && r.InReplyTo is { Length: > MaxMessageIdChars * 4 } ? null : r.InReplyTo;
        e.Optional("thread_id", threadId, MaxMessageIdChars);
        e.Optional("in_reply_to", givenInReplyTo, MaxMessageIdChars * 4);
        if (r.From is null)
        {
            e.Add("from", "is required");
        }
        else if (!EmailAddresses.IsValid(r.From.Email))
        {
            e.Add("from.email", "must be an e-mail address such as name@example.com");
        }
        var truncated = false;
        var (to, toDropped) = Addresses(e, "to", r.To, o, fromMailbox);
        var (cc, ccDropped) = Addresses(e, "cc", r.Cc, o, fromMailbox);
        var rawHeaders = r.Headers ?? new Dictionary<string, string>();
        if (fromMailbox)
        {
            var usable = rawHeaders.Where(h => IsHeaderName(h.Key)).ToList();
            truncated |= usable.Count > o.MaxHeaders;
            rawHeaders = usable.Take(o.MaxHeaders).ToDictionary(h => h.Key, h => h.Value, StringComparer.Ordinal);
        }
        else
        {
            if (rawHeaders.Count > o.MaxHeaders)
            {
                e.Add("headers", $"must hold at most {o.MaxHeaders} headers");
            }
            foreach (var name in rawHeaders.Keys.Where(n => !IsHeaderName(n)))
            {
                e.Add("headers", $"'{Shorten(name)}' is not a valid header name");
            }
        }
        var givenReferences = r.References;
        if (givenReferences is { Count: > MaxReferences })
        {
            if (fromMailbox)
            {
                givenReferences = [.. givenReferences.TakeLast(MaxReferences)]; // the newest, which threading reads first
                truncated = true;
            }
            else
            {
                e.Add("references", $"must hold at most {MaxReferences} ids");
            }
        }
        if (!fromMailbox && string.IsNullOrWhiteSpace(r.Text) && string.IsNullOrWhiteSpace(r.Html) && string.IsNullOrWhiteSpace(r.Subject))
        {
            e.Add("text", "a message needs a subject, text or html");
        }
        if (e.Any)
        {
            return (e, null);
        }

        var hiddenHtml = 0;
        var html = Storable(r.Html);
        if (html is { Length: var hl } && hl > o.MaxHtmlChars)
        {
            html = Cut(html, o.MaxHtmlChars);
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
            cleanText = Cut(cleanText, o.MaxTextChars);
            truncated = true;
        }
        if (cleanSubject.Length > o.MaxSubjectChars)
        {
            cleanSubject = Cut(cleanSubject, o.MaxSubjectChars);
            truncated = true;
        }

        var headers = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (name, value) in rawHeaders)
        {
            var key = name.Trim().ToLowerInvariant();
            var v = Storable(value) ?? "";
            // The same header twice (case variants) is folded the way RFC 5322 allows for most fields, then capped.
            if (headers.TryGetValue(key, out var existing))
            {
                v = existing + ", " + v;
            }
            if (v.Length > o.MaxHeaderValueChars)
            {
                v = Cut(v, o.MaxHeaderValueChars);
                truncated = true;
            }
            headers[key] = v;
        }

        var inReplyTo = givenInReplyTo ?? headers.GetValueOrDefault("in-reply-to");
        List<string> references = givenReferences is { Count: > 0 }
            ? givenReferences.SelectMany(MessageIds.SplitRaw).Distinct(StringComparer.Ordinal).ToList()
            : MessageIds.SplitRaw(headers.GetValueOrDefault("references")).Distinct(StringComparer.Ordinal).ToList();
        if (references.Count > MaxReferences)
        {
            // One entry (or the header) may hold many ids: the cap is on ids, counted after splitting.
            if (!fromMailbox)
            {
                e.Add("references", $"must hold at most {MaxReferences} ids (counted after splitting entries that hold several)");
                return (e, null);
            }
            references = references[^MaxReferences..]; // the newest, which threading reads first
            truncated = true;
        }

        var email = new InboundEmail(
            r.MessageId!.Trim(),
            string.IsNullOrWhiteSpace(threadId) ? null : threadId.Trim(),
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
        return (e, new NormalizedEmail(email, hiddenInText + hiddenInSubject + hiddenInName, hiddenHtml, truncated, toDropped + ccDropped));
    }

    /// <summary>The usable addresses of a list, and how many entries were left out (mailbox messages only: the API
    /// names each bad entry, and a list over the cap, instead).</summary>
    private static (List<MailAddress> Kept, int Dropped) Addresses(FieldErrors e, string field, IReadOnlyList<RawAddress>? items, IngestionOptions o,
        bool fromMailbox)
    {
        var list = new List<MailAddress>();
        if (items is null)
        {
            return (list, 0);
        }
        if (!fromMailbox && items.Count > o.MaxRecipients)
        {
            e.Add(field, $"must hold at most {o.MaxRecipients} addresses");
            return (list, 0);
        }
        var dropped = 0;
        for (var i = 0; i < items.Count; i++)
        {
            var a = items[i];
            if (a is null || !EmailAddresses.IsValid(a.Email))
            {
                if (fromMailbox)
                {
                    dropped++;
                }
                else
                {
                    e.Add($"{field}[{i}].email", "must be an e-mail address such as name@example.com");
                }
                continue;
            }
            if (list.Count == o.MaxRecipients)
            {
                dropped++;
                continue;
            }
            var (name, _) = InvisibleCharacters.Strip(a.Name);
            list.Add(new MailAddress(EmailAddresses.Canonical(a.Email!), string.IsNullOrWhiteSpace(name) ? null : name.Trim()));
        }
        return (list, dropped);
    }

    /// <summary>Without control characters (<see cref="InvisibleCharacters.StripControls"/>); null stays null.</summary>
    private static string? Storable(string? value) => value is null ? null : InvisibleCharacters.StripControls(value).Text;

    /// <summary>The first <paramref name="max"/> characters, one fewer when the cut would split a surrogate pair (its lone
    /// half would be stored as U+FFFD).</summary>
    internal static string Cut(string s, int max) =>
        s.Length <= max ? s : max > 0 && char.IsHighSurrogate(s[max - 1]) ? s[..(max - 1)] : s[..max];

    private static bool IsHeaderName(string name) =>
        !string.IsNullOrWhiteSpace(name) && name.Length <= 200 && !name.Any(c => c <= ' ' || c == ':' || c > '~');

    private static string Shorten(string s) => s.Length > 40 ? s[..40] + "…" : s;
}
