using OutreachOS.Triage.Pipeline;
using OutreachOS.Triage.Policies;
using OutreachOS.Triage.Prefilter;

namespace OutreachOS.UnitTests.Triage;

public sealed class PreFilterTests
{
    private static FilterVerdict? Run(string subject, string text, Dictionary<string, string>? headers = null, string from = "pat@customer.example",
        TriagePolicy? policy = null) =>
        PreFilter.Evaluate(Mail.Email(subject, text, from, headers), policy ?? TriagePolicy.Default);

    [Fact]
    public void An_ordinary_question_passes() =>
        Assert.Null(Run("Pricing for 50 seats", "What would the pricing look like per seat?"));

    [Theory]
    [InlineData("auto-replied")]
    [InlineData("auto-generated")]
    [InlineData("auto-notified; owner-email=\"x@y.example\"")]
    public void Auto_Submitted_other_than_no_is_an_auto_reply(string value)
    {
        var v = Run("Re: hello", "I am away.", new() { ["auto-submitted"] = value });
        Assert.Equal(FilterCategory.AutoReply, v!.Category);
        Assert.Equal("rfc3834.auto_submitted", v.Rule);
    }

    [Fact]
    public void Auto_Submitted_no_is_a_person_writing() =>
        Assert.Null(Run("Re: hello", "Let's talk pricing.", new() { ["auto-submitted"] = "no" }));

    [Fact]
    public void X_Autoreply_is_an_auto_reply() =>
        Assert.Equal("header.x_autoreply", Run("Re: hi", "away", new() { ["x-autoreply"] = "yes" })!.Rule);

    [Theory]
    [InlineData("OOF, AutoReply", true)]
    [InlineData("All", true)]
    [InlineData("DR, RN, NRN", false)]
    public void X_Auto_Response_Suppress_marks_automatic_Exchange_messages_only(string value, bool filtered) =>
        Assert.Equal(filtered, Run("Re: hi", "text", new() { ["x-auto-response-suppress"] = value }) is { Rule: "header.x_auto_response_suppress" });

    [Theory]
    [InlineData("bulk")]
    [InlineData("junk")]
    [InlineData("list")]
    public void Precedence_bulk_junk_list_is_bulk(string value)
    {
        var v = Run("News", "Monthly update", new() { ["precedence"] = value });
        Assert.Equal(FilterCategory.Bulk, v!.Category);
        Assert.Equal("header.precedence", v.Rule);
    }

    [Fact]
    public void List_Unsubscribe_is_bulk() =>
        Assert.Equal("header.list_unsubscribe", Run("Our webinar", "Join us", new() { ["list-unsubscribe"] = "<mailto:u@list.example>" })!.Rule);

    [Theory]
    [InlineData("Out of Office: back Monday")]
    [InlineData("Automatic reply: Pricing question")]
    [InlineData("Abwesenheitsnotiz: Ihre Anfrage")]
    [InlineData("Réponse automatique : absence")]
    [InlineData("Respuesta automática: vacaciones")]
    [InlineData("Risposta automatica: fuori ufficio")]
    [InlineData("Automatisch antwoord: afwezig")]
    [InlineData("Automatiskt svar: semester")]
    public void Out_of_office_subjects_in_several_languages_are_auto_replies(string subject)
    {
        var v = Run(subject, "I am currently away.");
        Assert.Equal(FilterCategory.AutoReply, v!.Category);
        Assert.Equal("subject.out_of_office", v.Rule);
    }

    [Theory]
    [InlineData("MAILER-DAEMON@mx.example")]
    [InlineData("postmaster@customer.example")]
    public void Mailer_daemon_and_postmaster_are_bounces(string from) =>
        Assert.Equal("bounce.mailer_daemon", Run("Undelivered Mail Returned to Sender", "could not be delivered", from: from)!.Rule);

    [Fact]
    public void A_delivery_status_report_is_a_bounce_whoever_sends_it()
    {
        var v = Run("Delivery Status Notification (Failure)", "...", new() { ["content-type"] = "multipart/report; report-type=delivery-status; boundary=x" },
            from: "notifications@mx.example");
        Assert.Equal(FilterCategory.Bounce, v!.Category);
        Assert.Equal("bounce.dsn_content_type", v.Rule);
    }

    [Fact]
    public void Spam_cues_add_up_and_are_named()
    {
        var v = Run("YOU HAVE WON A PRIZE!!!", "Claim your prize now. 100% free, click here to claim.");
        Assert.Equal(FilterCategory.Spam, v!.Category);
        Assert.Contains("you have won", v.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void One_weak_spam_cue_does_not_stop_a_message() =>
        Assert.Null(Run("URGENT INVOICE QUESTION FOR YOU", "Why was I charged twice?"));

    [Fact]
    public void Blocked_senders_by_address_and_domain_are_stopped()
    {
        var policy = TriagePolicy.Default with { Senders = new SenderLists([], ["spammy.example", "eve@other.example"]) };
        Assert.Equal(FilterCategory.BlockedSender, Run("Hi", "pricing?", from: "bob@mail.spammy.example", policy: policy)!.Category);
        Assert.Equal(FilterCategory.BlockedSender, Run("Hi", "pricing?", from: "eve@other.example", policy: policy)!.Category);
        Assert.Null(Run("Hi", "pricing?", from: "adam@other.example", policy: policy));
    }

    [Fact]
    public void Allowlisted_senders_skip_the_spam_heuristics_but_not_the_auto_reply_rules()
    {
        var policy = TriagePolicy.Default with { Senders = new SenderLists(["partner.example"], []) };
        Assert.Null(Run("YOU HAVE WON!!!", "you have won the lottery winner award, claim your prize", from: "a@partner.example", policy: policy));
        Assert.NotNull(Run("Out of office", "away", from: "a@partner.example", policy: policy));
    }
}
