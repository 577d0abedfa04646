using System.Text;
using System.Text.RegularExpressions;

namespace OutreachOS.Triage.Pii;

/// <summary>
/// People's names other than the sender's, found where the text says a name stands rather than by named-entity
/// recognition: the name line under a sign-off ("Best regards,\nJane Doe"; "Thanks, Jane"), a greeting ("Hi Dana,"),
/// after a title ("Mr. Smith", "Dr. Priya Patel": the title stays), after "my name is", "this is … from", "my colleague",
/// "spoke to" and the like; and the display names of the other people on the message (To and Cc), known exactly. A
/// candidate is one to three capitalised words; one holding a word that names a group, a role, a day or a month ("Team",
/// "Support", "Monday") is not a name. A name nobody introduces ("Jane will call you") is not found.
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
        return Replace(IntroducedNamePattern(), text, RedactNameGroup);
    }

    /// <summary>Replaces the match's <c>name</c> group when none of its words is a group, a role or a date word.</summary>
    private string RedactNameGroup(Match m, string written)
    {
        var name = m.Groups["name"];
        if (!name.Success || name.Value.Split(' ', '\t').Where(w => w.Length > 0).Any(IsNotAName))
        {
            return written;
        }

        var from = name.Index - m.Index;
        return new StringBuilder(written.Length).Append(written, 0, from).Append(Placeholder(NameKind, written.Substring(from, name.Length)))
            .Append(written, from + name.Length, written.Length - from - name.Length).ToString();
    }

    private static bool IsNotAName(string word) => NotNameWords.Contains(word.TrimEnd('.', ','));

    private static readonly HashSet<string> NotNameWords = new(
    [
        "The", "A", "An", "All", "Everyone", "Everybody", "There", "Team", "Teams", "Folks", "Guys", "Sir", "Madam", "Sirs", "Colleagues",
        "Support", "Sales", "Billing", "Accounts", "Account", "Service", "Services", "Customer", "Customers", "Care", "Help", "Desk",
        "Helpdesk", "Department", "Dept", "Office", "Group", "Operations", "Ops", "Finance", "Legal", "Marketing", "Management", "HR",
        "Admin", "Administrator", "Manager", "Director", "Inc", "Ltd", "LLC", "GmbH", "Corp", "Company", "Co", "HQ", "Partners", "Hello",
        "Hi", "Thanks", "Thank", "You", "Me", "Us", "We", "It", "Again", "Soon", "Later", "Regards", "Best", "Cheers", "Sincerely",
        "Yours", "Warmly", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday", "January", "February", "March",
        "April", "May", "June", "July", "August", "September", "October", "November", "December", "Sent", "From", "Re", "Fwd",
        "Mr", "Mrs", "Ms", "Dr", "Prof",
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

    // A name the text introduces: after a title, "my name is", "this is … from", a relation ("my colleague"), "spoke to".
    [GeneratedRegex(@"(?<![\p{L}\p{M}])(?:(?:Mr|Mrs|Ms|Mx|Dr|Prof|Herr|Frau|Mme|Mlle)\.?[ \t]+" + PersonName
        + @"|(?i:my name is|my name's|je m'appelle|ich heiße|me llamo|mi chiamo)[ \t]+" + PersonName
        + @"|(?i:this is)[ \t]+" + PersonName + @"(?=[ \t]+(?i:from|at|with)[ \t])"
        + @"|(?i:my|our|your)[ \t]+(?i:colleague|co-worker|coworker|manager|boss|assistant|wife|husband|partner|son|daughter|lawyer|attorney|accountant)"
        + @",?[ \t]+" + PersonName
        + @"|(?i:spoke|spoken|talked|speak|talk|speaking|talking)[ \t]+(?i:to|with)[ \t]+" + PersonName + ")", RegexOptions.CultureInvariant)]
    private static partial Regex IntroducedNamePattern();
}
