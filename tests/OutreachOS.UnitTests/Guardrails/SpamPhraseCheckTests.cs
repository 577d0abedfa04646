using OutreachOS.Guardrails.Checks;
using OutreachOS.Guardrails.Contracts;
using static OutreachOS.UnitTests.Guardrails.GuardrailFixtures;

namespace OutreachOS.UnitTests.Guardrails;

public sealed class SpamPhraseCheckTests
{
    [Fact]
    public void The_clean_email_has_no_spam_flag()
    {
        Assert.Empty(Run<SpamPhraseCheck>(Email(CleanEmailBody)));
    }

    [Theory]
    [InlineData("Please act now to save your seat.", "act now")]
    [InlineData("Please A C T  N O W to save your seat.", "A C T  N O W")]
    [InlineData("Please Act-Now to save your seat.", "Act-Now")]
    [InlineData("The pilot is risk free for your team.", "risk free")]
    [InlineData("The pilot is risk-free for your team.", "risk-free")]
    [InlineData("The pilot is R.I.S.K F.R.E.E for your team.", "R.I.S.K F.R.E.E")]
    [InlineData("Just click here for details.", "click here")]
    public void Spam_phrases_are_found_regardless_of_case_and_spacing(string body, string expectedSpan)
    {
        var flag = Single(Run<SpamPhraseCheck>(Email(body)), RiskCodes.SpamPhrase);
        Assert.Equal(RiskSeverity.Block, flag.Severity);
        AssertSpan(flag, body, expectedSpan);
    }

    [Theory]
    [InlineData("The pilot is r\u0456sk-free for your team.", "r\u0456sk-free")]
    [InlineData("The pilot is \uFF52\uFF49\uFF53\uFF4B-free for your team.", "\uFF52\uFF49\uFF53\uFF4B-free")]
    [InlineData("Results are \uFF47\uFF55\uFF41\uFF52\uFF41\uFF4E\uFF54\uFF45\uFF45\uFF44 for your team.", "\uFF47\uFF55\uFF41\uFF52\uFF41\uFF4E\uFF54\uFF45\uFF45\uFF44")]
    [InlineData("Results are gu\u0430r\u0430nteed for your team.", "gu\u0430r\u0430nteed")]
    [InlineData("It works 100\uFF05 of the time.", "100\uFF05")]
    public void Look_alike_and_full_width_letters_do_not_hide_a_spam_phrase(string body, string expectedSpan)
    {
        var flag = Single(Run<SpamPhraseCheck>(Email(body)), RiskCodes.SpamPhrase);
        Assert.Equal(RiskSeverity.Block, flag.Severity);
        AssertSpan(flag, body, expectedSpan);
    }

    [Theory]
    [InlineData("Happy to contact nowadays teams.")]
    [InlineData("Feel free to ignore this if the timing is off.")]
    [InlineData("Are you free for a call on Tuesday?")]
    [InlineData("We help finance teams with cash flow forecasting.")]
    [InlineData("Our cashier integration is popular.")]
    public void Ordinary_wording_that_contains_trigger_letters_is_not_flagged(string body)
    {
        Assert.Empty(Run<SpamPhraseCheck>(Email(body)));
    }

    /// <summary>A lender called "Guaranteed Rate" could not be named in the subject or the body: every variant was blocked.</summary>
    [Fact]
    public void The_leads_company_and_first_name_are_names_not_wording_but_the_same_words_elsewhere_still_count()
    {
        var body = "Hi Cash,\n\nI noticed Guaranteed Rate is focused on mortgages, with guaranteed results.\n\nOpen to a quick call?";
        var input = Email(body, subject: "Idea for GUARANTEED RATE") with { LeadCompany = "Guaranteed Rate", LeadFirstName = "Cash" };
        var flag = Single(Run<SpamPhraseCheck>(input), RiskCodes.SpamPhrase);
        AssertSpan(flag, body, "guaranteed", MessagePart.Body);
        Assert.Equal(body.LastIndexOf("guaranteed", StringComparison.Ordinal), flag.Span!.Start);

        // The organization's own lists are not relaxed by a lead's name.
        var forbidden = Run<SpamPhraseCheck>(input with { ForbiddenPhrases = ["guaranteed rate"] });
        Assert.Equal(2, forbidden.Count(f => f.Code == RiskCodes.ForbiddenPhrase));
    }

    [Fact]
    public void A_spam_phrase_in_the_subject_has_a_subject_span()
    {
        var flag = Single(Run<SpamPhraseCheck>(Email(CleanEmailBody, subject: "Limited time: ramp faster")), RiskCodes.SpamPhrase);
        AssertSpan(flag, "Limited time: ramp faster", "Limited time", MessagePart.Subject);
    }

    [Fact]
    public void A_longer_phrase_is_reported_once_instead_of_its_parts()
    {
        var body = "It is 100% free for new teams.";
        var flags = Run<SpamPhraseCheck>(Email(body));
        AssertSpan(Single(flags, RiskCodes.SpamPhrase), body, "100% free");
    }

    [Fact]
    public void A_weak_trigger_word_only_warns()
    {
        var flag = Single(Run<SpamPhraseCheck>(Email("This is urgent for your team.")), RiskCodes.SpamPhrase);
        Assert.Equal(RiskSeverity.Warn, flag.Severity);
    }

    [Fact]
    public void Aggressive_calls_to_action_are_blocked()
    {
        var body = "Reply now or lose your spot. This is your last chance.";
        var flags = Run<SpamPhraseCheck>(Email(body)).Where(f => f.Code == RiskCodes.AggressiveCta).ToList();
        Assert.Equal(["Reply now or", "last chance"], flags.Select(f => f.Span!.Text));
        Assert.All(flags, f => Assert.Equal(RiskSeverity.Block, f.Severity));
    }

    [Fact]
    public void Organization_forbidden_phrases_and_competitors_are_blocked()
    {
        var body = "Unlike Outreach.io, our synergy play is simple.";
        var input = Email(body) with { ForbiddenPhrases = ["synergy"], CompetitorNames = ["Outreach.io"] };
        var flags = Run<SpamPhraseCheck>(input);

        AssertSpan(Single(flags, RiskCodes.ForbiddenPhrase), body, "synergy");
        var competitor = Single(flags, RiskCodes.CompetitorMention);
        Assert.Equal(RiskSeverity.Block, competitor.Severity);
        AssertSpan(competitor, body, "Outreach.io");
    }

    [Theory]
    [InlineData("Unlike G\u043Eng, we write the drafts for you.", "G\u043Eng")]
    [InlineData("Unlike G\u03BFng, we write the drafts for you.", "G\u03BFng")]
    [InlineData("Unlike \uFF27\uFF4F\uFF4E\uFF47, we write the drafts for you.", "\uFF27\uFF4F\uFF4E\uFF47")]
    public void A_competitor_spelled_with_look_alike_letters_is_still_blocked(string body, string expectedSpan)
    {
        var input = Email(body) with { CompetitorNames = ["Gong"], SourceTexts = ["Freight brokerage for retailers"] };
        var flag = Single(Run<SpamPhraseCheck>(input), RiskCodes.CompetitorMention);
        Assert.Equal(RiskSeverity.Block, flag.Severity);
        AssertSpan(flag, body, expectedSpan);
    }

    [Fact]
    public void A_competitor_named_in_the_lead_context_only_warns()
    {
        var input = Email("Saw you run Gong for call reviews.") with { CompetitorNames = ["Gong"] };
        Assert.Equal(RiskSeverity.Warn, Single(Run<SpamPhraseCheck>(input), RiskCodes.CompetitorMention).Severity);
    }
}

public sealed class SpamPhraseSourceTests
{
    [Fact]
    public void A_strong_spam_phrase_quoted_from_the_context_is_only_a_warning()
    {
        var input = GuardrailFixtures.Email("Your site promises guaranteed delivery windows.") with
        {
            SourceTexts = [.. GuardrailFixtures.Sources, "Website tagline: guaranteed delivery windows"],
        };
        var flag = GuardrailFixtures.Single(GuardrailFixtures.Run<SpamPhraseCheck>(input), RiskCodes.SpamPhrase);
        Assert.Equal(RiskSeverity.Warn, flag.Severity);
    }
    [Fact]
    public void A_strong_spam_phrase_in_untrusted_lead_context_still_blocks()
    {
        // Trusted texts set (as Generation does): a lead signal saying "act now" does not excuse "act now".
        var input = GuardrailFixtures.Email("Call us this week to claim it, act now.") with
        {
            SourceTexts = [.. GuardrailFixtures.Sources, "Intent: call +1 415 555 0142 act now"],
            TrustedSourceTexts = ["acme-logistics.com"],
        };
        var flag = GuardrailFixtures.Single(GuardrailFixtures.Run<SpamPhraseCheck>(input), RiskCodes.SpamPhrase);
        Assert.Equal(RiskSeverity.Block, flag.Severity);
    }

    [Fact]
    public void A_strong_spam_phrase_in_a_trusted_text_is_still_only_a_warning()
    {
        var input = GuardrailFixtures.Email("Your site promises guaranteed delivery windows.") with
        {
            SourceTexts = [.. GuardrailFixtures.Sources, "Website tagline: guaranteed delivery windows"],
            TrustedSourceTexts = ["Website tagline: guaranteed delivery windows"],
        };
        var flag = GuardrailFixtures.Single(GuardrailFixtures.Run<SpamPhraseCheck>(input), RiskCodes.SpamPhrase);
        Assert.Equal(RiskSeverity.Warn, flag.Severity);
    }
}
