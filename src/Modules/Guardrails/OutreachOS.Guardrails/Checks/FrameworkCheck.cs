using System.Text.RegularExpressions;
using OutreachOS.Guardrails.Contracts;
using OutreachOS.Guardrails.Evaluation;
using OutreachOS.Guardrails.Text;

namespace OutreachOS.Guardrails.Checks;

/// <summary>
/// When a framework was requested, looks for each of its parts in order with explainable cue words: every part
/// must appear in some sentence at or after the previous part's sentence. Attention must be in the opening
/// sentences, Action in the closing ones. Findings are warnings: copy can be good without textbook structure.
/// </summary>
internal sealed partial class FrameworkCheck : IGuardrailCheck
{
    private enum Zone
    {
        Opening,
        Anywhere,
        Closing,
    }

    private sealed record Part(string Name, Regex Cues, string Examples, Zone Zone = Zone.Anywhere, bool QuestionCounts = false);

    private static readonly Part[] Aida =
    [
        new("Attention", AttentionCues(), "a question or \"noticed\", \"saw\", \"congrats\", \"curious\"", Zone.Opening, QuestionCounts: true),
        new("Interest", InterestCues(), "\"we help\", \"our\", \"teams like\", \"because\""),
        new("Desire", DesireCues(), "\"so you can\", \"focus on\", \"without\", \"save\", \"faster\", \"imagine\""),
        new("Action", RequiredElementsCheck.AskRegex(), "a question or \"book\", \"call\", \"chat\", \"open to\"", Zone.Closing, QuestionCounts: true),
    ];

    private static readonly Part[] Pas =
    [
        new("Problem", ProblemCues(), "\"struggle\", \"challenge\", \"manual\", \"slow\", \"costly\""),
        new("Agitate", AgitateCues(), "\"which means\", \"leads to\", \"costs\", \"every week\", \"falling behind\""),
        new("Solve", SolveCues(), "\"we help\", \"our\", \"that's why\", \"so you can\""),
    ];

    private static readonly Part[] Bab =
    [
        new("Before", BeforeCues(), "\"right now\", \"currently\", \"still\", \"manual\""),
        new("After", AfterCues(), "\"imagine\", \"what if\", \"instead\", \"no more\""),
        new("Bridge", BridgeCues(), "\"we\", \"our\", \"that's where\", \"here's how\""),
    ];

    public string Name => "framework";

    public void Run(GuardrailContext context, List<RiskFlag> flags)
    {
        if (context.Input.Framework is not { } framework)
        {
            return;
        }

        var (name, parts) = framework switch
        {
            CopyFramework.Aida => ("AIDA", Aida),
            CopyFramework.Pas => ("PAS", Pas),
            _ => ("BAB", Bab),
        };

        // Greeting and sign-off lines are not part of the structure.
        var core = context.Body.Sentences.Where(s => s.WordCount > 3 || s.IsQuestion).ToList();
        var from = 0;
        foreach (var part in parts)
        {
            var (lo, hi) = part.Zone switch
            {
                Zone.Opening => (0, Math.Min(2, core.Count)),
                Zone.Closing => (Math.Max(0, core.Count - RequiredElementsCheck.ClosingSentences), core.Count),
                _ => (0, core.Count),
            };

            var inOrder = Find(core, part, Math.Max(lo, from), hi);
            if (inOrder >= 0)
            {
                from = inOrder;
                continue;
            }

            var anywhere = Find(core, part, lo, hi);
            if (anywhere >= 0)
            {
                var s = core[anywhere];
                flags.Add(new RiskFlag(
                    RiskCodes.FrameworkOrder,
                    RiskSeverity.Warn,
                    $"{name}: the {part.Name} part comes before the part it should follow.",
                    context.Body.Span(s.Start, s.Text.Length)));
                continue;
            }

            flags.Add(new RiskFlag(
                RiskCodes.FrameworkPartMissing,
                RiskSeverity.Warn,
                $"{name}: no {part.Name} part found (looked for {part.Examples}"
                + (part.Zone == Zone.Anywhere ? ")." : $" in the {part.Zone.ToString().ToLowerInvariant()} sentences).")));
        }
    }

    private static int Find(List<Sentence> core, Part part, int from, int to)
    {
        for (var i = from; i < to; i++)
        {
            if ((part.QuestionCounts && core[i].IsQuestion) || part.Cues.IsMatch(core[i].Text))
            {
                return i;
            }
        }

        return -1;
    }

    private const RegexOptions Options = RegexOptions.IgnoreCase | RegexOptions.CultureInvariant;

    [GeneratedRegex(@"\b(?:noticed|saw|see that|congrat\w*|curious|quick question|read|came across|impressed|loved|spotted|caught my eye|question)\b", Options)]
    private static partial Regex AttentionCues();

    [GeneratedRegex(@"\b(?:we help|we work|we've|we have|we built|our|teams like|companies like|most|many|often|typically|usually|because|here's|that's why|which is why|specifically|for teams)\b", Options)]
    private static partial Regex InterestCues();

    [GeneratedRegex(@"\b(?:so (?:you|they|your team|the team|reps) can|so that|focus on|without|save\w*|faster|more|less|fewer|free up|instead of|means|result\w*|easier|eliminat\w*|imagine|helps? you|benefit\w*|peace of mind)\b", Options)]
    private static partial Regex DesireCues();

    [GeneratedRegex(@"\b(?:struggl\w*|challeng\w*|problem\w*|pain\w*|hard to|difficult|tough|slow\w*|costly|expensive|manual\w*|losing|lose|wast\w*|frustrat\w*|bottleneck\w*|churn\w*|drown\w*|stuck|behind|headache\w*|tedious|error-prone|juggl\w*|messy|broken)\b", Options)]
    private static partial Regex ProblemCues();

    [GeneratedRegex(@"\b(?:which means|that means|means|leads? to|results? in|resulting in|costs?|costing|worse|every (?:day|week|month|quarter)|risk\w*|falling behind|piles? up|meanwhile|on top of that|not to mention|adds up|compound\w*|miss\w*|slip\w*|burn\w*|even more|eats?|hurts?)\b", Options)]
    private static partial Regex AgitateCues();

    [GeneratedRegex(@"\b(?:we help|we've built|we built|our|that's (?:where|why|what)|solution|solves?|fix\w*|platform|so you can|here's how|helps? (?:you|teams)|automat\w*)\b", Options)]
    private static partial Regex SolveCues();

    [GeneratedRegex(@"\b(?:right now|currently|today|still|spend\w*|manual\w*|struggl\w*|stuck|most teams|many teams|usually|typically)\b", Options)]
    private static partial Regex BeforeCues();

    [GeneratedRegex(@"\b(?:imagine|what if|picture|instead|in a world|no more|never again|frees? up|so you can|without having to|could|would)\b", Options)]
    private static partial Regex AfterCues();

    [GeneratedRegex(@"\b(?:we|our|that's (?:where|what|how)|helps?|with us|by using|here's how|platform|tool)\b", Options)]
    private static partial Regex BridgeCues();
}
