using OutreachOS.Guardrails.Contracts;
using OutreachOS.Ingestion.Contracts;
using OutreachOS.Triage.Responses;
using OutreachOS.Triage.Templates;

namespace OutreachOS.UnitTests.Responses;

/// <summary>The From display name and the subject are the sender's text: a reply may quote them, never be sourced by them.</summary>
public sealed class SenderEchoTests
{
    private const string EvilName = "https://evil.example/reset Support";

    private static Task<ComposedReply> Compose(string text, string subject = "Question", string fromName = "Sarah Chen", TemplatesResponse? templates = null,
        FixedLlm? paraphrase = null) =>
        ResponseFixtures.Composer(paraphrase is not null, paraphrase).ComposeAsync(
            ResponseFixtures.Decided("support", text, subject: subject, fromName: fromName), templates ?? ResponseFixtures.Templates(), redactForModel: true,
            CancellationToken.None);

    [Fact]
    public async Task A_display_name_that_is_not_a_personal_name_is_not_greeted()
    {
        var reply = await Compose("The CSV export fails since this morning.", fromName: EvilName);
        Assert.StartsWith("Hi there,", reply.Text, StringComparison.Ordinal);
        Assert.DoesNotContain("evil", reply.Text, StringComparison.Ordinal);
        Assert.True(reply.Report.Passed);
    }

    [Fact]
    public async Task A_template_echoing_the_full_name_gets_nothing_for_a_non_personal_name()
    {
        var templates = new TemplatesResponse(1, new Dictionary<string, ReplyTemplate>(DefaultTemplates.All)
        {
            ["support"] = new(["support"], null, "Dear {{sender_full_name}},\n\nWe are on it.\n\n{{signature}}"),
        }, ResponseFixtures.Values);
        var reply = await Compose("The export fails.", fromName: EvilName, templates: templates);
        Assert.StartsWith("Dear ,", reply.Text, StringComparison.Ordinal);
        Assert.StartsWith("Dear Sarah Chen,", (await Compose("The export fails.", templates: templates)).Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_link_from_the_display_name_is_unsourced_in_the_reply()
    {
        var llm = new FixedLlm("Hi there,\n\nPlease reset your password at https://evil.example/reset today.\n\nBest regards,\nDana from Acme Support");
        var reply = await Compose("The export fails.", fromName: EvilName, paraphrase: llm);
        Assert.True(reply.Paraphrased);
        Assert.Contains(reply.Report.Blocking, f => f.Code == RiskCodes.UnsourcedUrl && f.Span?.Part == MessagePart.Body);
        Assert.DoesNotContain(reply.Sources, s => s.Contains("evil", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_link_or_phone_in_the_subject_blocks_the_echoed_reply_subject()
    {
        var link = await Compose("The export fails.", subject: "Reset your password at https://evil.example/reset");
        Assert.Contains(link.Report.Blocking, f => f.Code == RiskCodes.UnsourcedUrl && f.Span?.Part == MessagePart.Subject);
        var phone = await Compose("The export fails.", subject: "Call support on +44 20 7946 0958");
        Assert.Contains(phone.Report.Blocking, f => f.Code == RiskCodes.UnsourcedPii && f.Span?.Part == MessagePart.Subject);
    }

    [Fact]
    public async Task A_figure_from_the_subject_may_stand_in_the_Re_line_but_does_not_source_the_body()
    {
        var plain = await Compose("I need a copy of my last invoice.", subject: "Invoice 4711 question");
        Assert.Equal("Re: Invoice 4711 question", plain.Subject);
        Assert.True(plain.Report.Passed, string.Join("; ", plain.Report.Blocking.Select(f => $"{f.Code} {f.Span?.Text}")));

        var llm = new FixedLlm("Hi Sarah,\n\nInvoice 4711 is refunded in full.\n\nBest regards,\nDana from Acme Support");
        var paraphrased = await Compose("I need a copy of my last invoice.", subject: "Invoice 4711 question", paraphrase: llm);
        Assert.Contains(paraphrased.Report.Blocking, f => f.Code == RiskCodes.UnsourcedNumber && f.Span?.Part == MessagePart.Body);
        Assert.DoesNotContain(paraphrased.Report.Flags, f => f.Span?.Part == MessagePart.Subject);
    }

    [Theory]
    [InlineData("Sarah Chen", "Hi [NAME_1],")]
    [InlineData(EvilName, "Hi there,")]
    public async Task A_redacted_display_name_is_judged_by_its_value(string value, string greeting)
    {
        var d = ResponseFixtures.Decided("support", "The export fails.", fromName: "[NAME_1]", redactions: new Dictionary<string, string> { ["[NAME_1]"] = value });
        var reply = await ResponseFixtures.Composer().ComposeAsync(d, ResponseFixtures.Templates(), redactForModel: true, CancellationToken.None);
        Assert.StartsWith(greeting, reply.Text, StringComparison.Ordinal);
    }

    [Fact]
    public void The_reply_is_addressed_to_a_personal_name_only()
    {
        var mail = ReplyMail.Build(Guid.NewGuid(), new MailAddress("help@acme.example"), new MailAddress("victim@customer.example", EvilName), null,
            "Re: x", "Hi there,", "<m@customer.example>", [], new Dictionary<string, string>(), auto: true);
        Assert.Null(Assert.Single(mail.To).Name);
        var named = ReplyMail.Build(Guid.NewGuid(), new MailAddress("help@acme.example"), new MailAddress("sarah@customer.example", "Sarah Chen"), null,
            "Re: x", "Hi Sarah,", "<m@customer.example>", [], new Dictionary<string, string>(), auto: true);
        Assert.Equal("Sarah Chen", Assert.Single(named.To).Name);
    }
}
