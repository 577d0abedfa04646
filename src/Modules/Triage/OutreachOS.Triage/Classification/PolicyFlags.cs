using System.Text;
using System.Text.RegularExpressions;
using OutreachOS.Ingestion.Contracts;
using OutreachOS.Triage.Pii;

namespace OutreachOS.Triage.Classification;

/// <summary>A flag and why it was raised (the reason goes into the classification's evidence).</summary>
internal sealed record FlagHit(string Flag, string Evidence);

/// <summary>
/// Rule-based policy flags, computed for every message whatever the classifier: a model may add flags, never remove these.
/// </summary>
internal static partial class PolicyFlags
{
    public const string PromptInjection = "prompt_injection_suspected";
    public const string Legal = "legal";
    public const string PiiSensitive = "pii_sensitive";
    public const string Vip = "vip";
    public const string Unsubscribe = "unsubscribe";
    public const string ClassifierFallback = "classifier_fallback";

    /// <summary>A refund, chargeback or cancellation of a contract or subscription: money or a contract changes on a reply.</summary>
    public const string RefundOrCancellation = "refund_or_cancellation";

    /// <summary>New bank details, a new payee, a new login address or owner, MFA switched off: the patterns of invoice fraud and account takeover.</summary>
    public const string PaymentOrAccountChange = "payment_or_account_change";

    /// <summary>A vulnerability, breach, hacked or compromised account, phishing: a security team's matter.</summary>
    public const string SecurityReport = "security_report";

    /// <summary>Profanity, threats of bad reviews or leaving, "unacceptable": an angry customer, whatever their question.</summary>
    public const string HostileTone = "hostile_tone";

    public static IReadOnlyList<FlagHit> Detect(InboundMessageReceived received, bool vip, string? vipReason)
    {
        var m = received.Message;
        // Folded: a soft hyphen or zero-width character inside "ig­nore" or "unsub­scribe" must not hide the wording.
        var text = MatchText.Fold(m.Subject + "\n" + m.Text);
        var hits = new List<FlagHit>();
        if (Injection(text, received.HiddenCharactersRemoved, received.HiddenHtmlRemoved) is { } injection)
        {
            hits.Add(new FlagHit(PromptInjection, injection));
        }
        if (LegalPattern().Match(text) is { Success: true } legal)
        {
            hits.Add(new FlagHit(Legal, $"legal term '{legal.Value.ToLowerInvariant()}'"));
        }
        if (Sensitive(text) is { } sensitive)
        {
            hits.Add(new FlagHit(PiiSensitive, sensitive));
        }
        if (RefundPattern().Match(text) is { Success: true } refund)
        {
            hits.Add(new FlagHit(RefundOrCancellation, $"refund or cancellation '{Clip(refund.Value.ToLowerInvariant())}'"));
        }
        if (ChangePattern().Match(text) is { Success: true } change)
        {
            hits.Add(new FlagHit(PaymentOrAccountChange, $"payment or account change '{Clip(change.Value.ToLowerInvariant())}'"));
        }
        if (SecurityPattern().Match(text) is { Success: true } security)
        {
            hits.Add(new FlagHit(SecurityReport, $"security term '{Clip(security.Value.ToLowerInvariant())}'"));
        }
        // The sender's own words only: a reply quoting an angry thread is not itself angry, and a reply quoting our own mail
        // quotes its unsubscribe footer.
        var own = MatchText.Fold(m.Subject + "\n" + TextFeatures.StripQuoted(m.Text));
        // A credential lure ("verify your account or it will be suspended") in the sender's own words: phishing sent to the
        // inbox, or forwarded by a customer asking whether it is ours. Either is a security matter, and nobody should answer a
        // phisher from a template.
        if (!hits.Any(h => h.Flag == SecurityReport) && LurePattern().Match(own) is { Success: true } lure)
        {
            hits.Add(new FlagHit(SecurityReport, $"credential lure '{Clip(lure.Value.ToLowerInvariant())}'"));
        }
        if (HostilePattern().Match(own) is { Success: true } hostile)
        {
            hits.Add(new FlagHit(HostileTone, $"hostile wording '{Clip(hostile.Value.ToLowerInvariant())}'"));
        }
        if (vip)
        {
            hits.Add(new FlagHit(Vip, vipReason ?? "VIP sender"));
        }
        // Opt-out wording counts only in what the sender wrote now; the opt-out flag keeps a message from being auto-sent.
        if (UnsubscribePattern().Match(own) is { Success: true } unsub)
        {
            hits.Add(new FlagHit(Unsubscribe, $"opt-out wording '{unsub.Value.ToLowerInvariant()}'"));
        }
        return hits;
    }

    /// <summary>Null when nothing looks like an attempt to instruct the assistant; otherwise what matched.</summary>
    public static string? Injection(string text, int hiddenCharactersRemoved, bool hiddenHtmlRemoved)
    {
        text = MatchText.Fold(text);
        if (InjectionPattern().Match(text) is { Success: true } m)
        {
            return $"instruction pattern '{Clip(m.Value)}'";
        }
        if (RoleMarker().Match(text) is { Success: true } r)
        {
            return $"role marker '{Clip(r.Value.Trim())}'";
        }
        foreach (Match blob in Base64Blob().Matches(text))
        {
            if (DecodeBase64(blob.Value) is { } encoded && MatchText.Fold(encoded) is var decoded
                && (InjectionPattern().IsMatch(decoded) || RoleMarker().IsMatch(decoded)))
            {
                return "base64 text containing instructions";
            }
        }
        if (hiddenCharactersRemoved > 0)
        {
            return $"{hiddenCharactersRemoved} hidden characters removed at ingestion";
        }
        return hiddenHtmlRemoved ? "hidden HTML text removed at ingestion" : null;
    }

    private static string? Sensitive(string text)
    {
        var counts = PiiRedactor.CountCheckedNumbers(text);
        if (counts.Card > 0)
        {
            return "card number in the message";
        }
        if (counts.Ssn > 0)
        {
            return "US social security number in the message";
        }
        if (counts.Iban > 0)
        {
            return "IBAN in the message";
        }
        return SensitivePattern().Match(text) is { Success: true } s ? $"sensitive term '{s.Value.ToLowerInvariant()}'" : null;
    }

    private static string? DecodeBase64(string blob)
    {
        var padded = blob.Length % 4 == 0 ? blob : blob + new string('=', 4 - (blob.Length % 4));
        var buffer = new byte[padded.Length];
        if (!Convert.TryFromBase64String(padded, buffer, out var written))
        {
            return null;
        }
        var decoded = Encoding.UTF8.GetString(buffer, 0, written);
        return decoded.Count(c => !char.IsControl(c) || c is '\n' or '\r' or '\t') * 10 >= decoded.Length * 9 ? decoded : null;
    }

    private static string Clip(string s) => s.Length <= 80 ? s : s[..80] + "…";

    [GeneratedRegex(@"\b(ignore|disregard|forget|override|bypass)\s+(all\s+|any\s+|the\s+|your\s+|of\s+)*((previous|prior|above|earlier|preceding|original|system|existing|initial)\s*)?(instructions?|prompts?|rules|guidelines|directions|programming|directives?)\b"
        // The adjective's "\s*" belongs to the adjective: standing alone after "\s+" it split every run of white space two
        // ways, and "ignore" before 100,000 spaces took seconds (quadratic). Same language.
        // "disregard what you were told", "forget everything you have been told": addressed to the assistant ("you were
        // told"), so "forget what I told you about Tuesday" is not caught.
        + @"|\b(ignore|disregard|forget)\s+(everything|anything|whatever|what|all)\s+(that\s+)?you(\s+were|\s+have\s+been|'ve\s+been|\s+had\s+been|\s+got)\s+(told|given|instructed|programmed|asked)\b"
        + @"|\byour\s+(new|real|actual|updated)\s+(instructions|rules|task|orders)\s+(are|is)\b"
        + @"|\byou\s+are\s+now\s+(a|an|the|my|acting|free|unrestricted|in\s+developer\s+mode|dan)\b"
        + @"|\bnew\s+instructions?\s*:"
        + @"|\bsystem\s+prompt\b"
        + @"|\b(reveal|print|show|repeat|output|display|leak|tell\s+me|give\s+me)\s+(me\s+)?(your|the)\s+(full\s+|hidden\s+|initial\s+|original\s+|system\s+)*(prompt|instructions|rules|configuration)\b"
        + @"|\bforward\s+(all|every|each|any)\s+(of\s+)?(the\s+|your\s+)?(e-?mails?|messages?|mail|correspondence|conversations?)\b"
        + @"|\bsend\s+me\s+(all|every|the\s+full|the\s+complete|a\s+copy\s+of\s+(all|every))\b"
        + @"|\bsend\s+(me\s+)?(the\s+|your\s+|all\s+)?(passwords?|credentials|api\s+keys?|customer\s+(list|data|records)|contact\s+list)\b"
        + @"|\bact\s+as\s+(an?\s+|the\s+|my\s+)?(ai|assistant|system|admin|administrator|developer|dan|unrestricted|different)\b"
        + @"|\bpretend\s+(to\s+be|you\s+are)\b"
        + @"|\b(jailbreak|developer\s+mode|do\s+anything\s+now)\b"
        + @"|\bas\s+an\s+ai\s+(language\s+)?model\b"
        + @"|\b(approve|issue|grant)\s+(a\s+)?(full\s+)?refund\s+without\b"
        // Words addressed to the machine that reads the inbox rather than to the people behind it ("note to the AI assistant",
        // "if you are an AI"), and a claim that the message was approved beforehand: no customer needs either.
        + @"|\b(note|instructions?|attention)\s+(to|for)\s+(the\s+|any\s+|this\s+)?(ai|assistant|bot|chatbot|llm|language\s+model|model|automated\s+(system|assistant|agent|reply)|auto-?responder)\b"
        + @"|\b(dear|hey|hi|hello)\s+(ai|assistant|bot|chatbot|chatgpt|gpt|claude|llm)\b"
        + @"|\bif\s+you\s+are\s+(an?\s+)?(ai|llm|bot|chatbot|language\s+model|automated|assistant)\b"
        + @"|\b(is|are|was|were|has\s+been|have\s+been)\s+(already\s+)?pre-?(approved|authori[sz]ed|cleared)\b",
        RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex InjectionPattern();

    // Only spaces and tabs after the line break (as in TextFeatures' quote header): "\s*" crossed line breaks, so each
    // line break of a run of blank lines scanned the rest of the run (quadratic). A marker after blank lines is still
    // found, from the line break just before it.
    [GeneratedRegex(@"(^|\n)[^\S\n]*(assistant|ai)\s*:\s*\S|(^|\n)[^\S\n]*system\s*:\s*(you|ignore|new|from\s+now|the\s+user)\b|#{2,}\s*(system|instruction|assistant)\b|<\|im_(start|end)\|>|\[/?INST\]|</?(system|instructions?)>",
        RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex RoleMarker();

    [GeneratedRegex(@"[A-Za-z0-9+/]{40,}={0,2}", RegexOptions.CultureInvariant)]
    private static partial Regex Base64Blob();

    [GeneratedRegex(@"\b(lawyer|attorney|solicitor|legal action|legal counsel|legal department|lawsuit|sue you|suing|subpoena|court order|cease and desist|litigation|gdpr|data subject (access )?request|dsar|right to (be forgotten|erasure)|article 15|article 17|ccpa|regulator|ombudsman|small claims"
        // An erasure request is a GDPR Art. 17 request whether or not it names the law.
        + @"|(delete|erase|remove|wipe)\s+(all\s+)?(of\s+)?(my|our)\s+(personal\s+)?(data|information|details)|l[öo]schung\s+(meiner|unserer|aller)\s+(personenbezogenen\s+)?daten|(meine|unsere)\s+daten\s+l[öo]schen"
        + @"|supprimer\s+(toutes\s+)?mes\s+donn[ée]es|suppression\s+de\s+mes\s+donn[ée]es|(eliminar|borrar|suprimir)\s+(todos\s+)?mis\s+datos"
        // German, French, Spanish, Italian, Dutch, Portuguese: a threat written in the customer's own language is as much one.
        + @"|(rechts)?anw[äa]lt(in|e|s)?|anwaltlich\w*|rechtliche\s+schritte|gerichtlich\w*|vor\s+gericht|verklagen|klage\s+einreichen|abmahnung|dsgvo|datenschutzbeh[öo]rde"
        + @"|avocats?|avocates?|action\s+en\s+justice|poursuites?\s+judiciaires?|poursuivre\s+en\s+justice|mise\s+en\s+demeure|tribunal|rgpd|cnil"
        + @"|abogad[oa]s?|una\s+demanda|demanda\s+judicial|demandar(les|los)?|acciones?\s+legal(es)?|medidas\s+legales|acciones\s+judiciales|denuncia"
        + @"|avvocat[oi]|azioni?\s+legal[ei]|vie\s+legali|advocaat|juridische\s+stappen|rechtszaak|advogad[oa]|a[çc][ãa]o\s+judicial)\b",
        RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex LegalPattern();

    [GeneratedRegex(@"\b(passport (number|no)|social security (number|no)|date of birth|driver'?s licen[cs]e (number|no)|medical (record|condition|history)|diagnos(is|ed)|health insurance number|tax id|bank account number|routing number)\b",
        RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex SensitivePattern();

    // Refunds, chargebacks, cancelling a contract, subscription, account or order; in English, German, French, Spanish,
    // Italian, Dutch, Portuguese. Not
    // "cancel the meeting" (scheduling).
    [GeneratedRegex(@"\b(refund(s|ed|ing)?|reimburse(ment)?|money\s+back|charge-?back|cancel(l?ing|l?ed)?\s+(my|our|the|this)\s+(\w+\s+)?(subscription|account|plan|contract|order|membership|licen[cs]e|service|renewal)|cancell?ation\s+(of|request)|terminat(e|ing|ion\s+of)\s+(my|our|the)\s+(\w+\s+)?(contract|subscription|account|agreement)|close\s+(my|our)\s+account|delete\s+(my|our)\s+account"
        + @"|r[üu]ckerstattung|erstattung|geld\s+zur[üu]ck|k[üu]ndig(e|en|ung|t)|stornier\w*|storno"
        + @"|rembours\w*|r[ée]silier|r[ée]siliation|annuler\s+(mon|ma|notre|l')\s*(abonnement|contrat|commande|compte)"
        + @"|reembols\w*|devoluci[óo]n\s+del?\s+(dinero|importe|pago)|cancelar\s+(mi|la|nuestra|el)\s+(suscripci[óo]n|contrato|cuenta|pedido)"
        // Italian, Dutch, Portuguese (Portuguese "reembolso" is matched above).
        + @"|rimbors\w*|restituzione\s+(del|dell['’]|dei)\s*(denaro|importo|pagamento|soldi)|disdire|disdetta|(annullare|cancellare)\s+(il\s+mio|la\s+mia|il\s+nostro|la\s+nostra|l['’])\s*(abbonamento|contratto|ordine|account|iscrizione)"
        + @"|terugbetal\w*|restitutie|geld\s+terug|opzeggen|opzegging|(abonnement|contract|bestelling|account|lidmaatschap)\s+(opzeggen|annuleren|stopzetten)|annuleren\s+van\s+(mijn|ons|onze|het|de)\s+(abonnement|contract|bestelling|account)"
        + @"|estorno|devolu[çc][ãa]o\s+do\s+(dinheiro|valor|pagamento)|cancelar\s+(a\s+minha|o\s+meu|minha|meu|a|o)\s+(assinatura|subscri[çc][ãa]o|contrato|conta|encomenda|pedido))\b",
        RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex RefundPattern();

    // Bank details or payee changed (the invoice-fraud pattern) and changes to who controls an account: its login address,
    // owner or admin, its second factor. "reset my password" alone is ordinary support.
    [GeneratedRegex(@"\b((new|changed|updated|different)\s+(bank(ing)?\s+(details|account|information|info|connection)|account\s+(details|number)|payment\s+(details|instructions|information)|remittance\s+(details|information)|iban|sort\s+code|routing\s+number|beneficiary|payee)"
        + @"|(bank(ing)?\s+(details|account|information|info)|payment\s+(details|instructions)|remittance\s+details|iban)\s+(has\s+|have\s+)?(changed|been\s+(changed|updated))"
        + @"|(send|make|pay|transfer|wire|remit)\s+(all\s+)?(future\s+|further\s+|upcoming\s+)?(payments?|transfers?|invoices?)\s+(to|into)\s+(our|the|this|my)\s+new"
        // Not "please update your records" alone: customers write it after paying (labelled set: remittance advice).
        + @"|(urgent|immediate|confidential)\s+(wire|bank|money)\s+transfer|(to|for)\s+a\s+new\s+(supplier|vendor|payee|beneficiary|bank\s+account)"
        + @"|(change|update|replace|switch|transfer)\s+(the\s+|our\s+|my\s+)?(login|sign-?in|account|primary|admin(istrator)?|owner)\s+(e-?mail(\s+address)?|address|phone(\s+number)?|owner(ship)?|admin(istrator)?)"
        + @"|(transfer|change)\s+(the\s+)?(account\s+)?ownership|add\s+(\S+\s+){1,3}as\s+(an?\s+|the\s+)?(new\s+)?(admin|administrator|account\s+owner|owner)"
        + @"|(disable|turn\s+off|remove|deactivate|bypass|reset)\s+(the\s+|my\s+|our\s+)?(mfa|2fa|two[- ]factor(\s+authentication)?|multi[- ]factor(\s+authentication)?)"
        + @"|neue\s+(bankverbindung|kontoverbindung|iban)|(bankverbindung|kontoverbindung)\s+(hat\s+sich\s+)?ge[äa]ndert"
        + @"|nouvelles?\s+coordonn[ée]es\s+bancaires|nouveau\s+rib|changement\s+de\s+(rib|coordonn[ée]es\s+bancaires)"
        + @"|nuev[oa]s?\s+(datos\s+bancarios|cuenta\s+bancaria|iban)|cambio\s+de\s+(cuenta\s+bancaria|datos\s+bancarios)"
        + @"|nuov[eoi]\s+(coordinate\s+bancarie|iban|conto\s+corrente)|cambio\s+(di\s+|delle\s+|del\s+)?(iban|coordinate\s+bancarie|conto\s+corrente)"
        + @"|nieuwe?\s+(bankgegevens|rekeningnummer|iban|bankrekening(nummer)?)|(bankgegevens|rekeningnummer|bankrekening)\s+(is|zijn)\s+gewijzigd"
        + @"|nov[oa]s?\s+(dados\s+banc[áa]rios|conta\s+banc[áa]ria|iban|nib)|altera[çc][ãa]o\s+(de|dos)\s+dados\s+banc[áa]rios"
        // Who controls an account, in the other languages: its login address, its second factor.
        + @"|(login|anmelde)-?\s*e-?mail(-?adresse)?\s+(unseres|meines|des)?\s*(kontos|accounts)?\s*([äa]ndern|aktualisieren)|zwei-?faktor\S*\s+(deaktivieren|ausschalten|entfernen)"
        + @"|changer\s+l['’]\s*(adresse\s+)?e-?mail\s+(de\s+connexion|du\s+compte|de\s+notre\s+compte|de\s+mon\s+compte)|d[ée]sactiver\s+(la\s+)?(double\s+authentification|authentification\s+[àa]\s+deux\s+facteurs|2fa)"
        + @"|cambiar\s+el\s+(correo|email|e-mail)\s+de\s+(acceso|la\s+cuenta|mi\s+cuenta|nuestra\s+cuenta)|desactivar\s+(la\s+)?(autenticaci[óo]n\s+de\s+dos\s+factores|verificaci[óo]n\s+en\s+dos\s+pasos|2fa)"
        + @"|cambiare\s+(l['’]\s*)?(indirizzo\s+)?e-?mail\s+(di\s+accesso|dell['’]\s*account)|disattivare\s+(l['’]\s*)?(autenticazione\s+a\s+due\s+fattori|2fa)"
        + @"|(login-?e-?mail|e-?mailadres)\s+van\s+(ons|mijn)\s+account\s+(wijzigen|veranderen)|tweestapsverificatie\s+(uitschakelen|uitzetten)"
        + @"|alterar\s+o\s+e-?mail\s+(de\s+acesso|da\s+conta)|desativar\s+(a\s+)?(autentica[çc][ãa]o\s+de\s+dois\s+fatores|2fa))\b",
        RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex ChangePattern();

    // Not "security questionnaire" or "security review" (vendor paperwork, an ordinary request).
    [GeneratedRegex(@"\b(vulnerabilit(y|ies)|security\s+(issue|incident|breach|hole|flaw|bug|problem|vulnerability|vulnerabilities)|data\s+breach|breach\s+of\s+(our|my|your)\s+data|hacked|hacker|(account|password|credentials|system|server|mailbox|data|e-?mail)\s+(was\s+|were\s+|has\s+been\s+|have\s+been\s+|is\s+|got\s+)?compromised|unauthori[sz]ed\s+(access|login|logins|charges?|transactions?)|phishing|responsible\s+disclosure|bug\s+bounty|cve-\d{4}-\d+|xss|sql\s+injection|ransomware|malware"
        + @"|sicherheitsl[üu]cke|sicherheitsvorfall|gehackt|datenleck|faille\s+de\s+s[ée]curit[ée]|pirat[ée]|piratage|fuite\s+de\s+donn[ée]es|vulnerabilidad|hackead[oa]|brecha\s+de\s+seguridad|fuga\s+de\s+datos"
        + @"|vulnerabilit[àa]|falla\s+di\s+sicurezza|violazione\s+(dei|di)\s+dati|hackerat[oia]|account\s+compromesso|kwetsbaarheid|beveiligingslek|datalek|account\s+is\s+(gehackt|overgenomen)"
        + @"|vulnerabilidade|falha\s+de\s+seguran[çc]a|viola[çc][ãa]o\s+de\s+dados|conta\s+(foi\s+)?(invadida|hackeada|comprometida))\b",
        RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex SecurityPattern();

    // Second person and a demand on credentials or a threat to the account: what a lure says to its target. A customer
    // writes "my account is locked", not "your account will be suspended".
    [GeneratedRegex(@"\b((verify|confirm|validate|re-?activate|unlock|restore)\s+your\s+(account|password|identity|mailbox|e-?mail(\s+account)?|login|credentials|access)"
        + @"|(update|confirm|re-?enter|validate)\s+your\s+(password|login\s+details|credentials|billing\s+(details|information)|payment\s+(details|information)|account\s+(details|information))"
        + @"|your\s+(account|mailbox|password|e-?mail\s+account|access)\s+(will\s+be|has\s+been|is\s+being|is\s+about\s+to\s+be)\s+(suspended|deactivated|disabled|locked|closed|terminated|deleted|blocked)"
        + @"|mailbox\s+(has\s+)?(exceeded|reached)\s+(its\s+|the\s+)?(storage\s+|quota\s+)?(limit|quota|capacity)"
        + @"|click\s+(here|the\s+link(\s+below)?|below)\s+to\s+(verify|confirm|restore|unlock|reactivate|validate|keep\s+your)"
        + @"|best[äa]tigen\s+sie\s+ihr(e|en)?\s+(konto|passwort|identit[äa]t|zugangsdaten)|ihr\s+(konto|postfach|zugang)\s+wird\s+(gesperrt|deaktiviert|gel[öo]scht)"
        + @"|v[ée]rifiez\s+votre\s+(compte|mot\s+de\s+passe|identit[ée])|votre\s+compte\s+(sera|a\s+[ée]t[ée])\s+(suspendu|d[ée]sactiv[ée]|bloqu[ée]|supprim[ée])"
        + @"|verifique\s+su\s+(cuenta|contrase[ñn]a|identidad)|su\s+cuenta\s+(ser[áa]|ha\s+sido)\s+(suspendida|desactivada|bloqueada|eliminada)"
        + @"|verifichi\s+il\s+(suo\s+)?(account|conto)|il\s+suo\s+account\s+(sar[àa]|[èe]\s+stato)\s+(sospeso|disattivato|bloccato)"
        + @"|verifieer\s+uw\s+(account|wachtwoord|identiteit)|uw\s+account\s+wordt\s+(geblokkeerd|opgeschort|gedeactiveerd)"
        + @"|verifique\s+a\s+sua\s+(conta|senha|identidade)|a\s+sua\s+conta\s+(ser[áa]|foi)\s+(suspensa|desativada|bloqueada))\b",
        RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex LurePattern();

    // Not "worst case" nor "done with the migration": "worst" only before a word for the service, "done" only "with you".
    [GeneratedRegex(@"\b(what\s+the\s+(hell|heck|f\w*)|wtf|f+u+c+k\w*|sh[i1]t(ty)?|bullshit|crap|damn(ed)?|pissed(\s+off)?|sick\s+(and\s+tired\s+)?of|fed\s+up|done\s+with\s+(you|your)|(fix|sort)\s+(it|this)(\s+out)?\s+now"
        + @"|(1|one)[- ]star\s+review|bad\s+review|(post|leave|write)\s+a\s+review\s+everywhere|this\s+is\s+a\s+(joke|scam|disgrace)|ridiculous|unacceptable|outrageous|disgraceful|incompetent|useless|furious"
        + @"|worst\s+(service|support|experience|company|product|app|software|vendor)|never\s+again"
        + @"|frechheit|unversch[äa]mt|katastrophe|verarsch\w*|unzumutbar|inakzeptabel|inadmissible|scandaleux|honteux|inacceptable|lamentable|arnaque|inaceptable|verg[üu]enza|vergonzoso|estafa|harto"
        + @"|inaccettabile|vergognoso|vergogna|schifo|truffa|onacceptabel|belachelijk|schandalig|waardeloos|oplichting|inaceit[áa]vel|vergonhoso|uma\s+vergonha|p[ée]ssimo\s+servi[çc]o)\b",
        RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex HostilePattern();

    [GeneratedRegex(@"\b(unsubscribe|opt[- ]?out|remove me from|take me off|stop (emailing|contacting|sending)|do not (email|contact) me|don't (email|contact) me"
        // German, French, Spanish, Italian, Dutch. Not a bare "abmelden" or "se déconnecter": those also mean logging out.
        + @"|abbestellen|austragen|aus\s+(ihrem|ihrer|dem|der|eurem|deinem)\s+(verteiler|mailingliste|liste|newsletter|e-?mail-?liste)"
        + @"|keine\s+(weiteren\s+)?(e-?mails|mails|nachrichten|newsletter|werbung|werbemails)\s+mehr"
        + @"|d[ée]sabonner|d[ée]sinscri(re|vez|s)|ne\s+(veux|souhaite|d[ée]sire)\s+plus\s+recevoir|ne\s+plus\s+recevoir|retirez[- ]moi"
        + @"|dar(me|nos)?\s+de\s+baja|(quiero|deseo)\s+darme\s+de\s+baja|no\s+(quiero|deseo)\s+recibir\s+(m[áa]s|sus|vuestros)|(eliminarme|borrarme|s[áa]quenme)\s+de"
        + @"|disiscriv\w*|cancellatemi|non\s+voglio\s+(pi[ùu]\s+)?ricevere|afmelden\s+voor|uitschrijven)\b",
        RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex UnsubscribePattern();
}
