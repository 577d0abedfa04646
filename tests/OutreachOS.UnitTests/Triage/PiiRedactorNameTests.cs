using OutreachOS.Triage.Pii;

namespace OutreachOS.UnitTests.Triage;

/// <summary>
/// Names other than the sender's leave for an external model as <c>[NAME_n]</c> where the text says a name stands: under
/// a sign-off, in a greeting, after a title, "my name is", "this is … from", a relation or "spoke to"; and the display
/// names and addresses of the other people on the message. Groups, roles, days and ordinary capitalised prose stay.
/// </summary>
public sealed class PiiRedactorNameTests
{
    [Theory]
    [InlineData("Can we move our call?\n\nBest regards,\nDariusz Nowak\nProcurement", "Can we move our call?\n\nBest regards,\n[NAME_1]\nProcurement")]
    [InlineData("Works for me.\n\nBest,\n\nKarin", "Works for me.\n\nBest,\n\n[NAME_1]")]
    [InlineData("Works for me.\nThanks, Miguel", "Works for me.\nThanks, [NAME_1]")]
    [InlineData("Works for me.\n-- \nJ. R. Smith", "Works for me.\n-- \n[NAME_1]")]
    [InlineData("Mit freundlichen Grüßen\nHans Meier", "Mit freundlichen Grüßen\n[NAME_1]")]
    [InlineData("Hi Dana,\nthanks for the note.", "Hi [NAME_1],\nthanks for the note.")]
    [InlineData("Dear Mr. Smith:\nplease find attached", "Dear Mr. [NAME_1]:\nplease find attached")]
    [InlineData("I spoke to Jane. She said it was fixed.", "I spoke to [NAME_1]. She said it was fixed.")]
    [InlineData("Please ask Dr. Priya Patel to sign.", "Please ask Dr. [NAME_1] to sign.")]
    [InlineData("My name is Anne-Marie O'Neill and I manage billing.", "My name is [NAME_1] and I manage billing.")]
    [InlineData("Hello, this is Olu from Northwind about the sync.", "Hello, this is [NAME_1] from Northwind about the sync.")]
    [InlineData("Looping in my colleague Tom who runs our SDR team.", "Looping in my colleague [NAME_1] who runs our SDR team.")]
    public void Introduced_names_are_redacted(string text, string expected)
    {
        var r = PiiRedactor.RedactOne(text);
        Assert.Equal(expected, r.Text);
        Assert.Equal(1, r.Counts.Name);
        Assert.Equal(text, PiiRedactor.Restore(r.Text, r.Map));
    }

    [Theory]
    [InlineData("Hi Team,\nthe export failed again.")]
    [InlineData("Hello There! Quick question about invoices.")]
    [InlineData("Dear Sir or Madam,\nI would like a quote.")]
    [InlineData("Thanks,\nThe Acme Support Team")]
    [InlineData("Best regards,\nCustomer Service")]
    [InlineData("Thanks again for your help yesterday.")]
    [InlineData("Thanks\nMonday works")]
    [InlineData("I spoke to Support twice and talked with Billing.")]
    [InlineData("This is Important: the Chicago office needs 12 seats.")]
    [InlineData("Our Google Calendar sync stopped on Tuesday.")]
    public void Groups_roles_and_capitalised_prose_are_not_names(string text) =>
        Assert.Equal(text, PiiRedactor.RedactOne(text).Text);

    [Fact]
    public void The_other_people_on_the_message_are_known_by_value()
    {
        var redactor = new PiiRedactor().KnowSender("Jane Roe", "jane@customer.example")
            .KnowParticipants([("Tom Berger", "tom@vendor.example"), ("Acme Support", "support@acme.example"), (null, "cfo@customer.example")]);
        var text = redactor.Redact("Tom Berger said TOM BERGER would call; Support copied support@acme.example and cfo@customer.example.");
        // Any case is found, and one person is one placeholder; it restores the spelling in mixed case.
        Assert.Equal("[NAME_1] said [NAME_1] would call; Support copied [EMAIL_1] and [EMAIL_2].", text);
        Assert.Equal("Tom Berger", redactor.Map["[NAME_1]"]);
        Assert.Equal(1, redactor.Counts.Name);
        Assert.Equal(2, redactor.Counts.Email);
    }

    /// <summary>A message to hundreds of people costs one scan per kind, for the first <see cref="PiiRedactor.MaxParticipants"/>.</summary>
    [Fact]
    public void Only_the_first_participants_are_known_by_value()
    {
        var people = Enumerable.Range(0, 500).Select(i => ((string?)$"Person{Letters(i)} Tester", (string?)$"p{i}@x.test")).ToList();
        var redactor = new PiiRedactor().KnowParticipants(people);
        var text = redactor.Redact($"Ask Person{Letters(3)} Tester or Person{Letters(300)} Tester.");
        // The 301st person is not known by value; the surname is, as a word of the first person's name.
        Assert.Equal($"Ask [NAME_1] or Person{Letters(300)} [NAME_2].", text);
    }

    // Forms of introduction that the earlier patterns did not read (2026-12-03): each name of "X, meet Y", someone copied
    // or looped in, someone to ask for at reception.
    [Theory]
    [InlineData("Anna, meet Ben.\nBen runs our rollout.", "[NAME_1], meet [NAME_2].\n[NAME_2] runs our rollout.")]
    [InlineData("Ben, meet Anna Kowalski from our finance team.", "[NAME_1], meet [NAME_2] from our finance team.")]
    [InlineData("Hi Anna, meet Ben Smith, who leads the migration.", "Hi [NAME_1], meet [NAME_2], who leads the migration.")]
    [InlineData("Hi all, meet Sarah, our new account manager.", "Hi all, meet [NAME_1], our new account manager.")]
    [InlineData("Team, meet Priya Patel.", "Team, meet [NAME_1].")]
    [InlineData("I'd like you to meet Olu, who runs support in Lagos.", "I'd like you to meet [NAME_1], who runs support in Lagos.")]
    [InlineData("Happy to introduce you to Tom Berger next week.", "Happy to introduce you to [NAME_1] next week.")]
    [InlineData("I'm cc'ing Ben Smith for visibility.", "I'm cc'ing [NAME_1] for visibility.")]
    [InlineData("I've cc’d Ben on this thread.", "I've cc’d [NAME_1] on this thread.")]
    [InlineData("CCing in Maria so she can approve.", "CCing in [NAME_1] so she can approve.")]
    [InlineData("Looping in Sarah Lee from procurement.", "Looping in [NAME_1] from procurement.")]
    [InlineData("Can you loop in Sarah Lee?", "Can you loop in [NAME_1]?")]
    [InlineData("Copying in Tom so he can sign.", "Copying in [NAME_1] so he can sign.")]
    [InlineData("When you arrive, ask for Tom at reception.", "When you arrive, ask for [NAME_1] at reception.")]
    [InlineData("Please ask for Maria Lopez at the front desk.", "Please ask for [NAME_1] at the front desk.")]
    public void Names_in_introductions_copies_and_directions_are_redacted(string text, string expected)
    {
        var r = PiiRedactor.RedactOne(text);
        Assert.Equal(expected, r.Text);
        Assert.Equal(text, PiiRedactor.Restore(r.Text, r.Map));
    }

    [Theory]
    [InlineData("Can we meet Monday at 10?")]
    [InlineData("Great, meet Monday then.")]
    [InlineData("Hi all, meet Monday's agenda below.")]
    [InlineData("Nice to meet You all.")]
    [InlineData("I'm cc'ing Support on this.")]
    [InlineData("cc'ing Acme Support and our CFO.")]
    [InlineData("Loop in Legal before signing.")]
    [InlineData("We'll loop in Finance next week.")]
    [InlineData("Ask for Pricing details at the bottom of the page.")]
    [InlineData("Please ask for Approval before you order.")]
    [InlineData("Copying the Sales Team on this.")]
    public void Fixed_phrases_before_groups_days_and_prose_are_not_names(string text) =>
        Assert.Equal(text, PiiRedactor.RedactOne(text).Text);

    /// <summary>
    /// One person is one placeholder in any case, and a name redacted anywhere is redacted wherever else it stands: a
    /// name of several words in any case, a one-word name and each word of a longer one as written.
    /// </summary>
    [Theory]
    [InlineData("DARIUSZ NOWAK here about the PO; dariusz nowak is on it too.\n\nBest regards,\nDariusz Nowak",
        "[NAME_1] here about the PO; [NAME_1] is on it too.\n\nBest regards,\n[NAME_1]")]
    [InlineData("Dariusz here, quick one about the PO.\n\nThanks,\nDariusz", "[NAME_1] here, quick one about the PO.\n\nThanks,\n[NAME_1]")]
    [InlineData("Dariusz here; Nowak on the invoice.\n\nBest regards,\nDariusz Nowak", "[NAME_2] here; [NAME_3] on the invoice.\n\nBest regards,\n[NAME_1]")]
    [InlineData("Hi Dana,\nDana asked twice (the subject says DANA).", "Hi [NAME_1],\n[NAME_1] asked twice (the subject says DANA).")]
    [InlineData("We will call you.\n\nThanks,\nWill", "We will call you.\n\nThanks,\n[NAME_1]")]
    public void A_redacted_name_is_one_placeholder_wherever_it_stands(string text, string expected) =>
        Assert.Equal(expected, PiiRedactor.RedactOne(text).Text);

    /// <summary>
    /// A placeholder restores one spelling: the first in mixed case (as the person writes it), else the first seen. So a
    /// draft greets "Jane Doe" even when the greeting shouted; the original text stays in the inbound record.
    /// </summary>
    [Fact]
    public void One_placeholder_restores_the_spelling_in_mixed_case()
    {
        var r = PiiRedactor.RedactOne("Hello JANE DOE!\nThe order for Jane Doe shipped; jane doe signed for it.");
        Assert.Equal("Hello [NAME_1]!\nThe order for [NAME_1] shipped; [NAME_1] signed for it.", r.Text);
        Assert.Equal("Jane Doe", r.Map["[NAME_1]"]);
        Assert.Equal("Hello Jane Doe!\nThe order for Jane Doe shipped; Jane Doe signed for it.", PiiRedactor.Restore(r.Text, r.Map));
    }

    [Fact]
    public void A_name_found_in_one_text_is_known_in_the_next()
    {
        var redactor = new PiiRedactor();
        Assert.Equal("Please move our call.\n\nBest regards,\n[NAME_1]", redactor.Redact("Please move our call.\n\nBest regards,\nDariusz Nowak"));
        Assert.Equal("Re: call with [NAME_1] ([NAME_2])", redactor.Redact("Re: call with DARIUSZ NOWAK (Dariusz)"));
        Assert.Equal(2, redactor.Counts.Name);
    }

    /// <summary>A continued redaction (the paraphrase of a reply) knows the classifier's names by value.</summary>
    [Fact]
    public void A_continued_redaction_knows_the_earlier_names()
    {
        var redactor = new PiiRedactor(new Dictionary<string, string> { ["[NAME_1]"] = "Dariusz Nowak" });
        Assert.Equal("Dear [NAME_1], we fixed it. [NAME_2], thanks.", redactor.Redact("Dear Dariusz Nowak, we fixed it. Dariusz, thanks."));
    }

    [Fact]
    public void An_address_in_two_cases_is_one_placeholder()
    {
        var r = PiiRedactor.RedactOne("Write to Jane.Doe@Acme.example or jane.doe@acme.example.");
        Assert.Equal("Write to [EMAIL_1] or [EMAIL_1].", r.Text);
        Assert.Equal("Jane.Doe@Acme.example", r.Map["[EMAIL_1]"]);
    }

    private static string Letters(int i) => new([(char)('a' + i / 26 % 26), (char)('a' + i % 26)]);
}
