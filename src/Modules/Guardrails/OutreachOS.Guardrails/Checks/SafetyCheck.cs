using System.Text.RegularExpressions;
using OutreachOS.Guardrails.Contracts;
using OutreachOS.Guardrails.Evaluation;
using OutreachOS.Guardrails.Text;

namespace OutreachOS.Guardrails.Checks;

/// <summary>
/// Inappropriate or discriminatory wording; commercial promises (discounts, prices, guarantees, response-time
/// SLAs) that the input does not contain; contact details and links that the input does not contain.
/// </summary>
internal sealed partial class SafetyCheck : IGuardrailCheck
{
    private const string Discriminatory = "refers to a protected characteristic or is discriminatory";
    private const string Profane = "profanity or sexual wording";
    private const string Unprofessional = "belittling or ableist wording";

    // A deliberately small curated list: exact phrases that have no place in business outreach.
    internal static readonly PhraseEntry[] Inappropriate = PhraseList.LongestFirst(
    [
        .. PhraseList.Of(RiskCodes.InappropriateWording, RiskSeverity.Block, Discriminatory, """
            young and energetic|young and hungry|digital natives|native english speaker|too old|old-timers|
            your age|your gender|your religion|your race|your ethnicity|your nationality|your disability|
            your sexual orientation|as a woman|for a woman|for a girl|like a girl|you people|those people|
            retard|retarded
            """),
        .. PhraseList.Of(RiskCodes.InappropriateWording, RiskSeverity.Block, Profane, """
            fuck|fucking|shit|bullshit|bitch|bastard|asshole|dick|sexy|porn|nude
            """),
        .. PhraseList.Of(RiskCodes.InappropriateWording, RiskSeverity.Warn, Unprofessional, """
            stupid|idiot|idiots|dumb|lame|crazy|insane|psycho|moron|damn|hell
            """),
    ]);

    public string Name => "safety";

    public void Run(GuardrailContext context, List<RiskFlag> flags)
    {
        var sources = context.Sources;
        foreach (var part in context.Parts)
        {
            foreach (var (entry, start, length) in PhraseList.Find(part, Inappropriate, []))
            {
                flags.Add(new RiskFlag(entry.Code, entry.Severity, $"\"{entry.Phrase}\": {entry.Reason}.", part.Span(start, length)));
            }

            CheckPromises(part, sources.Trusted, flags); // a lead's own offer ("Acme offers 20% off") is not the sender's
            CheckContacts(part, sources.Trusted, flags); // a link planted in a lead's signal is not the sender's
        }
    }

    private static void CheckPromises(MessageText part, SourceIndex sources, List<RiskFlag> flags)
    {
        var reported = new List<(int Start, int End)>();
        foreach (var (anchors, regex, what) in Promises)
        {
            if (!anchors.MayMatch(part.Normalized))
            {
                continue;
            }

            foreach (Match m in regex.Matches(part.Normalized))
            {
                var end = m.Index + m.Length;
                if (IsOffered(sources, regex, m.Value) || reported.Any(r => m.Index < r.End && r.Start < end))
                {
                    continue;
                }

                reported.Add((m.Index, end));
                flags.Add(new RiskFlag(
                    RiskCodes.UnsourcedPromise,
                    RiskSeverity.Block,
                    $"\"{m.Value}\" promises {what}, which the provided context does not offer.",
                    part.Span(m.Index, m.Length)));
            }
        }
    }

    /// <summary>
    /// The input makes the same promise: the same words, or a promise of the same kind that reads the same once
    /// percent is written as a sign ("12 percent off" = "12% off").
    /// </summary>
    private static bool IsOffered(SourceIndex sources, Regex promise, string text)
    {
        if (sources.HasPhrase(text))
        {
            return true;
        }

        var canonical = Canonical(text);
        return sources.Matches(promise).Any(s => Canonical(s) == canonical);
    }

    private static string Canonical(string promise) => FoldedText.Fold(PercentWordRegex().Replace(promise, "%"));

    private static void CheckContacts(MessageText part, SourceIndex sources, List<RiskFlag> flags)
    {
        foreach (var contact in part.Contacts)
        {
            if (sources.HasContact(contact))
            {
                continue;
            }

            var (code, what) = contact.Kind switch
            {
                ContactKind.Email => (RiskCodes.UnsourcedPii, "e-mail address"),
                ContactKind.Phone => (RiskCodes.UnsourcedPii, "phone number"),
                _ => (RiskCodes.UnsourcedUrl, "link"),
            };
            flags.Add(new RiskFlag(
                code,
                RiskSeverity.Block,
                $"The {what} \"{contact.Text}\" does not appear in the provided context.",
                part.Span(contact.Start, contact.Length)));
        }
    }

    private const RegexOptions Options = RegexOptions.IgnoreCase | RegexOptions.CultureInvariant;

    private static readonly (Anchors Anchors, Regex Regex, string What)[] Promises =
    [
        (new("off", "discount", "coupon", "promo", "half price", "free", "no extra", "no additional", "no cost", "no charge", "no-charge",
             "on us", "on the house", "complimentary", "waive", "special"), DiscountRegex(), "a discount or free offer"),
        (new("$", "€", "£", "pricing", "starting at", "cost", "price", "locked"), PriceRegex(), "a price"),
        (new("guarantee", "money", "refund"), GuaranteeRegex(), "a guarantee"),
        (new("within", "uptime", "sla", "service level", "response time", "24/7", "round"), SlaRegex(), "a service level"),
    ];

    /// <summary>
    /// Discounts ("20% off", "12 percent off", "half off") and free offers ("free pilot", "free for your first quarter",
    /// "free to use", "for free", "first 3 months are on us", "get two months free", "at no extra cost"); not "free for
    /// a call", "free up" or "I have two days free".
    /// </summary>
    [GeneratedRegex("""
        \d+(?:\.\d+)?\s?(?:%|percent|per\s?cent|pct)\s?(?:off|discount)\b
        |\b(?:ten|fifteen|twenty|twenty-five|thirty|forty|fifty|half)\s+(?:percent\s+|per\s+cent\s+)?off\b
        |\b(?:discount\w*|coupon|promo\s+code|half\s+price|free\s+of\s+charge|for\s+free|at\s+no\s+(?:extra\s+|additional\s+)?(?:cost|charge)
           |no[-\s]charge|on\s+the\s+house|complimentary|waive[sd]?\s+(?:the\s+|your\s+)?(?:fees?|setup|set-up|onboarding)
           |special\s+(?:price|pricing|rate))\b
        |\bfree\s+(?:\d+[-\s](?:day|week|month)s?\s+)?(?:trials?|pilots?|months?|quarters?|weeks?|years?|setup|set-up|onboarding
           |implementation|seats?|licen[cs]es?|access|plan|tier|version|account|period|audit|upgrade)\b
        |\bfree\s+for\s+(?:the\s+|your\s+)?(?:first\s+|next\s+)?(?:\d+\s+|one\s+|two\s+|three\s+|six\s+|twelve\s+|a\s+|an\s+)?(?:days?|weeks?|months?|quarters?|years?)\b
        |\bfree\s+to\s+(?:use|try|start|join|sign\s+up)\b
        |\b(?:first|1st)\s+(?:\d+\s+|two\s+|three\s+|six\s+)?(?:days?|weeks?|months?|quarters?|years?|seats?)\s+(?:(?:is|are)\s+)?(?:free|on\s+us)\b
        |\b(?:get|gets|getting|give|gives|giving|enjoy|receive|plus|includes?|including)\s+(?:(?:the|your)\s+)?(?:first\s+|next\s+)?(?:\d+|one|two|three|four|five|six|twelve|a|an)\s+
           (?:extra\s+|additional\s+|bonus\s+)?(?:days?|weeks?|months?|quarters?|years?|seats?)\s+(?:(?:for\s+)?free|on\s+us)\b
        """, Options | RegexOptions.IgnorePatternWhitespace)]
    private static partial Regex DiscountRegex();

    [GeneratedRegex(@"\s?(?:percent|per\s?cent|pct)\b", Options)]
    private static partial Regex PercentWordRegex();

    [GeneratedRegex(@"[$€£]\s?\d[\d,.]*\s?(?:k|m)?\s*(?:/|per|a)\s*(?:month|mo|year|yr|seat|user|license|licence)\b|\b(?:pricing starts?|starting at|only costs?|costs? (?:just|only)|price lock|locked[- ]in (?:price|rate)|lowest price|price match)\b", Options)]
    private static partial Regex PriceRegex();

    [GeneratedRegex(@"\b(?:we|i|i'll|we'll)\s+(?:can\s+|will\s+)?guarantee\b|\bguaranteed\s+(?:results?|roi|savings|growth|leads|meetings|uptime|delivery|returns?)\b|\bmoney[- ]back\b|\bfull refund\b|\brefund\b", Options)]
    private static partial Regex GuaranteeRegex();

    [GeneratedRegex(@"\bwithin\s+(?:\d+|an?|one|two|24|48)\s+(?:business\s+|working\s+)?(?:hours?|days?|minutes?|mins?)\b|\b\d+(?:\.\d+)?\s?%\s+uptime\b|\b(?:sla|service level agreement|response time of|24/7 support|round[- ]the[- ]clock support)\b", Options)]
    private static partial Regex SlaRegex();
}
