using System.Text;
using System.Text.RegularExpressions;
using OutreachOS.Triage.Pipeline;

namespace OutreachOS.Triage.Pii;

/// <summary>Text with PII replaced by placeholders, and the map back (placeholder → original) for template filling.</summary>
internal sealed record Redaction(string Text, IReadOnlyDictionary<string, string> Map, PiiCounts Counts);

/// <summary>
/// Replaces e-mail addresses (also internationalised and obfuscated ones: <c>john [at] example dot com</c>,
/// <c>john.smith @ example.com</c>), IBANs (mod-97 checked, any case; groups joined by ' ', '-', '/', '_' or " - "), card
/// numbers (Luhn checked; spaces, dashes or dots between digits, or printed groups joined by '/', '_' or " - "), US SSNs
/// (valid ranges) and phone numbers with reversible placeholders (<c>[EMAIL_1]</c>, <c>[IBAN_1]</c>, <c>[CARD_1]</c>, <c>[SSN_1]</c>,
/// <c>[PHONE_1]</c>) and postal addresses by their written form (<c>[ADDRESS_1]</c>, PiiRedactor.Addresses.cs); the sender's own display name and address, known exactly from the From header, become
/// <c>[NAME_n]</c>/<c>[EMAIL_n]</c> wherever they occur (<see cref="KnowSender"/>). The text is first folded (<see cref="MatchText.FoldCharacters"/>: format characters removed, Unicode digits
/// made ASCII), so the redacted text and the map hold those folded values; the patterns then run on its
/// <see cref="MatchText.FoldSeparators"/> view (any Unicode space is ' ', any dash '-', same offsets), so a value written
/// with no-break spaces or en dashes is found, and it is cut from the text as written. The same value (compared in that
/// view, ignoring case) gets the same placeholder, which restores its first spelling in mixed case. Order matters: known
/// values first, then the digit-heavy checked kinds so a card is never called a phone, then addresses (their postal codes
/// are not phone numbers), then other people's names where the text introduces them, and every name redacted so far
/// wherever else it stands (PiiRedactor.Names.cs). Names nobody introduces, and addresses without a street type, are not
/// found (that needs NER).
/// </summary>
internal sealed partial class PiiRedactor
{
    public const string NameKind = "NAME";

    private readonly Dictionary<string, string> _map = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _byValue = new(StringComparer.Ordinal);
    private readonly Dictionary<string, int> _counts = new(StringComparer.Ordinal);
    private readonly List<(string Kind, Regex Pattern)> _known = [];

    public PiiRedactor()
    {
    }

    /// <summary>Continues an earlier redaction: its placeholders keep their values and new ones are numbered after them.</summary>
    public PiiRedactor(IReadOnlyDictionary<string, string> earlier)
    {
        foreach (var (placeholder, value) in earlier)
        {
            if (PlaceholderPattern().Match(placeholder) is not { Success: true } m)
            {
                continue;
            }

            var kind = m.Groups[1].Value;
            var n = int.Parse(m.Groups[2].Value, System.Globalization.CultureInfo.InvariantCulture);
            _map[placeholder] = value;
            _byValue.TryAdd(Key(kind, value), placeholder);
            _counts[kind] = Math.Max(Count(kind), n);
        }
    }

    /// <summary>
    /// The sender's display name and address are PII we know exactly: they are replaced wherever they occur (subject, body,
    /// signature, a quoted "On …, John Smith &lt;…&gt; wrote:" line) on word boundaries; the address and a display name of
    /// several words ignoring case. A display name that looks like a personal name is also replaced part by part ("John",
    /// "Smith"), case-sensitively, as is a one-word display name (so a sender called Will does not turn every "will" into
    /// a placeholder).
    /// </summary>
    public PiiRedactor KnowSender(string? displayName, string? email)
    {
        if (Folded(email) is { } address)
        {
            _known.Add(("EMAIL", KnownAddress(address)));
        }

        var name = MatchText.Fold(displayName).Trim().Trim('"', '\'', ' ');
        if (name.Length < 2 || name.Contains('@', StringComparison.Ordinal))
        {
            return this;
        }

        var parts = name.Split([' ', ','], StringSplitOptions.RemoveEmptyEntries);
        _known.Add((NameKind, Literal(name, parts.Length > 1 ? RegexOptions.IgnoreCase : RegexOptions.None)));
        if (parts.Length > 1 && PersonalNames.Full(name) is not null)
        {
            foreach (var part in parts.Select(p => p.Trim('.')).Where(p => p.Length >= 2).Distinct(StringComparer.Ordinal).OrderByDescending(p => p.Length))
            {
                _known.Add((NameKind, Literal(part, RegexOptions.None)));
            }
        }

        return this;
    }

    /// <summary>Redacts several texts with one numbering (subject, body, sender line share placeholders).</summary>
    public string Redact(string text)
    {
        text = RedactThroughCheckedNumbers(text);
        text = RedactAddresses(text); // before phone numbers: a ZIP+4 code or a postcode's digits are the address's
        text = Replace(PhonePattern(), text, RedactPhone);
        return RedactNames(text); // last: "Dr." in "12 Oak Dr. Suite 5" is the street's
    }

    /// <summary>
    /// The checked numbers (IBANs, cards, SSNs) in a text, counted as <see cref="Redact"/> counts them, without the passes
    /// that follow them there (addresses, phone numbers, names): the policy flags read these counts for every message.
    /// </summary>
    public static PiiCounts CountCheckedNumbers(string text)
    {
        var r = new PiiRedactor();
        r.RedactThroughCheckedNumbers(text);
        return r.Counts;
    }

    // Folding, the values known exactly, e-mail addresses, then the checked numbers.
    private string RedactThroughCheckedNumbers(string text)
    {
        text = MatchText.FoldCharacters(text);
        foreach (var (kind, pattern) in _known)
        {
            text = Replace(pattern, text, (_, value) => Placeholder(kind, value));
        }

        text = Replace(EmailPattern(), text, (_, value) => Placeholder("EMAIL", value));
        text = Replace(ObfuscatedEmailPattern(), text, (_, value) => Placeholder("EMAIL", value));
        text = Replace(IbanPattern(), text, RedactIban);
        text = Replace(CardPattern(), text, RedactCard);
        return Replace(SsnPattern(), text, (m, value) => IsValidSsn(m.Groups[1].Value, m.Groups[2].Value, m.Groups[3].Value) ? Placeholder("SSN", value) : value);
    }

    /// <summary>
    /// Matches <paramref name="pattern"/> on the separator-folded view of <paramref name="text"/> (Unicode spaces and dashes as
    /// ASCII, same length) and replaces each match by what <paramref name="evaluate"/> makes of it: the match (in the view)
    /// and the matched text as written (same offsets in <paramref name="text"/>).
    /// </summary>
    private static string Replace(Regex pattern, string text, Func<Match, string, string> evaluate)
    {
        var view = MatchText.FoldSeparators(text);
        if (ReferenceEquals(view, text))
        {
            return pattern.Replace(text, m => evaluate(m, m.Value));
        }

        var matches = pattern.Matches(view);
        if (matches.Count == 0)
        {
            return text;
        }

        var sb = new StringBuilder(text.Length);
        var at = 0;
        foreach (Match m in matches)
        {
            sb.Append(text, at, m.Index - at).Append(evaluate(m, text.Substring(m.Index, m.Length)));
            at = m.Index + m.Length;
        }

        return sb.Append(text, at, text.Length - at).ToString();
    }

    public IReadOnlyDictionary<string, string> Map => _map;

    public PiiCounts Counts => new(Count("EMAIL"), Count("PHONE"), Count("CARD"), Count("IBAN"), Count("SSN"), Count(NameKind), Count(AddressKind));

    public static Redaction RedactOne(string text)
    {
        var r = new PiiRedactor();
        var redacted = r.Redact(text);
        return new Redaction(redacted, r.Map, r.Counts);
    }

    /// <summary>Puts the original values back (for template filling after an external model answered).</summary>
    public static string Restore(string text, IReadOnlyDictionary<string, string> map)
    {
        foreach (var (placeholder, value) in map)
        {
            text = text.Replace(placeholder, value, StringComparison.Ordinal);
        }
        return text;
    }

    /// <summary>
    /// The longest valid IBAN the match starts with (a lower-case IBAN may run into the next four-letter word), and at
    /// least eight digits: real IBANs are mostly digits, prose that happens to pass mod 97 is not.
    /// </summary>
    private string RedactIban(Match m, string written)
    {
        var candidate = m.Value;
        while (true)
        {
            if (candidate.Count(char.IsAsciiDigit) >= 8 && IsValidIban(candidate))
            {
                return Placeholder("IBAN", written[..candidate.Length]) + written[candidate.Length..];
            }

            var separator = candidate.LastIndexOfAny(IbanSeparators);
            if (separator < 15)
            {
                return written;
            }

            candidate = candidate[..separator].TrimEnd(IbanSeparators);
        }
    }

    private static readonly char[] IbanSeparators = [' ', '-', '/', '_'];

    /// <summary>
    /// The match when it is a card number, else a card number written in groups inside it: the pattern also takes a
    /// number standing just before or after the card ("Card 2 4111 1111 1111 1111", "784 4111 …"), and the whole run
    /// then fails Luhn and the card was left in clear. The pattern reads runs of up to 61 digits so that the card's last
    /// group is inside the run (it used to stop at 19 digits, in the middle of a card that followed other numbers). Only
    /// printed card layouts are looked for inside a run — 13-19 digits unbroken, groups of four (the last one 1-4 digits
    /// long), or 4-6-5 and 4-6-4 — so a long reference is not cut into a card at random.
    /// </summary>
    private string RedactCard(Match m, string written)
    {
        if (IsCardNumber(m.Value))
        {
            return Placeholder("CARD", written);
        }

        var groups = new List<(int Start, int Length)>();
        for (var i = 0; i < m.Value.Length;)
        {
            if (!char.IsAsciiDigit(m.Value[i]))
            {
                i++;
                continue;
            }

            var start = i;
            while (i < m.Value.Length && char.IsAsciiDigit(m.Value[i]))
            {
                i++;
            }

            groups.Add((start, i - start));
        }

        // Card layouts have one (unbroken) or three to five groups: a linear pass, whatever the run's length.
        for (var first = 0; first < groups.Count; first++)
        {
            for (var last = Math.Min(groups.Count - 1, first + 4); last >= first; last--)
            {
                if ((first == 0 && last == groups.Count - 1) || !IsCardLayout(groups, first, last))
                {
                    continue;
                }

                var from = groups[first].Start;
                var to = groups[last].Start + groups[last].Length;
                if (IsCardNumber(m.Value[from..to]))
                {
                    return written[..from] + Placeholder("CARD", written[from..to]) + written[to..];
                }
            }
        }

        return written;
    }

    /// <summary>
    /// A card number: Luhn, and an issuer's prefix and length (Visa, Mastercard, American Express, Discover, JCB, Diners
    /// Club). Luhn alone passes one number in ten: an order or tracking number of 13-19 digits was redacted as a card by
    /// chance.
    /// </summary>
    private static bool IsCardNumber(string candidate) => IsLuhnCard(candidate) && IsIssuedLength(Digits(candidate));

    private static bool IsIssuedLength(string digits)
    {
        static int Prefix(string d, int n) => int.Parse(d.AsSpan(0, n), System.Globalization.CultureInfo.InvariantCulture);
        var length = digits.Length;
        return digits[0] switch
        {
            '4' => length is 13 or 16 or 19,
            '5' => Prefix(digits, 2) is >= 51 and <= 55 && length == 16,
            '2' => Prefix(digits, 4) is >= 2221 and <= 2720 && length == 16,
            '3' => (Prefix(digits, 2) is 34 or 37 && length == 15)
                || (Prefix(digits, 4) is >= 3528 and <= 3589 && length is >= 16 and <= 19)
                || ((Prefix(digits, 2) is 36 or 38 || Prefix(digits, 3) is >= 300 and <= 305) && length is 14 or 16),
            '6' => (Prefix(digits, 4) == 6011 || Prefix(digits, 2) == 65 || Prefix(digits, 3) is >= 644 and <= 649) && length is >= 16 and <= 19,
            _ => false,
        };
    }

    private static bool IsCardLayout(List<(int Start, int Length)> groups, int first, int last)
    {
        var lengths = groups.Skip(first).Take(last - first + 1).Select(g => g.Length).ToList();
        if (lengths.Count == 1)
        {
            return lengths[0] is >= 13 and <= 19; // printed without separators
        }

        if (lengths.Count == 3 && lengths[0] == 4 && lengths[1] == 6 && lengths[2] is 4 or 5)
        {
            return true; // 4-6-5 (American Express), 4-6-4 (Diners Club)
        }

        return lengths.Count is >= 4 and <= 5 && lengths.Take(lengths.Count - 1).All(l => l == 4) && lengths[^1] is >= 1 and <= 4;
    }

    /// <summary>
    /// The longest likely phone number the match starts with. The pattern runs on over the next number groups, so
    /// "415-555-0199 03/05/2024" is one match that as a whole is not a phone number (a '/' after a local number reads as a
    /// reference), and the phone number in it was left in clear. Words are dropped from the end, and from the start
    /// ("id 123456 415-555-0199"), until what is left is written as a phone number.
    /// </summary>
    private string RedactPhone(Match m, string written)
    {
        for (var from = 0; from >= 0; from = NextWord(m.Value, from))
        {
            var candidate = m.Value[from..];
            while (true)
            {
                // The whole run may be a phone number in any layout the pattern reads; a part of it only when it is
                // written as one: ten digits or more with a '+', '(' or a separator other than a space ("10 000–20 000 €"
                // is not a phone number after "10", nor "4111 1111 1111" in a card number failing Luhn).
                var whole = from == 0 && candidate.Length == m.Value.Length;
                if (IsLikelyPhone(candidate) && (whole || (Digits(candidate).Length >= 10
                    && (candidate[0] is '+' or '(' || candidate.AsSpan().IndexOfAny('-', '.', '/') >= 0))))
                {
                    // What the phone number left over may hold another one ("INV-2024-0042 415-555-0199").
                    var to = from + candidate.Length;
                    return written[..from] + Placeholder("PHONE", written[from..to]) + Replace(PhonePattern(), written[to..], RedactPhone);
                }

                var space = candidate.LastIndexOf(' ');
                if (space <= 0)
                {
                    break;
                }

                candidate = candidate[..space].TrimEnd();
            }
        }

        return written;
    }

    /// <summary>The start of the word after the one at <paramref name="from"/> (-1: none).</summary>
    private static int NextWord(string text, int from)
    {
        var space = text.IndexOf(' ', from);
        while (space >= 0 && space + 1 < text.Length && text[space + 1] == ' ')
        {
            space++;
        }

        return space < 0 || space + 1 >= text.Length ? -1 : space + 1;
    }

    private int Count(string kind) => _counts.TryGetValue(kind, out var n) ? n : 0;

    /// <summary>A placeholder this redactor could have written (<c>[EMAIL_3]</c>, <c>[NAME_1]</c>).</summary>
    public static bool IsPlaceholder(string s) => PlaceholderPattern().IsMatch(s);

    /// <summary>The placeholders left in a text (a model's answer may invent or keep some).</summary>
    public static IEnumerable<string> PlaceholdersIn(string text) => PlaceholderInText().Matches(text).Select(m => m.Value);

    /// <summary>The text with every placeholder this redactor could have written replaced by <paramref name="replacement"/>.</summary>
    public static string WithoutPlaceholders(string text, string replacement) => PlaceholderInText().Replace(text, replacement);

    /// <summary>An address as the known-value patterns match it (folded), or null when it is too short to be one.</summary>
    private static string? Folded(string? email) =>
        !string.IsNullOrWhiteSpace(email) && MatchText.Fold(email).Trim() is { Length: > 3 } address ? address : null;

    private static Regex KnownAddress(string address) => KnownAddress([address]);

    /// <summary>Any of <paramref name="addresses"/> (in the order given: longest first when one may start another).</summary>
    private static Regex KnownAddress(IEnumerable<string> addresses) =>
        new($@"(?<![\p{{L}}\p{{M}}\p{{N}}._%+\-])(?:{Alternatives(addresses)})(?!\.?[\p{{L}}\p{{M}}\p{{N}}\-])", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant);

    private static Regex Literal(string value, RegexOptions options) => Literal([value], options);

    private static Regex Literal(IEnumerable<string> values, RegexOptions options) => Words(Alternatives(values), options);

    /// <summary>An alternation of (escaped) values, matched as whole words.</summary>
    private static Regex Words(string alternatives, RegexOptions options) =>
        new($@"(?<![\p{{L}}\p{{M}}\p{{N}}_])(?:{alternatives})(?![\p{{L}}\p{{M}}\p{{N}}_])", options | RegexOptions.CultureInvariant);

    private static string Alternatives(IEnumerable<string> values) => string.Join('|', values.Select(Regex.Escape));

    // Case does not make another value: "Dariusz Nowak" and "DARIUSZ NOWAK", "Jane@Acme.example" and "jane@acme.example" are
    // one person, and two placeholders would tell the model they are two.
    private static string Key(string kind, string value) => kind + "\n" + MatchText.FoldSeparators(value).ToUpperInvariant();

    private string Placeholder(string kind, string value)
    {
        var key = Key(kind, value);
        if (_byValue.TryGetValue(key, out var existing))
        {
            // One placeholder restores one spelling: the first one in mixed case, as people write names and addresses (a
            // reply then greets "Dariusz", not "DARIUSZ" from a shouted subject); else the first one seen.
            if (!IsMixedCase(_map[existing]) && IsMixedCase(value))
            {
                _map[existing] = value;
            }

            return existing;
        }
        var n = Count(kind) + 1;
        _counts[kind] = n;
        var placeholder = $"[{kind}_{n}]";
        _byValue[key] = placeholder;
        _map[placeholder] = value;
        return placeholder;
    }

    private static bool IsMixedCase(string s) => s.Any(char.IsUpper) && s.Any(char.IsLower);

    private static string Digits(string s) => new(s.Where(char.IsAsciiDigit).ToArray());

    internal static bool IsLuhnCard(string candidate)
    {
        var digits = Digits(candidate);
        if (digits.Length is < 13 or > 19)
        {
            return false;
        }
        var sum = 0;
        var doubleIt = false;
        for (var i = digits.Length - 1; i >= 0; i--)
        {
            var d = digits[i] - '0';
            if (doubleIt)
            {
                d *= 2;
                if (d > 9)
                {
                    d -= 9;
                }
            }
            sum += d;
            doubleIt = !doubleIt;
        }
        return sum % 10 == 0;
    }

    /// <summary>ISO 13616: move the first four characters to the end, letters → 10..35, the number mod 97 must be 1.</summary>
    internal static bool IsValidIban(string candidate)
    {
        var iban = string.Concat(candidate.Where(c => Array.IndexOf(IbanSeparators, c) < 0)).ToUpperInvariant();
        if (iban.Length is < 15 or > 34)
        {
            return false;
        }
        var rearranged = iban[4..] + iban[..4];
        var remainder = 0;
        foreach (var c in rearranged)
        {
            int value;
            if (char.IsAsciiDigit(c))
            {
                value = c - '0';
                remainder = (remainder * 10 + value) % 97;
            }
            else if (char.IsAsciiLetterUpper(c))
            {
                value = c - 'A' + 10;
                remainder = (remainder * 100 + value) % 97;
            }
            else
            {
                return false;
            }
        }
        return remainder == 1;
    }

    /// <summary>
    /// 7-15 digits, written like a phone number (+, parentheses or separators; or 10+ bare digits), and not a date nor a
    /// range of years or of grouped amounts ("2024-2025", "10 000-20 000": with en dashes and no-break spaces, as word
    /// processors write them, these read so after folding); a '/' only once, after an area code starting with 0 or a country code.
    /// </summary>
    internal static bool IsLikelyPhone(string candidate)
    {
        var digits = Digits(candidate).Length;
        if (digits is < 7 or > 15 || DatePattern().IsMatch(candidate) || RangePattern().IsMatch(candidate))
        {
            return false;
        }
        var slash = candidate.IndexOf('/', StringComparison.Ordinal);
        if (slash >= 0 && (candidate.IndexOf('/', slash + 1) >= 0 || candidate[0] is not ('0' or '+' or '(')))
        {
            return false; // one '/' after an area code (0171/1234567); "2024/123456" is more likely a reference
        }
        var formatted = candidate.StartsWith('+') || candidate.Contains('(', StringComparison.Ordinal)
            || candidate.Any(c => c is ' ' or '.' or '-' or '/');
        return formatted || digits >= 10;
    }

    /// <summary>SSA rules: area not 000, 666 or 900-999; group not 00; serial not 0000.</summary>
    internal static bool IsValidSsn(string area, string group, string serial) =>
        area != "000" && area != "666" && area[0] != '9' && group != "00" && serial != "0000";

    // Local part and domain labels may be any letters (IDN: jöhn.müller@bücher.de); the TLD is letters or punycode.
    [GeneratedRegex(@"(?<![\p{L}\p{M}\p{N}._%+\-])[\p{L}\p{M}\p{N}._%+\-]+(?:['’][\p{L}\p{M}\p{N}._%+\-]+)*@[\p{L}\p{M}\p{N}\-]+(?:\.[\p{L}\p{M}\p{N}\-]+)*\.(?:\p{L}[\p{L}\p{M}]+|xn--[A-Za-z0-9\-]+)", RegexOptions.CultureInvariant)]
    private static partial Regex EmailPattern();

    // "john [at] example dot com", "john(at)example.com", "john @ example.com", "john [@] example.com", "john at example dot com"
    // (a bare "at" only with an obfuscated dot, and after a local part holding a letter: "10005 at 3 dot zip" is an amount
    // and a file name, and taking it for an address cut a card number written before it in two). That look-behind runs only
    // once " at " is there: before it, it rescanned the word at every position the local part gave back, so one word of
    // 40,000 letters took seconds.
    [GeneratedRegex(@"(?<![\p{L}\p{M}\p{N}._%+\-])[\p{L}\p{M}\p{N}._%+\-]+"
        + @"(?:(?:[ \t]*[\[\(\{<][ \t]*(?:at|@)[ \t]*[\]\)\}>][ \t]*|[ \t]+@[ \t]*|[ \t]*@[ \t]+)[\p{L}\p{M}\p{N}\-]+(?:(?:[ \t]*[\[\(\{<][ \t]*dot[ \t]*[\]\)\}>][ \t]*|[ \t]+dot[ \t]+|\.)[\p{L}\p{M}\p{N}\-]+)*(?:[ \t]*[\[\(\{<][ \t]*dot[ \t]*[\]\)\}>][ \t]*|[ \t]+dot[ \t]+|\.)"
        + @"|[ \t]+at[ \t]+(?<=\p{L}[\p{L}\p{M}\p{N}._%+\-]*[ \t]+at[ \t]+)[\p{L}\p{M}\p{N}\-]+(?:(?:[ \t]*[\[\(\{<][ \t]*dot[ \t]*[\]\)\}>][ \t]*|[ \t]+dot[ \t]+|\.)[\p{L}\p{M}\p{N}\-]+)*(?:[ \t]*[\[\(\{<][ \t]*dot[ \t]*[\]\)\}>][ \t]*|[ \t]+dot[ \t]+))"
        + @"\p{L}{2,}(?![\p{L}\p{M}\p{N}])", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex ObfuscatedEmailPattern();

    // One case throughout (DE89…, de89…): a mixed-case run is ordinary text. Groups may be joined by a space, '-', '/', '_'
    // or " - " (the view turns no-break spaces and en dashes into those).
    [GeneratedRegex(@"\b(?:[A-Z]{2}\d{2}(?:(?:[ \-/_]| - )?[A-Z0-9]{4}){2,7}(?:(?:[ \-/_]| - )?[A-Z0-9]{1,4})?|[a-z]{2}\d{2}(?:(?:[ \-/_]| - )?[a-z0-9]{4}){2,7}(?:(?:[ \-/_]| - )?[a-z0-9]{1,4})?)\b", RegexOptions.CultureInvariant)]
    private static partial Regex IbanPattern();

    // A run of digits with a space, dot or dash anywhere between them (RedactCard finds the card in it); or groups as cards
    // print them (4-4-4-4, 4-4-4-4-3, 4-4-5, 4-6-5, 4-6-4) joined by one of '/', '_', " - " throughout. Luhn and the issuer
    // decide. The " - " guards belong to the second form only: "#4711 — 4111 1111 1111 1111" and "4111 1111 1111 1111 —
    // 50%" (an em dash reads as '-') are cards; "1111 - 1111 - …" must not start inside a printed run.
    [GeneratedRegex(@"(?<![\p{L}\d\-]|\d[./_])(?:(?:\d[ .\-]?){12,60}\d(?![\d\-]|[./_]\d)|(?<!\d - )\d{4}(?<s>[/_]| - )(?:\d{4}\k<s>\d{4}\k<s>\d{1,4}(?:\k<s>\d{1,3})?|\d{4}\k<s>\d{5}|\d{6}\k<s>\d{4,5})(?![\d\-]|[./_]\d| - \d))", RegexOptions.CultureInvariant)]
    private static partial Regex CardPattern();

    [GeneratedRegex(@"(?<![\d-])(\d{3})[- ](\d{2})[- ](\d{4})(?![\d-])", RegexOptions.CultureInvariant)]
    private static partial Regex SsnPattern();

    [GeneratedRegex(@"^(\d{4}[-./]\d{1,2}[-./]\d{1,2}|\d{1,2}[-./]\d{1,2}[-./]\d{2,4})$", RegexOptions.CultureInvariant)]
    private static partial Regex DatePattern();

    [GeneratedRegex(@"^(?:(?:19|20)\d\d-(?:19|20)\d\d|\d{1,3}(?: \d{3})+-\d{1,3}(?: \d{3})+)$", RegexOptions.CultureInvariant)]
    private static partial Regex RangePattern();

    // After a country code one single digit may follow (+33 1 23 45 67 89); '/' separates an area code (0171/1234567).
    // Up to eight more groups: a run that holds a phone number and the numbers around it is read whole, and RedactPhone
    // finds the phone number in it (with four, the run could end in the middle of the phone number). A number after '#' is
    // an order or ticket number ("#4711-2290"). One glued to a word by a dash ("INV-2024-0042") is still read: "Tel-415-555-0199"
    // is written too, and a reference hidden from the model costs less than a phone number shown to it.
    [GeneratedRegex(@"(?<![\w\[#])(?:\+\d{1,3}[ .\-/]?(?:\d[ .\-/])?)?(?:\(\d{1,4}\)[ .\-/]?)?\d{2,4}(?:[ .\-/]?\d{2,4}){1,8}(?![\w\]])", RegexOptions.CultureInvariant)]
    private static partial Regex PhonePattern();

    [GeneratedRegex(@"^\[(EMAIL|PHONE|CARD|IBAN|SSN|NAME|ADDRESS)_([0-9]{1,6})\]$", RegexOptions.CultureInvariant)]
    private static partial Regex PlaceholderPattern();

    [GeneratedRegex(@"\[(?:EMAIL|PHONE|CARD|IBAN|SSN|NAME|ADDRESS)_[0-9]{1,6}\]", RegexOptions.CultureInvariant)]
    private static partial Regex PlaceholderInText();
}
