using OutreachOS.Triage.Pipeline;
using OutreachOS.Triage.Policies;
using OutreachOS.Triage.Prefilter;

namespace OutreachOS.UnitTests.Triage;

/// <summary>
/// Out-of-office notes that say so only in the body, under a neutral subject, in seven languages; and ordinary mail that
/// mentions a holiday or an absence inside a request, which must go on to triage.
/// </summary>
public sealed class PreFilterOutOfOfficeBodyTests
{
    private static FilterVerdict? Run(string subject, string text) =>
        PreFilter.Evaluate(Mail.Email(subject, text), TriagePolicy.Default);

    [Theory]
    [InlineData("Ihre Anfrage", "Vielen Dank für Ihre Nachricht. Ich bin bis zum 12.01. nicht im Büro und habe keinen Zugriff auf meine E-Mails. In dringenden Fällen wenden Sie sich an Frau Schmidt (schmidt@kunde.example).")]
    [InlineData("Re: Ihr Angebot", "Sehr geehrte Damen und Herren,\n\nich bin vom 22.12.2026 bis einschließlich 06.01.2027 abwesend. Ihre E-Mail wird nicht weitergeleitet. Ab dem 07.01. bin ich wieder erreichbar.\n\nMit freundlichen Grüßen\nMax Mustermann")]
    [InlineData("Re: Termin", "Guten Tag,\nich befinde mich bis Montag, 15. Januar im Urlaub. Bitte wenden Sie sich in dringenden Fällen an meine Kollegin unter +49 30 1234567.")]
    [InlineData("Re: Your question", "Thank you for your email. I am currently out of the office with limited access to email and will return on Monday 12 January. For urgent matters, please contact my colleague Jane Doe at jane@acme.example.")]
    [InlineData("Re: Quick intro", "Hi,\n\nI'm on annual leave until 3rd March. I will respond to your message when I return.\n\nBest,\nTom")]
    [InlineData("Re: Votre demande", "Bonjour,\n\nMerci pour votre message. Je suis absente du bureau jusqu'au 15 janvier avec un accès limité à mes e-mails. En cas d'urgence, vous pouvez contacter ma collègue Claire Martin au 01 23 45 67 89.\n\nCordialement,\nSophie")]
    [InlineData("Re: Devis", "Je suis en congés jusqu'au lundi 8 janvier. Je vous répondrai dès mon retour.")]
    [InlineData("Re: Propuesta", "Gracias por su mensaje. Estoy fuera de la oficina hasta el 10 de enero. Para asuntos urgentes, póngase en contacto con mi compañero Luis en luis@empresa.example.")]
    [InlineData("Re: Reunión", "Hola,\nestoy de vacaciones hasta el lunes 8 de enero, con acceso limitado al correo. Responderé a su mensaje a mi regreso.\nSaludos cordiales")]
    [InlineData("Re: Offerta", "Grazie per il suo messaggio. Sono fuori ufficio fino al 7 gennaio. Per urgenze può contattare il mio collega Marco Rossi (marco.rossi@azienda.example).")]
    [InlineData("Re: Preventivo", "Buongiorno, sono in ferie fino al 20 agosto con accesso limitato alla posta. Risponderò al mio rientro.\nCordiali saluti")]
    [InlineData("Re: Uw vraag", "Bedankt voor uw bericht. Ik ben tot en met 5 januari afwezig. In dringende gevallen kunt u contact opnemen met mijn collega Jan de Vries via jan@bedrijf.example.")]
    [InlineData("Re: Offerte", "Goedemiddag,\n\nIk ben met vakantie tot maandag 12 augustus. Na mijn terugkeer zal ik uw bericht beantwoorden.\n\nMet vriendelijke groet,\nEva")]
    [InlineData("Re: Proposta", "Obrigado pela sua mensagem. Estou ausente do escritório até 10 de janeiro. Em caso de urgência, contacte a minha colega Ana Silva (ana@empresa.example).")]
    [InlineData("Re: Orçamento", "Olá, estou de férias até dia 15 de julho, com acesso limitado ao e-mail. Responderei no meu regresso.\nAtenciosamente")]
    [InlineData("Re: Angebot", "Dies ist eine automatische Antwort. Unser Büro ist vom 24.12. bis 01.01. geschlossen. Ab dem 02.01. sind wir wieder für Sie da.")]
    public void A_body_that_only_says_the_writer_is_away_is_an_auto_reply(string subject, string text)
    {
        var v = Run(subject, text);
        Assert.NotNull(v);
        Assert.Equal(FilterCategory.AutoReply, v.Category);
        Assert.Equal("body.out_of_office", v.Rule);
    }

    [Theory]
    [InlineData("Refund please", "Hi, I was on vacation in December and only now saw that you charged me twice. Please refund the second payment.")]
    [InlineData("Refund", "I'm on vacation until January 12th. Please refund the double charge on my card before then.")]
    [InlineData("Rückerstattung", "Ich war im Urlaub und habe erst jetzt gesehen, dass Sie zweimal abgebucht haben. Bitte erstatten Sie den Betrag.")]
    [InlineData("Rechnung", "Ich bin bis zum 12.01. im Urlaub, bitte schicken Sie mir die Rechnung bis dahin per E-Mail.")]
    [InlineData("Termin", "Ich bin nächste Woche nicht im Büro. Können wir den Termin auf den 20.01. verschieben?")]
    [InlineData("Facture", "Je suis en vacances jusqu'au 15 janvier, mais j'ai besoin de ma facture aujourd'hui pour ma comptabilité.")]
    [InlineData("Factura", "Estoy de vacaciones hasta el lunes. ¿Pueden enviarme la factura de diciembre a esta dirección?")]
    [InlineData("Ordine", "Sono in ferie fino al 20 agosto, ma l'ordine 4471 è arrivato danneggiato e vorrei un rimborso.")]
    [InlineData("Bestelling", "Ik ben tot vrijdag afwezig. Mijn collega heeft de bestelling geplaatst maar de factuur klopt niet, kunt u die corrigeren?")]
    [InlineData("Encomenda", "Estou de férias até dia 10, mas a encomenda ainda não chegou. Podem verificar o estado?")]
    [InlineData("Meeting", "I'm out of office next week. Can we move our call to the week after?")]
    [InlineData("Re: Quick intro", "I'll be out of the office until Monday, but I read your note and I am interested: send me the deck and pricing for 50 seats.")]
    [InlineData("Holiday hours", "Are you open over the holidays? Our office is closed from 24 December, and we need the shipment before that.")]
    [InlineData("Account", "Our team was away last week and nobody could log in when we came back. The password reset link does not work.")]
    public void Mail_that_mentions_an_absence_inside_a_request_goes_on(string subject, string text) =>
        Assert.Null(Run(subject, text));

    /// <summary>The history under a reply is not the sender's: a quoted out-of-office note does not make the answer one.</summary>
    [Fact]
    public void A_quoted_out_of_office_note_does_not_filter_the_reply_above_it()
    {
        const string quoted = "\n\nOn Mon, 5 Jan 2027, Anna <anna@vendor.example> wrote:\n> Thank you for your email. I am out of the office until 12 January.";
        Assert.Null(Run("Re: Invoice", "Hi Anna, the invoice for December is still missing. Could you resend it?" + quoted));
        Assert.Equal("body.out_of_office", Run("Re: Invoice", "Ich bin bis zum 12.01. nicht im Büro und lese keine E-Mails. Ab dem 13.01. bin ich wieder erreichbar." + quoted)?.Rule);
    }

    /// <summary>An absence without a date or any companion of an out-of-office note is left to triage.</summary>
    [Fact]
    public void An_absence_alone_without_a_date_or_companion_goes_on() =>
        Assert.Null(Run("Re: hello", "I am on vacation."));
}
