using OutreachOS.Guardrails.Contracts;
using OutreachOS.Triage.Responses;
using OutreachOS.Triage.Templates;

namespace OutreachOS.UnitTests.Responses;

public sealed class ReplyComposerTests
{
    [Theory]
    [InlineData("scheduling", "Could we set up a call next week to talk about onboarding?")]
    [InlineData("pricing", "What does your Team plan cost for 12 users?")]
    [InlineData("support", "The CSV export fails with an error since this morning.")]
    [InlineData("billing", "I need a copy of my last invoice.")]
    [InlineData("referral_partner", "We are an agency and would like to resell your product.")]
    [InlineData("other", "Just wanted to say hello.")]
    public async Task Every_default_template_passes_the_guardrails_with_approved_values(string intent, string text)
    {
        var reply = await ResponseFixtures.Composer().ComposeAsync(ResponseFixtures.Decided(intent, text), ResponseFixtures.Templates(), redactForModel: true, CancellationToken.None);
        Assert.True(reply.Report.Passed, string.Join("; ", reply.Report.Blocking.Select(f => $"{f.Code} {f.Detail}")));
        Assert.False(reply.Paraphrased);
        Assert.Equal("Re: Question", reply.Subject);
    }

    [Fact]
    public async Task A_paraphrase_that_invents_a_discount_is_blocked()
    {
        var llm = new FixedLlm("Hi Sarah,\n\nGreat news: we can give you a 30% discount if you sign this week.\n\nBest regards,\nDana from Acme Support");
        var reply = await ResponseFixtures.Composer(paraphrase: true, llm).ComposeAsync(
            ResponseFixtures.Decided("pricing", "What does the Team plan cost?"), ResponseFixtures.Templates(), redactForModel: true, CancellationToken.None);
        Assert.True(reply.Paraphrased);
        Assert.False(reply.Report.Passed);
        Assert.Contains(reply.Report.Blocking, f => f.Code is RiskCodes.UnsourcedPercent or RiskCodes.UnsourcedPromise);
    }

    [Fact]
    public async Task The_model_sees_placeholders_never_the_redacted_values()
    {
        var llm = new FixedLlm("Hi Sarah,\n\nThank you for your message.\n\nBest regards,\nDana from Acme Support");
        var redactions = new Dictionary<string, string> { ["[PHONE_1]"] = "+44 20 7946 0958" };
        var template = new TemplatesResponse(1, new Dictionary<string, ReplyTemplate>(DefaultTemplates.All)
        {
            ["generic"] = new([], null, "Hi {{sender_name}}, we will call you at [PHONE_1] as you asked.\n\n{{signature}}"),
        }, ResponseFixtures.Values);
        var d = ResponseFixtures.Decided("other", "Please call me at [PHONE_1].", redactions: redactions);
        await ResponseFixtures.Composer(paraphrase: true, llm).ComposeAsync(d, template, redactForModel: true, CancellationToken.None);
        var prompt = Assert.Single(llm.Prompts);
        Assert.Contains("[PHONE_1]", prompt.User, StringComparison.Ordinal);
        Assert.DoesNotContain("7946", prompt.User + prompt.System, StringComparison.Ordinal);
    }

    private static TemplatesResponse EchoingTemplate() => new(1, new Dictionary<string, ReplyTemplate>(DefaultTemplates.All)
    {
        ["generic"] = new([], null, "Hi {{sender_name}},\n\nThank you, {{sender_full_name}}, about \"{{original_subject}}\".\n\n{{signature}}"),
    }, ResponseFixtures.Values);

    [Fact]
    public async Task With_redaction_on_the_paraphrase_model_sees_no_name_subject_PII_or_address_and_its_placeholders_are_restored()
    {
        var llm = new FixedLlm("Hello [NAME_2],\n\nThanks [NAME_1] for \"Call me on [PHONE_1]\".\n\nBest regards,\nDana from Acme Support");
        var d = ResponseFixtures.Decided("other", "Please call me back.", subject: "Call me on 0171/1234567", fromName: "Sarah Chen");
        var reply = await ResponseFixtures.Composer(paraphrase: true, llm).ComposeAsync(d, EchoingTemplate(), redactForModel: true, CancellationToken.None);

        var prompt = Assert.Single(llm.Prompts);
        foreach (var pii in new[] { "Sarah", "Chen", "0171", "1234567" })
        {
            Assert.DoesNotContain(pii, prompt.User + prompt.System, StringComparison.Ordinal);
        }

        Assert.Contains("Hi [NAME_", prompt.User, StringComparison.Ordinal);
        Assert.True(reply.Paraphrased);
        Assert.Equal("Hello Sarah,\n\nThanks Sarah Chen for \"Call me on 0171/1234567\".\n\nBest regards,\nDana from Acme Support", reply.Text);
    }

    [Fact]
    public async Task With_redaction_off_the_paraphrase_model_gets_the_text_as_rendered()
    {
        var llm = new FixedLlm("Hello Sarah, thanks.\n\nBest regards,\nDana from Acme Support");
        var d = ResponseFixtures.Decided("other", "Please call me back.", subject: "Call me on 0171/1234567");
        await ResponseFixtures.Composer(paraphrase: true, llm).ComposeAsync(d, EchoingTemplate(), redactForModel: false, CancellationToken.None);
        Assert.Contains("Hi Sarah,", Assert.Single(llm.Prompts).User, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_paraphrase_with_a_placeholder_nobody_can_fill_falls_back_to_the_template_text()
    {
        var llm = new FixedLlm("Hello [NAME_9], write to [EMAIL_4].\n\nBest regards,\nDana from Acme Support");
        var reply = await ResponseFixtures.Composer(paraphrase: true, llm).ComposeAsync(
            ResponseFixtures.Decided("other", "Hello."), EchoingTemplate(), redactForModel: true, CancellationToken.None);
        Assert.False(reply.Paraphrased);
        Assert.StartsWith("Hi Sarah,", reply.Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_organization_template_with_spam_wording_is_blocked_even_though_it_is_approved_text()
    {
        var template = new TemplatesResponse(1, new Dictionary<string, ReplyTemplate>(DefaultTemplates.All)
        {
            ["scheduling"] = new(["scheduling"], null, "Hi {{sender_name}}, act now: this is a limited time offer!\n\n{{signature}}"),
        }, ResponseFixtures.Values);
        var reply = await ResponseFixtures.Composer().ComposeAsync(ResponseFixtures.Decided("scheduling", "Can we meet?"), template, redactForModel: true, CancellationToken.None);
        Assert.False(reply.Report.Passed);
        Assert.Contains(reply.Report.Blocking, f => f.Code == RiskCodes.SpamPhrase);
    }

    [Fact]
    public void The_offline_paraphrase_returns_the_reply_unchanged()
    {
        var prompt = ReplyComposer.ParaphrasePrompt("Hi Sarah,\n\nThanks.", null);
        Assert.Equal("Hi Sarah,\n\nThanks.", new ParaphraseOfflineHandler().Complete(prompt));
    }
}
