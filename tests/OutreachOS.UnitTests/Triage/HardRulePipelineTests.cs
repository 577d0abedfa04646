using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using OutreachOS.Triage.Classification;
using OutreachOS.Triage.Contracts;
using OutreachOS.Triage.Pipeline;
using OutreachOS.Triage.Policies;

namespace OutreachOS.UnitTests.Triage;

/// <summary>Hard rules through the whole pipeline (offline classifier): what a policy's intent list cannot switch off.</summary>
public sealed class HardRulePipelineTests
{
    private static readonly TriagePipeline Pipeline = new(new TriageClassifier(new ConfigurationBuilder().Build(), new ServiceCollection().BuildServiceProvider()));

    private static TriagePolicy BillingAutoSend(IReadOnlyList<string> allowed) => TriagePolicy.Default with
    {
        AllowedIntents = allowed,
        Intents = allowed.ToDictionary(i => i, i => i == "billing" ? new IntentPolicy(true, 0.1, "billing", false) : TriagePolicy.Default.For(i),
            StringComparer.Ordinal),
        HumanBelowConfidence = 0,
    };

    private static async Task<InboundDecided> DecideAsync(string subject, string text, TriagePolicy policy)
    {
        var events = await Pipeline.RunAsync(Mail.Received(Mail.Email(subject, text)), policy, 1, new SenderInfo(false, null), Mail.At, CancellationToken.None);
        return events.OfType<InboundDecided>().Single();
    }

    [Fact]
    public async Task A_billing_question_with_an_opt_out_is_not_auto_sent()
    {
        var d = await DecideAsync("Invoice", "Please stop emailing me, also my invoice is wrong.", BillingAutoSend(TriagePolicy.DefaultIntents));
        Assert.Contains(PolicyFlags.Unsubscribe, d.Classification.PolicyFlags);
        Assert.Equal(ResponsePath.Human, d.Decision.Path);
    }

    /// <summary>The pii_sensitive hard rule reads the redactor's findings: a card written with no-break spaces is one.</summary>
    [Theory]
    [InlineData("4111 1111 1111 1111")]
    [InlineData("4111\u00A01111\u00A01111\u00A01111")]
    [InlineData("4111\u202F1111\u202F1111\u202F1111")]
    public async Task A_billing_question_with_a_card_number_is_not_auto_sent_whatever_its_spaces(string card)
    {
        var d = await DecideAsync("Invoice question",
            $"Hello, my invoice INV-2211 shows a double charge on my card {card}. Can you check the invoice and the payment?", BillingAutoSend(TriagePolicy.DefaultIntents));
        Assert.NotEqual(ResponsePath.AutoSend, d.Decision.Path);
        Assert.Contains(PolicyFlags.PiiSensitive, d.Classification.PolicyFlags);
    }

    /// <summary>
    /// An opt-out the policy does not list is recorded as other (the schema of the policy's intents holds) and goes to a
    /// human; the run still reports the classifier's own intent, which the consumer suppresses the sender on (ADR 0031).
    /// </summary>
    [Fact]
    public async Task An_opt_out_the_policy_does_not_list_is_recorded_as_other_and_reported_as_unsubscribe()
    {
        var run = await Pipeline.TriageAsync(Mail.Received(Mail.Email("Unsubscribe", "Please unsubscribe me and remove me from your mailing list. Stop emailing me.")),
            BillingAutoSend(["billing", "support", "other"]), 1, new SenderInfo(false, null), Mail.At, CancellationToken.None);
        var d = run.Events.OfType<InboundDecided>().Single();
        Assert.Equal("other", d.Classification.Intent);
        Assert.Equal(ResponsePath.Human, d.Decision.Path);
        Assert.Equal(InboundTriageConsumer.Unsubscribe, run.ClassifiedIntent);
    }

    [Fact]
    public async Task A_complaint_is_not_auto_sent_when_the_policy_does_not_list_complaint()
    {
        const string text = "This is unacceptable. You charged me twice on my invoice, nobody answers, and I am extremely disappointed with your service. I want to file a complaint.";
        var listed = await DecideAsync("Terrible service", text, BillingAutoSend(TriagePolicy.DefaultIntents));
        Assert.Equal("complaint", listed.Classification.Intent); // the wording is a complaint when complaint is allowed
        var d = await DecideAsync("Terrible service", text, BillingAutoSend(["billing", "other"]));
        Assert.NotEqual(ResponsePath.AutoSend, d.Decision.Path);
        Assert.Equal(ResponsePath.Human, d.Decision.Path);
        Assert.Contains("hard rule: complaints go to a human", d.Decision.Reasons);
    }
}
