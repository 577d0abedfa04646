using System.Globalization;
using System.Text.RegularExpressions;

namespace OutreachOS.Triage.Classification;

/// <summary>What the offline classifier saw: the message parts it scores and the thread signal.</summary>
internal sealed record ClassifierInput(string Subject, string Text, bool IsReply);

/// <summary>A classifier's answer before the owner is attached (owner comes from the policy).</summary>
internal sealed record ClassifierAnswer(string Intent, string Urgency, double Confidence, IReadOnlyList<string> Evidence, IReadOnlyList<string> ModelFlags);

/// <summary>
/// Deterministic, explainable classifier: weighted phrase features per intent (subject counts <see cref="SubjectWeight"/>x),
/// a reply-thread signal, a constant prior for "other", urgency cues, and a confidence from the margin between the two best
/// intents. Quoted history is ignored so an old thread does not classify the new message.
/// </summary>
internal static partial class OfflineClassifier
{
    public const string Name = "offline-lexicon.v1";
    public const double SubjectWeight = 1.5;

    /// <summary>A "Re:" subject is the thread's old topic, not necessarily this message's.</summary>
    public const double ReplySubjectWeight = 0.5;
    public const double ReplySignal = 0.8;
    public const double OtherPrior = 1.0;

    public static ClassifierAnswer Classify(ClassifierInput input, IReadOnlyList<string> allowedIntents)
    {
        var subject = Normalize(input.Subject);
        var subjectWeight = ReplyPrefix().IsMatch(input.Subject) ? ReplySubjectWeight : SubjectWeight;
        var body = Normalize(StripQuoted(input.Text));
        var scores = new Dictionary<string, double>(StringComparer.Ordinal);
        var evidence = new Dictionary<string, List<(string Text, double Weight)>>(StringComparer.Ordinal);
        foreach (var intent in allowedIntents)
        {
            scores[intent] = intent == "other" ? OtherPrior : 0;
            evidence[intent] = [];
            if (!IntentLexicon.Phrases.TryGetValue(intent, out var phrases))
            {
                continue;
            }
            foreach (var (phrase, weight) in phrases)
            {
                if (Contains(subject, phrase))
                {
                    scores[intent] += weight * subjectWeight;
                    evidence[intent].Add(($"subject '{phrase}'", weight * subjectWeight));
                }
                if (Contains(body, phrase))
                {
                    scores[intent] += weight;
                    evidence[intent].Add(($"body '{phrase}'", weight));
                }
            }
        }
        if (input.IsReply && scores.ContainsKey("outreach_reply"))
        {
            scores["outreach_reply"] += ReplySignal;
            evidence["outreach_reply"].Add(("reply in a thread", ReplySignal));
        }

        var ranked = scores.OrderByDescending(kv => kv.Value).ThenBy(kv => Order(allowedIntents, kv.Key)).ToList();
        var (best, top) = (ranked[0].Key, ranked[0].Value);
        var second = ranked.Count > 1 ? ranked[1].Value : 0;
        var confidence = Confidence(top, second);
        var urgency = Urgency(subject + "\n" + body, out var urgencyCue);

        var lines = new List<string>
        {
            $"{best} score {F(top)} vs {(ranked.Count > 1 ? ranked[1].Key : "-")} {F(second)}",
        };
        lines.AddRange(evidence[best].OrderByDescending(e => e.Weight).Take(6).Select(e => $"{best}: {e.Text} +{F(e.Weight)}"));
        if (best == "other" && evidence[best].Count == 0)
        {
            lines.Add("no intent phrase matched strongly: prior for 'other'");
        }
        lines.Add(urgencyCue is null ? "urgency normal: no cue" : $"urgency {urgency}: '{urgencyCue}'");
        return new ClassifierAnswer(best, urgency, confidence, lines, []);
    }

    /// <summary>
    /// 0.5 at a tie, rising with the margin (saturating at 0.97), scaled down when the winner's own evidence is thin.
    /// Calibration on the labelled set is in docs/triage-classifier.md.
    /// </summary>
    public static double Confidence(double top, double second)
    {
        var margin = Math.Max(0, top - second);
        var fromMargin = 0.5 + 0.47 * (1 - Math.Exp(-margin / 1.6));
        var strength = top / (top + 0.6);
        return Math.Round(Math.Clamp(fromMargin * strength, 0.05, 0.97), 3);
    }

    public static string Urgency(string normalizedText, out string? cue)
    {
        foreach (var (level, cues) in IntentLexicon.Urgency)
        {
            foreach (var c in cues)
            {
                if (Contains(normalizedText, c))
                {
                    cue = c;
                    return level;
                }
            }
        }
        cue = null;
        return "normal";
    }

    /// <summary>Drops quoted history: "&gt;" lines and everything after an "On … wrote:" / "-----Original Message-----" line.</summary>
    public static string StripQuoted(string text)
    {
        var cut = QuoteHeader().Match(text);
        if (cut.Success)
        {
            text = text[..cut.Index];
        }
        return string.Join('\n', text.Split('\n').Where(l => !l.TrimStart().StartsWith('>')));
    }

    private static string Normalize(string s) => " " + s.ToLowerInvariant().Replace('’', '\'') + " ";

    /// <summary>Phrase match on word boundaries (letters/digits around the match are not allowed).</summary>
    internal static bool Contains(string haystack, string phrase)
    {
        var from = 0;
        while (true)
        {
            var i = haystack.IndexOf(phrase, from, StringComparison.Ordinal);
            if (i < 0)
            {
                return false;
            }
            var before = i == 0 ? ' ' : haystack[i - 1];
            var end = i + phrase.Length;
            var after = end >= haystack.Length ? ' ' : haystack[end];
            if (!char.IsLetterOrDigit(before) && !char.IsLetterOrDigit(after))
            {
                return true;
            }
            from = i + 1;
        }
    }

    private static int Order(IReadOnlyList<string> intents, string intent)
    {
        for (var i = 0; i < intents.Count; i++)
        {
            if (intents[i] == intent)
            {
                return i;
            }
        }
        return int.MaxValue;
    }

    private static string F(double x) => x.ToString("0.##", CultureInfo.InvariantCulture);

    [GeneratedRegex(@"^\s*(re|aw|sv|antw|fwd?|wg)\s*:", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex ReplyPrefix();

    [GeneratedRegex(@"(^|\n)\s*(On .{0,200}wrote:|-{2,}\s*Original Message\s*-{2,}|From: .{0,200}\n\s*Sent: )", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex QuoteHeader();
}
