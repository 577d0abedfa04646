using OutreachOS.Triage.Pii;

namespace OutreachOS.UnitTests.Triage;

public sealed class PiiRedactorTests
{
    [Fact]
    public void Emails_phones_cards_ibans_and_ssns_get_numbered_placeholders()
    {
        var r = PiiRedactor.RedactOne(
            "Mail jane.doe@acme.example or call +1 (415) 555-0134. Card 4111 1111 1111 1111, IBAN DE89 3704 0044 0532 0130 00, SSN 123-45-6789.");
        Assert.Equal("Mail [EMAIL_1] or call [PHONE_1]. Card [CARD_1], IBAN [IBAN_1], SSN [SSN_1].", r.Text);
        Assert.Equal("jane.doe@acme.example", r.Map["[EMAIL_1]"]);
        Assert.Equal("4111 1111 1111 1111", r.Map["[CARD_1]"]);
        Assert.Equal((1, 1, 1, 1, 1), (r.Counts.Email, r.Counts.Phone, r.Counts.Card, r.Counts.Iban, r.Counts.Ssn));
    }

    [Fact]
    public void The_same_value_gets_the_same_placeholder_and_restore_round_trips()
    {
        var text = "a@x.example wrote to b@y.example and a@x.example again";
        var r = PiiRedactor.RedactOne(text);
        Assert.Equal("[EMAIL_1] wrote to [EMAIL_2] and [EMAIL_1] again", r.Text);
        Assert.Equal(text, PiiRedactor.Restore(r.Text, r.Map));
    }

    [Fact]
    public void A_number_failing_Luhn_is_not_a_card() =>
        Assert.DoesNotContain("[CARD_", PiiRedactor.RedactOne("Order 4111 1111 1111 1112 shipped").Text, StringComparison.Ordinal);

    [Fact]
    public void An_IBAN_failing_mod_97_is_not_an_IBAN() =>
        Assert.DoesNotContain("[IBAN_", PiiRedactor.RedactOne("IBAN DE89 3704 0044 0532 0130 01").Text, StringComparison.Ordinal);

    [Theory]
    [InlineData("000-12-3456")]
    [InlineData("666-12-3456")]
    [InlineData("912-12-3456")]
    [InlineData("123-00-3456")]
    [InlineData("123-45-0000")]
    public void SSNs_outside_the_valid_ranges_are_not_SSNs(string ssn) =>
        Assert.DoesNotContain("[SSN_", PiiRedactor.RedactOne($"number {ssn}").Text, StringComparison.Ordinal);

    [Theory]
    [InlineData("2026-11-22")]
    [InlineData("22.11.2026")]
    [InlineData("version 10")]
    public void Dates_and_small_numbers_are_not_phones(string text) =>
        Assert.Equal(text, PiiRedactor.RedactOne(text).Text);

    [Theory]
    [InlineData("+44 20 7946 0958")]
    [InlineData("(030) 1234 5678")]
    [InlineData("0151-2345-678")]
    public void Phone_numbers_in_common_formats_are_redacted(string phone) =>
        Assert.Equal("call [PHONE_1]", PiiRedactor.RedactOne($"call {phone}").Text);

    [Fact]
    public void Luhn_and_mod_97_checks_accept_known_good_values()
    {
        Assert.True(PiiRedactor.IsLuhnCard("5555555555554444"));
        Assert.False(PiiRedactor.IsLuhnCard("5555555555554445"));
        Assert.True(PiiRedactor.IsValidIban("GB82 WEST 1234 5698 7654 32"));
        Assert.False(PiiRedactor.IsValidIban("GB82 WEST 1234 5698 7654 33"));
    }
}
