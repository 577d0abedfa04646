using System.Globalization;
using System.Text;
using System.Text.Json;

namespace OutreachOS.Triage.Classification;

/// <summary>One labelled e-mail of Classification/labelled/*.jsonl.</summary>
internal sealed record LabelledEmail(string Id, string Intent, string Urgency, bool IsReply, string Subject, string Text)
{
    public ClassifierInput ToInput() => new(Subject, Text, IsReply);
}

internal sealed record Misclassified(string Id, string Expected, string Actual, double Confidence, string Subject);

/// <summary>Accuracy of the offline classifier on a labelled set: intent and urgency accuracy, confusion, calibration by confidence.</summary>
internal sealed record LabelledSetReport(
    int Count,
    int IntentCorrect,
    int UrgencyCorrect,
    IReadOnlyDictionary<(string Expected, string Actual), int> Confusion,
    IReadOnlyList<(string Bucket, int Count, int Correct)> Calibration,
    IReadOnlyList<Misclassified> Errors)
{
    public double IntentAccuracy => Count == 0 ? 0 : (double)IntentCorrect / Count;

    public double UrgencyAccuracy => Count == 0 ? 0 : (double)UrgencyCorrect / Count;

    /// <summary>95 % Wilson score interval of the intent accuracy: with ~100 e-mails a figure is only known to about ±8 points.</summary>
    public (double Low, double High) IntentAccuracyInterval => LabelledSetEvaluation.Wilson(IntentCorrect, Count);

    public string Format()
    {
        var inv = CultureInfo.InvariantCulture;
        var sb = new StringBuilder();
        sb.AppendLine(inv, $"labelled emails: {Count}");
        var (low, high) = IntentAccuracyInterval;
        sb.AppendLine(inv, $"intent accuracy: {IntentCorrect}/{Count} = {IntentAccuracy:P1} (95 % CI {low:P0}–{high:P0})");
        sb.AppendLine(inv, $"urgency accuracy: {UrgencyCorrect}/{Count} = {UrgencyAccuracy:P1}");
        sb.AppendLine("per intent (expected: correct/total; most frequent confusions):");
        foreach (var expected in Confusion.Keys.Select(k => k.Expected).Distinct().Order(StringComparer.Ordinal))
        {
            var row = Confusion.Where(kv => kv.Key.Expected == expected).ToList();
            var total = row.Sum(kv => kv.Value);
            var correct = row.Where(kv => kv.Key.Actual == expected).Sum(kv => kv.Value);
            var wrong = row.Where(kv => kv.Key.Actual != expected).OrderByDescending(kv => kv.Value).Select(kv => $"{kv.Key.Actual} {kv.Value}");
            sb.AppendLine(inv, $"  {expected,-17} {correct,3}/{total,-3} {string.Join(", ", wrong)}");
        }
        sb.AppendLine("calibration (confidence bucket: count, accuracy):");
        foreach (var (bucket, count, correct) in Calibration)
        {
            sb.AppendLine(inv, $"  {bucket}: {count,3}, {(count == 0 ? "-" : ((double)correct / count).ToString("P0", inv))}");
        }
        sb.AppendLine("errors:");
        foreach (var e in Errors)
        {
            sb.AppendLine(inv, $"  {e.Id} expected {e.Expected}, got {e.Actual} ({e.Confidence:0.00}): {e.Subject}");
        }
        return sb.ToString();
    }
}

internal static class LabelledSetEvaluation
{
    public static IReadOnlyList<LabelledEmail> Parse(IEnumerable<string> jsonLines) =>
        [.. jsonLines.Where(l => !string.IsNullOrWhiteSpace(l)).Select(l => JsonSerializer.Deserialize<LabelledEmail>(l, BuildingBlocks.Json.OutreachJson.Options)!)];

    public static LabelledSetReport Evaluate(IReadOnlyList<LabelledEmail> set, IReadOnlyList<string> intents) =>
        Evaluate(set, i => OfflineClassifier.Classify(set[i].ToInput(), intents));

    /// <summary>
    /// Leave-one-out cross-validation of the word model on <paramref name="set"/> (its training data): each e-mail is
    /// classified by a model trained on all the others. The phrases stay as they are (they were written with these e-mails),
    /// so this is still optimistic, but less so than the in-sample figure.
    /// </summary>
    public static LabelledSetReport CrossValidate(IReadOnlyList<LabelledEmail> set, IReadOnlyList<string> intents)
    {
        var features = set.Select(e => NaiveBayesModel.Features(e.ToInput())).ToList();
        return Evaluate(set, i =>
        {
            var model = NaiveBayesModel.Train([.. set.Select((o, j) => (o, j)).Where(x => x.j != i).Select(x => new TrainingExample(x.o.Intent, features[x.j]))]);
            return OfflineClassifier.Classify(set[i].ToInput(), intents, model, OfflineClassifierSettings.Default);
        });
    }

    /// <summary>95 % Wilson score interval for <paramref name="k"/> successes out of <paramref name="n"/>.</summary>
    public static (double Low, double High) Wilson(int k, int n)
    {
        if (n == 0)
        {
            return (0, 1);
        }
        const double z = 1.96;
        var p = (double)k / n;
        var centre = (p + (z * z / (2 * n))) / (1 + (z * z / n));
        var half = z * Math.Sqrt((p * (1 - p) / n) + (z * z / (4.0 * n * n))) / (1 + (z * z / n));
        return (Math.Max(0, centre - half), Math.Min(1, centre + half));
    }

    private static LabelledSetReport Evaluate(IReadOnlyList<LabelledEmail> set, Func<int, ClassifierAnswer> classify)
    {
        var confusion = new Dictionary<(string, string), int>();
        var buckets = new (double Low, double High)[] { (0, 0.5), (0.5, 0.65), (0.65, 0.75), (0.75, 0.85), (0.85, 1.01) };
        var calibration = buckets.Select(_ => (Count: 0, Correct: 0)).ToArray();
        var errors = new List<Misclassified>();
        int intentCorrect = 0, urgencyCorrect = 0;
        for (var i = 0; i < set.Count; i++)
        {
            var e = set[i];
            var answer = classify(i);
            var ok = answer.Intent == e.Intent;
            intentCorrect += ok ? 1 : 0;
            urgencyCorrect += answer.Urgency == e.Urgency ? 1 : 0;
            confusion[(e.Intent, answer.Intent)] = confusion.GetValueOrDefault((e.Intent, answer.Intent)) + 1;
            var b = Array.FindIndex(buckets, x => answer.Confidence >= x.Low && answer.Confidence < x.High);
            calibration[b] = (calibration[b].Count + 1, calibration[b].Correct + (ok ? 1 : 0));
            if (!ok)
            {
                errors.Add(new Misclassified(e.Id, e.Intent, answer.Intent, answer.Confidence, e.Subject));
            }
        }
        var inv = CultureInfo.InvariantCulture;
        return new LabelledSetReport(set.Count, intentCorrect, urgencyCorrect, confusion,
            [.. buckets.Select((x, i) => ($"[{x.Low.ToString("0.00", inv)}, {Math.Min(1, x.High).ToString("0.00", inv)})", calibration[i].Count, calibration[i].Correct))],
            errors);
    }
}
