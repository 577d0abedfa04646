using System.Text.RegularExpressions;
using OutreachOS.Guardrails.Contracts;
using OutreachOS.Guardrails.Evaluation;
using OutreachOS.Guardrails.Text;

namespace OutreachOS.Guardrails.Checks;

/// <summary>
/// Greeting with the lead's first name (e-mail, LinkedIn), a call to action matching the goal, and one reason for
/// reaching out taken from the context. Each is enforced only when <see cref="GuardrailRequirements"/> asks for it.
/// </summary>
internal sealed partial class RequiredElementsCheck : IGuardrailCheck
{
    /// <summary>How many closing sentences may hold the call to action.</summary>
    internal const int ClosingSentences = 3;

    public string Name => "required-elements";

    public void Run(GuardrailContext context, List<RiskFlag> flags)
    {
        var requirements = context.Input.Requirements;
        if (string.IsNullOrWhiteSpace(context.Body.Text))
        {
            return; // the length check already blocks an empty body
        }

        if (requirements.RequireGreeting && context.Input.Channel is MessageChannel.Email or MessageChannel.LinkedIn)
        {
            CheckGreeting(context, flags);
        }

        if (requirements.RequireCallToAction)
        {
            CheckCallToAction(context, flags);
        }

        if (requirements.RequireRelevance)
        {
            CheckRelevance(context, flags);
        }
    }

    private static void CheckGreeting(GuardrailContext context, List<RiskFlag> flags)
    {
        var body = context.Body;
        var firstName = context.Input.LeadFirstName?.Trim();
        var lineEnd = body.Text.IndexOfAny(['\r', '\n']);
        var leading = body.Text.Length - body.Text.TrimStart().Length;
        var firstLineEnd = lineEnd < 0 ? body.Text.Length : lineEnd;
        if (firstLineEnd <= leading)
        {
            firstLineEnd = body.Text.Length;
        }

        var opening = body.Span(leading, Math.Min(firstLineEnd - leading, 80));

        var greeting = GreetingRegex().Match(body.Text);
        if (!greeting.Success)
        {
            // "Sarah, quick question ..." greets by name without a greeting word: accept it.
            if (!string.IsNullOrEmpty(firstName) && NameFirstRegex().Match(body.Text) is { Success: true } named
                && string.Equals(named.Groups["name"].Value, firstName, StringComparison.OrdinalIgnoreCase))
            {
                return;
            }

            flags.Add(new RiskFlag(
                RiskCodes.GreetingMissing,
                RiskSeverity.Block,
                string.IsNullOrEmpty(firstName)
                    ? "The message does not open with a greeting."
                    : $"The message does not open with a greeting to {firstName}.",
                opening));
            return;
        }

        if (string.IsNullOrEmpty(firstName))
        {
            return;
        }

        var name = greeting.Groups["name"];
        if (!name.Success || Lexicon.IsGeneric(name.Value.ToLowerInvariant()) || name.Value.Equals("there", StringComparison.OrdinalIgnoreCase))
        {
            flags.Add(new RiskFlag(
                RiskCodes.GreetingMissingName,
                RiskSeverity.Block,
                $"The greeting does not use the lead's first name ({firstName}).",
                body.Span(greeting.Index, greeting.Length)));
            return;
        }

        var expected = firstName.Split(' ', StringSplitOptions.RemoveEmptyEntries)[0];
        if (!string.Equals(name.Value, expected, StringComparison.OrdinalIgnoreCase)
            && !string.Equals(name.Value, firstName, StringComparison.OrdinalIgnoreCase))
        {
            flags.Add(new RiskFlag(
                RiskCodes.GreetingWrongName,
                RiskSeverity.Block,
                $"The greeting names \"{name.Value}\" but the lead's first name is {firstName}.",
                body.Span(name.Index, name.Length)));
        }
    }

    private static void CheckCallToAction(GuardrailContext context, List<RiskFlag> flags)
    {
        var body = context.Body;
        var closing = ClosingSentencesOf(body);
        var hasAsk = closing.Any(s => s.IsQuestion || AskRegex().IsMatch(s.Text));
        var goalStems = GoalStems(context.Input.Goal);
        var closingStems = closing.SelectMany(s => Lexicon.Tokenize(s.Text)).Select(w => Lexicon.Stem(w.Text)).ToHashSet();
        var goalInClosing = goalStems.Count > 0 && goalStems.Any(closingStems.Contains);

        if (!hasAsk && !goalInClosing)
        {
            var last = closing.Count > 0 ? closing[^1] : default;
            flags.Add(new RiskFlag(
                RiskCodes.CtaMissing,
                RiskSeverity.Block,
                context.Input.Goal is { Length: > 0 } goal
                    ? $"The message does not end with a call to action (goal: \"{goal}\")."
                    : "The message does not end with a call to action.",
                closing.Count > 0 ? body.Span(last.Start, last.Text.Length) : null));
            return;
        }

        if (goalStems.Count > 0 && !goalInClosing)
        {
            var bodyStems = body.Words.Select(w => Lexicon.Stem(w.Text)).ToHashSet();
            if (!goalStems.Any(bodyStems.Contains))
            {
                var ask = closing.Last(s => s.IsQuestion || AskRegex().IsMatch(s.Text));
                flags.Add(new RiskFlag(
                    RiskCodes.CtaOffGoal,
                    RiskSeverity.Warn,
                    $"The call to action does not mention the goal \"{context.Input.Goal}\".",
                    body.Span(ask.Start, ask.Text.Length)));
            }
        }
    }

    private static void CheckRelevance(GuardrailContext context, List<RiskFlag> flags)
    {
        if (!context.Sources.HasContext)
        {
            flags.Add(new RiskFlag(
                RiskCodes.RelevanceNoSources, RiskSeverity.Warn, "No source texts were provided, so relevance cannot be checked."));
            return;
        }

        foreach (var part in context.Parts)
        {
            foreach (var w in part.Words)
            {
                if (context.Sources.IsContextKeyword(Lexicon.Stem(w.Text)))
                {
                    return;
                }
            }
        }

        flags.Add(new RiskFlag(
            RiskCodes.RelevanceMissing,
            RiskSeverity.Block,
            "The message uses nothing from the lead's context beyond their name and company: it gives no reason for reaching out."));
    }

    /// <summary>The last few substantive sentences; short sign-off lines ("Best,", "Tom") are not where a CTA lives.</summary>
    internal static List<Sentence> ClosingSentencesOf(MessageText body)
    {
        var result = new List<Sentence>(ClosingSentences);
        for (var i = body.Sentences.Count - 1; i >= 0 && result.Count < ClosingSentences; i--)
        {
            var s = body.Sentences[i];
            if (s.WordCount <= 3 && !s.IsQuestion)
            {
                continue;
            }

            result.Insert(0, s);
        }

        return result;
    }

    private static HashSet<string> GoalStems(string? goal)
    {
        var stems = new HashSet<string>(StringComparer.Ordinal);
        foreach (var w in Lexicon.Tokenize(goal ?? string.Empty))
        {
            var lower = w.Text.ToLowerInvariant();
            if (!Lexicon.IsStopword(lower) && !lower.Any(char.IsDigit) && lower.Length > 2)
            {
                stems.Add(Lexicon.Stem(lower));
            }
        }

        return stems;
    }

    [GeneratedRegex(@"^\s*(?:hi|hello|hey|dear|greetings|hiya|good\s+(?:morning|afternoon|evening))\b[ \t,]*(?<name>[\p{L}][\p{L}'’-]*)?", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex GreetingRegex();

    [GeneratedRegex(@"^\s*(?<name>[\p{L}][\p{L}'’-]*)\s*[,—–-]", RegexOptions.CultureInvariant)]
    private static partial Regex NameFirstRegex();

    /// <summary>Scheduling verbs and soft asks that make a sentence a call to action even without a question mark.</summary>
    [GeneratedRegex(@"\b(?:would you|could you|are you|open to|worth a|interested in|up for|mind if|let me know|let's|shall we|can we|do you|free (?:for|on|to)|have time|grab|book|schedule|set up|hop on|jump on|calendar|calendly|reply|call|chat|meet|demo|connect|talk|conversation|send (?:you|over)|happy to)\b", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    internal static partial Regex AskRegex();
}
