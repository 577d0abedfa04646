using OutreachOS.Guardrails.Contracts;
using OutreachOS.Guardrails.Evaluation;
using OutreachOS.Guardrails.Text;

namespace OutreachOS.Guardrails.Checks;

/// <summary>
/// Built-in spam-trigger and pressure wording, organization-specific forbidden phrases and competitor names,
/// matched ignoring case, spacing and punctuation ("A C T  N O W", "risk free", "risk-free").
/// </summary>
internal sealed class SpamPhraseCheck : IGuardrailCheck
{
    private const string SpamReason = "spam-trigger wording hurts deliverability and trust";
    private const string PressureReason = "pressure tactic in the call to action";

    internal static readonly PhraseEntry[] Defaults =
    [
        .. PhraseList.Of(RiskCodes.SpamPhrase, RiskSeverity.Block, SpamReason, """
            guaranteed|guarantee you|act now|risk-free|risk free|no risk|limited time|limited-time offer|100%|
            no obligation|click here|click below|buy now|order now|apply now|call now|sign up free|winner|you won|
            you have been selected|congratulations you|cash bonus|free money|free gift|free access|100% free|
            earn money|make money|extra income|get paid|double your|triple your|no cost|at no cost|no credit card|
            once in a lifetime|special promotion|exclusive deal|lowest price|best price|cheap|miracle|prize|
            giveaway|instant access|while supplies last|offer expires|this is not spam|this isn't spam|not spam|
            dear friend|amazing offer|incredible offer|unbelievable|no strings attached|cash
            """),
        .. PhraseList.Of(RiskCodes.SpamPhrase, RiskSeverity.Warn, SpamReason, """
            free|urgent|amazing|incredible|act fast|hurry|opportunity of a lifetime
            """),
        .. PhraseList.Of(RiskCodes.AggressiveCta, RiskSeverity.Block, PressureReason, """
            reply now or|respond now or|last chance|final notice|before it's too late|before it is too late|
            respond immediately|reply immediately|or you'll lose|or you will lose|or miss out|expires today|
            only a few spots left|don't ignore this|do not ignore this
            """),
        .. PhraseList.Of(RiskCodes.AggressiveCta, RiskSeverity.Warn, PressureReason, """
            don't miss out|do not miss out|don't delay|do not delay|now or never|what are you waiting for
            """),
    ];

    // Longest first, so "100% free" is reported once rather than also as "100%" and "free".
    private static readonly PhraseEntry[] DefaultsLongestFirst = PhraseList.LongestFirst(Defaults);

    /// <summary>Ordinary phrases that contain a trigger word but are not spam.</summary>
    internal static readonly string[] AllowedContexts =
    [
        .. new[]
        {
            "feel free", "are you free", "free to", "free for", "free time", "free up", "freeing up", "frees up",
            "hands-free", "toll-free", "cash flow", "cashflow", "cash-flow", "cash management", "cash position",
            "cash forecasting", "cash conversion",
        }.Select(FoldedText.Fold),
    ];

    public string Name => "spam";

    public void Run(GuardrailContext context, List<RiskFlag> flags)
    {
        var input = context.Input;
        var custom = new List<PhraseEntry>(input.ForbiddenPhrases.Count + input.CompetitorNames.Count);
        custom.AddRange(input.ForbiddenPhrases
            .Where(p => !string.IsNullOrWhiteSpace(p))
            .Select(p => new PhraseEntry(p, RiskCodes.ForbiddenPhrase, RiskSeverity.Block, "forbidden by the organization")));
        custom.AddRange(input.CompetitorNames
            .Where(p => !string.IsNullOrWhiteSpace(p))
            .Select(p => new PhraseEntry(p, RiskCodes.CompetitorMention, RiskSeverity.Block, "competitor name")));

        // The lead's own names are names, not wording: a lender called "Guaranteed Rate" or a "Cash" may be named. The
        // organization's forbidden phrases and competitors still count inside them.
        var allowed = LeadNames(input) is { Count: > 0 } names ? [.. AllowedContexts, .. names] : AllowedContexts;
        foreach (var part in context.Parts)
        {
            var claimed = new List<(int Start, int Length)>();
            foreach (var (entry, start, length) in PhraseList.Find(part, PhraseList.LongestFirst(custom), []))
            {
                claimed.Add((start, length));
                var severity = entry.Severity;
                var detail = $"\"{entry.Phrase}\": {entry.Reason}.";
                if (entry.Code == RiskCodes.CompetitorMention && context.Sources.HasPhrase(entry.Phrase))
                {
                    // The lead's own context names the competitor (e.g. their tech stack): worth a look, not a block.
                    severity = RiskSeverity.Warn;
                    detail = $"\"{entry.Phrase}\": competitor name; it appears in the lead's context, so check the wording.";
                }

                flags.Add(new RiskFlag(entry.Code, severity, detail, part.Span(start, length)));
            }

            foreach (var (entry, start, length) in PhraseList.Find(part, DefaultsLongestFirst, allowed))
            {
                // A longer phrase already reported at the same place ("100% free" vs "free") wins.
                if (claimed.Any(c => c.Start <= start && start + length <= c.Start + c.Length))
                {
                    continue;
                }

                claimed.Add((start, length));
                var severity = entry.Severity;
                var detail = $"\"{entry.Phrase}\": {entry.Reason}.";
                // Only text the sender vouches for excuses a strong phrase: "act now" in a lead's signal does not.
                if (severity == RiskSeverity.Block && context.Sources.Trusted.HasPhrase(entry.Phrase))
                {
                    severity = RiskSeverity.Warn;
                    detail = $"\"{entry.Phrase}\": {entry.Reason}; it appears in the provided context, so it is only a warning.";
                }

                flags.Add(new RiskFlag(entry.Code, severity, detail, part.Span(start, length)));
            }
        }
    }

    private static List<string> LeadNames(GuardrailInput input)
    {
        var names = new List<string>(2);
        foreach (var name in (string?[])[input.LeadCompany, input.LeadFirstName])
        {
            if (!string.IsNullOrWhiteSpace(name) && FoldedText.Fold(name) is { Length: > 0 } folded)
            {
                names.Add(folded);
            }
        }

        return names;
    }
}
