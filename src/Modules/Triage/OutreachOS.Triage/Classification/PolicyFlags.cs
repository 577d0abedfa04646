using System.Text;
using System.Text.RegularExpressions;
using OutreachOS.Ingestion.Contracts;
using OutreachOS.Triage.Pii;

namespace OutreachOS.Triage.Classification;

/// <summary>A flag and why it was raised (the reason goes into the classification's evidence).</summary>
internal sealed record FlagHit(string Flag, string Evidence);

/// <summary>
/// Rule-based policy flags, computed for every message whatever the classifier: a model may add flags, never remove these.
/// </summary>
internal static partial class PolicyFlags
{
    public const string PromptInjection = "prompt_injection_suspected";
    public const string Legal = "legal";
    public const string PiiSensitive = "pii_sensitive";
    public const string Vip = "vip";
    public const string Unsubscribe = "unsubscribe";
    public const string ClassifierFallback = "classifier_fallback";

    public static IReadOnlyList<FlagHit> Detect(InboundMessageReceived received, bool vip, string? vipReason)
    {
        var m = received.Message;
        // Folded: a soft hyphen or zero-width character inside "ig­nore" or "unsub­scribe" must not hide the wording.
        var text = MatchText.Fold(m.Subject + "\n" + m.Text);
        var hits = new List<FlagHit>();
        if (Injection(text, received.HiddenCharactersRemoved, received.HiddenHtmlRemoved) is { } injection)
        {
            hits.Add(new FlagHit(PromptInjection, injection));
        }
        if (LegalPattern().Match(text) is { Success: true } legal)
        {
            hits.Add(new FlagHit(Legal, $"legal term '{legal.Value.ToLowerInvariant()}'"));
        }
        if (Sensitive(text) is { } sensitive)
        {
            hits.Add(new FlagHit(PiiSensitive, sensitive));
        }
        if (vip)
        {
            hits.Add(new FlagHit(Vip, vipReason ?? "VIP sender"));
        }
        // Opt-out wording counts only in what the sender wrote now: a reply quoting our own mail quotes its unsubscribe footer,
        // and the opt-out flag keeps a message from being auto-sent.
        if (UnsubscribePattern().Match(MatchText.Fold(m.Subject + "\n" + TextFeatures.StripQuoted(m.Text))) is { Success: true } unsub)
        {
            hits.Add(new FlagHit(Unsubscribe, $"opt-out wording '{unsub.Value.ToLowerInvariant()}'"));
        }
        return hits;
    }

    /// <summary>Null when nothing looks like an attempt to instruct the assistant; otherwise what matched.</summary>
    public static string? Injection(string text, int hiddenCharactersRemoved, bool hiddenHtmlRemoved)
    {
        text = MatchText.Fold(text);
        if (InjectionPattern().Match(text) is { Success: true } m)
        {
            return $"instruction pattern '{Clip(m.Value)}'";
        }
        if (RoleMarker().Match(text) is { Success: true } r)
        {
            return $"role marker '{Clip(r.Value.Trim())}'";
        }
        foreach (Match blob in Base64Blob().Matches(text))
        {
            if (DecodeBase64(blob.Value) is { } encoded && MatchText.Fold(encoded) is var decoded
                && (InjectionPattern().IsMatch(decoded) || RoleMarker().IsMatch(decoded)))
            {
                return "base64 text containing instructions";
            }
        }
        if (hiddenCharactersRemoved > 0)
        {
            return $"{hiddenCharactersRemoved} hidden characters removed at ingestion";
        }
        return hiddenHtmlRemoved ? "hidden HTML text removed at ingestion" : null;
    }

    private static string? Sensitive(string text)
    {
        var counts = PiiRedactor.CountCheckedNumbers(text);
        if (counts.Card > 0)
        {
            return "card number in the message";
        }
        if (counts.Ssn > 0)
        {
            return "US social security number in the message";
        }
        if (counts.Iban > 0)
        {
            return "IBAN in the message";
        }
        return SensitivePattern().Match(text) is { Success: true } s ? $"sensitive term '{s.Value.ToLowerInvariant()}'" : null;
    }

    private static string? DecodeBase64(string blob)
    {
        var padded = blob.Length % 4 == 0 ? blob : blob + new string('=', 4 - (blob.Length % 4));
        var buffer = new byte[padded.Length];
        if (!Convert.TryFromBase64String(padded, buffer, out var written))
        {
            return null;
        }
        var decoded = Encoding.UTF8.GetString(buffer, 0, written);
        return decoded.Count(c => !char.IsControl(c) || c is '\n' or '\r' or '\t') * 10 >= decoded.Length * 9 ? decoded : null;
    }

    private static string Clip(string s) => s.Length <= 80 ? s : s[..80] + "…";

    [GeneratedRegex(@"\b(ignore|disregard|forget|override|bypass)\s+(all\s+|any\s+|the\s+|your\s+|of\s+)*((previous|prior|above|earlier|preceding|original|system|existing|initial)\s*)?(instructions?|prompts?|rules|guidelines|directions|programming|directives?)\b"
        // The adjective's "\s*" belongs to the adjective: standing alone after "\s+" it split every run of white space two
        // ways, and "ignore" before 100,000 spaces took seconds (quadratic). Same language.
        // "disregard what you were told", "forget everything you have been told": addressed to the assistant ("you were
        // told"), so "forget what I told you about Tuesday" is not caught.
        + @"|\b(ignore|disregard|forget)\s+(everything|anything|whatever|what|all)\s+(that\s+)?you(\s+were|\s+have\s+been|'ve\s+been|\s+had\s+been|\s+got)\s+(told|given|instructed|programmed|asked)\b"
        + @"|\byour\s+(new|real|actual|updated)\s+(instructions|rules|task|orders)\s+(are|is)\b"
        + @"|\byou\s+are\s+now\s+(a|an|the|my|acting|free|unrestricted|in\s+developer\s+mode|dan)\b"
        + @"|\bnew\s+instructions?\s*:"
        + @"|\bsystem\s+prompt\b"
        + @"|\b(reveal|print|show|repeat|output|display|leak|tell\s+me|give\s+me)\s+(me\s+)?(your|the)\s+(full\s+|hidden\s+|initial\s+|original\s+|system\s+)*(prompt|instructions|rules|configuration)\b"
        + @"|\bforward\s+(all|every|each|any)\s+(of\s+)?(the\s+|your\s+)?(e-?mails?|messages?|mail|correspondence|conversations?)\b"
        + @"|\bsend\s+me\s+(all|every|the\s+full|the\s+complete|a\s+copy\s+of\s+(all|every))\b"
        + @"|\bsend\s+(me\s+)?(the\s+|your\s+|all\s+)?(passwords?|credentials|api\s+keys?|customer\s+(list|data|records)|contact\s+list)\b"
        + @"|\bact\s+as\s+(an?\s+|the\s+|my\s+)?(ai|assistant|system|admin|administrator|developer|dan|unrestricted|different)\b"
        + @"|\bpretend\s+(to\s+be|you\s+are)\b"
        + @"|\b(jailbreak|developer\s+mode|do\s+anything\s+now)\b"
        + @"|\bas\s+an\s+ai\s+(language\s+)?model\b"
        + @"|\b(approve|issue|grant)\s+(a\s+)?(full\s+)?refund\s+without\b",
        RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex InjectionPattern();

    // Only spaces and tabs after the line break (as in TextFeatures' quote header): "\s*" crossed line breaks, so each
    // line break of a run of blank lines scanned the rest of the run (quadratic). A marker after blank lines is still
    // found, from the line break just before it.
    [GeneratedRegex(@"(^|\n)[^\S\n]*(assistant|ai)\s*:\s*\S|(^|\n)[^\S\n]*system\s*:\s*(you|ignore|new|from\s+now|the\s+user)\b|#{2,}\s*(system|instruction|assistant)\b|<\|im_(start|end)\|>|\[/?INST\]|</?(system|instructions?)>",
        RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex RoleMarker();

    [GeneratedRegex(@"[A-Za-z0-9+/]{40,}={0,2}", RegexOptions.CultureInvariant)]
    private static partial Regex Base64Blob();

    [GeneratedRegex(@"\b(lawyer|attorney|solicitor|legal action|legal counsel|legal department|lawsuit|sue you|suing|subpoena|court order|cease and desist|litigation|gdpr|data subject (access )?request|dsar|right to (be forgotten|erasure)|article 15|article 17|ccpa|regulator|ombudsman|small claims)\b",
        RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex LegalPattern();

    [GeneratedRegex(@"\b(passport (number|no)|social security (number|no)|date of birth|driver'?s licen[cs]e (number|no)|medical (record|condition|history)|diagnos(is|ed)|health insurance number|tax id|bank account number|routing number)\b",
        RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex SensitivePattern();

    [GeneratedRegex(@"\b(unsubscribe|opt[- ]?out|remove me from|take me off|stop (emailing|contacting|sending)|do not (email|contact) me|don't (email|contact) me)\b",
        RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex UnsubscribePattern();
}
