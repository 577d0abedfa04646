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

            CheckPromises(part, sources, flags);
            CheckContacts(part, sources, flags);
        }
    }

    private static void CheckPromises(MessageText part, SourceIndex sources, List<RiskFlag> flags)
    {
        var reported = new List<(int Start, int End)>();
        foreach (var (anchors, regex, what) in Promises)
        {
            if (!anchors.MayMatch(part.Text))
            {
                continue;
            }

            foreach (Match m in regex.Matches(part.Text))
            {
                var end = m.Index + m.Length;
                if (sources.HasPhrase(m.Value) || reported.Any(r => m.Index < r.End && r.Start < end))
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
        (new("off", "discount", "coupon", "promo", "half price", "free"), DiscountRegex(), "a discount"),
        (new("$", "€", "£", "pricing", "starting at", "cost", "price", "locked"), PriceRegex(), "a price"),
        (new("guarantee", "money", "refund"), GuaranteeRegex(), "a guarantee"),
        (new("within", "uptime", "sla", "service level", "response time", "24/7", "round"), SlaRegex(), "a service level"),
    ];

    [GeneratedRegex(@"\d+(?:\.\d+)?\s?%\s?off\b|\b(?:discount\w*|coupon|promo code|half price|free of charge|free trial|free month|(?:first|1st) month free|special (?:price|pricing|rate))\b", Options)]
    private static partial Regex DiscountRegex();

    [GeneratedRegex(@"[$€£]\s?\d[\d,.]*\s?(?:k|m)?\s*(?:/|per|a)\s*(?:month|mo|year|yr|seat|user|license|licence)\b|\b(?:pricing starts?|starting at|only costs?|costs? (?:just|only)|price lock|locked[- ]in (?:price|rate)|lowest price|price match)\b", Options)]
    private static partial Regex PriceRegex();

    [GeneratedRegex(@"\b(?:we|i|i'll|we'll)\s+(?:can\s+|will\s+)?guarantee\b|\bguaranteed\s+(?:results?|roi|savings|growth|leads|meetings|uptime|delivery|returns?)\b|\bmoney[- ]back\b|\bfull refund\b|\brefund\b", Options)]
    private static partial Regex GuaranteeRegex();

    [GeneratedRegex(@"\bwithin\s+(?:\d+|an?|one|two|24|48)\s+(?:business\s+|working\s+)?(?:hours?|days?|minutes?|mins?)\b|\b\d+(?:\.\d+)?\s?%\s+uptime\b|\b(?:sla|service level agreement|response time of|24/7 support|round[- ]the[- ]clock support)\b", Options)]
    private static partial Regex SlaRegex();
}
