namespace OutreachOS.Triage.Classification;

/// <summary>One training example: the intent and the message's features (<see cref="NaiveBayesModel.Features"/>).</summary>
internal sealed record TrainingExample(string Intent, IReadOnlyList<string> Features);

/// <summary>
/// Multinomial Naive Bayes over binary word features (stemmed unigrams and bigrams of the new text, subject words, a reply
/// flag), trained in memory from the labelled sets. Class priors are uniform: the labelled sets are balanced by construction,
/// not by how often each intent arrives. Features never seen in training are ignored (they say nothing about any intent).
/// Deterministic: training and scoring iterate in input order, never over hash order.
/// </summary>
internal sealed class NaiveBayesModel
{
    public const string ReplyFeature = "__reply__";
    public const string SubjectPrefix = "s:";

    private readonly Dictionary<string, double[]> logLikelihood;

    private NaiveBayesModel(IReadOnlyList<string> intents, Dictionary<string, double[]> logLikelihood)
    {
        Intents = intents;
        this.logLikelihood = logLikelihood;
    }

    public IReadOnlyList<string> Intents { get; }

    public int VocabularySize => logLikelihood.Count;

    /// <summary>Laplace/Lidstone smoothing: α pseudo-count per feature and intent.</summary>
    public static NaiveBayesModel Train(IReadOnlyList<TrainingExample> examples, double alpha = 0.5)
    {
        var intents = examples.Select(e => e.Intent).Distinct().Order(StringComparer.Ordinal).ToList();
        var index = intents.Select((intent, i) => (intent, i)).ToDictionary(x => x.intent, x => x.i, StringComparer.Ordinal);
        var counts = new Dictionary<string, double[]>(StringComparer.Ordinal);
        var totals = new double[intents.Count];
        foreach (var example in examples)
        {
            var c = index[example.Intent];
            foreach (var f in example.Features.Distinct(StringComparer.Ordinal))
            {
                if (!counts.TryGetValue(f, out var row))
                {
                    counts[f] = row = new double[intents.Count];
                }
                row[c]++;
                totals[c]++;
            }
        }
        var vocabulary = counts.Count;
        var logLikelihood = new Dictionary<string, double[]>(counts.Count, StringComparer.Ordinal);
        foreach (var (feature, row) in counts)
        {
            var l = new double[intents.Count];
            for (var c = 0; c < intents.Count; c++)
            {
                l[c] = Math.Log((row[c] + alpha) / (totals[c] + (alpha * vocabulary)));
            }
            logLikelihood[feature] = l;
        }
        return new NaiveBayesModel(intents, logLikelihood);
    }

    /// <summary>Log-likelihood of the features under each intent (same order as <see cref="Intents"/>), up to a shared constant.</summary>
    public double[] LogScores(IReadOnlyList<string> features)
    {
        var scores = new double[Intents.Count];
        foreach (var f in Distinct(features))
        {
            if (logLikelihood.TryGetValue(f, out var l))
            {
                for (var c = 0; c < scores.Length; c++)
                {
                    scores[c] += l[c];
                }
            }
        }
        return scores;
    }

    /// <summary>The features that most favour <paramref name="intent"/> over <paramref name="rival"/> (log-ratio, largest first).</summary>
    public IReadOnlyList<(string Feature, double LogRatio)> Strongest(IReadOnlyList<string> features, string intent, string rival, int take)
    {
        var a = IndexOf(intent);
        var b = IndexOf(rival);
        if (a < 0 || b < 0)
        {
            return [];
        }
        return [.. Distinct(features)
            .Where(logLikelihood.ContainsKey)
            .Select(f => (Feature: f, LogRatio: logLikelihood[f][a] - logLikelihood[f][b]))
            .Where(x => x.LogRatio > 0)
            .OrderByDescending(x => x.LogRatio)
            .ThenBy(x => x.Feature, StringComparer.Ordinal)
            .Take(take)];
    }

    public int IndexOf(string intent)
    {
        for (var i = 0; i < Intents.Count; i++)
        {
            if (Intents[i] == intent)
            {
                return i;
            }
        }
        return -1;
    }

    /// <summary>
    /// The model's features of a message: stemmed words and adjacent-word pairs of the new text (stop words dropped from
    /// the unigrams, kept in pairs so "not interested" and "how much" survive), the subject's words unless it is a reply's
    /// old topic, and <see cref="ReplyFeature"/> for a reply in a thread.
    /// </summary>
    public static IReadOnlyList<string> Features(ClassifierInput input)
    {
        var features = new List<string>();
        var body = TextFeatures.Stems(TextFeatures.NewText(input.Text));
        for (var i = 0; i < body.Count; i++)
        {
            if (!StopWords.Contains(body[i]))
            {
                features.Add(Normalize(body[i]));
            }
            if (i + 1 < body.Count)
            {
                features.Add(Normalize(body[i]) + " " + Normalize(body[i + 1]));
            }
        }
        if (!TextFeatures.IsReplySubject(input.Subject))
        {
            features.AddRange(TextFeatures.Stems(input.Subject).Where(s => !StopWords.Contains(s)).Select(s => SubjectPrefix + Normalize(s)));
        }
        if (input.IsReply)
        {
            features.Add(ReplyFeature);
        }
        return features;
    }

    /// <summary>Numbers as a shape, not a value: "10am" and "2pm" are both "0am"/"0pm", "404" and "2026" are "0".</summary>
    private static string Normalize(string stem)
    {
        if (!stem.Any(char.IsDigit))
        {
            return stem;
        }
        var chars = new List<char>(stem.Length);
        foreach (var c in stem)
        {
            if (!char.IsDigit(c))
            {
                chars.Add(c);
            }
            else if (chars.Count == 0 || chars[^1] != '0')
            {
                chars.Add('0');
            }
        }
        return new string([.. chars]);
    }

    private static IEnumerable<string> Distinct(IReadOnlyList<string> features)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var f in features)
        {
            if (seen.Add(f))
            {
                yield return f;
            }
        }
    }

    /// <summary>Function words (already stemmed) that carry no intent on their own.</summary>
    private static readonly HashSet<string> StopWords = new(
        [
            "a", "an", "the", "and", "or", "but", "of", "to", "in", "on", "at", "for", "with", "from", "by", "as", "is", "are", "was",
            "be", "been", "it", "its", "this", "that", "these", "those", "i", "we", "you", "he", "she", "they", "me", "us", "my", "our",
            "your", "their", "his", "her", "them", "so", "if", "then", "than", "there", "here", "do", "doe", "did", "have", "hav", "has",
            "had", "will", "would", "could", "should", "can", "just", "also", "am", "hi", "hello", "dear", "pleas", "about",
        ],
        StringComparer.Ordinal);
}
