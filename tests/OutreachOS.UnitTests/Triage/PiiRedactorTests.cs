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

public sealed class PiiRedactorGapTests
{
    [Theory]
    [InlineData("write to john [at] example dot com today")]
    [InlineData("write to john(at)example.com today")]
    [InlineData("write to john (AT) example (dot) com today")]
    [InlineData("write to john at example dot com today")]
    [InlineData("write to jo\u00ADhn@exam\u00ADple.com today")]
    [InlineData("write to \uFEFFjohn@example\uFEFF.com today")]
    [InlineData("write to jöhn.müller@bücher.de today")]
    [InlineData("write to ｊｏｈｎ＠ｅｘａｍｐｌｅ．ｃｏｍ today")]
    public void Obfuscated_hidden_and_international_addresses_are_redacted(string text)
    {
        var r = PiiRedactor.RedactOne(text);
        Assert.Equal("write to [EMAIL_1] today", r.Text);
        Assert.Equal(1, r.Counts.Email);
    }

    [Theory]
    [InlineData("Card 4111.1111.1111.1111, thanks", "Card [CARD_1], thanks")]
    [InlineData("Card no.4111 1111 1111 1111.", "Card no.[CARD_1].")]
    [InlineData("iban de89 3704 0044 0532 0130 00 please", "iban [IBAN_1] please")]
    [InlineData("iban be68 5390 0754 7034 then", "iban [IBAN_1] then")]
    [InlineData("call 0171/1234567 please", "call [PHONE_1] please")]
    [InlineData("call ０１７１ １２３４５６７ please", "call [PHONE_1] please")]
    [InlineData("call +33 1 23 45 67 89 please", "call [PHONE_1] please")]
    [InlineData("call \u0660\u0661\u0667\u0661-\u0661\u0662\u0663\u0664\u0665\u0666\u0667 please", "call [PHONE_1] please")]
    public void Reformatted_numbers_are_redacted(string text, string expected) =>
        Assert.Equal(expected, PiiRedactor.RedactOne(text).Text);

    [Theory]
    [InlineData("Card 4111.1111.1111.1112 is not valid")]
    [InlineData("Invoice 2024/123456 is attached")]
    [InlineData("Due 22/11/2026 as agreed")]
    [InlineData("Version 1.2.3 is out; order ab12 will ship soon")]
    [InlineData("We looked at the pricing page")]
    [InlineData("Meet at example.com HQ")]
    public void Ordinary_text_is_not_redacted(string text) => Assert.Equal(text, PiiRedactor.RedactOne(text).Text);

    [Fact]
    public void The_senders_name_and_address_are_redacted_everywhere_and_restored()
    {
        var r = new PiiRedactor().KnowSender("John Smith", "John.Smith@Customer.example");
        var subject = r.Redact("Question from John Smith");
        var body = r.Redact("Hi,\nsee below.\n\nThanks, John\n\nOn Mon, 1 Dec 2026, JOHN SMITH <john.smith@customer.example> wrote:\n> old text\n-- \nJohn Smith, Head of Ops");
        Assert.Equal("Question from [NAME_1]", subject);
        Assert.DoesNotContain("John", body, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("customer.example", body, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("Thanks, [NAME_", body, StringComparison.Ordinal);
        Assert.Equal("Question from John Smith", PiiRedactor.Restore(subject, r.Map));
        Assert.Contains("JOHN SMITH <john.smith@customer.example> wrote:", PiiRedactor.Restore(body, r.Map), StringComparison.Ordinal);
    }

    [Fact]
    public void A_one_word_display_name_is_matched_with_its_case_only()
    {
        var r = new PiiRedactor().KnowSender("Will", "will@customer.example");
        Assert.Equal("We will call. [NAME_1]", r.Redact("We will call. Will"));
    }

    [Fact]
    public void A_continued_redaction_keeps_earlier_placeholders_and_numbers_after_them()
    {
        var r = new PiiRedactor(new Dictionary<string, string> { ["[PHONE_1]"] = "+44 20 7946 0958", ["[EMAIL_2]"] = "a@b.example" });
        Assert.Equal("[PHONE_1] [EMAIL_2] [EMAIL_3]", r.Redact("+44 20 7946 0958 a@b.example c@d.example"));
        Assert.Equal("c@d.example", r.Map["[EMAIL_3]"]);
    }

    [Theory]
    [InlineData("Jane Doe", "Jane", "Jane Doe")]
    [InlineData("\"O'Brien-Müller, Zoë\"", "Zoë", "O'Brien-Müller, Zoë")]
    [InlineData("J. Smith", null, "J. Smith")]
    [InlineData("https://evil.example/reset Support", null, null)]
    [InlineData("Call 0800 123 456", null, null)]
    [InlineData("jane@customer.example", null, null)]
    [InlineData("Aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", null, null)]
    public void Only_names_that_look_personal_are_greeting_names(string display, string? first, string? full)
    {
        Assert.Equal(first, PersonalNames.First(display));
        Assert.Equal(full, PersonalNames.Full(display));
    }
}
