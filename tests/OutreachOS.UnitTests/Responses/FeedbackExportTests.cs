using OutreachOS.Ingestion.Contracts;
using OutreachOS.Triage.Contracts;
using OutreachOS.Triage.Drafts;
using OutreachOS.Triage.Feedback;

namespace OutreachOS.UnitTests.Responses;

public sealed class FeedbackExportTests
{
    private static DraftRecord Approved(string originalText, string draft, string final, IReadOnlyDictionary<string, string>? redactions = null) =>
        new(Guid.NewGuid(), Guid.NewGuid(), Guid.NewGuid(), DraftStatus.Approved, "support", "Re: Refund", draft,
            new MailAddress("sarah.chen@customer.example", "Sarah Chen"), "Refund for Sarah Chen", originalText, "<m1@customer.example>", [],
            new DraftClassification("billing", "normal", "billing", [], 0.9), [], null, DateTimeOffset.UnixEpoch, ResponsePath.DraftForReview, [], false, null,
            redactions ?? new Dictionary<string, string>(), FinalText: final, EditDistance: 12, DecidedBy: "reviewer", DecidedAt: DateTimeOffset.UnixEpoch);

    [Fact]
    public void Every_exported_text_is_redacted_even_when_the_decision_redacted_nothing()
    {
        var d = Approved(
            "Please refund card 4111 1111 1111 1111 and call me on +44 20 7946 0958.\n\nSarah Chen\nsarah.chen@customer.example",
            "Hi Sarah,\n\nWe will look into it.\n\nBest regards,\nDana",
            "Hi Sarah,\n\nWe will call you on +44-20-7946-0958 and refund to de89 3704 0044 0532 0130 00.\n\nBest regards,\nDana");

        var e = FeedbackEndpoints.ToExample(d);

        var all = string.Join("\n", e.InputEmail.Subject, e.InputEmail.Text, e.OriginalDraft, e.FinalText);
        foreach (var pii in new[] { "4111", "7946", "sarah.chen@", "Sarah", "Chen", "3704" })
        {
            Assert.DoesNotContain(pii, all, StringComparison.Ordinal);
        }

        Assert.Equal("Refund for [NAME_1]", e.InputEmail.Subject);
        Assert.StartsWith("Hi [NAME_", e.FinalText, StringComparison.Ordinal);
        Assert.Contains("[PHONE_", e.FinalText, StringComparison.Ordinal);
        Assert.Contains("[IBAN_1]", e.FinalText, StringComparison.Ordinal);
    }

    [Fact]
    public void The_decisions_placeholders_keep_their_numbers()
    {
        var d = Approved("Call me on [PHONE_1].", "Hi Sarah,\n\nWe will call +44 20 7946 0958.", "Hi Sarah,\n\nWe will call [PHONE_1] or write to a@b.example.",
            new Dictionary<string, string> { ["[PHONE_1]"] = "+44 20 7946 0958" });
        var e = FeedbackEndpoints.ToExample(d);
        Assert.Equal("Call me on [PHONE_1].", e.InputEmail.Text);
        Assert.EndsWith("We will call [PHONE_1].", e.OriginalDraft, StringComparison.Ordinal);
        Assert.EndsWith("write to [EMAIL_1].", e.FinalText, StringComparison.Ordinal);
    }
}
