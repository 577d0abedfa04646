using OutreachOS.Ingestion.Contracts;
using OutreachOS.Triage.Drafts;
using OutreachOS.Triage.Qa;
using OutreachOS.Triage.Responses;
using OutreachOS.Triage.Smtp;

namespace OutreachOS.UnitTests.Responses;

public sealed class SmallPartsTests
{
    [Theory]
    [InlineData("kitten", "sitting", 3)]
    [InlineData("", "abc", 3)]
    [InlineData("abc", "", 3)]
    [InlineData("same", "same", 0)]
    [InlineData("Thanks, Sarah", "Thank you, Sarah", 4)]
    public void Levenshtein_counts_insertions_deletions_and_substitutions(string a, string b, int expected) =>
        Assert.Equal(expected, Levenshtein.Distance(a, b));

    [Fact]
    public void Qa_sampling_is_deterministic_per_decision_and_close_to_the_rate()
    {
        var ids = Enumerable.Range(0, 4000).Select(i => ResponseIds.For(Guid.Empty, $"qa-{i}")).ToList();
        var first = ids.Select(id => QaSampler.IsSampled(id, 0.25)).ToList();
        var again = ids.Select(id => QaSampler.IsSampled(id, 0.25)).ToList();
        Assert.Equal(first, again);
        var share = first.Count(x => x) / (double)ids.Count;
        Assert.InRange(share, 0.22, 0.28);
        Assert.DoesNotContain(ids, id => QaSampler.IsSampled(id, 0));
        Assert.All(ids, id => Assert.True(QaSampler.IsSampled(id, 1)));
    }

    [Fact]
    public void Placeholders_are_restored_for_the_customer_and_values_redacted_for_exports()
    {
        var map = new Dictionary<string, string> { ["[EMAIL_1]"] = "sarah@customer.example", ["[PHONE_1]"] = "+44 20 7946 0958" };
        var restored = Redactions.Restore("Write to [EMAIL_1] or call [PHONE_1].", map);
        Assert.Equal("Write to sarah@customer.example or call +44 20 7946 0958.", restored);
        Assert.Equal("Write to [EMAIL_1] or call [PHONE_1].", Redactions.Redact(restored, map));
    }

    [Fact]
    public void The_message_id_and_draft_id_are_the_same_for_every_delivery_of_a_decision()
    {
        var decision = Guid.NewGuid();
        Assert.Equal(ResponseIds.SmtpMessageId(decision, "help@acme.example"), ResponseIds.SmtpMessageId(decision, "help@acme.example"));
        Assert.Equal($"<reply-{decision:N}@acme.example>", ResponseIds.SmtpMessageId(decision, "help@acme.example"));
        Assert.Equal(ResponseIds.DraftId(decision), ResponseIds.DraftId(decision));
        Assert.NotEqual(ResponseIds.DraftId(decision), ResponseIds.DraftId(Guid.NewGuid()));
    }

    [Theory]
    [InlineData("Acme Support <help@acme.example>", "help@acme.example", "Acme Support")]
    [InlineData("\"Acme, Inc.\" <help@acme.example>", "help@acme.example", "Acme, Inc.")]
    [InlineData("help@acme.example", "help@acme.example", null)]
    public void The_from_setting_accepts_an_address_with_or_without_a_name(string raw, string email, string? name) =>
        Assert.Equal(new MailAddress(email, name), SmtpOptions.ParseAddress(raw));
}
