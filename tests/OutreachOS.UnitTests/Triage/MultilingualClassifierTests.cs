using OutreachOS.Triage.Classification;
using OutreachOS.Triage.Policies;
using Xunit.Abstractions;

namespace OutreachOS.UnitTests.Triage;

/// <summary>
/// Common support, billing, pricing and scheduling requests in French, Spanish, Italian, German, Dutch and Portuguese get
/// their intent with the confidence a policy's default min_confidence (0.75) asks for; before, the offline classifier knew
/// a handful of German and French words, and such mail went to a person on low confidence alone.
/// </summary>
public sealed class MultilingualClassifierTests(ITestOutputHelper output)
{
    private ClassifierAnswer Classify(string subject, string text)
    {
        var answer = OfflineClassifier.Classify(new ClassifierInput(subject, text, false), TriagePolicy.DefaultIntents);
        output.WriteLine($"{answer.Intent} {answer.Confidence:0.000} | {subject} | {text}");
        return answer;
    }

    [Theory]
    [InlineData("Problème de connexion", "Bonjour, je n'arrive pas à me connecter à mon compte depuis ce matin.", "support")]
    [InlineData("Mot de passe", "Bonjour, comment puis-je réinitialiser mon mot de passe ? Le lien ne fonctionne pas.", "support")]
    [InlineData("Contraseña", "Hola, no puedo restablecer mi contraseña. ¿Me pueden ayudar?", "support")]
    [InlineData("Error al iniciar sesión", "Cuando intento iniciar sesión me sale un mensaje de error y no funciona.", "support")]
    [InlineData("Accesso", "Buongiorno, non riesco ad accedere al mio account, l'app non funziona.", "support")]
    [InlineData("Anmeldung", "Hallo, ich kann mich nicht anmelden. Das Passwort zurücksetzen funktioniert nicht.", "support")]
    [InlineData("Inloggen", "Goedemiddag, ik kan niet inloggen, ik krijg een foutmelding bij mijn wachtwoord.", "support")]
    [InlineData("Acesso à conta", "Olá, não consigo entrar na minha conta, a senha não funciona.", "support")]
    [InlineData("Facture", "Bonjour, pourriez-vous m'envoyer la facture de décembre avec notre numéro de TVA ?", "billing")]
    [InlineData("Factura duplicada", "Hola, me han cobrado dos veces la factura de noviembre. ¿Pueden revisarlo?", "billing")]
    [InlineData("Fattura", "Buongiorno, non abbiamo ricevuto la fattura di ottobre, potete inviarla con la partita IVA?", "billing")]
    [InlineData("Rechnung doppelt", "Guten Tag, uns wurde der Betrag doppelt abgebucht. Bitte prüfen Sie die Rechnung.", "billing")]
    [InlineData("Factuur", "Onze factuur klopt niet, het bedrag is hoger dan afgesproken.", "billing")]
    [InlineData("Fatura", "Bom dia, fui cobrado duas vezes na última fatura. Podem verificar o pagamento?", "billing")]
    [InlineData("Devis", "Bonjour, pourriez-vous nous envoyer un devis pour 30 licences ? Quel est le prix par utilisateur ?", "pricing")]
    [InlineData("Precios", "Hola, ¿cuánto cuesta el plan para 20 usuarios? Necesitamos un presupuesto.", "pricing")]
    [InlineData("Preventivo", "Vorrei ricevere un preventivo per 50 licenze.", "pricing")]
    [InlineData("Preise", "Was kostet die Lizenz pro Nutzer und Monat? Gibt es Rabatt für 40 Lizenzen?", "pricing")]
    [InlineData("Offerte", "Kunt u ons een offerte sturen? Wat kost het per gebruiker per maand?", "pricing")]
    [InlineData("Preço", "Gostaria de saber o preço para 15 utilizadores.", "pricing")]
    [InlineData("Rendez-vous", "Seriez-vous disponible mardi pour un rendez-vous ? Nous aimerions une démonstration.", "scheduling")]
    [InlineData("Reunión", "¿Podemos agendar una reunión la próxima semana? ¿Qué disponibilidad tienen?", "scheduling")]
    [InlineData("Appuntamento", "Possiamo fissare un appuntamento per una dimostrazione giovedì?", "scheduling")]
    [InlineData("Demo", "Können Sie mir eine Demo zeigen? Nächste Woche Dienstag würde mir passen.", "scheduling")]
    [InlineData("Afspraak", "Kunnen we een afspraak inplannen voor een demo volgende week?", "scheduling")]
    [InlineData("Reunião", "Podemos marcar uma reunião para uma demonstração na próxima semana?", "scheduling")]
    // The wording alone, under a subject that says nothing.
    [InlineData("Question", "Je n'arrive pas à me connecter à mon compte.", "support")]
    [InlineData("Pregunta", "No puedo restablecer mi contraseña.", "support")]
    [InlineData("Richiesta", "Vorrei ricevere un preventivo per 50 licenze.", "pricing")]
    [InlineData("Anfrage", "Können Sie mir eine Demo zeigen?", "scheduling")]
    [InlineData("Vraag", "Onze factuur klopt niet.", "billing")]
    [InlineData("Pergunta", "Gostaria de saber o preço.", "pricing")]
    public void Common_requests_get_their_intent_with_default_confidence(string subject, string text, string intent)
    {
        var answer = Classify(subject, text);
        Assert.Equal(intent, answer.Intent);
        Assert.True(answer.Confidence >= TriagePolicy.DefaultMinConfidence, $"confidence {answer.Confidence}");
    }

    [Theory]
    [InlineData("Je n'arrive pas à me connecter", new[] { "je", "n", "arrive", "pas", "a", "me", "connecter" })]
    [InlineData("dell'abbonamento", new[] { "dell", "abbonamento" })]
    [InlineData("Contraseña PREÇO Straße", new[] { "contrasena", "preco", "strasse" })]
    [InlineData("we're can't company's", new[] { "we", "cant", "company" })]
    public void Elisions_split_and_accents_fold_while_English_clitics_keep_their_old_tokens(string text, string[] tokens) =>
        Assert.Equal(tokens, TextFeatures.Tokenize(text));
}
