using System.Text.RegularExpressions;
using OutreachOS.Ingestion.Contracts;
using OutreachOS.Triage.Pipeline;
using OutreachOS.Triage.Policies;

namespace OutreachOS.Triage.Prefilter;

/// <summary>A message the pre-filter stops: its category, the rule that matched (stable id) and what it saw.</summary>
internal sealed record FilterVerdict(FilterCategory Category, string Rule, string Detail);

/// <summary>
/// Pure rules that run before any classification: blocked senders, bounces, auto-replies (RFC 3834 and vendor headers),
/// bulk mail, out-of-office subjects and bodies (<see cref="OutOfOfficeBody"/>), spam. The first rule that matches wins; null means the message goes on.
/// Header names are lower-case (InboundEmail contract).
/// </summary>
internal static partial class PreFilter
{
    public const int SpamThreshold = 3;

    public static FilterVerdict? Evaluate(InboundEmail m, TriagePolicy policy) =>
        BlockedSender(m, policy)
        ?? Bounce(m)
        ?? AutoReply(m)
        ?? Bulk(m)
        ?? OutOfOffice(m)
        ?? OutOfOfficeBody(m)
        ?? (SenderMatch.Any(policy.Senders.Allow, m.From.Email) ? null : Spam(m));

    public static FilterVerdict? BlockedSender(InboundEmail m, TriagePolicy policy) =>
        policy.Senders.Block.FirstOrDefault(e => SenderMatch.Matches(e, m.From.Email)) is { } entry
            ? new FilterVerdict(FilterCategory.BlockedSender, "policy.senders.block", $"sender matches '{entry}'")
            : null;

    public static FilterVerdict? Bounce(InboundEmail m)
    {
        var local = LocalPart(m.From.Email);
        if (local is "mailer-daemon" or "postmaster" or "mail-daemon")
        {
            return new FilterVerdict(FilterCategory.Bounce, "bounce.mailer_daemon", $"from {m.From.Email}");
        }
        var contentType = Header(m, "content-type");
        if (contentType is not null && contentType.Contains("multipart/report", StringComparison.OrdinalIgnoreCase)
            && contentType.Contains("delivery-status", StringComparison.OrdinalIgnoreCase))
        {
            return new FilterVerdict(FilterCategory.Bounce, "bounce.dsn_content_type", contentType);
        }
        if (Header(m, "x-failed-recipients") is { } failed)
        {
            return new FilterVerdict(FilterCategory.Bounce, "bounce.x_failed_recipients", failed);
        }
        return null;
    }

    public static FilterVerdict? AutoReply(InboundEmail m)
    {
        // RFC 3834 §5: any value other than "no" marks an automatic message.
        if (Header(m, "auto-submitted") is { } auto && !auto.Trim().StartsWith("no", StringComparison.OrdinalIgnoreCase))
        {
            return new FilterVerdict(FilterCategory.AutoReply, "rfc3834.auto_submitted", $"Auto-Submitted: {auto.Trim()}");
        }
        if (Header(m, "x-autoreply") is { } xa && !IsNo(xa))
        {
            return new FilterVerdict(FilterCategory.AutoReply, "header.x_autoreply", $"X-Autoreply: {xa.Trim()}");
        }
        if (Header(m, "x-autorespond") is { } xr && !IsNo(xr))
        {
            return new FilterVerdict(FilterCategory.AutoReply, "header.x_autorespond", $"X-Autorespond: {xr.Trim()}");
        }
        // Exchange marks its own automatic messages with these values (OOF, AutoReply, All); DR/RN/NRN alone are ordinary mail.
        if (Header(m, "x-auto-response-suppress") is { } xs
            && xs.Split(',', StringSplitOptions.TrimEntries).Any(v => v.Equals("All", StringComparison.OrdinalIgnoreCase)
                || v.Equals("OOF", StringComparison.OrdinalIgnoreCase) || v.Equals("AutoReply", StringComparison.OrdinalIgnoreCase)))
        {
            return new FilterVerdict(FilterCategory.AutoReply, "header.x_auto_response_suppress", $"X-Auto-Response-Suppress: {xs.Trim()}");
        }
        if (Header(m, "precedence") is { } p && p.Trim().Equals("auto_reply", StringComparison.OrdinalIgnoreCase))
        {
            return new FilterVerdict(FilterCategory.AutoReply, "header.precedence_auto_reply", "Precedence: auto_reply");
        }
        return null;
    }

    public static FilterVerdict? Bulk(InboundEmail m)
    {
        if (Header(m, "precedence") is { } p && p.Trim().ToLowerInvariant() is "bulk" or "junk" or "list")
        {
            return new FilterVerdict(FilterCategory.Bulk, "header.precedence", $"Precedence: {p.Trim()}");
        }
        if (Header(m, "list-unsubscribe") is { } lu)
        {
            return new FilterVerdict(FilterCategory.Bulk, "header.list_unsubscribe", $"List-Unsubscribe: {Truncate(lu, 120)}");
        }
        if (Header(m, "list-id") is { } li)
        {
            return new FilterVerdict(FilterCategory.Bulk, "header.list_id", $"List-Id: {Truncate(li, 120)}");
        }
        return null;
    }

    public static FilterVerdict? OutOfOffice(InboundEmail m)
    {
        var match = OutOfOfficeSubject().Match(m.Subject);
        return match.Success
            ? new FilterVerdict(FilterCategory.AutoReply, "subject.out_of_office", $"subject contains '{match.Value}'")
            : null;
    }

    /// <summary>Additive cues; <see cref="SpamThreshold"/> or more stops the message. Each cue is named in the detail.</summary>
    public static FilterVerdict? Spam(InboundEmail m)
    {
        var cues = new List<string>();
        var score = 0;
        var text = m.Subject + "\n" + m.Text;
        foreach (Match phrase in SpamPhrase().Matches(text))
        {
            score += 2;
            cues.Add($"phrase '{phrase.Value.ToLowerInvariant()}'");
            if (cues.Count >= 4)
            {
                break;
            }
        }
        var letters = m.Subject.Count(char.IsLetter);
        if (letters >= 12 && m.Subject.Count(char.IsUpper) * 10 >= letters * 8)
        {
            score += 1;
            cues.Add("subject mostly capitals");
        }
        if (m.Subject.Contains("!!!", StringComparison.Ordinal) || m.Subject.Contains("$$$", StringComparison.Ordinal))
        {
            score += 1;
            cues.Add("subject '!!!' or '$$$'");
        }
        var links = Links().Count(m.Text);
        if (links >= 8 && links * 40 > m.Text.Length / 2)
        {
            score += 2;
            cues.Add($"{links} links in a short body");
        }
        if (m.Text.Length == 0 && m.Subject.Length == 0)
        {
            score += 3;
            cues.Add("empty message");
        }
        return score >= SpamThreshold
            ? new FilterVerdict(FilterCategory.Spam, "spam.heuristics", $"score {score}: {string.Join("; ", cues)}")
            : null;
    }

    private static string? Header(InboundEmail m, string name) =>
        m.Headers.TryGetValue(name, out var v) ? v
        : m.Headers.FirstOrDefault(kv => kv.Key.Equals(name, StringComparison.OrdinalIgnoreCase)).Value;

    private static bool IsNo(string v) => v.Trim().ToLowerInvariant() is "no" or "false" or "0";

    private static string LocalPart(string email)
    {
        var at = email.IndexOf('@', StringComparison.Ordinal);
        return (at < 0 ? email : email[..at]).Trim().ToLowerInvariant();
    }

    private static string Truncate(string s, int max) => s.Length <= max ? s : s[..max] + "…";

    // English, German, French, Spanish, Italian, Dutch, Portuguese, Swedish, Danish/Norwegian, Polish.
    [GeneratedRegex(@"\b(out of (the )?office|automatic reply|auto[- ]?reply|autoreply|away from (the )?office|abwesenheitsnotiz|automatische antwort|r[ée]ponse automatique|absence du bureau|absent du bureau|respuesta autom[áa]tica|fuera de la oficina|risposta automatica|fuori ufficio|fuori sede|afwezigheidsbericht|automatisch antwoord|resposta autom[áa]tica|fora do escrit[óo]rio|automatiskt svar|fr[åa]nvaro|autosvar|odpowied[źz] automatyczna|poza biurem)\b",
        RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex OutOfOfficeSubject();

    [GeneratedRegex(@"\b(viagra|cialis|casino bonus|crypto giveaway|you have won|you've won|lottery winner|claim your prize|wire transfer fee|inheritance fund|nigerian prince|100% free|risk[- ]free investment|double your bitcoin|make \$\d+ (a|per) day|work from home and earn|click here to claim|act now!|limited time offer!|cheap meds|weight loss pills|hot singles|unclaimed funds)\b",
        RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex SpamPhrase();

    [GeneratedRegex(@"https?://", RegexOptions.IgnoreCase)]
    private static partial Regex Links();
}
