using OutreachOS.Guardrails.Checks;
using OutreachOS.Guardrails.Contracts;
using static OutreachOS.UnitTests.Guardrails.GuardrailFixtures;

namespace OutreachOS.UnitTests.Guardrails;

public sealed class LengthCheckTests
{
    [Fact]
    public void A_body_within_the_word_limit_has_no_length_flag()
    {
        Assert.Empty(Run<LengthCheck>(Email(CleanEmailBody)));
    }

    [Fact]
    public void A_body_over_max_words_is_blocked_from_the_first_extra_word()
    {
        var body = "Hi Sarah, one two three four five six";
        var flags = Run<LengthCheck>(Email(body) with { MaxWords = 5 });

        var flag = Single(flags, RiskCodes.MaxWords);
        Assert.Equal(RiskSeverity.Block, flag.Severity);
        AssertSpan(flag, body, "four five six");
        Assert.Contains("8 words", flag.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void A_linkedin_note_of_300_characters_passes_and_301_is_blocked()
    {
        Assert.Empty(Run<LengthCheck>(LinkedIn(new string('a', 300))));

        var body = new string('a', 300) + "b";
        var flag = Single(Run<LengthCheck>(LinkedIn(body)), RiskCodes.MaxCharacters);
        Assert.Equal(RiskSeverity.Block, flag.Severity);
        AssertSpan(flag, body, "b");
    }

    [Fact]
    public void An_email_without_subject_is_blocked()
    {
        Single(Run<LengthCheck>(Email(CleanEmailBody, subject: "  ")), RiskCodes.SubjectMissing);
    }

    [Fact]
    public void A_fake_reply_subject_is_blocked_with_its_prefix_as_span()
    {
        var flag = Single(Run<LengthCheck>(Email(CleanEmailBody, subject: "RE: our call")), RiskCodes.SubjectFakeReply);
        Assert.Equal(RiskSeverity.Block, flag.Severity);
        AssertSpan(flag, "RE: our call", "RE:", MessagePart.Subject);
    }

    [Fact]
    public void A_long_subject_warns_and_a_very_long_one_blocks()
    {
        var longish = new string('x', 70);
        Assert.Equal(RiskSeverity.Warn, Single(Run<LengthCheck>(Email(CleanEmailBody, longish)), RiskCodes.SubjectTooLong).Severity);

        var huge = new string('x', 130);
        Assert.Equal(RiskSeverity.Block, Single(Run<LengthCheck>(Email(CleanEmailBody, huge)), RiskCodes.SubjectTooLong).Severity);
    }

    [Fact]
    public void An_all_caps_subject_warns()
    {
        Single(Run<LengthCheck>(Email(CleanEmailBody, "QUICK QUESTION")), RiskCodes.SubjectAllCaps);
    }

    [Fact]
    public void An_empty_body_is_blocked()
    {
        Single(Run<LengthCheck>(Email("   ")), RiskCodes.BodyEmpty);
    }

    [Fact]
    public void An_sms_of_two_gsm_segments_passes_and_three_is_blocked_from_the_third_segment()
    {
        Assert.Empty(Run<LengthCheck>(Sms(new string('a', 306))));

        var body = new string('a', 306) + "b";
        var flag = Single(Run<LengthCheck>(Sms(body)), RiskCodes.SmsTooLong);
        Assert.Equal(RiskSeverity.Block, flag.Severity);
        AssertSpan(flag, body, "b");
    }

    [Fact]
    public void A_curly_apostrophe_switches_an_sms_to_ucs2_and_is_named_in_a_warning()
    {
        var body = "Hi Sarah, we’re around";
        var flag = Single(Run<LengthCheck>(Sms(body)), RiskCodes.SmsUnicode);
        Assert.Equal(RiskSeverity.Warn, flag.Severity);
        AssertSpan(flag, body, "’");
    }

    [Fact]
    public void An_emoji_sms_of_135_units_needs_three_ucs2_segments_and_is_blocked()
    {
        // 133 letters + one emoji (2 UTF-16 units) = 135 units > 2 x 67.
        var body = new string('a', 133) + "🙂";
        var flags = Run<LengthCheck>(Sms(body));
        Single(flags, RiskCodes.SmsTooLong);
        AssertSpan(Single(flags, RiskCodes.SmsUnicode), body, "🙂");
    }
}

public sealed class SmsSegmentTests
{
    [Theory]
    [InlineData(0, 0)]
    [InlineData(1, 1)]
    [InlineData(160, 1)]
    [InlineData(161, 2)]
    [InlineData(306, 2)]
    [InlineData(307, 3)]
    [InlineData(459, 3)]
    [InlineData(460, 4)]
    public void Gsm7_text_uses_160_septets_alone_and_153_per_concatenated_segment(int length, int segments)
    {
        var result = SmsSegments.Calculate(new string('a', length));
        Assert.Equal(SmsEncoding.Gsm7, result.Encoding);
        Assert.Equal(segments, result.Segments);
    }

    [Theory]
    [InlineData(70, 1)]
    [InlineData(71, 2)]
    [InlineData(134, 2)]
    [InlineData(135, 3)]
    public void Ucs2_text_uses_70_units_alone_and_67_per_concatenated_segment(int length, int segments)
    {
        // One non-GSM character (Cyrillic "ж") forces UCS-2 for the whole message.
        var result = SmsSegments.Calculate("ж" + new string('a', length - 1));
        Assert.Equal(SmsEncoding.Ucs2, result.Encoding);
        Assert.Equal(segments, result.Segments);
        Assert.Equal(0, result.FirstNonGsmIndex);
    }

    [Fact]
    public void Gsm7_extension_characters_cost_two_septets()
    {
        // 80 euro signs = 160 septets: still one segment; one more character tips it over.
        Assert.Equal(1, SmsSegments.Calculate(new string('€', 80)).Segments);
        var two = SmsSegments.Calculate(new string('€', 80) + "a");
        Assert.Equal(SmsEncoding.Gsm7, two.Encoding);
        Assert.Equal(161, two.Units);
        Assert.Equal(2, two.Segments);
    }

    [Fact]
    public void Accented_letters_in_the_gsm_alphabet_stay_gsm7()
    {
        var result = SmsSegments.Calculate("Café à Zürich, ¿qué tal?");
        Assert.Equal(SmsEncoding.Gsm7, result.Encoding);
        Assert.Equal(-1, result.FirstNonGsmIndex);
    }

    [Fact]
    public void An_escape_sequence_is_not_split_across_segments()
    {
        // 306 septets would fit two segments, but "{" (2 septets) cannot start at the last free septet of the
        // first segment: it moves to the second, and the final "b" spills into a third.
        var text = new string('a', 152) + "{" + new string('a', 151) + "b";
        var result = SmsSegments.Calculate(text);
        Assert.Equal(306, result.Units);
        Assert.Equal(3, result.Segments);
        Assert.Equal(text.Length - 1, result.ThirdSegmentStart);
    }
}

public sealed class SubjectInjectionTests
{
    [Fact]
    public void A_line_break_in_the_subject_is_blocked_at_the_break()
    {
        var flags = GuardrailFixtures.Run<LengthCheck>(GuardrailFixtures.Email(GuardrailFixtures.CleanEmailBody, "Hello\nBcc: x@y.z"));
        var flag = GuardrailFixtures.Single(flags, RiskCodes.SubjectMultiline);
        Assert.Equal(5, flag.Span!.Start);
        Assert.Equal(MessagePart.Subject, flag.Span.Part);
    }
}
