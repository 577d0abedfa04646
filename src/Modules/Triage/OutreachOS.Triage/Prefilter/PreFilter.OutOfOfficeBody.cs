using System.Text.RegularExpressions;
using OutreachOS.Ingestion.Contracts;
using OutreachOS.Triage.Classification;
using OutreachOS.Triage.Pii;
using OutreachOS.Triage.Pipeline;

namespace OutreachOS.Triage.Prefilter;

/// <summary>
/// Out-of-office notes that say so only in the body (no header, a neutral subject such as "Re: Ihre Anfrage"), in English,
/// German, French, Spanish, Italian, Dutch and Portuguese. A message is one when the sender's new text (quoted history and
/// signature dropped, <see cref="TextFeatures.NewText"/>) says nothing else: it states an absence in the present or future
/// ("ich bin bis zum 12.01. nicht im Büro", "je suis absente", "estoy de vacaciones", "sono in ferie"), names a date or a
/// companion of such notes (back on, limited access to e-mail, urgent matters to a colleague, an answer on return), and
/// every other sentence is a greeting, a thanks for the message, a sign-off, a name or a contact line.
/// One sentence that asks for something ("?", "please", "bitte", "pouvez-vous", "por favor", …) or says more than a few
/// words besides the cues keeps the message: a customer who mentions a holiday inside a request is answered.
/// </summary>
internal static partial class PreFilter
{
    /// <summary>A new text longer than this is not an out-of-office note.</summary>
    private const int OutOfOfficeMaxChars = 3000;

    /// <summary>Words a sentence holding a cue may carry besides its cues ("Ich", "und habe", the colleague's name).</summary>
    private const int OutOfOfficeSpareWords = 6;

    /// <summary>Words a sentence without a cue may carry and still be a name, a title or a contact line.</summary>
    private const int OutOfOfficeLineWords = 3;

    public static FilterVerdict? OutOfOfficeBody(InboundEmail m)
    {
        var text = TextFeatures.NewText(MatchText.Fold(m.Text));
        if (text.Length > OutOfOfficeMaxChars || !AbsenceCue().IsMatch(text))
        {
            return null;
        }
        string? absence = null;
        string? companion = null;
        string? date = null;
        foreach (var sentence in Sentences(text))
        {
            var read = ReadSentence(sentence);
            if (read.Content)
            {
                return null;
            }
            absence ??= read.Absence;
            companion ??= read.Companion;
            date ??= read.Date;
        }
        if (absence is null || (companion ?? date) is null)
        {
            return null;
        }
        return new FilterVerdict(FilterCategory.AutoReply, "body.out_of_office",
            $"body says '{Truncate(absence, 60)}' and '{Truncate(companion ?? date!, 60)}' and asks nothing");
    }

    private sealed record SentenceReading(bool Content, string? Absence, string? Companion, string? Date);

    private static SentenceReading ReadSentence(string sentence)
    {
        var covered = new bool[sentence.Length];
        string? absence = Cover(AbsenceCue(), sentence, covered);
        string? companion = Cover(CompanionCue(), sentence, covered);
        var filler = Cover(FillerCue(), sentence, covered);
        var date = Cover(DateCue(), sentence, covered);
        var framing = Cover(GreetingOrSignOff(), sentence, covered);
        var contact = Cover(ContactCue(), sentence, covered);

        // What the sentence says besides its cues: a request there, or too many words, makes it content.
        var rest = new string([.. sentence.Select((c, i) => covered[i] ? ' ' : c)]);
        var words = Word().Count(rest);
        var strong = absence ?? companion ?? filler;
        var content = RequestCue().IsMatch(rest)
            || words > (strong is not null ? OutOfOfficeSpareWords : OutOfOfficeLineWords)
            || (strong ?? date ?? framing ?? contact) is null && words > 0 && !IsNameLine(rest);
        return new SentenceReading(content, absence, companion, date);
    }

    /// <summary>Marks every match of <paramref name="cue"/> as covered; returns the first match (trimmed) or null.</summary>
    private static string? Cover(Regex cue, string sentence, bool[] covered)
    {
        string? first = null;
        foreach (Match match in cue.Matches(sentence))
        {
            Array.Fill(covered, true, match.Index, match.Length);
            first ??= match.Value.Trim();
        }
        return first;
    }

    /// <summary>A name, title or company line: a few words, each starting with a capital ("Anna Schmidt", "Head of Sales").</summary>
    private static bool IsNameLine(string rest)
    {
        var words = Word().Matches(rest);
        return words.Count <= OutOfOfficeLineWords && words.All(w => char.IsUpper(w.Value[0]) || w.Value is "of" or "de" or "van" or "von" or "da" or "di" or "del");
    }

    /// <summary>
    /// Lines, cut after '.', '!', '?', '…' or ';' when the next word does not start in lower case ("bis zum 12.01. nicht" stays
    /// one), and not after a day's number ("15. Januar") or a short capitalised abbreviation ("Dr. Müller", "Tel. +49").
    /// </summary>
    private static IEnumerable<string> Sentences(string text) =>
        SentenceBreak().Split(text).Select(s => s.Trim()).Where(s => s.Length > 0);

    [GeneratedRegex(@"\n|(?:(?<=[!?…;])|(?<=(?<!\b(?:\d{1,2}|\p{Lu}\p{Ll}{0,3}))\.))\s+(?!\p{Ll})", RegexOptions.CultureInvariant)]
    private static partial Regex SentenceBreak();

    [GeneratedRegex(@"[\p{L}\p{M}]+(?:['’][\p{L}\p{M}]+)*", RegexOptions.CultureInvariant)]
    private static partial Regex Word();

    // An absence now or to come, in the first person (a past one, "I was on vacation", is a story inside a request), or a
    // notice that the office is closed or that the message is an automatic one.
    [GeneratedRegex(
        @"\bi(?:'m|’m|\s+am|\s+will\s+be|'ll\s+be|’ll\s+be)\s+(?:currently\s+|now\s+|presently\s+|still\s+)?(?:out\s+of\s+(?:the\s+)?office|ooo\b|away\b|on\s+(?:annual\s+|parental\s+|maternity\s+|paternity\s+|sick\s+|medical\s+|study\s+|a\s+)?(?:leave|vacation|holidays?|pto|sabbatical|business\s+trip)|off\s+work|not\s+in\s+the\s+office|out\s+of\s+the\s+country|absent)"
        + @"|\b(?:our|the)\s+offices?\s+(?:is|are|will\s+be)\s+closed"
        // German: "ich bin / bin ich … nicht im Büro / abwesend / im Urlaub", "ich werde … abwesend sein".
        + @"|\b(?:ich\s+bin|bin\s+ich|ich\s+befinde\s+mich|befinde\s+ich\s+mich)\b[^\n?!]{0,60}?\b(?:nicht\s+(?:im\s+(?:b[üu]ro|buero|hause?|office)|am\s+(?:arbeitsplatz|platz)|erreichbar|anwesend|im\s+dienst)|abwesend|au(?:ß|ss)er\s+haus|(?:im|in)\s+(?:urlaub|jahresurlaub|mutterschutz|elternzeit|krankenstand)|auf\s+(?:dienstreise|gesch[äa]ftsreise|reisen)|krankgeschrieben|out\s+of\s+office)\b"
        + @"|\b(?:ich\s+werde|werde\s+ich)\b[^\n?!]{0,60}?\b(?:abwesend|nicht\s+im\s+b[üu]ro|nicht\s+erreichbar)\s+sein\b"
        + @"|\b(?:unser|das)\s+b[üu]ro\s+(?:ist|bleibt)\b[^\n?!]{0,40}?\bgeschlossen\b"
        // French.
        + @"|\bje\s+(?:suis|serai)\s+(?:actuellement\s+|en\s+ce\s+moment\s+|pr[ée]sentement\s+)?(?:absente?\b|absent\(e\)|en\s+(?:cong[ée]s?|vacances|d[ée]placement|arr[êe]t\s+maladie)\b|hors\s+du\s+bureau|en\s+dehors\s+du\s+bureau|loin\s+du\s+bureau)"
        + @"|\b(?:mon\s+)?absence\s+du\s+bureau\b|\bnos\s+bureaux\s+(?:sont|seront)\s+ferm[ée]s\b"
        // Spanish.
        + @"|\b(?:estoy|estar[ée]|me\s+encuentro|me\s+encontrar[ée])\s+(?:actualmente\s+|ahora\s+)?(?:fuera\s+de\s+(?:la\s+)?oficina|de\s+vacaciones|ausente|de\s+viaje|de\s+baja|de\s+permiso)\b"
        + @"|\b(?:nuestra|la)\s+oficina\s+(?:est[áa]|estar[áa]|permanecer[áa])\s+cerrada\b"
        // Italian.
        + @"|\b(?:sono|sar[òo]|mi\s+trovo)\s+(?:attualmente\s+|al\s+momento\s+|momentaneamente\s+)?(?:fuori\s+(?:ufficio|sede)|in\s+(?:ferie|vacanza|congedo|maternit[àa]|malattia|trasferta)|assente)\b"
        + @"|\b(?:l'|il\s+nostro\s+)ufficio\s+(?:[èe]|sar[àa]|rimarr[àa])\s+chiuso\b"
        // Dutch.
        + @"|\b(?:ik\s+ben|ben\s+ik|ik\s+zal)\b[^\n?!]{0,50}?\b(?:afwezig|niet\s+(?:op\s+kantoor|aanwezig|bereikbaar)|(?:met|op)\s+vakantie|buiten\s+kantoor|met\s+verlof)\b"
        + @"|\b(?:ons|het)\s+kantoor\s+(?:is|blijft)\b[^\n?!]{0,30}?\bgesloten\b"
        // Portuguese.
        + @"|\b(?:estou|estarei|encontro-me|me\s+encontro)\s+(?:atualmente\s+|actualmente\s+|neste\s+momento\s+)?(?:ausente|fora\s+do\s+escrit[óo]rio|de\s+f[ée]rias|em\s+f[ée]rias|de\s+licen[çc]a|em\s+viagem)\b"
        // "This is an automatic reply" in each language.
        + @"|\bthis\s+is\s+an?\s+(?:automatic|automated|auto-generated)\s+(?:reply|response|message|e-?mail|notification)\b|\bdies\s+ist\s+eine\s+automatische\s+(?:antwort|nachricht|e-?mail|benachrichtigung)\b"
        + @"|\bceci\s+est\s+une?\s+(?:r[ée]ponse|message)\s+automatique\b|\best[ea]\s+es\s+una?\s+(?:respuesta|mensaje|correo)\s+autom[áa]tic[oa]\b"
        + @"|\bquest[oa]\s+[èe]\s+una?\s+(?:risposta|messaggio)\s+automatic[oa]\b|\bdit\s+is\s+een\s+automatisch\s+(?:antwoord|bericht|gegenereerd)\b|\besta\s+[ée]\s+uma\s+(?:resposta|mensagem)\s+autom[áa]tica\b",
        RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex AbsenceCue();

    // What out-of-office notes say besides the absence: when the writer is back, that mail is not read or forwarded, whom
    // to contact in urgent cases, that the message will be answered on return.
    [GeneratedRegex(
        @"\b(?:i\s+will\s+be|i'll\s+be|i’ll\s+be|i\s+am|i'm|i’m)\s+back\b|\bback\s+(?:in\s+the\s+office\s+)?on\b|\b(?:will|shall)\s+return\b|\b(?:upon|on|after)\s+my\s+return\b|\bwhen\s+i\s+(?:return|get\s+back|am\s+back)\b|\breturning\s+on\b"
        + @"|\b(?:limited|no|restricted|little|intermittent|occasional)\s+access\s+to\s+(?:my\s+)?(?:e-?mails?|mail|inbox|messages)\b|\bwithout\s+access\s+to\s+(?:my\s+)?(?:e-?mails?|mail)\b|\b(?:will\s+not|won't|won’t)\s+be\s+(?:checking|reading|monitoring)\b|\b(?:will\s+not|won't|won’t)\s+be\s+forwarded\b"
        + @"|\b(?:for|in\s+case\s+of|with)\s+(?:any\s+)?(?:urgent|immediate|pressing)\s+(?:matters?|enquir(?:y|ies)|inquir(?:y|ies)|requests?|issues?|questions?|assistance|help)\b|\bif\s+(?:your\s+(?:matter|request|enquiry|inquiry)\s+is|it\s+is|it's)\s+urgent\b|\bin\s+(?:urgent\s+cases|an\s+emergency|case\s+of\s+emergency)\b|\bneed\s+(?:urgent|immediate)\s+(?:help|assistance)\b"
        + @"|\bplease\s+(?:contact|reach\s+out\s+to|get\s+in\s+touch\s+with|call|e-?mail|write\s+to)\b|\b(?:contact|reach)\s+my\s+colleague\b|\b(?:i\s+will|i'll|i’ll)\s+(?:respond|reply|get\s+back\s+to\s+you|answer)\b"
        // German.
        + @"|\bwieder\s+(?:im\s+b[üu]ro|erreichbar|da|zur[üu]ck|im\s+haus|im\s+dienst|f[üu]r\s+sie\s+da)\b|\bnach\s+meiner\s+r[üu]ckkehr\b|\bzur[üu]ck\s+(?:am|ab)\b"
        + @"|\b(?:keinen|nur\s+(?:eingeschr[äa]nkten|begrenzten|sporadischen|unregelm[äa](?:ß|ss)igen)|eingeschr[äa]nkten|begrenzten)\s+zugriff\s+auf\s+(?:meine\s+|mein\s+)?(?:e-?mails?|mails|nachrichten|mailbox|postfach)\b|\b(?:wird|werden)\s+nicht\s+(?:gelesen|weitergeleitet)\b"
        + @"|\bin\s+(?:dringenden|eiligen)\s+f[äa]llen\b|\bbei\s+dringenden\s+(?:anliegen|fragen|angelegenheiten)\b|\bwenden\s+sie\s+sich\s+(?:bitte\s+)?(?:direkt\s+)?an\b|\bbitte\s+wenden\s+sie\s+sich\b|\bk[öo]nnen\s+sie\s+sich\b[^\n?!]{0,60}?\bwenden\b|\bmeine[nr]?\s+(?:kollegin|kollegen|vertretung|vertreter(?:in)?)\b"
        + @"|\b(?:werde|melde)\s+(?:ich\s+)?(?:mich|ihre\s+(?:nachricht|e-?mail|anfrage))\b[^\n?!]{0,40}?\b(?:beantworten|bearbeiten|melden|zur[üu]ckmelden)\b|\bich\s+melde\s+mich\b"
        // French.
        + @"|\b(?:de\s+retour|[àa]\s+mon\s+retour|d[èe]s\s+mon\s+retour|je\s+reviendrai|je\s+rentre)\b|\b(?:acc[èe]s\s+(?:limit[ée]|restreint)|sans\s+acc[èe]s)\s+(?:[àa]\s+)?(?:mes|ma)\s+(?:e-?mails?|mails|messagerie|courriels?)\b"
        + @"|\ben\s+cas\s+d['’]?urgence\b|\bpour\s+toute\s+(?:urgence|demande\s+urgente|question\s+urgente)\b|\bpour\s+les\s+(?:urgences|demandes\s+urgentes)\b|\b(?:veuillez|merci\s+de|vous\s+pouvez)\s+(?:contacter|joindre|vous\s+adresser|[ée]crire)\b|\bcontactez\b|\b(?:mon|ma)\s+coll[èe]gue\b"
        + @"|\bje\s+vous\s+r[ée]pondrai\b|\bje\s+traiterai\b|\bje\s+prendrai\s+connaissance\b|\bne\s+sera\s+pas\s+(?:transf[ée]r[ée]|lu)e?\b"
        // Spanish.
        + @"|\b(?:a\s+mi\s+(?:regreso|vuelta|retorno)|estar[ée]\s+de\s+vuelta|regresar[ée]|volver[ée]|me\s+reincorporar[ée]|de\s+regreso)\b|\b(?:acceso\s+(?:limitado|restringido)|sin\s+acceso)\s+(?:a|al)\s+(?:mi\s+)?(?:correo|e-?mail)\b"
        + @"|\ben\s+caso\s+de\s+urgencia\b|\bpara\s+(?:asuntos|temas|consultas)\s+urgentes\b|\bsi\s+es\s+urgente\b|\bpara\s+cualquier\s+urgencia\b|\b(?:p[óo]ngase|ponerse|puede\s+ponerse)\s+en\s+contacto\b|\b(?:contacte|contactar|escriba)\s+(?:con|a)\b|\bpueden?\s+(?:contactar|escribir|dirigirse)\b|\bmi\s+compa[ñn]er[oa]\b"
        + @"|\bresponder[ée]\b|\ble\s+contestar[ée]\b|\bno\s+ser[áa]\s+reenviad[oa]\b"
        // Italian.
        + @"|\b(?:al\s+mio\s+(?:rientro|ritorno)|rientrer[òo]|sar[òo]\s+di\s+nuovo|torner[òo]|di\s+ritorno)\b|\b(?:accesso\s+(?:limitato|ridotto)|senza\s+accesso)\s+(?:alla|alle|a)\s+(?:mia\s+)?(?:posta|e-?mail|mail)\b"
        + @"|\bper\s+(?:urgenze|questioni\s+urgenti|richieste\s+urgenti|casi\s+urgenti)\b|\bin\s+caso\s+di\s+urgenza\b|\b(?:contattare|pu[òo]\s+contattare|potete\s+contattare|rivolgersi\s+a|scrivere\s+a)\b|\b(?:il\s+mio\s+collega|la\s+mia\s+collega)\b"
        + @"|\brisponder[òo]\b|\bnon\s+verr[àa]\s+inoltrat[ao]\b"
        // Dutch.
        + @"|\bweer\s+(?:aanwezig|op\s+kantoor|bereikbaar|terug)\b|\bna\s+mijn\s+terugkeer\b|\bbij\s+(?:mijn\s+)?terugkomst\b|\b(?:beperkte?|geen)\s+toegang\s+tot\s+(?:mijn\s+)?(?:e-?mail|mail)\b"
        + @"|\bin\s+dringende\s+gevallen\b|\bvoor\s+dringende\s+(?:zaken|vragen)\b|\bbij\s+spoed\b|\b(?:neem|kunt\s+u|kun\s+je)\s+(?:contact\s+op|terecht)\b|\bcontact\s+opnemen\s+met\b|\b(?:kunt\s+u|kun\s+je)\s+(?:contact\s+opnemen|zich\s+wenden|terecht)\b|\bmijn\s+collega\b"
        + @"|\b(?:wordt|worden)\s+niet\s+(?:gelezen|doorgestuurd)\b|\bzal\s+ik\s+(?:uw|je)\s+(?:bericht|e-?mail|mail)\b"
        // Portuguese.
        + @"|\b(?:no|ap[óo]s\s+o)\s+meu\s+(?:regresso|retorno)\b|\bquando\s+(?:regressar|retornar|voltar)\b|\bestarei\s+de\s+volta\b|\b(?:acesso\s+(?:limitado|restrito)|sem\s+acesso)\s+(?:ao|aos|a|[àa]s?)\s+(?:meu\s+|meus\s+)?(?:e-?mails?|correio)\b"
        + @"|\bem\s+caso\s+de\s+urg[êe]ncia\b|\bpara\s+(?:assuntos|quest[õo]es)\s+urgentes\b|\bse\s+for\s+urgente\b|\bentre\s+em\s+(?:contato|contacto)\b|\b(?:contacte|contate)\b|\bpode\s+(?:contactar|contatar|entrar\s+em\s+conta(?:c)?to|dirigir-se)\b|\b(?:o\s+meu|meu|a\s+minha|minha)\s+colega\b"
        + @"|\bresponderei\b|\bn[ãa]o\s+ser[áa]\s+(?:re)?encaminhad[ao]\b",
        RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex CompanionCue();

    // Thanks for the message, "please note": said by every note, so allowed, but not evidence of one.
    [GeneratedRegex(
        @"\b(?:thank\s+you|thanks|many\s+thanks)\s+(?:very\s+much\s+|so\s+much\s+)?for\s+your\s+(?:e-?mail|message|mail|note|enquiry|inquiry)\b|\bplease\s+note(?:\s+that)?\b"
        + @"|\b(?:vielen|herzlichen|besten)\s+dank\s+f[üu]r\s+(?:ihre|deine)\s+(?:nachricht|e-?mail|mail|anfrage)\b|\bdanke\s+f[üu]r\s+(?:ihre|deine)\s+(?:nachricht|e-?mail|mail|anfrage)\b|\bbitte\s+beachten\s+sie\b"
        + @"|\bmerci\s+(?:beaucoup\s+)?(?:pour|de)\s+votre\s+(?:message|e-?mail|mail|courriel)\b|\bveuillez\s+noter\b"
        + @"|\b(?:muchas\s+)?gracias\s+por\s+su\s+(?:mensaje|correo|e-?mail)\b|\btenga\s+en\s+cuenta\b"
        + @"|\bgrazie\s+per\s+(?:il\s+suo|la\s+sua|il\s+tuo|la\s+tua)\s+(?:messaggio|e-?mail|mail)\b|\bsi\s+prega\s+di\s+notare\b"
        + @"|\b(?:hartelijk\s+)?(?:bedankt|dank)\s+voor\s+(?:uw|je)\s+(?:bericht|e-?mail|mail)\b"
        + @"|\bobrigad[oa]\s+pel[ao]\s+(?:sua\s+|seu\s+)?(?:mensagem|e-?mail|contacto|contato)\b",
        RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex FillerCue();

    private const string Months =
        "january|february|march|april|may|june|july|august|september|october|november|december|jan|feb|mar|apr|jun|jul|aug|sept?|oct|nov|dec"
        + "|januar|februar|m[äa]rz|mai|juni|juli|oktober|dezember|janvier|f[ée]vrier|mars|avril|juin|juillet|ao[ûu]t|septembre|octobre|novembre|d[ée]cembre"
        + "|enero|febrero|marzo|abril|mayo|junio|julio|agosto|septiembre|setiembre|octubre|noviembre|diciembre"
        + "|gennaio|febbraio|aprile|maggio|giugno|luglio|settembre|ottobre|dicembre|januari|februari|maart|mei|augustus"
        + "|janeiro|fevereiro|mar[çc]o|maio|junho|julho|setembro|outubro|novembro|dezembro";

    private const string Weekdays =
        "monday|tuesday|wednesday|thursday|friday|saturday|sunday|montag|dienstag|mittwoch|donnerstag|freitag|samstag|sonntag"
        + "|lundi|mardi|mercredi|jeudi|vendredi|samedi|dimanche|lunes|martes|mi[ée]rcoles|jueves|viernes|s[áa]bado|domingo"
        + "|luned[ìi]|marted[ìi]|mercoled[ìi]|gioved[ìi]|venerd[ìi]|domenica|maandag|dinsdag|woensdag|donderdag|vrijdag|zaterdag|zondag"
        + "|(?:segunda|ter[çc]a|quarta|quinta|sexta)-feira";

    // A date, a weekday or a relative day, with the word that ties it to the absence ("until", "bis zum", "jusqu'au").
    [GeneratedRegex(
        @"(?:\b(?:until|till|through|from|between|and|to|on|bis(?:\s+(?:zum|zur|einschlie(?:ß|ss)lich|einschl\.))?|vom|ab(?:\s+dem)?|und|am|jusqu['’](?:au|[àa])|du|au|et|le|hasta(?:\s+el)?|desde(?:\s+el)?|del|al|el|y|fino\s+al|dal|tot(?:\s+en\s+met)?|t/m|van(?:af)?|en|at[ée](?:\s+(?:ao|o|a|dia))?|de|a|e|dia)\s+)?"
        + @"(?:\b\d{1,4}[./-]\d{1,2}(?:[./-]\d{2,4})?\.?|\b\d{1,2}(?:st|nd|rd|th|er|e|º|ª|\.)?\s+(?:of\s+|de\s+)?(?:" + Months + @")\b\.?(?:\s+\d{4})?|\b(?:" + Months + @")\s+\d{1,2}(?:st|nd|rd|th)?\b(?:,?\s+\d{4})?"
        + @"|\b(?:" + Weekdays + @")\b(?:,?\s+(?:the\s+)?\d{1,2}(?:st|nd|rd|th|\.)?)?"
        + @"|\b(?:next\s+week|tomorrow|further\s+notice|n[äa]chste\s+woche|morgen|weiteres|la\s+semaine\s+prochaine|demain|nouvel\s+ordre|la\s+pr[óo]xima\s+semana|ma[ñn]ana|nuevo\s+aviso|la\s+prossima\s+settimana|domani|nuovo\s+avviso|volgende\s+week|nader\s+order|pr[óo]xima\s+semana|amanh[ãa]))",
        RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex DateCue();

    // A greeting or a sign-off at the start of a sentence, with what follows it on the line (a name).
    [GeneratedRegex(
        @"^(?:dear|hello|hi|hey|good\s+(?:morning|afternoon)|hallo|guten\s+(?:tag|morgen)|sehr\s+geehrte[rn]?|liebe[rn]?|moin|bonjour|bonsoir|madame|monsieur|hola|estimad[oa]s?|buen[oa]s\s+(?:d[íi]as|tardes)|buongiorno|buonasera|gentile|gentili|ciao|goedemorgen|goedemiddag|goedendag|beste|geachte|hoi|ol[áa]|bom\s+dia|boa\s+tarde|prezad[oa]s?|car[oa])\b[^\n.!?]{0,50}"
        + @"|^(?:best|best\s+regards|kind\s+regards|warm\s+regards|regards|many\s+thanks|thanks|thank\s+you|cheers|sincerely|yours\s+sincerely|all\s+the\s+best|mit\s+freundlichen\s+gr[üu](?:ß|ss)en|freundliche\s+gr[üu](?:ß|ss)e|viele\s+gr[üu](?:ß|ss)e|beste\s+gr[üu](?:ß|ss)e|gru(?:ß|ss)|cordialement|bien\s+[àa]\s+vous|salutations|bien\s+cordialement|saludos(?:\s+cordiales)?|atentamente|un\s+saludo|cordiali\s+saluti|distinti\s+saluti|saluti|met\s+vriendelijke\s+groet(?:en)?|vriendelijke\s+groet(?:en)?|groeten|atenciosamente|cumprimentos|com\s+os\s+melhores\s+cumprimentos|abra[çc]os)\b[^\n.!?]{0,50}",
        RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex GreetingOrSignOff();

    // An e-mail address, a phone number or a web address, with its label ("Tel.:", "E-Mail:", "Mobil").
    [GeneratedRegex(
        @"(?:\b(?:tel|phone|mobile?|mobil|handy|t[ée]l[ée]phone|tel[ée]fono|telefone|telefoon|cell|fax|e-?mail|mail|web)\b\.?\s*:?\s*)?(?:[\w.+'-]+@[\w-]+(?:\.[\w-]+)+|\+?\d[\d ()./-]{5,}\d|(?:https?://|www\.)\S+)",
        RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex ContactCue();

    // Asking for something, in any of the seven languages: a sentence that does is a request, whatever else it says.
    [GeneratedRegex(
        @"\?|\b(?:please|pls|can\s+you|could\s+you|would\s+you|will\s+you|can\s+we|could\s+we|let's|let’s|let\s+us|i\s+need|we\s+need|need\s+(?:you|to|it|the|a|an)|i\s+want|we\s+want|i'd\s+like|i’d\s+like|i\s+would\s+like|we'd\s+like|we\s+would\s+like"
        + @"|bitte|k[öo]nnen\s+sie|k[öo]nnten\s+sie|kannst\s+du|k[öo]nntest\s+du|ich\s+brauche|wir\s+brauchen|ich\s+m[öo]chte|wir\s+m[öo]chten|ich\s+h[äa]tte\s+gerne?|lass(?:t|en\s+sie)?\s+uns"
        + @"|s['’]il\s+vous\s+pla[iî]t|svp|merci\s+de|pouvez-vous|pourriez-vous|veuillez|je\s+voudrais|j['’]aimerais|nous\s+voudrions|j['’]ai\s+besoin|nous\s+avons\s+besoin"
        + @"|por\s+favor|pueden?|podr[íi]an?|quisiera|quiero|necesito|necesitamos|me\s+gustar[íi]a|podemos"
        + @"|per\s+favore|potete|potrebbe|pu[òo]|vorrei|vorremmo|ho\s+bisogno|abbiamo\s+bisogno|possiamo"
        + @"|kunt\s+u|kun\s+je|wilt\s+u|zou\s+u|graag|alstublieft|a\.u\.b|ik\s+wil|wij\s+willen"
        + @"|pode[mr]?|poderia[m]?|gostaria|preciso|precisamos|queria)\b",
        RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex RequestCue();
}
