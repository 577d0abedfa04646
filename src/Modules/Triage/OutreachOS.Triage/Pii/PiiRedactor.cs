using System.Text;
using System.Text.RegularExpressions;
using OutreachOS.Triage.Pipeline;

namespace OutreachOS.Triage.Pii;

/// <summary>Text with PII replaced by placeholders, and the map back (placeholder → original) for template filling.</summary>
internal sealed record Redaction(string Text, IReadOnlyDictionary<string, string> Map, PiiCounts Counts);

/// <summary>
/// Replaces e-mail addresses, IBANs (mod-97 checked), card numbers (Luhn checked), US SSNs (valid ranges) and phone numbers
/// with reversible placeholders (<c>[EMAIL_1]</c>, <c>[IBAN_1]</c>, <c>[CARD_1]</c>, <c>[SSN_1]</c>, <c>[PHONE_1]</c>). The same
/// value gets the same placeholder. Order matters: the digit-heavy checked kinds go first so a card is never called a phone.
/// </summary>
internal sealed partial class PiiRedactor
{
    private readonly Dictionary<string, string> _map = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _byValue = new(StringComparer.Ordinal);
    private readonly Dictionary<string, int> _counts = new(StringComparer.Ordinal);

    /// <summary>Redacts several texts with one numbering (subject, body, sender line share placeholders).</summary>
    public string Redact(string text)
    {
        text = EmailPattern().Replace(text, m => Placeholder("EMAIL", m.Value));
        text = IbanPattern().Replace(text, m => IsValidIban(m.Value) ? Placeholder("IBAN", m.Value) : m.Value);
        text = CardPattern().Replace(text, m => IsLuhnCard(m.Value) ? Placeholder("CARD", m.Value) : m.Value);
        text = SsnPattern().Replace(text, m => IsValidSsn(m.Groups[1].Value, m.Groups[2].Value, m.Groups[3].Value) ? Placeholder("SSN", m.Value) : m.Value);
        text = PhonePattern().Replace(text, m => IsLikelyPhone(m.Value) ? Placeholder("PHONE", m.Value) : m.Value);
        return text;
    }

    public IReadOnlyDictionary<string, string> Map => _map;

    public PiiCounts Counts => new(Count("EMAIL"), Count("PHONE"), Count("CARD"), Count("IBAN"), Count("SSN"));

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

    private int Count(string kind) => _counts.TryGetValue(kind, out var n) ? n : 0;

    private string Placeholder(string kind, string value)
    {
        var key = kind + "\n" + value;
        if (_byValue.TryGetValue(key, out var existing))
        {
            return existing;
        }
        var n = Count(kind) + 1;
        _counts[kind] = n;
        var placeholder = $"[{kind}_{n}]";
        _byValue[key] = placeholder;
        _map[placeholder] = value;
        return placeholder;
    }

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
        var iban = candidate.Replace(" ", "", StringComparison.Ordinal).ToUpperInvariant();
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

    /// <summary>7-15 digits, written like a phone number (+, parentheses or separators; or 10+ bare digits), and not a date.</summary>
    internal static bool IsLikelyPhone(string candidate)
    {
        var digits = Digits(candidate).Length;
        if (digits is < 7 or > 15 || DatePattern().IsMatch(candidate))
        {
            return false;
        }
        var formatted = candidate.StartsWith('+') || candidate.Contains('(', StringComparison.Ordinal)
            || candidate.Any(c => c is ' ' or '.' or '-');
        return formatted || digits >= 10;
    }

    /// <summary>SSA rules: area not 000, 666 or 900-999; group not 00; serial not 0000.</summary>
    internal static bool IsValidSsn(string area, string group, string serial) =>
        area != "000" && area != "666" && area[0] != '9' && group != "00" && serial != "0000";

    internal static string Describe(PiiCounts c)
    {
        var sb = new StringBuilder();
        foreach (var (kind, n) in new[] { ("email", c.Email), ("phone", c.Phone), ("card", c.Card), ("iban", c.Iban), ("ssn", c.Ssn) })
        {
            if (n > 0)
            {
                sb.Append(sb.Length > 0 ? ", " : "").Append(n).Append(' ').Append(kind);
            }
        }
        return sb.ToString();
    }

    [GeneratedRegex(@"[A-Za-z0-9._%+\-]+@[A-Za-z0-9.\-]+\.[A-Za-z]{2,}", RegexOptions.CultureInvariant)]
    private static partial Regex EmailPattern();

    [GeneratedRegex(@"\b[A-Z]{2}\d{2}(?: ?[A-Z0-9]{4}){2,7}(?: ?[A-Z0-9]{1,4})?\b", RegexOptions.CultureInvariant)]
    private static partial Regex IbanPattern();

    [GeneratedRegex(@"(?<![\d-])(?:\d[ -]?){12,18}\d(?![\d-])", RegexOptions.CultureInvariant)]
    private static partial Regex CardPattern();

    [GeneratedRegex(@"(?<![\d-])(\d{3})[- ](\d{2})[- ](\d{4})(?![\d-])", RegexOptions.CultureInvariant)]
    private static partial Regex SsnPattern();

    [GeneratedRegex(@"^(\d{4}[-./]\d{1,2}[-./]\d{1,2}|\d{1,2}[-./]\d{1,2}[-./]\d{2,4})$", RegexOptions.CultureInvariant)]
    private static partial Regex DatePattern();

    [GeneratedRegex(@"(?<![\w\[])(?:\+\d{1,3}[ .\-]?)?(?:\(\d{1,4}\)[ .\-]?)?\d{2,4}(?:[ .\-]?\d{2,4}){1,4}(?![\w\]])", RegexOptions.CultureInvariant)]
    private static partial Regex PhonePattern();
}
