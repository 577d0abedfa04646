using OutreachOS.Triage.Pii;

namespace OutreachOS.UnitTests.Triage;

/// <summary>
/// Postal addresses leave for an external model as <c>[ADDRESS_n]</c>: street lines in English, German, Dutch, Nordic,
/// French, Italian, Spanish and Portuguese forms, with a unit and the town line after them (same line or next), post-office
/// boxes, and a town line with a US state and ZIP code or a Canadian postcode on its own. Prose with numbers and
/// capitalised words stays as written.
/// </summary>
public sealed class PiiRedactorAddressTests
{
    [Theory]
    [InlineData("Please ship it to 221B Baker Street by Friday.", "Please ship it to [ADDRESS_1] by Friday.")]
    [InlineData("Ship to 1600 Pennsylvania Ave NW, Washington, DC 20500 asap", "Ship to [ADDRESS_1] asap")]
    [InlineData("Our office: 350 5th Ave, Suite 3300, New York, NY 10118-0110.", "Our office: [ADDRESS_1].")]
    [InlineData("new address is 42 Wallaby Way, Sydney", "new address is [ADDRESS_1], Sydney")]
    [InlineData("send it to 10 Downing Street, London SW1A 2AA thanks", "send it to [ADDRESS_1] thanks")]
    [InlineData("deliver to 290 Bremner Blvd, Toronto, ON M5V 3L9 please", "deliver to [ADDRESS_1] please")]
    [InlineData("I moved to 12 Oak Lane Apt. 4B last week", "I moved to [ADDRESS_1] last week")]
    [InlineData("Lieferadresse: Hauptstraße 5, 10115 Berlin.", "Lieferadresse: [ADDRESS_1].")]
    [InlineData("Lieferadresse: Hauptstr. 12a", "Lieferadresse: [ADDRESS_1]")]
    [InlineData("adres: Keizersgracht 123, 1015 CJ Amsterdam", "adres: [ADDRESS_1]")]
    [InlineData("adresse : 12 rue de Rivoli, 75001 Paris.", "adresse : [ADDRESS_1].")]
    [InlineData("indirizzo Via Roma 12, 00184 Roma", "indirizzo [ADDRESS_1]")]
    [InlineData("dirección: Calle Mayor, 5 en Madrid", "dirección: [ADDRESS_1] en Madrid")]
    [InlineData("Send the cheque to P.O. Box 1234, Austin, TX 78701.", "Send the cheque to [ADDRESS_1].")]
    [InlineData("Send the cheque to PO Box 77 today", "Send the cheque to [ADDRESS_1] today")]
    [InlineData("I live near Springfield, IL 62704 now", "I live near [ADDRESS_1] now")]
    [InlineData("ship to 1 Infinite Loop", "ship to [ADDRESS_1]")]
    public void Postal_addresses_are_redacted(string text, string expected)
    {
        var r = PiiRedactor.RedactOne(text);
        Assert.Equal(expected, r.Text);
        Assert.Equal(1, r.Counts.Address);
        Assert.Equal(text, PiiRedactor.Restore(r.Text, r.Map));
    }

    /// <summary>A signature block: the street, unit and town lines are one address; the phone number stays a phone number.</summary>
    [Fact]
    public void An_address_over_several_lines_is_one_value()
    {
        var text = "Best,\nJane\n123 Main Street\nSuite 400\nSpringfield, IL 62704\nTel. +1 (415) 555-0134";
        var r = PiiRedactor.RedactOne(text);
        Assert.Equal("Best,\n[NAME_1]\n[ADDRESS_1]\nTel. [PHONE_1]", r.Text);
        Assert.Equal("123 Main Street\nSuite 400\nSpringfield, IL 62704", r.Map["[ADDRESS_1]"]);
        Assert.Equal(text, PiiRedactor.Restore(r.Text, r.Map));
    }

    [Fact]
    public void The_same_address_twice_gets_one_placeholder()
    {
        var r = PiiRedactor.RedactOne("Ship to 12 Oak Lane. Yes, 12 Oak Lane, not 14 Oak Lane.");
        Assert.Equal("Ship to [ADDRESS_1]. Yes, [ADDRESS_1], not [ADDRESS_2].", r.Text);
        Assert.Equal(2, r.Counts.Address);
    }

    [Theory]
    [InlineData("We need 2 more seats before Friday.")]
    [InlineData("I have 2 dogs in the way of the door.")]
    [InlineData("Order #4711 Main Street edition was late")]
    [InlineData("We finished Q3 at 40% growth in the Central region.")]
    [InlineData("Invoice 2024-0042 for 3 Pro licences, due 03/05/2024.")]
    [InlineData("Our Spring 2024 catalogue has 12 new items.")]
    [InlineData("Version 5 Dr. Smith asked about is out.")]
    [InlineData("Meeting at 10:30 in Room 4, then lunch.")]
    [InlineData("Refund $120 for order 88123 please.")]
    [InlineData("See chapter 11 Court filings in the Times.")]
    [InlineData("Ich bin auf Platz 3 gelandet.")]
    [InlineData("We use Slack via Zapier 2 times a day.")]
    public void Prose_with_numbers_and_capitals_is_not_an_address(string text)
    {
        var r = PiiRedactor.RedactOne(text);
        Assert.Equal(0, r.Counts.Address);
        Assert.DoesNotContain("[ADDRESS_", r.Text, StringComparison.Ordinal);
    }

    /// <summary>
    /// A street line in lower case (2026-12-03): a house number, one to three words and a street type written out, ending
    /// the phrase or followed by a unit or town line; an abbreviated type only with a town line.
    /// </summary>
    [Theory]
    [InlineData("please ship to 123 main street, springfield", "please ship to [ADDRESS_1], springfield")]
    [InlineData("we moved to 45 oak avenue", "we moved to [ADDRESS_1]")]
    [InlineData("my address is 12 elm road.", "my address is [ADDRESS_1].")]
    [InlineData("i live at 5 park lane apt 4b.", "i live at [ADDRESS_1].")]
    [InlineData("deliver to 7 station road, London SW1A 2AA thanks", "deliver to [ADDRESS_1] thanks")]
    [InlineData("new address: 350 5th avenue, suite 3300, New York, NY 10118", "new address: [ADDRESS_1]")]
    [InlineData("send it to 1600 pennsylvania avenue NW, Washington, DC 20500 please", "send it to [ADDRESS_1] please")]
    [InlineData("ship to 123 Main street!", "ship to [ADDRESS_1]!")]
    [InlineData("ship to 9 old mill court\nthanks", "ship to [ADDRESS_1]\nthanks")]
    [InlineData("ship to 123 main st, Springfield, IL 62704 please", "ship to [ADDRESS_1] please")]
    public void Street_lines_in_lower_case_are_redacted(string text, string expected)
    {
        var r = PiiRedactor.RedactOne(text);
        Assert.Equal(expected, r.Text);
        Assert.Equal(1, r.Counts.Address);
        Assert.Equal(text, PiiRedactor.Restore(r.Text, r.Map));
    }

    [Theory]
    [InlineData("we have 3 side roads near the office.")]
    [InlineData("the server has 2 drive bays free")]
    [InlineData("set the table in 5 place settings")]
    [InlineData("these are the 10 best streets in town")]
    [InlineData("the office is a 5 minute drive.")]
    [InlineData("it is 10 minutes drive from the station.")]
    [InlineData("we replaced 3 hard drive units")]
    [InlineData("we lost 1 hard drive.")]
    [InlineData("there is a 2 lane highway.")]
    [InlineData("it has 4 wheel drive.")]
    [InlineData("it's a 2 way street.")]
    [InlineData("they scored 2 in the court.")]
    [InlineData("book 1 tennis court, please")]
    [InlineData("we came 2nd place, again.")]
    [InlineData("order 5 more place cards")]
    [InlineData("version 2 test drive.")]
    [InlineData("the 3 main road closures")]
    [InlineData("see page 12 st. for details")]
    [InlineData("call Dr. Smith at 5 main st")]
    public void Prose_in_lower_case_with_a_number_and_a_street_word_is_not_an_address(string text)
    {
        var r = PiiRedactor.RedactOne(text);
        Assert.Equal(0, r.Counts.Address);
        Assert.DoesNotContain("[ADDRESS_", r.Text, StringComparison.Ordinal);
    }

    [Fact]
    public void An_address_in_two_cases_is_one_placeholder()
    {
        var r = PiiRedactor.RedactOne("Ship to 12 Oak Lane. Yes, 12 oak lane.");
        Assert.Equal("Ship to [ADDRESS_1]. Yes, [ADDRESS_1].", r.Text);
        Assert.Equal("12 Oak Lane", r.Map["[ADDRESS_1]"]);
    }

    [Fact]
    public void A_model_answer_keeping_an_address_placeholder_is_restored()
    {
        var r = PiiRedactor.RedactOne("Please ship to 221B Baker Street, London NW1 6XE.");
        Assert.True(PiiRedactor.IsPlaceholder("[ADDRESS_1]"));
        Assert.Equal(["[ADDRESS_1]"], PiiRedactor.PlaceholdersIn("We will ship to [ADDRESS_1] today."));
        Assert.Equal("We will ship to 221B Baker Street, London NW1 6XE today.", PiiRedactor.Restore("We will ship to [ADDRESS_1] today.", r.Map));
    }
}
