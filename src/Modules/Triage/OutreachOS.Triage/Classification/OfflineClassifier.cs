using System.Globalization;

namespace OutreachOS.Triage.Classification;

/// <summary>What the offline classifier saw: the message parts it scores and the thread signal.</summary>
internal sealed record ClassifierInput(string Subject, string Text, bool IsReply);

/// <summary>A classifier's answer before the owner is attached (owner comes from the policy).</summary>
internal sealed record ClassifierAnswer(string Intent, string Urgency, double Confidence, IReadOnlyList<string> Evidence, IReadOnlyList<string> ModelFlags);

/// <summary>
/// The knobs of the offline classifier, chosen by leave-one-out cross-validation on the training sets (never on holdout-2).
/// <paramref name="WordWeight"/> scales the Naive Bayes log-likelihood (relative to the best intent) added to the phrase score;
/// <paramref name="Temperature"/> turns the combined scores into a probability (softmax) whose top value is the confidence.
/// </summary>
internal sealed record OfflineClassifierSettings(
    double WordWeight = 0.3,
    double Temperature = 1.3,
    double OtherPrior = OfflineClassifier.OtherPrior,
    double ReplySignal = OfflineClassifier.ReplySignal,
    double SubjectWeight = OfflineClassifier.SubjectWeight,
    double ReplySubjectWeight = OfflineClassifier.ReplySubjectWeight,
    double PhraseWeight = 1.0)
{
    public static readonly OfflineClassifierSettings Default = new();
}

/// <summary>
/// Deterministic, explainable classifier. Each intent's score is the sum of
/// (1) hand-written phrase features (<see cref="IntentLexicon"/>, matched on stemmed words; the subject counts
///     <see cref="SubjectWeight"/>x, a reply's old subject <see cref="ReplySubjectWeight"/>x), a reply-thread signal for
///     outreach_reply and a constant prior for "other", and
/// (2) a fitted part: a Naive Bayes word model (<see cref="NaiveBayesModel"/>) trained at start-up on the labelled sets,
///     as log-likelihood relative to the best intent, scaled by <see cref="OfflineClassifierSettings.WordWeight"/>.
/// The phrases carry the known cues with full weight; the word model covers wording no phrase anticipated. Quoted history
/// and the signature are ignored so an old thread or a job title does not classify the new message. The confidence is the
/// softmax probability of the winner. Evidence names the phrases and the words that decided.
/// </summary>
internal static class OfflineClassifier
{
    public const string Name = "offline-lexicon-nb.v2";
    public const double SubjectWeight = 1.5;

    /// <summary>A "Re:" subject is the thread's old topic, not necessarily this message's.</summary>
    public const double ReplySubjectWeight = 0.5;
    public const double ReplySignal = 0.8;
    public const double OtherPrior = 1.0;

    private static readonly Lazy<NaiveBayesModel> DefaultModel = new(
        () => NaiveBayesModel.Train([.. TrainingData.Emails.Select(e => new TrainingExample(e.Intent, NaiveBayesModel.Features(e.ToInput())))]),
        LazyThreadSafetyMode.ExecutionAndPublication);

    /// <summary>The word model trained on the labelled sets compiled into the assembly (trained once, on first use).</summary>
    public static NaiveBayesModel Model => DefaultModel.Value;

    public static ClassifierAnswer Classify(ClassifierInput input, IReadOnlyList<string> allowedIntents) =>
        Classify(input, allowedIntents, Model, OfflineClassifierSettings.Default);

    public static ClassifierAnswer Classify(ClassifierInput input, IReadOnlyList<string> allowedIntents, NaiveBayesModel model, OfflineClassifierSettings settings,
        IReadOnlyDictionary<string, IReadOnlyList<IntentLexicon.CompiledPhrase>>? lexiconOverride = null)
    {
        var lexicons = lexiconOverride ?? IntentLexicon.Compiled;
        var subject = TextFeatures.Stems(input.Subject);
        var subjectWeight = TextFeatures.IsReplySubject(input.Subject) ? settings.ReplySubjectWeight : settings.SubjectWeight;
        var newText = TextFeatures.NewText(input.Text);
        var body = TextFeatures.Stems(newText);
        var (subjectSet, bodySet) = (subject.ToHashSet(StringComparer.Ordinal), body.ToHashSet(StringComparer.Ordinal));
        var features = NaiveBayesModel.Features(input);
        var words = WordScores(model, features, allowedIntents, settings.WordWeight);

        var scores = new Dictionary<string, (double Phrases, double Words)>(StringComparer.Ordinal);
        var evidence = new Dictionary<string, List<(string Text, double Weight)>>(StringComparer.Ordinal);
        foreach (var intent in allowedIntents)
        {
            var phrases = intent == "other" ? settings.OtherPrior : 0;
            evidence[intent] = [];
            if (lexicons.TryGetValue(intent, out var lexicon))
            {
                foreach (var phrase in lexicon)
                {
                    if (subjectSet.Contains(phrase.Stems[0]) && Contains(subject, phrase.Stems))
                    {
                        phrases += phrase.Weight * subjectWeight * settings.PhraseWeight;
                        evidence[intent].Add(($"subject '{phrase.Phrase}'", phrase.Weight * subjectWeight * settings.PhraseWeight));
                    }
                    if (bodySet.Contains(phrase.Stems[0]) && Contains(body, phrase.Stems))
                    {
                        phrases += phrase.Weight * settings.PhraseWeight;
                        evidence[intent].Add(($"body '{phrase.Phrase}'", phrase.Weight * settings.PhraseWeight));
                    }
                }
            }
            if (intent == "outreach_reply" && input.IsReply)
            {
                phrases += settings.ReplySignal;
                evidence[intent].Add(("reply in a thread", settings.ReplySignal));
            }
            scores[intent] = (phrases, words[intent]);
        }

        var ranked = scores.OrderByDescending(kv => kv.Value.Phrases + kv.Value.Words).ThenBy(kv => Order(allowedIntents, kv.Key)).ToList();
        var best = ranked[0].Key;
        var (bestPhrases, bestWords) = ranked[0].Value;
        var runnerUp = ranked.Count > 1 ? ranked[1].Key : null;
        var confidence = Confidence([.. ranked.Select(kv => kv.Value.Phrases + kv.Value.Words)], settings.Temperature);
        var urgency = Urgency(Normalize(input.Subject) + "\n" + Normalize(newText), out var urgencyCue);

        var lines = new List<string>
        {
            runnerUp is null
                ? $"{best} score {F(bestPhrases + bestWords)} (phrases {F(bestPhrases)}, words {F(bestWords)})"
                : $"{best} score {F(bestPhrases + bestWords)} (phrases {F(bestPhrases)}, words {F(bestWords)}) vs {runnerUp} {F(scores[runnerUp].Phrases + scores[runnerUp].Words)}",
        };
        lines.AddRange(evidence[best].OrderByDescending(e => e.Weight).Take(5).Select(e => $"{best}: {e.Text} +{F(e.Weight)}"));
        if (runnerUp is not null && model.Strongest(features, best, runnerUp, 5) is { Count: > 0 } strongest)
        {
            lines.Add($"{best} over {runnerUp}: words " + string.Join(", ", strongest.Select(s => $"'{Describe(s.Feature)}' +{F(s.LogRatio * settings.WordWeight)}")));
        }
        if (best == "other" && evidence[best].Count == 0)
        {
            lines.Add("no intent phrase matched strongly: prior for 'other'");
        }
        lines.Add(urgencyCue is null ? "urgency normal: no cue" : $"urgency {urgency}: '{urgencyCue}'");
        return new ClassifierAnswer(best, urgency, confidence, lines, []);
    }

    /// <summary>
    /// The winner's softmax probability over all allowed intents' scores (<paramref name="scores"/> best first), clamped to
    /// [0.05, 0.97]: a tie between two intents is at most 0.5, a clear winner approaches 0.97. Calibration by bucket is in
    /// docs/triage-classifier.md.
    /// </summary>
    public static double Confidence(IReadOnlyList<double> scores, double temperature)
    {
        var top = scores[0];
        var sum = scores.Sum(s => Math.Exp((s - top) / temperature));
        return Math.Round(Math.Clamp(1 / sum, 0.05, 0.97), 3);
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

    /// <summary>Word-model score per allowed intent: log-likelihood minus the best allowed intent's, times the weight (≤ 0).</summary>
    private static Dictionary<string, double> WordScores(NaiveBayesModel model, IReadOnlyList<string> features, IReadOnlyList<string> allowedIntents, double weight)
    {
        var logScores = model.LogScores(features);
        var known = allowedIntents.Select(model.IndexOf).Where(i => i >= 0).ToList();
        var max = known.Count == 0 ? 0 : known.Max(i => logScores[i]);
        var min = known.Count == 0 ? 0 : known.Min(i => logScores[i]);
        // An intent the model was not trained on (an organization's own) gets the weakest word score: only phrases can win it.
        // Indexer, not ToDictionary: a policy listing an intent twice must not throw.
        var words = new Dictionary<string, double>(StringComparer.Ordinal);
        foreach (var intent in allowedIntents)
        {
            var i = model.IndexOf(intent);
            words[intent] = weight * ((i >= 0 ? logScores[i] : min) - max);
        }
        return words;
    }

    /// <summary>True when <paramref name="phrase"/> occurs as contiguous stems in <paramref name="stems"/>.</summary>
    internal static bool Contains(IReadOnlyList<string> stems, string[] phrase)
    {
        for (var i = 0; i + phrase.Length <= stems.Count; i++)
        {
            var j = 0;
            while (j < phrase.Length && string.Equals(stems[i + j], phrase[j], StringComparison.Ordinal))
            {
                j++;
            }
            if (j == phrase.Length)
            {
                return true;
            }
        }
        return false;
    }

    private static string Normalize(string s) => " " + s.ToLowerInvariant().Replace('’', '\'') + " ";

    /// <summary>Phrase match on word boundaries (letters/digits around the match are not allowed); used for urgency cues.</summary>
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

    private static string Describe(string feature) => feature switch
    {
        NaiveBayesModel.ReplyFeature => "(reply in a thread)",
        _ when feature.StartsWith(NaiveBayesModel.SubjectPrefix, StringComparison.Ordinal) => "subject " + feature[NaiveBayesModel.SubjectPrefix.Length..],
        _ => feature,
    };

    private static string F(double x) => x.ToString("0.##", CultureInfo.InvariantCulture);
}
