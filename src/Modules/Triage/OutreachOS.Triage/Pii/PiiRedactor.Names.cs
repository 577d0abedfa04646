using System.Text;
using System.Text.RegularExpressions;

namespace OutreachOS.Triage.Pii;

/// <summary>
/// People's names other than the sender's, found where the text says a name stands rather than by named-entity
/// recognition: the name line under a sign-off ("Best regards,\nJane Doe"; "Thanks, Jane"), a greeting ("Hi Dana,"),
/// after a title ("Mr. Smith", "Dr. Priya Patel": the title stays), after "my name is", "this is … from", "my colleague",
/// "spoke to", in an introduction ("Anna, meet Ben"), a copy ("cc'ing Ben Smith", "looping in Sarah Lee") or a direction
/// ("ask for Tom at reception"); and the display names of the other people on the message (To and Cc), known exactly. A
/// candidate is one to three capitalised words; one holding a word that names a group, a role, a day or a month ("Team",
/// "Support", "Monday") is not a name. Once redacted, a name is redacted wherever else it stands (<see cref="NamesByValue"/>).
/// A name nobody introduces and that is not redacted elsewhere ("Jane will call you") is not found.
/// </summary>
internal sealed partial class PiiRedactor
{
    /// <summary>At most this many To and Cc people are known by value: a message to 1,000 recipients must not cost 1,000 scans.</summary>
    public const int MaxParticipants = 50;

    /// <summary>
    /// Other people on the message (To, Cc), the first <see cref="MaxParticipants"/>: a display name is replaced wherever it
    /// occurs, ignoring case, when it looks like a personal name of two words or more (a one-word name or a mailbox's name
    /// such as "Acme Support" is left to the patterns: replacing "Support" everywhere would cost the model the word); the
    /// address wherever it occurs. One pattern for the addresses and one for the names, longest first: one scan each.
    /// </summary>
    public PiiRedactor KnowParticipants(IEnumerable<(string? DisplayName, string? Email)> participants)
    {
        var addresses = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        var names = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        foreach (var (displayName, email) in participants.Take(MaxParticipants))
        {
            if (Folded(email) is { } address)
            {
                addresses.Add(address);
            }

            if (PersonalNames.Full(displayName) is { } name && name.Split([' ', ','], StringSplitOptions.RemoveEmptyEntries) is { Length: > 1 } words
                && !words.Any(IsNotAName))
            {
                names.Add(name);
            }
        }

        if (addresses.Count > 0)
        {
            _known.Add(("EMAIL", KnownAddress(LongestFirst(addresses))));
        }

        if (names.Count > 0)
        {
            _known.Add((NameKind, Literal(LongestFirst(names), RegexOptions.IgnoreCase)));
        }

        return this;
    }

    private static IEnumerable<string> LongestFirst(IEnumerable<string> values) => values.OrderByDescending(v => v.Length).ThenBy(v => v, StringComparer.Ordinal);

    private string RedactNames(string text)
    {
        text = Replace(SignOffNamePattern(), text, RedactNameGroup);
        text = Replace(GreetingNamePattern(), text, RedactNameGroup);
        text = Replace(IntroducedNamePattern(), text, RedactNameGroup);
        return NamesByValue() is { } known ? Replace(known, text, (_, value) => Placeholder(NameKind, value)) : text;
    }

    /// <summary>
    /// At most this many names (the first placeholders) are looked for by value, each of at most
    /// <see cref="PersonalNames.MaxFullName"/> characters: the pattern's work per character stays bounded whatever the text.
    /// </summary>
    public const int MaxNamesByValue = 50;

    private string? _namesByValueSource;
    private Regex? _namesByValue;

    /// <summary>
    /// Every name redacted so far (found by a pattern here or in an earlier text, known from the headers, or carried in an
    /// earlier map), looked for wherever else it stands: a name of several words in any case ("DARIUSZ NOWAK" after
    /// "Best regards,\nDariusz Nowak"), and a one-word name and each word of a longer one as written ("Dariusz here, …"),
    /// as <see cref="KnowSender"/> does, so that a signature "Will" does not take every "will". Null when there is none.
    /// </summary>
    private Regex? NamesByValue()
    {
        var alternatives = new List<(string Literal, bool AnyCase)>();
        foreach (var name in _map.Where(kv => kv.Key.StartsWith("[" + NameKind + "_", StringComparison.Ordinal))
            .OrderBy(kv => kv.Key.Length).ThenBy(kv => kv.Key, StringComparer.Ordinal).Select(kv => MatchText.FoldSeparators(kv.Value).Trim())
            .Where(v => v.Length is >= 2 and <= PersonalNames.MaxFullName).Take(MaxNamesByValue))
        {
            var words = name.Split([' ', '\t', ','], StringSplitOptions.RemoveEmptyEntries);
            alternatives.Add((name, words.Length > 1));
            if (words.Length > 1 && PersonalNames.Full(name) is not null && !words.Any(IsNotAName))
            {
                alternatives.AddRange(words.Select(w => w.TrimEnd('.')).Where(w => w.Length >= 2).Select(w => (w, false)));
            }
        }

        if (alternatives.Count == 0)
        {
            return null;
        }

        // Longest first, so a whole name is one value rather than its words one by one.
        var source = string.Join('|', alternatives.DistinctBy(a => (a.Literal, a.AnyCase)).OrderByDescending(a => a.Literal.Length)
            .ThenBy(a => a.Literal, StringComparer.Ordinal).Select(a => a.AnyCase ? "(?i:" + Regex.Escape(a.Literal) + ")" : Regex.Escape(a.Literal)));
        if (source != _namesByValueSource)
        {
            (_namesByValueSource, _namesByValue) = (source, Words(source, RegexOptions.None));
        }

        return _namesByValue;
    }

    /// <summary>Replaces each capture of the match's <c>name</c> group when none of its words is a group, a role or a date word.</summary>
    private string RedactNameGroup(Match m, string written)
    {
        var sb = new StringBuilder(written.Length);
        var at = 0;
        foreach (Capture name in m.Groups["name"].Captures)
        {
            if (name.Value.Split(' ', '\t').Where(w => w.Length > 0).Any(IsNotAName))
            {
                continue;
            }

            var from = name.Index - m.Index;
            sb.Append(written, at, from - at).Append(Placeholder(NameKind, written.Substring(from, name.Length)));
            at = from + name.Length;
        }

        return at == 0 ? written : sb.Append(written, at, written.Length - at).ToString();
    }

    // "Monday's" is "Monday": a possessive is no more a name than the word.
    private static bool IsNotAName(string word) => NotNameWords.Contains(PossessiveSuffix().Replace(word.TrimEnd('.', ','), ""));

    [GeneratedRegex(@"['’]s$", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex PossessiveSuffix();

    private static readonly HashSet<string> NotNameWords = new(
    [
        "The", "A", "An", "All", "Everyone", "Everybody", "There", "Team", "Teams", "Folks", "Guys", "Sir", "Madam", "Sirs", "Colleagues",
        "Support", "Sales", "Billing", "Accounts", "Account", "Service", "Services", "Customer", "Customers", "Care", "Help", "Desk",
        "Helpdesk", "Department", "Dept", "Office", "Group", "Operations", "Ops", "Finance", "Legal", "Marketing", "Management", "HR",
        "Admin", "Administrator", "Manager", "Director", "CEO", "CFO", "CTO", "COO", "CIO", "VP", "Inc", "Ltd", "LLC", "GmbH", "Corp", "Company", "Co", "HQ", "Partners", "Hello",
        "Hi", "Thanks", "Thank", "You", "Me", "Us", "We", "It", "Again", "Soon", "Later", "Regards", "Best", "Cheers", "Sincerely",
        "Yours", "Warmly", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday", "January", "February", "March",
        "April", "May", "June", "July", "August", "September", "October", "November", "December", "Sent", "From", "Re", "Fwd",
        "Mr", "Mrs", "Ms", "Dr", "Prof", "Great", "Sure", "Perfect", "Ok", "Okay", "Yes", "No", "Also", "Please", "Welcome",
    ], StringComparer.OrdinalIgnoreCase);

    // One to three capitalised words or initials: "Jane", "Jane Doe", "J. R. Smith", "Anne-Marie O'Neill". Only an initial
    // takes a dot: in "I spoke to Jane. She said" the name is "Jane".
    private const string PersonName = @"(?<name>\p{Lu}(?:\.|[\p{L}\p{M}'’\-]*)(?:[ \t]\p{Lu}(?:\.|[\p{L}\p{M}'’\-]*)){0,2})(?![\p{L}\p{M}\p{N}])";

    // A sign-off and the name on its line or the next; the name ends its line.
    [GeneratedRegex(@"(?m)^[ \t>]*(?:(?i:best|best regards|kind regards|warm regards|warmest regards|regards|thanks|thanks again|thank you|many thanks|"
        + @"cheers|sincerely|yours sincerely|yours truly|yours|all the best|talk soon|with thanks|mit freundlichen grüßen|viele grüße|beste grüße|"
        + @"liebe grüße|cordialement|bien à vous|saludos|un saludo|cordiali saluti|met vriendelijke groet)[ \t]*[,.!]?(?:(?:[ \t]*\r?\n){1,2}[ \t>]*|[ \t]+)|--[ \t]*\r?\n[ \t>]*)"
        + PersonName + @"[ \t]*\r?$", RegexOptions.CultureInvariant)]
    private static partial Regex SignOffNamePattern();

    // A greeting at the start of a line: "Hi Dana,", "Dear Mr. Smith:", "Hello Jane Doe!".
    [GeneratedRegex(@"(?m)^[ \t>]*(?i:hi|hello|hey|dear|good morning|good afternoon|good evening|hallo|guten tag|bonjour|hola|ciao)[ \t]+"
        + @"(?:(?:Mr|Mrs|Ms|Mx|Dr|Prof|Herr|Frau|Mme)\.?[ \t]+)?" + PersonName + @"[ \t]*[,!:]", RegexOptions.CultureInvariant)]
    private static partial Regex GreetingNamePattern();

    // A name the text introduces: after a title, "my name is", "this is … from", a relation ("my colleague"), "spoke to";
    // both names of an introduction ("Anna, meet Ben", "Hi all, meet Ben Smith", "I'd like you to meet Ben", "introduce you
    // to Ben"); someone copied or looped in ("I'm cc'ing Ben Smith", "cc'd Ben", "looping in Sarah Lee", "copying in Tom");
    // someone to ask for on arrival ("ask for Tom at reception"). Each form is a fixed phrase and capitalised words, so "meet
    // Monday", "cc'ing Support" or "loop in Legal" are stopped by the words that are not names.
    [GeneratedRegex(@"(?<![\p{L}\p{M}])(?:(?:Mr|Mrs|Ms|Mx|Dr|Prof|Herr|Frau|Mme|Mlle)\.?[ \t]+" + PersonName
        + @"|(?i:my name is|my name's|je m'appelle|ich heiße|me llamo|mi chiamo)[ \t]+" + PersonName
        + @"|(?i:this is)[ \t]+" + PersonName + @"(?=[ \t]+(?i:from|at|with)[ \t])"
        + @"|(?i:my|our|your)[ \t]+(?i:colleague|co-worker|coworker|manager|boss|assistant|wife|husband|partner|son|daughter|lawyer|attorney|accountant)"
        + @",?[ \t]+" + PersonName
        + @"|(?i:spoke|spoken|talked|speak|talk|speaking|talking)[ \t]+(?i:to|with)[ \t]+" + PersonName
        + @"|(?:" + PersonName + @"|\[NAME_[0-9]{1,6}\]|(?i:all|everyone|everybody|team|folks|guys|both|you both|you two))[ \t]*,[ \t]*(?i:meet)[ \t]+" + PersonName
        + @"|(?i:(?:like|want)[ \t]+you[ \t]+to[ \t]+meet|introduce[ \t]+you[ \t]+to)[ \t]+" + PersonName
        + @"|(?i:cc'?ing|cc’ing|cc-ing|cc'?d|cc’d)(?:[ \t]+(?i:in))?[ \t]+" + PersonName
        + @"|(?i:loop|loops|looping|looped|copying)[ \t]+(?i:in)[ \t]+" + PersonName
        + @"|(?i:ask[ \t]+for)[ \t]+" + PersonName + @"(?=[ \t]+(?i:at[ \t]+(?:the[ \t]+)?(?:reception|front[ \t]+desk|desk|front[ \t]+door|door|gate|entrance|"
        + @"security|lobby)|when[ \t]+you[ \t]+(?:arrive|get[ \t]+there)|on[ \t]+arrival)(?![\p{L}\p{M}]))"
        + ")", RegexOptions.CultureInvariant)]
    private static partial Regex IntroducedNamePattern();
}
