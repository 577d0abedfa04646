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

    [Theory]
    [InlineData("Sarah", "Hi\u00A0Sarah,")]
    [InlineData("Sarah", "Hi\u202FSarah,")]
    [InlineData("Jose", "Hi Jos\u00E9,")]
    [InlineData("Jos\u00E9", "Hi Jose,")]
    [InlineData("Jos\u00E9", "Hi Jose\u0301,")]
    [InlineData("\u0130smail", "Hi Ismail,")]
    [InlineData("Ismail", "Hi \u0130smail,")]
    [InlineData("Dr. Sarah", "Hi Sarah,")]
    [InlineData("Dr. Sarah", "Hi Dr. Sarah,")]
    [InlineData("Prof Sarah Chen", "Dear Sarah,")]
    [InlineData("Sarah\nJane", "Hi Sarah,")]
    [InlineData("Sarah\tJane", "Hi Sarah,")]
    [InlineData("Jose", "Jos\u00E9, quick one:")]
    public void A_greeting_that_names_the_lead_in_another_spelling_or_spacing_passes(string firstName, string greeting)
    {
        var input = Email($"{greeting}\nI noticed Acme Logistics is hiring 12 SDRs. Open to a 15-min call?") with { LeadFirstName = firstName };
        var flags = Run<RequiredElementsCheck>(input);
        Assert.True(flags.Count == 0, Describe(flags));
    }

    [Theory]
    [InlineData("Dr. Sarah", "Hi John,", "John")]
    [InlineData("Dr. Sarah", "Hi Dr. John,", "John")]
    [InlineData("Jos\u00E9", "Hi Josie,", "Josie")]
    public void A_greeting_to_another_person_is_still_the_wrong_name(string firstName, string greeting, string span)
    {
        var body = $"{greeting}\nI noticed Acme Logistics is hiring 12 SDRs. Open to a 15-min call?";
        var flag = Single(Run<RequiredElementsCheck>(Email(body) with { LeadFirstName = firstName }), RiskCodes.GreetingWrongName);
        AssertSpan(flag, body, span);
    }

    [Fact]
    public void Relevance_matches_non_latin_words_written_the_same_way_in_message_and_sources()
    {
        // Cyrillic letters that look Latin are normalised for phrase checks; relevance must still see these words as equal.
        var input = Sms("\u0421\u0430\u0448\u0430, \u0432\u0438\u0434\u0435\u043B \u0433\u0440\u0443\u0437\u043E\u043F\u0435\u0440\u0435\u0432\u043E\u0437\u043A\u0438? \u0421\u043E\u0437\u0432\u043E\u043D\u0438\u043C\u0441\u044F?") with
        {
            LeadFirstName = "\u0421\u0430\u0448\u0430",
            Goal = null,
            SourceTexts = ["\u041A\u043E\u043C\u043F\u0430\u043D\u0438\u044F: \u0433\u0440\u0443\u0437\u043E\u043F\u0435\u0440\u0435\u0432\u043E\u0437\u043A\u0438"],
        };
        var flags = Run<RequiredElementsCheck>(input);
        Assert.True(flags.Count == 0, Describe(flags));
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
