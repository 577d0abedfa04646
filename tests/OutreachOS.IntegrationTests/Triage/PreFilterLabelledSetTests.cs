using OutreachOS.Triage.Classification;
using OutreachOS.Triage.Policies;
using OutreachOS.Triage.Prefilter;

namespace OutreachOS.IntegrationTests.Triage;

/// <summary>
/// The pre-filter over the 285 labelled e-mails (file I/O, hence here): every one is a person writing to be answered, so a
/// rule that stops any of them is too broad. The body out-of-office rule is the one this guards.
/// </summary>
public sealed class PreFilterLabelledSetTests
{
    [Theory]
    [InlineData("inbound-labelled.jsonl")]
    [InlineData("inbound-holdout.jsonl")]
    [InlineData("inbound-holdout-2.jsonl")]
    public void No_labelled_email_is_taken_for_an_out_of_office_note(string file)
    {
        var set = LabelledSetEvaluation.Parse(File.ReadAllLines(ClassifierAccuracyTests.LabelledFile(file)));
        var stopped = set.Select(e => (e.Id, Verdict: PreFilter.OutOfOfficeBody(TriageHarness.Email(e.Subject, e.Text))))
            .Where(x => x.Verdict is not null).Select(x => $"{x.Id}: {x.Verdict!.Detail}").ToList();
        Assert.True(stopped.Count == 0, string.Join("\n", stopped));
        Assert.All(set, e => Assert.Null(PreFilter.Evaluate(TriageHarness.Email(e.Subject, e.Text), TriagePolicy.Default)));
    }
}
