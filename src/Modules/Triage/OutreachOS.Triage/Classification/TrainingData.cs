namespace OutreachOS.Triage.Classification;

/// <summary>
/// The training data of <see cref="NaiveBayesModel"/>: <c>labelled/inbound-labelled.jsonl</c> and <c>labelled/inbound-holdout.jsonl</c>,
/// embedded in the assembly (see the project file) so the model is trained in memory at start-up with no file access.
/// <c>inbound-holdout-2.jsonl</c> is deliberately NOT here: it is the untouched test set.
/// </summary>
internal static class TrainingData
{
    public static string LabelledJsonl { get; } = Read("OutreachOS.Triage.inbound-labelled.jsonl");

    public static string HoldoutJsonl { get; } = Read("OutreachOS.Triage.inbound-holdout.jsonl");

    public static IReadOnlyList<LabelledEmail> Emails { get; } =
        [.. LabelledSetEvaluation.Parse(LabelledJsonl.Split('\n')), .. LabelledSetEvaluation.Parse(HoldoutJsonl.Split('\n'))];

    private static string Read(string name)
    {
        using var stream = typeof(TrainingData).Assembly.GetManifestResourceStream(name)
            ?? throw new InvalidOperationException($"Embedded resource {name} is missing from the Triage assembly.");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }
}
