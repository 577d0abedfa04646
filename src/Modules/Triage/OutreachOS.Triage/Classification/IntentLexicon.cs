namespace OutreachOS.Triage.Classification;

/// <summary>
/// The offline classifier's features: phrases per intent with weights (a phrase counts once per part of the message).
/// Weights were set by reading the labelled set's errors (docs/triage-classifier.md), not fitted: each is meant to be
/// explainable as "how strongly does this phrase alone suggest the intent".
/// </summary>
internal static class IntentLexicon
{
    public static readonly IReadOnlyDictionary<string, (string Phrase, double Weight)[]> Phrases = new Dictionary<string, (string, double)[]>(StringComparer.Ordinal)
    {
        ["scheduling"] =
        [
            ("schedule", 1.2), ("reschedule", 2.0), ("set up a call", 2.0), ("set up a meeting", 2.0), ("book a call", 2.0), ("book a meeting", 2.0),
            ("book a time", 2.0), ("book a demo", 1.8), ("calendar", 1.2), ("calendly", 1.5), ("availability", 1.2), ("available on", 1.2),
            ("are you free", 1.5), ("free on", 1.0), ("time slot", 1.5), ("slot", 0.8), ("meeting", 1.0), ("call next week", 1.5),
            ("call on", 0.8), ("quick call", 1.4), ("a call", 0.6), ("zoom", 1.0), ("google meet", 1.0), ("teams call", 1.0),
            ("works for me", 1.2), ("does tuesday", 1.2), ("monday", 0.5), ("tuesday", 0.5), ("wednesday", 0.5), ("thursday", 0.5),
            ("friday", 0.5), ("next week", 0.5), ("tomorrow at", 1.0), ("pm", 0.3), ("am est", 0.8), ("pst", 0.6), ("cet", 0.6),
            ("move our", 1.2), ("push our", 1.2), ("cancel our meeting", 1.5), ("invite", 0.8), ("demo", 0.8), ("find a time", 2.0),
            ("grab 15 minutes", 2.0), ("15 minutes", 1.0), ("30 minutes", 1.0), ("let's meet", 1.8), ("catch up", 0.8), ("termin", 1.5),
        ],
        ["pricing"] =
        [
            ("pricing", 2.2), ("price", 1.6), ("prices", 1.6), ("quote", 1.6), ("how much", 1.8), ("cost", 1.2), ("costs", 1.2),
            ("per seat", 1.8), ("per user", 1.5), ("license", 0.8), ("plan", 0.5), ("plans", 0.8), ("enterprise plan", 1.5), ("tier", 0.8),
            ("discount", 1.3), ("budget", 0.9), ("annual", 0.6), ("volume", 0.6), ("rates", 1.0), ("fee", 0.8), ("fees", 0.8),
            ("proposal", 0.9), ("pricing sheet", 2.0), ("price list", 2.0), ("what would it cost", 2.0), ("afford", 0.8), ("cheaper", 1.2),
            ("nonprofit", 0.6), ("pay annually", 1.2), ("trial", 0.5), ("seats", 1.0), ("preise", 1.5), ("prix", 1.2), ("tarif", 1.2),
        ],
        ["support"] =
        [
            ("error", 1.5), ("bug", 1.6), ("not working", 1.8), ("doesn't work", 1.8), ("does not work", 1.8), ("broken", 1.4),
            ("crash", 1.6), ("crashes", 1.6), ("issue", 0.8), ("problem", 0.8), ("help", 0.6), ("how do i", 1.5), ("how can i", 1.2),
            ("can't log in", 2.0), ("cannot log in", 2.0), ("unable to", 1.2), ("login", 1.0), ("password reset", 1.8), ("reset my password", 2.0),
            ("api", 1.0), ("integration", 0.9), ("sync", 0.9), ("timeout", 1.3), ("500", 1.0), ("404", 1.0), ("stuck", 1.0),
            ("outage", 1.8), ("is down", 1.8), ("loading", 0.8), ("export", 0.8), ("import", 0.6), ("configure", 1.0), ("setup", 0.6),
            ("documentation", 1.0), ("ticket", 1.0), ("support", 0.8), ("troubleshoot", 1.5), ("fails", 1.4), ("failing", 1.4),
            ("webhook", 1.0), ("sso", 1.0), ("2fa", 1.2), ("feature request", 1.0), ("slow", 0.8), ("upload", 0.8), ("data missing", 1.5),
        ],
        ["billing"] =
        [
            ("invoice", 2.0), ("invoices", 2.0), ("billing", 1.8), ("billed", 1.8), ("charge", 1.3), ("charged", 1.8), ("double charged", 2.5),
            ("refund", 1.8), ("receipt", 1.6), ("payment", 1.5), ("credit card", 1.4), ("card on file", 1.8), ("vat", 1.4), ("tax", 0.8),
            ("subscription", 1.0), ("renewal", 1.3), ("cancel my subscription", 1.5), ("downgrade", 1.2), ("upgrade", 0.6),
            ("purchase order", 1.6), ("po number", 1.8), ("overdue", 1.5), ("past due", 1.5), ("bank transfer", 1.4), ("wire", 0.8),
            ("statement", 0.8), ("billing address", 2.0), ("payment failed", 2.0), ("accounts payable", 1.8), ("proration", 1.8), ("rechnung", 2.0), ("facture", 2.0),
        ],
        ["referral_partner"] =
        [
            ("partner", 1.6), ("partnership", 2.0), ("partners", 1.4), ("reseller", 2.0), ("resell", 2.0), ("referral", 2.0), ("refer", 1.2),
            ("referred", 1.0), ("affiliate", 2.0), ("agency", 1.0), ("white label", 2.0), ("white-label", 2.0), ("co-marketing", 2.0),
            ("integration partner", 2.0), ("marketplace", 1.2), ("channel", 0.8), ("commission", 1.6), ("revenue share", 2.0),
            ("introduce you", 1.4), ("intro to", 1.0), ("our clients", 1.0), ("joint", 1.0), ("collaborate", 1.2), ("collaboration", 1.2),
            ("alliance", 1.5), ("mutual customers", 1.8), ("implementation partner", 2.0), ("consultancy", 0.8),
        ],
        ["complaint"] =
        [
            ("unacceptable", 2.2), ("disappointed", 1.8), ("frustrated", 1.6), ("frustrating", 1.6), ("terrible", 1.8), ("worst", 1.8),
            ("complaint", 2.2), ("complain", 1.8), ("angry", 1.6), ("furious", 2.0), ("ridiculous", 1.6), ("awful", 1.6), ("horrible", 1.6),
            ("escalate", 1.4), ("manager", 0.8), ("still waiting", 1.4), ("no one has responded", 2.0), ("nobody has", 1.4), ("ignored", 1.2),
            ("poor service", 2.0), ("rude", 1.6), ("waste of", 1.4), ("never again", 1.6), ("lawyer", 1.4), ("legal action", 1.6),
            ("chargeback", 1.2), ("misled", 1.6), ("scam", 1.4), ("fed up", 1.8), ("third time", 1.4), ("not happy", 1.6), ("unhappy", 1.6),
            ("cancel everything", 1.5), ("bad review", 1.5), ("trustpilot", 1.2), ("spamming", 1.0),
        ],
        ["unsubscribe"] =
        [
            ("unsubscribe", 3.0), ("remove me", 2.6), ("take me off", 2.6), ("stop emailing", 2.8), ("stop sending", 2.4),
            ("opt out", 2.6), ("opt-out", 2.6), ("do not contact", 2.4), ("don't contact", 2.4), ("do not email", 2.4), ("don't email", 2.4),
            ("mailing list", 1.4), ("no more emails", 2.6), ("off your list", 2.6), ("delete my email", 1.8), ("abmelden", 2.6), ("désabonner", 2.6),
        ],
        ["outreach_reply"] =
        [
            ("not interested", 2.0), ("interested", 1.0), ("tell me more", 1.8), ("learn more", 1.2), ("your email", 1.2), ("your note", 1.4),
            ("your message", 0.8), ("thanks for reaching out", 1.8), ("reaching out", 1.0), ("not the right person", 2.2), ("right person", 1.4),
            ("not a priority", 1.8), ("circle back", 1.6), ("reach out in", 1.6), ("next quarter", 1.0), ("already use", 1.6),
            ("already have a", 1.4), ("happy with our current", 2.0), ("current vendor", 1.6), ("send more info", 1.6), ("more information", 1.0),
            ("sounds interesting", 2.0), ("curious", 1.0), ("timing isn't right", 2.0), ("bad timing", 1.6), ("forwarded to", 1.2),
            ("cc'ing", 1.2), ("colleague", 1.0), ("looping in", 1.4), ("case study", 1.2), ("your product", 0.8), ("your solution", 1.0),
            ("who handles", 1.2), ("not for us", 1.8), ("pass", 0.3), ("maybe later", 1.6), ("keep me posted", 1.4), ("one-pager", 1.4),
        ],
        ["other"] =
        [
            ("job", 1.2), ("resume", 1.8), ("cv", 1.2), ("position", 1.0), ("application", 0.8), ("internship", 1.8), ("hiring", 1.0),
            ("press", 1.2), ("journalist", 1.8), ("interview", 1.0), ("podcast", 1.6), ("speaking", 1.0), ("conference", 1.0),
            ("thank you", 0.4), ("congratulations", 1.4), ("sponsorship", 1.4), ("donation", 1.4), ("survey", 1.2), ("seo services", 2.0),
            ("guest post", 2.0), ("backlinks", 2.0), ("we are a", 0.6), ("our agency can", 1.4), ("offshore", 1.4), ("lead generation", 1.2),
            ("happy holidays", 1.6), ("birthday", 1.2), ("lunch", 0.8), ("vendor registration", 1.6), ("security questionnaire", 1.2),
        ],
    };

    /// <summary>Urgency cues, strongest first; the first level with a cue wins, else "normal".</summary>
    public static readonly IReadOnlyList<(string Level, string[] Cues)> Urgency =
    [
        ("critical", ["outage", "production down", "production is down", "is down for", "site is down", "all users", "data breach", "security incident",
            "been hacked", "hacked", "data loss", "losing money", "emergency", "every customer", "completely down", "cannot process payments"]),
        ("high", ["urgent", "urgently", "asap", "as soon as possible", "immediately", "right away", "today", "by eod", "end of day", "deadline",
            "escalate", "critical", "can't log in", "cannot log in", "blocked", "tomorrow", "double charged", "this morning", "time-sensitive", "time sensitive"]),
        ("low", ["no rush", "no hurry", "whenever", "when you get a chance", "when you have a moment", "not urgent", "low priority", "fyi",
            "next quarter", "next month", "at your convenience", "sometime", "no pressure", "later this year"]),
    ];
}
