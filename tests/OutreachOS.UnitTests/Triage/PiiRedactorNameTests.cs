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
        // Any case is found; each spelling keeps its own placeholder so that it is restored as written.
        Assert.Equal("[NAME_1] said [NAME_2] would call; Support copied [EMAIL_1] and [EMAIL_2].", text);
        Assert.Equal("Tom Berger", redactor.Map["[NAME_1]"]);
        Assert.Equal("TOM BERGER", redactor.Map["[NAME_2]"]);
        Assert.Equal(2, redactor.Counts.Email);
    }

    /// <summary>A message to hundreds of people costs one scan per kind, for the first <see cref="PiiRedactor.MaxParticipants"/>.</summary>
    [Fact]
    public void Only_the_first_participants_are_known_by_value()
    {
        var people = Enumerable.Range(0, 500).Select(i => ((string?)$"Person{Letters(i)} Tester", (string?)$"p{i}@x.test")).ToList();
        var redactor = new PiiRedactor().KnowParticipants(people);
        var text = redactor.Redact($"Ask Person{Letters(3)} Tester or Person{Letters(300)} Tester.");
        Assert.Equal($"Ask [NAME_1] or Person{Letters(300)} Tester.", text);
    }

    private static string Letters(int i) => new([(char)('a' + i / 26 % 26), (char)('a' + i % 26)]);
}
