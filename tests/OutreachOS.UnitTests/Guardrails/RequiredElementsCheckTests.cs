using OutreachOS.Guardrails.Checks;
using OutreachOS.Guardrails.Contracts;
using static OutreachOS.UnitTests.Guardrails.GuardrailFixtures;

namespace OutreachOS.UnitTests.Guardrails;

public sealed class RequiredElementsCheckTests
{
    [Fact]
    public void The_clean_email_has_greeting_cta_and_relevance()
    {
        var flags = Run<RequiredElementsCheck>(Email(CleanEmailBody));
        Assert.True(flags.Count == 0, Describe(flags));
    }

    [Fact]
    public void A_missing_greeting_is_blocked_with_the_opening_line_as_span()
    {
        var body = "I noticed Acme Logistics is hiring 12 SDRs.\nWould you be open to a 15-min call?";
        var flag = Single(Run<RequiredElementsCheck>(Email(body)), RiskCodes.GreetingMissing);
        Assert.Equal(RiskSeverity.Block, flag.Severity);
        AssertSpan(flag, body, "I noticed Acme Logistics is hiring 12 SDRs.");
    }

    [Fact]
    public void A_greeting_to_the_wrong_name_is_blocked_on_the_name()
    {
        var body = "Hi John,\nI noticed Acme Logistics is hiring 12 SDRs. Open to a 15-min call?";
        AssertSpan(Single(Run<RequiredElementsCheck>(Email(body)), RiskCodes.GreetingWrongName), body, "John");
    }

    [Fact]
    public void A_greeting_without_the_known_first_name_is_blocked()
    {
        var body = "Hi there,\nI noticed Acme Logistics is hiring 12 SDRs. Open to a 15-min call?";
        Single(Run<RequiredElementsCheck>(Email(body)), RiskCodes.GreetingMissingName);
    }

    [Fact]
    public void Opening_with_the_first_name_and_a_comma_counts_as_a_greeting()
    {
        var body = "Sarah, quick one: Acme Logistics is hiring 12 SDRs and ramp time bites. Open to a 15-min call?";
        Assert.Empty(Run<RequiredElementsCheck>(LinkedIn(body)));
    }

    [Fact]
    public void An_sms_does_not_need_a_greeting()
    {
        Assert.Empty(Run<RequiredElementsCheck>(Sms("Acme is hiring 12 SDRs; we cut ramp time. Open to a 15-min call?")));
    }

    [Fact]
    public void A_message_without_a_call_to_action_is_blocked()
    {
        var body = "Hi Sarah,\nI noticed Acme Logistics is hiring 12 SDRs and ramp time matters.\nBest,\nTom";
        var flag = Single(Run<RequiredElementsCheck>(Email(body)), RiskCodes.CtaMissing);
        Assert.Equal(RiskSeverity.Block, flag.Severity);
        Assert.Contains("book a 15-min call", flag.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void A_question_unrelated_to_the_goal_only_warns()
    {
        var body = "Hi Sarah,\nI noticed Acme Logistics is hiring 12 SDRs and ramp time matters.\nAny thoughts on this?";
        var flag = Single(Run<RequiredElementsCheck>(Email(body)), RiskCodes.CtaOffGoal);
        Assert.Equal(RiskSeverity.Warn, flag.Severity);
        AssertSpan(flag, body, "Any thoughts on this?");
    }

    [Fact]
    public void A_generic_message_with_no_context_keyword_is_blocked_for_relevance()
    {
        var body = "Hi Sarah,\nWe help companies like Acme Logistics do better work. Open to a 15-min call?";
        var flag = Single(Run<RequiredElementsCheck>(Email(body, subject: "Quick question")), RiskCodes.RelevanceMissing);
        Assert.Equal(RiskSeverity.Block, flag.Severity);
    }

    [Fact]
    public void An_inbound_reply_does_not_need_greeting_cta_or_relevance()
    {
        var input = Email("Thanks for your message. Your invoice was sent yesterday.") with
        {
            Requirements = GuardrailRequirements.InboundReply,
        };
        Assert.Empty(Run<RequiredElementsCheck>(input));
    }
}

public sealed class RelevanceWithoutSourcesTests
{
    [Fact]
    public void Relevance_without_any_source_text_is_a_warning_not_a_block()
    {
        var input = GuardrailFixtures.Email("Hi Sarah,\nOpen to a 15-min call?") with { SourceTexts = [] };
        var flag = GuardrailFixtures.Single(GuardrailFixtures.Run<RequiredElementsCheck>(input), RiskCodes.RelevanceNoSources);
        Assert.Equal(RiskSeverity.Warn, flag.Severity);
    }
}
