using OutreachOS.Triage.Classification;

namespace OutreachOS.UnitTests.Triage.Classification;

public sealed class TextFeaturesTests
{
    [Theory]
    [InlineData("reschedule", "rescheduled", "rescheduling", "reschedules")]
    [InlineData("invoice", "invoices", "invoiced", "invoicing")]
    [InlineData("price", "prices", "priced", "pricing")]
    [InlineData("cancel", "cancelled", "cancelling", "canceled")]
    [InlineData("reply", "replies", "replied", "replying")]
    [InlineData("charge", "charged", "charges", "charging")]
    [InlineData("integrate", "integrated", "integration", "integrates")]
    public void Inflections_of_a_word_share_one_stem(string a, string b, string c, string d)
    {
        var stem = Stemmer.Stem(a);
        Assert.All(new[] { b, c, d }, w => Assert.Equal(stem, Stemmer.Stem(w)));
    }

    [Theory]
    [InlineData("meeting", "meet")]
    [InlineData("shipping", "ship")]
    [InlineData("billing", "bill")]
    [InlineData("addresses", "address")]
    [InlineData("status", "status")]
    [InlineData("thing", "thing")]
    [InlineData("pm", "pm")]
    [InlineData("2fa", "2fa")]
    [InlineData("404", "404")]
    public void Stems_are_predictable_and_short_or_numeric_words_are_left_alone(string word, string stem) =>
        Assert.Equal(stem, Stemmer.Stem(word));

    [Fact]
    public void Tokenize_lowercases_splits_on_punctuation_and_keeps_negations()
    {
        Assert.Equal(["we", "not", "able", "to", "log", "in", "cant", "do", "it"], TextFeatures.Tokenize("We're NOT able to log-in, can't do it!"));
        Assert.Equal(["it", "doesnt", "work"], TextFeatures.Tokenize("It doesn’t work"));
        Assert.Equal(["the", "company", "invoice", "inv", "2231"], TextFeatures.Tokenize("The company's invoice (INV-2231)"));
        Assert.Equal(["grusse", "aus", "koln"], TextFeatures.Tokenize("Grüße aus Köln")); // accents folded (ADR 0012 addendum 2026-12-04)
        Assert.Empty(TextFeatures.Tokenize(" -- !! "));
    }

    [Fact]
    public void A_sign_off_block_is_cut_but_a_sign_off_word_inside_the_message_is_kept()
    {
        var signed = "Can we move our call to Friday?\n\nBest,\nAnna Weber\nBilling Manager | Invoice Solutions Ltd\n+49 30 1234567";
        Assert.Equal("Can we move our call to Friday?\n", TextFeatures.StripSignature(signed));

        var content = "Thanks, the fix worked.\nBut the export still fails.";
        Assert.Equal(content, TextFeatures.StripSignature(content));

        var longAfter = "Short question.\nThanks\n" + string.Join('\n', Enumerable.Repeat("This line is a real paragraph of the message that keeps going and going on.", 3));
        Assert.Equal(longAfter, TextFeatures.StripSignature(longAfter));
    }

    [Fact]
    public void The_signature_delimiter_and_mobile_footers_end_the_message()
    {
        Assert.Equal("Please send the receipt.", TextFeatures.StripSignature("Please send the receipt.\n-- \nJo, Head of Partnerships"));
        Assert.Equal("ok, Tuesday works", TextFeatures.StripSignature("ok, Tuesday works\nSent from my iPhone"));
    }

    [Fact]
    public void New_text_keeps_a_bottom_posted_answer_and_drops_each_quoted_history()
    {
        var text = "On Mon, Dana wrote:\n> Can we meet?\n> Tuesday?\n\nTuesday works.\n\nOn Sun, Tom wrote:\n> Lunch?\n\nYes, lunch too.\n\nBest,\nJane";
        Assert.Equal("\n\nTuesday works.\n\n\nYes, lunch too.", TextFeatures.NewText(text).TrimEnd());
        // Not quoted with ">": everything after the header is history.
        Assert.Equal("Sure.\n", TextFeatures.StripQuoted("Sure.\n\nOn Mon, Dana wrote:\nCan we meet?\nNo. Stop.")[..6]);
        Assert.DoesNotContain("Stop", TextFeatures.StripQuoted("Sure.\n\nOn Mon, Dana wrote:\nCan we meet?\nNo. Stop."), StringComparison.Ordinal);
    }

    [Fact]
    public void New_text_drops_quoted_history_and_the_signature()
    {
        var text = "Please remove me.\n\nRegards,\nSam\n\nOn Mon, 3 Nov 2026, Dana wrote:\n> Happy to offer a discount on pricing";
        Assert.Equal(["pleas", "remov", "me"], TextFeatures.Stems(TextFeatures.NewText(text)));
    }

    [Theory]
    [InlineData("Re: Pricing", true)]
    [InlineData("AW: Termin", true)]
    [InlineData("Fwd: invoice", true)]
    [InlineData("Pricing question", false)]
    [InlineData("Regarding pricing", false)]
    public void Reply_and_forward_prefixes_are_recognised(string subject, bool reply) =>
        Assert.Equal(reply, TextFeatures.IsReplySubject(subject));
}
