using System.Text.RegularExpressions;

namespace OutreachOS.Triage.Pii;

/// <summary>
/// Postal addresses, found by their written form rather than by named-entity recognition: a street line (a house number,
/// one to four capitalised words and a street type — "221B Baker Street", "350 5th Ave, Suite 200"; a German, Dutch or
/// Nordic street name ending in its type, then the number — "Hauptstraße 5", "Keizersgracht 123"; a Romance street type
/// first — "12 rue de Rivoli", "Via Roma 12", "Calle Mayor, 5"), with what follows it on the same or the next line (a
/// unit, then a town with a US state and ZIP code, a UK or Canadian postcode, or a European postal code: "Springfield, IL
/// 62704", "London NW1 6XE", "75001 Paris"); a post-office box; and a town line with a US state and ZIP code or a
/// Canadian postcode standing alone. A street line in lower case ("123 main street") is found only in an unmistakable
/// form (<see cref="LowerCaseStreetPattern"/>): "2 dogs in the way" and "a 5 minute drive" are prose.
/// </summary>
internal sealed partial class PiiRedactor
{
    public const string AddressKind = "ADDRESS";

    private string RedactAddresses(string text)
    {
        string Address(Match _, string value) => Placeholder(AddressKind, value);
        text = Replace(StreetAddressPattern(), text, Address);
        text = Replace(LowerCaseStreetPattern(), text, (m, value) => IsStreetName(m.Groups["street"].Value) ? Placeholder(AddressKind, value) : value);
        text = Replace(PostBoxPattern(), text, Address);
        return Replace(TownLinePattern(), text, Address);
    }

    // The building blocks of the patterns below, kept as constants so that each generated pattern reads as a sentence.
    // A capitalised word of a street or town name ("Baker", "O'Neill", "St.", "Saint-Denis") or an ordinal ("5th").
    private const string NameWord = @"(?:\p{Lu}[\p{L}\p{M}'’\-]*\.?|\d{1,3}(?:st|nd|rd|th))";

    // A house number: not inside another number, a reference or an amount ("#4711", "$120", "v2.1").
    private const string HouseNumber = @"(?<![\p{L}\p{N}\-./,#$€£%])\d{1,6}[A-Za-z]?(?:[\-/]\d{1,6}[A-Za-z]?)?";

    // English street types, capitalised ("Street", "STREET", "St."). Only an abbreviation takes the dot after it: the dot
    // after "Lane" ends the sentence, and the same address must give the same value wherever it stands.
    private const string StreetType = @"(?=\p{Lu})(?:(?i:street|avenue|road|boulevard|lane|drive|court|place|way|terrace|circle|parkway|highway|square|"
        + @"close|crescent|row|mews|gardens|grove|walk|trail|plaza|alley|loop|pike|turnpike|expressway|freeway)"
        + @"|(?i:st|ave|av|rd|blvd|ln|dr|ct|pl|ter|cir|pkwy|hwy|sq|cres|trl)\.?)(?![\p{L}\p{N}])";

    private const string Direction = @"(?:[ \t]+(?:N|S|E|W|NE|NW|SE|SW|North|South|East|West)(?![\p{L}\p{N}]))?";

    // "Suite 200", "Apt. 4B", "# 12", "Floor 3", on the same line or the next; capitalised after a capitalised street line.
    private const string Unit = @"(?:(?:,?[ \t]*|[ \t]*\r?\n[ \t]*)(?:(?=\p{Lu})" + UnitWord + @"|#[ \t]?)[A-Za-z0-9\-]{1,6}(?![\p{L}\p{N}]))?";

    private const string AnyCaseUnit = @"(?:(?:,?[ \t]*|[ \t]*\r?\n[ \t]*)(?:" + UnitWord + @"|#[ \t]?)[A-Za-z0-9\-]{1,6}(?![\p{L}\p{N}]))?";

    private const string UnitWord = @"(?i:apt|apartment|suite|ste|unit|floor|fl|room|rm|bldg|building)\.?[ \t]*";

    private const string Town = @"\p{Lu}[\p{L}\p{M}'.\-]*(?:[ \t]\p{Lu}[\p{L}\p{M}'.\-]*){0,3}";

    private const string UsState = @"(?:AL|AK|AZ|AR|CA|CO|CT|DE|DC|FL|GA|HI|ID|IL|IN|IA|KS|KY|LA|ME|MD|MA|MI|MN|MS|MO|MT|NE|NV|NH|NJ|NM|NY|NC|ND|OH|OK|"
        + @"OR|PA|RI|SC|SD|TN|TX|UT|VT|VA|WA|WV|WI|WY|PR|GU|VI)";

    private const string CaProvince = @"(?:AB|BC|MB|NB|NL|NS|NT|NU|ON|PE|QC|SK|YT)";

    private const string UsTown = Town + @",?[ \t]+" + UsState + @"[ \t]+\d{5}(?:-\d{4})?(?!\d)";

    private const string CaTown = Town + @",?[ \t]+" + CaProvince + @"[ \t]+[A-Z]\d[A-Z][ \t]?\d[A-Z]\d(?![\p{L}\p{N}])";

    private const string UkPostcode = @"[A-Z]{1,2}\d[A-Z\d]?[ \t]\d[A-Z]{2}(?![\p{L}\p{N}])";

    // "75001 Paris", "D-10115 Berlin", "CH-8001 Zürich".
    private const string EuTown = @"(?:[A-Z]{1,2}-)?\d{4,5}[ \t]+\p{Lu}[\p{L}\p{M}'\-]+(?:[ \t]\p{Lu}[\p{L}\p{M}'\-]+)?";

    private const string TownLine = @"(?:,?[ \t]*\r?\n[ \t]*|,[ \t]*)(?:" + UsTown + "|" + CaTown + "|(?:" + Town + @",?[ \t]+)?" + UkPostcode + "|" + EuTown + ")";

    private const string Locality = "(?:" + TownLine + ")?";

    private const string EnglishStreet = HouseNumber + @"[ \t]+(?:" + NameWord + @"[ \t]+){1,4}" + StreetType + Direction;

    // "Hauptstraße 5", "Hauptstr. 5a", "Keizersgracht 123", "Nørregade 10": the street type ends the name, the number follows.
    private const string SuffixedStreet = @"(?<![\p{L}\p{M}])\p{Lu}[\p{L}\p{M}\-]+(?i:straße|strasse|str\.|weg|gasse|platz|allee|damm|ufer|gracht|straat|laan|"
        + @"plein|kade|vej|gade|gatan|gata|veien|vegen)[ \t]+\d{1,4}[a-z]?(?:[\-/]\d{1,4}[a-z]?)?(?![\p{L}\p{N}])";

    // "12 rue de Rivoli", "3 bis avenue Foch": the number, then a French street type in either case.
    private const string FrenchStreet = HouseNumber + @"(?:[ \t]?(?:bis|ter))?,?[ \t]+(?i:rue|avenue|av\.|boulevard|bd|place|chemin|allée|allee|impasse|quai|cours|route)"
        + @"[ \t]+(?:(?:de|du|des|la|le|d'|l'|d’|l’)[ \t]*){0,2}" + NameWord + @"(?:[ \t]+" + NameWord + "){0,3}";

    // "Via Roma 12", "Calle Mayor, 5", "Rua Augusta n. 100": a Romance street type first, capitalised.
    private const string RomanceStreet = @"(?<![\p{L}\p{M}])(?:Via|Viale|Piazza|Piazzale|Corso|Largo|Calle|Avenida|Plaza|Paseo|Carrer|Rua|Travessa)[ \t]+"
        + @"(?:(?:di|de|del|della|dei|degli|da|do|dos|das|la)[ \t]+){0,2}" + NameWord + @"(?:[ \t]+" + NameWord + @"){0,3},?[ \t]+(?:n\.?[ \t]?|nº[ \t]?)?"
        + @"\d{1,4}[a-zA-Z]?(?![\p{L}\p{N}])";

    [GeneratedRegex("(?:" + EnglishStreet + "|" + SuffixedStreet + "|" + FrenchStreet + "|" + RomanceStreet + ")" + Unit + Locality, RegexOptions.CultureInvariant)]
    private static partial Regex StreetAddressPattern();

    // A street line in lower case ("please ship to 123 main street, springfield", "we moved to 45 oak avenue"): a house number,
    // one to three words and a street type written out, and where prose has the same shape ("a 5 minute drive", "3 hard
    // drive failures", "2 in the court"), it is told apart three ways: not after an article or a quantifier ("a", "the",
    // "every", "about"…); the type ends the phrase (punctuation, the end of the line, a unit or a town line follow it); and
    // none of the words is a function word, a unit of time or distance or a word that makes the type an ordinary noun
    // (IsStreetName). Types that are ordinary words in lower case (way, walk, row, loop, close, square, circle, trail, alley,
    // gardens, plaza) are left out; an abbreviation ("st", "dr", "rd": a saint, a doctor, an ordinal) only with a town line.
    [GeneratedRegex(@"(?<!(?<![\p{L}\p{M}])(?i:a|an|the|every|each|per|only|just|about|around|approx|approximately|over|under|within|another|"
        + @"this|that|these|those|our|your|their|my|his|her|its|top|first|last|next)[ \t]+)" + HouseNumber + @"[ \t]+"
        + @"(?<street>(?:[\p{L}\p{M}][\p{L}\p{M}'’\-]*|\d{1,3}(?:st|nd|rd|th))(?:[ \t]+(?:[\p{L}\p{M}][\p{L}\p{M}'’\-]*|\d{1,3}(?:st|nd|rd|th))){0,2})[ \t]+"
        + @"(?:(?i:street|avenue|road|lane|drive|boulevard|court|place|terrace|parkway|highway)(?![\p{L}\p{N}])" + Direction + AnyCaseUnit
        + @"(?:" + TownLine + @"|(?=[ \t]*(?:[,.;:!?)]|\r?\n|$)))"
        + @"|(?i:st|ave|rd|ln|dr|blvd|ct|pl|ter|pkwy|hwy)\.?(?![\p{L}\p{N}])" + Direction + AnyCaseUnit + TownLine + ")", RegexOptions.CultureInvariant)]
    private static partial Regex LowerCaseStreetPattern();

    /// <summary>The words before a lower-case street type name a street: none is a word that makes the line prose.</summary>
    private static bool IsStreetName(string words) =>
        !words.Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries).Any(NotStreetNameWords.Contains);

    private static readonly HashSet<string> NotStreetNameWords = new(
    [
        // Function words and quantifiers: "2 in the court", "3 of our place", "1 more avenue".
        "a", "an", "the", "of", "in", "on", "at", "to", "for", "and", "or", "but", "by", "with", "from", "per", "into", "as", "is", "are", "our",
        "your", "my", "their", "his", "her", "its", "this", "that", "more", "less", "other", "each", "every", "all", "any", "some", "few",
        "many", "extra", "same", "only", "just", "times",
        // Units: "5 minute drive", "2 hour drive", "4 lane highway", "a 2 way street", "4 wheel drive".
        "second", "seconds", "sec", "secs", "minute", "minutes", "min", "mins", "hour", "hours", "hr", "hrs", "day", "days", "week", "weeks",
        "month", "months", "year", "years", "mile", "miles", "mi", "km", "kilometre", "kilometres", "kilometer", "kilometers", "metre",
        "metres", "meter", "meters", "m", "foot", "feet", "ft", "yard", "yards", "block", "blocks", "lane", "lanes", "way", "wheel", "car",
        "star", "tb", "gb",
        // The type as an ordinary noun: "1 hard drive", "1 test drive", "1 tennis court", "in 2 first place".
        "hard", "disk", "flash", "usb", "external", "network", "test", "tennis", "supreme", "food", "market", "meeting", "hiding",
        "first", "third", "last", "next",
    ], StringComparer.OrdinalIgnoreCase);

    // "P.O. Box 1234", "PO Box 77, Austin, TX 78701", "Postfach 10 20 30".
    [GeneratedRegex(@"(?<![\p{L}\p{M}])(?:(?i:p\.?[ \t]?o\.?[ \t]?box|post[ \t]office[ \t]box)|Postfach)[ \t]+\d{1,8}(?:[ \t]\d{2,4}){0,2}(?![\p{L}\p{N}])" + Locality,
        RegexOptions.CultureInvariant)]
    private static partial Regex PostBoxPattern();

    // A town line standing alone: "Springfield, IL 62704", "Toronto, ON M5V 2T6" (the comma is required here).
    [GeneratedRegex(@"(?<![\p{L}\p{M}])" + Town + @",[ \t]*(?:" + UsState + @"[ \t]+\d{5}(?:-\d{4})?(?!\d)|" + CaProvince + @"[ \t]+[A-Z]\d[A-Z][ \t]?\d[A-Z]\d(?![\p{L}\p{N}]))",
        RegexOptions.CultureInvariant)]
    private static partial Regex TownLinePattern();
}
