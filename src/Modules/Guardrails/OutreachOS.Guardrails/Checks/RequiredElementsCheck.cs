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
        var expected = string.IsNullOrEmpty(firstName) ? null : ExpectedName(firstName);
        var lineEnd = body.Text.IndexOfAny(['\r', '\n']);
        var leading = body.Text.Length - body.Text.TrimStart().Length;
        var firstLineEnd = lineEnd < 0 ? body.Text.Length : lineEnd;
        if (firstLineEnd <= leading)
        {
            firstLineEnd = body.Text.Length;
        }

        var opening = body.Span(leading, Math.Min(firstLineEnd - leading, 80));

        var greeting = GreetingRegex().Match(body.Normalized);
        if (!greeting.Success)
        {
            // "Sarah, quick question ..." greets by name without a greeting word: accept it.
            if (expected is not null && NameFirstRegex().Match(body.Normalized) is { Success: true } named
                && IsLeadName(named.Groups["name"].Value, firstName!, expected))
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

        if (expected is null)
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

        if (!IsLeadName(name.Value, firstName!, expected))
        {
            var written = body.Span(name.Index, name.Length);
            flags.Add(new RiskFlag(
                RiskCodes.GreetingWrongName,
                RiskSeverity.Block,
                $"The greeting names \"{written.Text}\" but the lead's first name is {firstName}.",
                written));
        }
    }

    /// <summary>
    /// The name a greeting should use: the first word of the first-name field that is not a title ("Dr. Sarah" →
    /// "Sarah"), split on any whitespace (a pasted "Sarah\tJane" is two words).
    /// </summary>
    private static string ExpectedName(string firstName)
    {
        var words = firstName.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
        return words.FirstOrDefault(w => !IsHonorific(w)) ?? words[0];
    }

    private static bool IsHonorific(string word) =>
        word.TrimEnd('.').ToLowerInvariant() is "dr" or "mr" or "mrs" or "ms" or "mx" or "miss" or "prof" or "professor";

    /// <summary>
    /// The greeting's name is the lead's when it equals the expected name or the whole field, ignoring case, accents
    /// and look-alike letters ("José" = "Jose", "İsmail" = "Ismail").
    /// </summary>
    private static bool IsLeadName(string written, string firstName, string expected) =>
        TextNormalizer.SameName(written, expected) || TextNormalizer.SameName(written, firstName);

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
            var normalized = !ReferenceEquals(part.Normalized, part.Text);
            foreach (var w in part.Words)
            {
                // Context keywords are indexed from the sources as written, so a word the normaliser changed (Cyrillic
                // "грузоперевозки" shares letters with Latin) is also looked up in its written form.
                if (context.Sources.IsContextKeyword(Lexicon.Stem(w.Text))
                    || (normalized && context.Sources.IsContextKeyword(Lexicon.Stem(part.Text.Substring(w.Start, w.Text.Length)))))
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
        foreach (var w in Lexicon.Tokenize(TextNormalizer.Normalize(goal ?? string.Empty)))
        {
            var lower = w.Text.ToLowerInvariant();
            if (!Lexicon.IsStopword(lower) && !lower.Any(char.IsDigit) && lower.Length > 2)
            {
                stems.Add(Lexicon.Stem(lower));
            }
        }

        return stems;
    }

    // A title before the name ("Hi Dr. Sarah") is skipped; run on the normalised text, so "Hi\u00A0Sarah" has a plain space.
    [GeneratedRegex(@"^\s*(?:hi|hello|hey|dear|greetings|hiya|good\s+(?:morning|afternoon|evening))\b[ \t,]*(?:(?:dr|mrs?|ms|mx|prof)\.?[ \t]+)?(?<name>[\p{L}][\p{L}'’-]*)?", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex GreetingRegex();

    [GeneratedRegex(@"^\s*(?<name>[\p{L}][\p{L}'’-]*)\s*[,—–-]", RegexOptions.CultureInvariant)]
    private static partial Regex NameFirstRegex();

    /// <summary>Scheduling verbs and soft asks that make a sentence a call to action even without a question mark.</summary>
    [GeneratedRegex(@"\b(?:would you|could you|are you|open to|worth a|interested in|up for|mind if|let me know|let's|shall we|can we|do you|free (?:for|on|to)|have time|grab|book|schedule|set up|hop on|jump on|calendar|calendly|reply|call|chat|meet|demo|connect|talk|conversation|send (?:you|over)|happy to)\b", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    internal static partial Regex AskRegex();
}
