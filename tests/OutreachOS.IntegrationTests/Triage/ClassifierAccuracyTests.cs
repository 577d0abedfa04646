using OutreachOS.Triage.Classification;
using OutreachOS.Triage.Policies;
using Xunit.Abstractions;

namespace OutreachOS.IntegrationTests.Triage;

/// <summary>
/// The offline classifier on the labelled sets in the repository (file I/O, hence here and not in the unit tests).
/// Prints the reports that docs/triage-classifier.md quotes; the floors sit a little below the measured figures so a
/// regression fails, they are not the target. inbound-labelled and inbound-holdout are the word model's training data
/// (in-sample); inbound-holdout-2 was written before v2 and is never trained or tuned on.
/// </summary>
public sealed class ClassifierAccuracyTests(ITestOutputHelper output)
{
    internal static string LabelledFile(string name)
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var path = Path.Combine(dir.FullName, "src/Modules/Triage/OutreachOS.Triage/Classification/labelled", name);
            if (File.Exists(path))
            {
                return path;
            }
        }
        throw new FileNotFoundException(name);
    }

    // Measured once at the end of v2 (2026-11-22, docs/triage-classifier.md): holdout-2 87/108 = 80.6 %, answers at
    // confidence >= 0.75 right 55/55. Floors a few points below, so a regression fails and noise does not.
    private const double Holdout2Floor = 0.76;
    private const double ConfidentFloor = 0.95;

    private static IReadOnlyList<LabelledEmail> Load(string name) => LabelledSetEvaluation.Parse(File.ReadAllLines(LabelledFile(name)));

    private LabelledSetReport Print(string title, LabelledSetReport report)
    {
        output.WriteLine($"=== {title} ===");
        output.WriteLine(report.Format());
        return report;
    }

    [Fact]
    public void Labelled_set_accuracy_and_confusion_in_sample()
    {
        var set = Load("inbound-labelled.jsonl");
        var report = Print("inbound-labelled.jsonl (training data: in-sample)", LabelledSetEvaluation.Evaluate(set, TriagePolicy.DefaultIntents));
        Assert.True(set.Count >= 120);
        Assert.True(report.IntentAccuracy >= 0.97, report.Format()); // measured 141/141
    }

    [Fact]
    public void Holdout_set_accuracy_and_confusion_in_sample()
    {
        var set = Load("inbound-holdout.jsonl");
        var report = Print("inbound-holdout.jsonl (training data since v2: in-sample)", LabelledSetEvaluation.Evaluate(set, TriagePolicy.DefaultIntents));
        Assert.True(report.IntentAccuracy >= 0.94, report.Format()); // measured 36/36
    }

    [Fact]
    public void Training_sets_leave_one_out()
    {
        var set = Load("inbound-labelled.jsonl").Concat(Load("inbound-holdout.jsonl")).ToList();
        var report = Print("inbound-labelled + inbound-holdout, word model leave-one-out", LabelledSetEvaluation.CrossValidate(set, TriagePolicy.DefaultIntents));
        Assert.True(report.IntentAccuracy >= 0.93, report.Format()); // measured 171/177
    }

    [Fact]
    public void Holdout_2_set_accuracy_and_confusion()
    {
        var set = Load("inbound-holdout-2.jsonl");
        var report = Print("inbound-holdout-2.jsonl (never trained or tuned on)", LabelledSetEvaluation.Evaluate(set, TriagePolicy.DefaultIntents));
        Assert.True(set.Count >= 90);
        Assert.True(report.IntentAccuracy >= Holdout2Floor, report.Format());
        // What keeps errors safe: confident answers are mostly right; the unsure rest routes to people.
        var confident = set.Select(e => (Answer: OfflineClassifier.Classify(e.ToInput(), TriagePolicy.DefaultIntents), e.Intent))
            .Where(p => p.Answer.Confidence >= 0.75).ToList();
        Assert.True(confident.Count(p => p.Answer.Intent == p.Intent) >= confident.Count * ConfidentFloor, report.Format());
    }

    [Fact]
    public void The_classifier_is_trained_on_the_labelled_files_and_never_on_holdout_2()
    {
        foreach (var (file, embedded) in new[] { ("inbound-labelled.jsonl", TrainingData.LabelledJsonl), ("inbound-holdout.jsonl", TrainingData.HoldoutJsonl) })
        {
            Assert.Equal(Normalize(File.ReadAllText(LabelledFile(file))), Normalize(embedded));
        }
        var holdout2 = LabelledSetEvaluation.Parse(File.ReadAllLines(LabelledFile("inbound-holdout-2.jsonl"))).Select(e => e.Id).ToHashSet();
        Assert.DoesNotContain(TrainingData.Emails, e => holdout2.Contains(e.Id));
    }

    private static string Normalize(string s) => s.Replace("\r\n", "\n", StringComparison.Ordinal).Trim();
}
