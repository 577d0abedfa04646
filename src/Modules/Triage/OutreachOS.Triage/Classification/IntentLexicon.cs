namespace OutreachOS.Triage.Classification;

/// <summary>
/// The offline classifier's hand-written features: phrases per intent with weights (a phrase counts once per part of the message).
/// Phrases are matched on stemmed words (<see cref="TextFeatures"/>), so "invoice" also matches "invoiced" and "invoicing".
/// Weights are hand-set, not fitted: each is meant to be explainable as "how strongly does this phrase alone suggest the intent".
/// The first version was written with the labelled set; v2 added stems and synonyms motivated by the training sets' errors
/// (docs/triage-classifier.md says how holdout-2 was kept out of it). The fitted part is <see cref="NaiveBayesModel"/>.
/// </summary>
internal static class IntentLexicon
{
    public static readonly IReadOnlyDictionary<string, (string Phrase, double Weight)[]> Phrases = new Dictionary<string, (string, double)[]>(StringComparer.Ordinal)
    {
        ["scheduling"] =
        [
            ("appointment", 1.8), ("postpone", 1.8), ("move it to", 1.5), ("move the meeting", 2.0), ("move our call", 2.0), ("push it", 1.0),
            ("push back", 1.0), ("cancel the meeting", 1.5), ("cancel our call", 1.5), ("available", 1.0), ("free at", 0.8), ("free next", 1.0),
            ("what time", 1.0), ("which time", 1.2), ("what times", 1.2), ("times that work", 1.5), ("time that works", 1.5), ("suits me", 1.2),
            ("does that suit", 1.2), ("how about", 0.8), ("morning", 0.5), ("afternoon", 0.5), ("evening", 0.4), ("saturday", 0.5), ("sunday", 0.5),
            ("mon", 0.4), ("tue", 0.4), ("wed", 0.4), ("thu", 0.4), ("fri", 0.4), ("calendar invite", 1.8), ("meeting invite", 1.8),
            ("meeting link", 1.5), ("zoom link", 1.5), ("teams link", 1.5), ("video call", 1.2), ("phone call", 1.0), ("hop on a call", 1.8),
            ("jump on a call", 1.8), ("set up a time", 2.0), ("walkthrough", 1.0), ("in person", 0.8), ("agenda", 1.0), ("kickoff", 1.0),
            ("running late", 1.8), ("propose a time", 2.0), ("propose two times", 2.0), ("book a slot", 2.0), ("booking", 0.6), ("an hour", 0.4),
            ("est", 0.6), ("gmt", 0.6), ("cest", 0.6), ("bst", 0.5), ("tomorrow", 0.6), ("today at", 0.8), ("talk next", 1.0), ("schedule", 1.2),
            ("reschedule", 2.0), ("set up a call", 2.0), ("set up a meeting", 2.0), ("book a call", 2.0), ("book a meeting", 2.0),
            ("book a time", 2.0), ("book a demo", 1.8), ("calendar", 1.2), ("calendly", 1.5), ("availability", 1.2), ("available on", 1.2),
            ("are you free", 1.5), ("free on", 1.0), ("time slot", 1.5), ("slot", 0.8), ("meeting", 1.0), ("call next week", 1.5), ("call on", 0.8),
            ("quick call", 1.4), ("a call", 0.6), ("zoom", 1.0), ("google meet", 1.0), ("teams call", 1.0), ("works for me", 1.2),
            ("does tuesday", 1.2), ("monday", 0.5), ("tuesday", 0.5), ("wednesday", 0.5), ("thursday", 0.5), ("friday", 0.5), ("next week", 0.5),
            ("tomorrow at", 1.0), ("pm", 0.3), ("am est", 0.8), ("pst", 0.6), ("cet", 0.6), ("move our", 1.2), ("push our", 1.2),
            ("cancel our meeting", 1.5), ("invite", 0.8), ("demo", 0.8), ("find a time", 2.0), ("grab 15 minutes", 2.0), ("15 minutes", 1.0),
            ("30 minutes", 1.0), ("let's meet", 1.8), ("catch up", 0.8), ("termin", 1.5),
            // French, Spanish, Italian, German, Dutch, Portuguese (accents are folded on both sides, elisions split).
            ("rendez-vous", 2.0), ("réunion", 1.6), ("disponible", 1.2), ("disponibilités", 1.4), ("créneau", 1.6), ("planifier", 1.6),
            ("décaler", 1.4), ("un appel", 1.0), ("une démo", 1.4), ("démonstration", 1.6), ("visio", 1.4),
            ("reunión", 1.6), ("cita", 1.6), ("disponibilidad", 1.4), ("agendar", 1.8), ("reprogramar", 2.0), ("una llamada", 1.0),
            ("una demo", 1.4), ("demostración", 1.6), ("riunione", 1.6), ("appuntamento", 1.8), ("disponibile", 1.2), ("disponibilità", 1.4),
            ("fissare", 1.4), ("spostare", 1.4), ("una chiamata", 1.0), ("dimostrazione", 1.6), ("terminvorschlag", 2.0), ("besprechung", 1.6),
            ("verschieben", 1.6), ("demo zeigen", 2.2), ("eine demo", 1.4), ("vorführung", 1.8), ("telefonat", 1.2), ("vereinbaren", 1.4),
            ("passt ihnen", 1.4), ("afspraak", 1.8), ("vergadering", 1.6), ("beschikbaar", 1.2), ("inplannen", 1.8), ("verzetten", 1.6),
            ("verplaatsen", 1.4), ("een demo", 1.4), ("reunião", 1.6), ("marcar uma", 1.4), ("disponível", 1.2), ("disponibilidade", 1.4),
            ("remarcar", 2.0), ("uma chamada", 1.0), ("uma demo", 1.4), ("demonstração", 1.6),
        ],
        ["pricing"] =
        [
            ("quotation", 1.8), ("estimate", 1.2), ("ballpark", 1.6), ("rate card", 2.0), ("per month", 1.2), ("per year", 1.0), ("per hour", 1.2),
            ("hourly rate", 1.6), ("day rate", 1.6), ("fixed price", 1.6), ("price per", 1.6), ("cost per", 1.6), ("what do you charge", 2.0),
            ("do you charge", 1.8), ("how much does", 2.0), ("how much would", 2.0), ("what does it cost", 2.0), ("cost us", 1.5),
            ("best price", 2.0), ("package", 0.6), ("enterprise", 0.8), ("free tier", 1.2), ("tender", 1.4), ("request for proposal", 2.0),
            ("expensive", 1.4), ("negotiate", 1.2), ("prepay", 1.0), ("included", 0.6), ("extra cost", 1.4), ("additional cost", 1.4),
            ("add-on", 0.8), ("rate", 0.8), ("pricing", 2.2), ("price", 1.6), ("prices", 1.6), ("quote", 1.6), ("how much", 1.8), ("cost", 1.2),
            ("costs", 1.2), ("per seat", 1.8), ("per user", 1.5), ("license", 0.8), ("plan", 0.5), ("plans", 0.8), ("enterprise plan", 1.5),
            ("tier", 0.8), ("discount", 1.3), ("budget", 0.9), ("annual", 0.6), ("volume", 0.6), ("rates", 1.0), ("fee", 0.8), ("fees", 0.8),
            ("proposal", 0.9), ("pricing sheet", 2.0), ("price list", 2.0), ("what would it cost", 2.0), ("afford", 0.8), ("cheaper", 1.2),
            ("nonprofit", 0.6), ("pay annually", 1.2), ("trial", 0.5), ("seats", 1.0), ("preise", 1.5), ("prix", 1.2), ("tarif", 1.2),
            ("devis", 2.4), ("combien coûte", 2.2), ("combien ça coûte", 2.2), ("coût", 1.2), ("licences", 1.0), ("par utilisateur", 1.6),
            ("par mois", 1.2), ("remise", 1.3), ("grille tarifaire", 2.0), ("le prix", 0.8), ("precio", 2.0), ("presupuesto", 2.2),
            ("cotización", 2.2), ("cuánto cuesta", 2.2), ("coste", 1.2), ("costo", 1.2), ("tarifa", 1.6), ("licencias", 1.0),
            ("por usuario", 1.6), ("descuento", 1.3), ("prezzo", 2.0), ("prezzi", 2.0), ("preventivo", 2.6), ("quanto costa", 2.2),
            ("tariffa", 1.6), ("tariffe", 1.6), ("licenze", 1.0), ("licenza", 1.0), ("per utente", 1.6), ("sconto", 1.3), ("listino", 2.0),
            ("offerta", 1.2), ("ricevere un preventivo", 1.0), ("preis", 1.6), ("angebot", 1.8), ("kostenvoranschlag", 2.2), ("was kostet", 2.2),
            ("wie viel kostet", 2.2), ("kosten", 1.2), ("lizenzen", 1.0), ("pro nutzer", 1.6), ("pro monat", 1.2), ("rabatt", 1.3),
            ("preisliste", 2.0), ("prijs", 1.8), ("prijzen", 1.8), ("offerte", 2.4), ("wat kost", 2.2), ("hoeveel kost", 2.2), ("tarief", 1.6),
            ("licenties", 1.0), ("per gebruiker", 1.6), ("per maand", 1.2), ("korting", 1.3), ("prijslijst", 2.0), ("preço", 2.0),
            ("orçamento", 2.2), ("cotação", 2.2), ("quanto custa", 2.2), ("custo", 1.2), ("licenças", 1.0), ("por utilizador", 1.6),
            ("por usuário", 1.6), ("por mês", 1.2), ("desconto", 1.3), ("saber o preço", 1.5), ("o preço", 1.0),
        ],
        ["support"] =
        [
            ("not loading", 1.6), ("won't load", 1.6), ("doesn't load", 1.6), ("locked out", 2.0), ("locked", 1.0), ("reset", 0.8),
            ("password", 1.0), ("log in", 0.8), ("sign in", 0.9), ("error message", 2.0), ("error code", 2.0), ("glitch", 1.6), ("freezes", 1.6),
            ("doesn't show", 1.4), ("not showing", 1.4), ("don't show", 1.4), ("disappeared", 1.2), ("update", 0.5), ("install", 1.0),
            ("set up", 0.8), ("settings", 0.8), ("configuration", 1.0), ("how to", 1.0), ("how do we", 1.4), ("how can we", 1.2),
            ("where can i find", 1.2), ("where do i", 1.2), ("can't find", 1.2), ("browser", 1.0), ("chrome", 1.0), ("firefox", 1.0),
            ("safari", 1.0), ("ios", 1.0), ("app", 0.5), ("dashboard", 0.6), ("connect", 0.6), ("connection", 0.8), ("api key", 1.6),
            ("endpoint", 1.4), ("403", 1.0), ("401", 1.0), ("502", 1.0), ("503", 1.0), ("csv", 0.8), ("migrate", 1.0), ("mfa", 1.0),
            ("permissions", 1.2), ("support ticket", 1.6), ("case number", 1.0), ("help me", 0.8), ("can you help", 1.0), ("please help", 1.0),
            ("fix", 0.5), ("wrong", 0.5), ("workaround", 1.4), ("error", 1.5), ("bug", 1.6), ("not working", 1.8), ("doesn't work", 1.8),
            ("does not work", 1.8), ("broken", 1.4), ("crash", 1.6), ("crashes", 1.6), ("issue", 0.8), ("problem", 0.8), ("help", 0.6),
            ("how do i", 1.5), ("how can i", 1.2), ("can't log in", 2.0), ("cannot log in", 2.0), ("unable to", 1.2), ("login", 1.0),
            ("password reset", 1.8), ("reset my password", 2.0), ("api", 1.0), ("integration", 0.9), ("sync", 0.9), ("timeout", 1.3), ("500", 1.0),
            ("404", 1.0), ("stuck", 1.0), ("outage", 1.8), ("is down", 1.8), ("loading", 0.8), ("export", 0.8), ("import", 0.6), ("configure", 1.0),
            ("setup", 0.6), ("documentation", 1.0), ("ticket", 1.0), ("support", 0.8), ("troubleshoot", 1.5), ("fails", 1.4), ("failing", 1.4),
            ("webhook", 1.0), ("sso", 1.0), ("2fa", 1.2), ("feature request", 1.0), ("slow", 0.8), ("upload", 0.8), ("data missing", 1.5),
            ("n'arrive pas", 1.4), ("me connecter", 2.4), ("se connecter", 2.0), ("connexion", 1.6), ("mot de passe", 2.0), ("réinitialiser", 1.8),
            ("ne fonctionne pas", 2.2), ("ne fonctionne plus", 2.2), ("ne marche pas", 2.2), ("erreur", 1.6), ("message d'erreur", 2.0),
            ("bloqué", 1.4), ("mon compte", 0.8), ("impossible de", 1.4), ("comment faire", 1.4), ("comment puis-je", 1.4), ("problème", 1.0),
            ("no puedo", 1.2), ("iniciar sesión", 2.2), ("restablecer", 1.8), ("contraseña", 2.0), ("no funciona", 2.2), ("no carga", 1.8),
            ("mensaje de error", 2.0), ("acceder a mi cuenta", 2.2), ("mi cuenta", 0.8), ("bloqueada", 1.4), ("bloqueado", 1.4),
            ("problema", 1.0), ("cómo puedo", 1.4), ("non riesco", 1.4), ("accedere", 1.8), ("reimpostare", 1.8), ("non funziona", 2.2),
            ("errore", 1.6), ("messaggio di errore", 2.0), ("il mio account", 0.8), ("bloccato", 1.4), ("non si carica", 1.8),
            ("kann mich nicht anmelden", 2.6), ("einloggen", 1.8), ("passwort", 1.8), ("zurücksetzen", 1.6), ("funktioniert nicht", 2.2),
            ("fehlermeldung", 2.2), ("fehler", 1.5), ("gesperrt", 1.4), ("mein konto", 0.8), ("wie kann ich", 1.4), ("lädt nicht", 1.8),
            ("stürzt ab", 1.8), ("kan niet inloggen", 2.6), ("inloggen", 1.8), ("wachtwoord", 2.0), ("werkt niet", 2.2), ("foutmelding", 2.2),
            ("fout", 1.2), ("mijn account", 0.8), ("geblokkeerd", 1.4), ("hoe kan ik", 1.4), ("probleem", 1.0), ("laadt niet", 1.8),
            ("não consigo", 1.4), ("entrar na minha conta", 2.4), ("aceder", 1.6), ("acessar", 1.6), ("fazer login", 2.0),
            ("senha", 2.0), ("palavra-passe", 2.0), ("redefinir", 1.8), ("não funciona", 2.2), ("está a funcionar", 1.2), ("erro", 1.6),
            ("mensagem de erro", 2.0), ("minha conta", 0.8), ("como posso", 1.4),
        ],
        ["billing"] =
        [
            ("credit note", 2.0), ("credit memo", 2.0), ("payment method", 2.0), ("card details", 1.6), ("card expired", 1.6), ("card", 0.8),
            ("declined", 1.6), ("failed payment", 2.0), ("paid", 1.2), ("already paid", 1.8), ("payment reminder", 1.8), ("reminder", 0.6),
            ("accounts receivable", 1.8), ("finance team", 1.0), ("vat number", 2.0), ("vat id", 2.0), ("billing details", 2.0),
            ("charged twice", 2.0), ("overcharged", 1.8), ("money back", 1.6), ("credit", 0.8), ("renew", 1.0), ("auto-renew", 1.4),
            ("pay by", 1.0), ("paypal", 1.2), ("wire transfer", 1.6), ("bank details", 1.6), ("iban", 1.4), ("payment terms", 1.6), ("net 30", 1.6),
            ("balance", 1.0), ("outstanding", 1.0), ("amount due", 1.8), ("due date", 1.4), ("expenses", 0.8), ("reissue", 1.0), ("invoice", 2.0),
            ("invoices", 2.0), ("billing", 1.8), ("billed", 1.8), ("charge", 1.3), ("charged", 1.8), ("double charged", 2.5), ("refund", 1.8),
            ("receipt", 1.6), ("payment", 1.5), ("credit card", 1.4), ("card on file", 1.8), ("vat", 1.4), ("tax", 0.8), ("subscription", 1.0),
            ("renewal", 1.3), ("cancel my subscription", 1.5), ("downgrade", 1.2), ("upgrade", 0.6), ("purchase order", 1.6), ("po number", 1.8),
            ("overdue", 1.5), ("past due", 1.5), ("bank transfer", 1.4), ("wire", 0.8), ("statement", 0.8), ("billing address", 2.0),
            ("payment failed", 2.0), ("accounts payable", 1.8), ("proration", 1.8), ("rechnung", 2.0), ("facture", 2.0),
            ("facturation", 1.8), ("paiement", 1.6), ("prélèvement", 1.6), ("débité deux fois", 2.4), ("débité", 1.4), ("reçu", 1.2),
            ("montant", 1.0), ("carte bancaire", 1.6), ("numéro de tva", 2.0), ("abonnement", 1.0), ("renouvellement", 1.3), ("factura", 2.0),
            ("facturación", 1.8), ("pago", 1.5), ("cobro", 1.6), ("cobrado dos veces", 2.4), ("me han cobrado", 2.0),
            ("recibo", 1.4), ("suscripción", 1.0), ("importe", 1.0), ("fattura", 2.0), ("fatture", 2.0), ("fatturazione", 1.8),
            ("pagamento", 1.6), ("addebito", 1.6), ("addebitato due volte", 2.4), ("addebitato", 1.4), ("ricevuta", 1.4), ("carta di credito", 1.4),
            ("partita iva", 2.0), ("importo", 1.0), ("rinnovo", 1.3), ("rechnungen", 2.0), ("zahlung", 1.6), ("abbuchung", 1.6),
            ("doppelt abgebucht", 2.4), ("abgebucht", 1.4), ("lastschrift", 1.6), ("quittung", 1.4), ("kreditkarte", 1.4), ("ust-id", 2.0),
            ("mahnung", 1.8), ("betrag", 1.0), ("gutschrift", 2.0), ("factuur", 2.2), ("facturen", 2.2), ("klopt niet", 1.6), ("onze factuur", 0.8),
            ("betaling", 1.6), ("dubbel afgeschreven", 2.4), ("afgeschreven", 1.4), ("incasso", 1.6), ("creditcard", 1.4), ("btw-nummer", 2.0),
            ("bedrag", 1.0), ("creditnota", 2.0), ("fatura", 2.0), ("faturas", 2.0), ("faturação", 1.8), ("faturamento", 1.8),
            ("cobrado duas vezes", 2.4), ("cobrança", 1.6), ("cobrado", 1.4), ("cartão de crédito", 1.4), ("assinatura", 1.0), ("boleto", 1.6),
        ],
        ["referral_partner"] =
        [
            ("refer a client", 2.0), ("introduce", 1.2), ("intro", 0.8), ("put you in touch", 2.0), ("in touch with", 1.0),
            ("one of my clients", 1.4), ("one of our clients", 1.4), ("my client", 1.0), ("a friend", 0.8), ("exclusive", 0.8), ("territory", 1.2),
            ("oem", 1.6), ("webinar", 0.6), ("cross-promotion", 1.8), ("co-sell", 1.8), ("our audience", 1.4), ("audience", 0.8),
            ("influencer", 1.4), ("agencies", 1.0), ("wholesale", 1.6), ("resale", 1.6), ("ecosystem", 1.0), ("work together", 1.2),
            ("team up", 1.6), ("synergy", 1.2), ("mutual", 1.0), ("program", 0.4), ("programme", 0.4), ("brand", 0.6), ("partner", 1.6),
            ("partnership", 2.0), ("partners", 1.4), ("reseller", 2.0), ("resell", 2.0), ("referral", 2.0), ("refer", 1.2), ("referred", 1.0),
            ("affiliate", 2.0), ("agency", 1.0), ("white label", 2.0), ("white-label", 2.0), ("co-marketing", 2.0), ("integration partner", 2.0),
            ("marketplace", 1.2), ("channel", 0.8), ("commission", 1.6), ("revenue share", 2.0), ("introduce you", 1.4), ("intro to", 1.0),
            ("our clients", 1.0), ("joint", 1.0), ("collaborate", 1.2), ("collaboration", 1.2), ("alliance", 1.5), ("mutual customers", 1.8),
            ("implementation partner", 2.0), ("consultancy", 0.8),
            ("partenariat", 2.0), ("revendeur", 2.0), ("distribuidor", 1.6), ("partnerschaft", 2.0), ("wiederverkäufer", 2.0),
            ("partnerprogramm", 2.0), ("rivenditore", 2.0), ("samenwerking", 1.6), ("wederverkoper", 2.0), ("parceria", 2.0), ("revendedor", 2.0),
        ],
        ["complaint"] =
        [
            ("dissatisfied", 2.0), ("poor", 1.2), ("poor quality", 2.0), ("bad quality", 1.8), ("not acceptable", 2.0), ("not ok", 1.2),
            ("not okay", 1.2), ("no-show", 1.6), ("not fixed", 1.2), ("again and again", 1.0), ("yet again", 1.2), ("how many times", 1.6),
            ("no response", 1.4), ("no reply", 1.2), ("no communication", 1.4), ("lack of", 1.0), ("apology", 1.0), ("apologize", 0.8),
            ("compensation", 1.6), ("unprofessional", 2.0), ("damaged", 1.2), ("wrong order", 1.2), ("false advertising", 2.0), ("elsewhere", 1.0),
            ("worse", 1.4), ("useless", 1.6), ("shocking", 1.6), ("appalling", 2.0), ("disgraceful", 2.0), ("outrageous", 2.0),
            ("unbelievable", 1.4), ("supervisor", 1.2), ("without any warning", 1.2), ("let down", 1.4), ("promised", 0.8), ("waited", 0.8),
            ("been waiting", 1.2), ("disappointing", 1.8), ("annoyed", 1.6), ("upset", 1.4), ("shame", 1.0), ("unacceptable", 2.2),
            ("disappointed", 1.8), ("frustrated", 1.6), ("frustrating", 1.6), ("terrible", 1.8), ("worst", 1.8), ("complaint", 2.2),
            ("complain", 1.8), ("angry", 1.6), ("furious", 2.0), ("ridiculous", 1.6), ("awful", 1.6), ("horrible", 1.6), ("escalate", 1.4),
            ("manager", 0.8), ("still waiting", 1.4), ("no one has responded", 2.0), ("nobody has", 1.4), ("ignored", 1.2), ("poor service", 2.0),
            ("rude", 1.6), ("waste of", 1.4), ("never again", 1.6), ("lawyer", 1.4), ("legal action", 1.6), ("chargeback", 1.2), ("misled", 1.6),
            ("scam", 1.4), ("fed up", 1.8), ("third time", 1.4), ("not happy", 1.6), ("unhappy", 1.6), ("cancel everything", 1.5),
            ("bad review", 1.5), ("trustpilot", 1.2), ("spamming", 1.0),
            ("réclamation", 2.0), ("plainte", 2.0), ("déçu", 1.6), ("reclamación", 2.0), ("queja", 2.0), ("decepcionado", 1.6),
            ("lamentela", 2.0), ("deluso", 1.6), ("beschwerde", 2.2), ("enttäuscht", 1.8), ("klacht", 2.2), ("teleurgesteld", 1.8),
            ("reclamação", 2.0), ("desapontado", 1.6),
        ],
        ["unsubscribe"] =
        [
            ("remove my address", 2.4), ("remove us", 2.4), ("from your list", 2.2), ("from your database", 2.0), ("your list", 1.2),
            ("do not contact", 2.4), ("stop contacting", 2.6), ("stop the emails", 2.6), ("no longer wish to receive", 2.6), ("don't send", 1.6),
            ("emails", 0.4), ("never signed up", 2.0), ("didn't sign up", 2.0), ("unsolicited", 1.8), ("remove", 1.0), ("unsubscribe", 3.0),
            ("remove me", 2.6), ("take me off", 2.6), ("stop emailing", 2.8), ("stop sending", 2.4), ("opt out", 2.6), ("opt-out", 2.6),
            ("do not contact", 2.4), ("don't contact", 2.4), ("do not email", 2.4), ("don't email", 2.4), ("mailing list", 1.4),
            ("no more emails", 2.6), ("off your list", 2.6), ("delete my email", 1.8), ("abmelden", 2.6), ("désabonner", 2.6),
        ],
        ["outreach_reply"] =
        [
            ("interesting", 1.0), ("thanks for your email", 1.4), ("how is this different", 1.8), ("what makes you different", 1.8),
            ("different from", 0.8), ("send over", 0.8), ("deck", 1.2), ("brochure", 1.0), ("more details", 1.0), ("not right now", 1.6),
            ("not at the moment", 1.6), ("good fit", 1.0), ("next year", 0.8), ("in a few months", 1.2), ("reach out again", 1.6),
            ("already working with", 1.6), ("we use", 0.8), ("who else", 1.4), ("other companies", 1.2), ("references", 0.8), ("handles this", 1.4),
            ("head of", 0.8), ("talk to", 0.6), ("your company", 0.6), ("your service", 0.6), ("not interested", 2.0), ("interested", 1.0),
            ("tell me more", 1.8), ("learn more", 1.2), ("your email", 1.2), ("your note", 1.4), ("your message", 0.8),
            ("thanks for reaching out", 1.8), ("reaching out", 1.0), ("not the right person", 2.2), ("right person", 1.4), ("not a priority", 1.8),
            ("circle back", 1.6), ("reach out in", 1.6), ("next quarter", 1.0), ("already use", 1.6), ("already have a", 1.4),
            ("happy with our current", 2.0), ("current vendor", 1.6), ("send more info", 1.6), ("more information", 1.0),
            ("sounds interesting", 2.0), ("curious", 1.0), ("timing isn't right", 2.0), ("bad timing", 1.6), ("forwarded to", 1.2), ("cc'ing", 1.2),
            ("colleague", 1.0), ("looping in", 1.4), ("case study", 1.2), ("your product", 0.8), ("your solution", 1.0), ("who handles", 1.2),
            ("not for us", 1.8), ("pass", 0.3), ("maybe later", 1.6), ("keep me posted", 1.4), ("one-pager", 1.4),
        ],
        ["other"] =
        [
            ("applying", 1.6), ("apply for", 1.2), ("vacancy", 1.8), ("role", 0.4), ("portfolio", 1.0), ("freelance", 1.2), ("student", 1.0),
            ("story", 0.8), ("comment", 0.6), ("questionnaire", 1.0), ("charity", 0.8), ("event", 0.4), ("meetup", 1.2),
            ("webinar invitation", 1.0), ("thanks so much", 0.4), ("well done", 1.2), ("merry christmas", 1.6), ("new year", 0.8),
            ("marketing services", 1.4), ("job", 1.2), ("resume", 1.8), ("cv", 1.2), ("position", 1.0), ("application", 0.8), ("internship", 1.8),
            ("hiring", 1.0), ("press", 1.2), ("journalist", 1.8), ("interview", 1.0), ("podcast", 1.6), ("speaking", 1.0), ("conference", 1.0),
            ("thank you", 0.4), ("congratulations", 1.4), ("sponsorship", 1.4), ("donation", 1.4), ("survey", 1.2), ("seo services", 2.0),
            ("guest post", 2.0), ("backlinks", 2.0), ("we are a", 0.6), ("our agency can", 1.4), ("offshore", 1.4), ("lead generation", 1.2),
            ("happy holidays", 1.6), ("birthday", 1.2), ("lunch", 0.8), ("vendor registration", 1.6), ("security questionnaire", 1.2),
        ],
    };

    /// <summary>A lexicon phrase as the stems it must match, contiguous, in the message's stemmed words.</summary>
    internal sealed record CompiledPhrase(string Phrase, string[] Stems, double Weight);

    /// <summary>
    /// <see cref="Phrases"/> stemmed once at start-up. Phrases that stem alike ("price", "prices") collapse into one feature
    /// with the larger weight, so an inflection is never counted twice.
    /// </summary>
    public static readonly IReadOnlyDictionary<string, IReadOnlyList<CompiledPhrase>> Compiled = Phrases.ToDictionary(
        kv => kv.Key,
        kv => (IReadOnlyList<CompiledPhrase>)[.. kv.Value
            .Select(p => new CompiledPhrase(p.Phrase, [.. TextFeatures.Stems(p.Phrase)], p.Weight))
            .Where(p => p.Stems.Length > 0)
            .GroupBy(p => string.Join(' ', p.Stems), StringComparer.Ordinal)
            .Select(g => g.OrderByDescending(p => p.Weight).First())],
        StringComparer.Ordinal);

    /// <summary>Urgency cues, strongest first; the first level with a cue wins, else "normal".</summary>
    public static readonly IReadOnlyList<(string Level, string[] Cues)> Urgency =
    [
        ("critical", ["outage", "production down", "production is down", "is down for", "site is down", "all users", "data breach", "security incident",
            "been hacked", "hacked", "data loss", "losing money", "emergency", "every customer", "completely down", "cannot process payments"]),
        ("high", ["urgent", "urgently", "asap", "as soon as possible", "immediately", "right away", "today", "by eod", "end of day", "deadline",
            "escalate", "critical", "can't log in", "cannot log in", "blocked", "tomorrow", "double charged", "this morning", "time-sensitive", "time sensitive",
            "dringend", "urgente", "dès que possible", "au plus vite", "lo antes posible", "il prima possibile", "zo snel mogelijk",
            "o mais rápido possível"]),
        ("low", ["no rush", "no hurry", "whenever", "when you get a chance", "when you have a moment", "not urgent", "low priority", "fyi",
            "next quarter", "next month", "at your convenience", "sometime", "no pressure", "later this year"]),
    ];
}
