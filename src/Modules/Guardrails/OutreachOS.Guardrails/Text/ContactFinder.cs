using System.Buffers;
using System.Text.RegularExpressions;

namespace OutreachOS.Guardrails.Text;

internal enum ContactKind
{
    Email,
    Phone,
    Url,
}

/// <summary>An e-mail address, phone number or link, with a normalized form for comparison with the sources.</summary>
internal sealed record Contact(ContactKind Kind, int Start, int Length, string Text, string Normalized);

internal static partial class ContactFinder
{
    public static List<Contact> Extract(string text)
    {
        var found = new List<Contact>();
        var span = text.AsSpan();
        var spelledEmails = span.ContainsAny(SpelledAtAnchors) ? SpelledEmailRegex().Matches(text) : (IEnumerable<Match>)[];
        var urls = span.ContainsAny(UrlAnchors) ? UrlRegex().Matches(text) : (IEnumerable<Match>)[];
        var emails = span.Contains('@') ? EmailRegex().Matches(text) : (IEnumerable<Match>)[];
        var phones = span.ContainsAnyInRange('0', '9') ? PhoneRegex().Matches(text) : (IEnumerable<Match>)[];
        // "tom [at] outreachly [dot] com" is still an address: normalized to tom@outreachly.com.
        foreach (var m in spelledEmails)
        {
            var domain = SpelledDot().Replace(m.Groups["domain"].Value, ".");
            found.Add(new Contact(ContactKind.Email, m.Index, m.Length, m.Value, $"{m.Groups["local"].Value}@{domain}".ToLowerInvariant()));
        }

        foreach (var m in urls)
        {
            var value = m.Value.TrimEnd('.', ',', ';', ':', '!', '?');
            if (!Inside(found, m.Index))
            {
                found.Add(new Contact(ContactKind.Url, m.Index, value.Length, value, NormalizeUrl(value)));
            }
        }

        foreach (var m in emails)
        {
            if (!Inside(found, m.Index))
            {
                found.Add(new Contact(ContactKind.Email, m.Index, m.Length, m.Value, m.Value.ToLowerInvariant()));
            }
        }

        foreach (var m in phones)
        {
            var digits = new string(m.Value.Where(char.IsAsciiDigit).ToArray());
            // Nine digits, or eight with an international/area-code marker: "2024 - 2025" is not a phone number.
            var looksLikePhone = digits.Length >= 9 || (digits.Length >= 8 && (m.Value[0] is '+' or '('));
            if (looksLikePhone && !Inside(found, m.Index))
            {
                found.Add(new Contact(ContactKind.Phone, m.Index, m.Length, m.Value, digits));
            }
        }

        return found;
    }

    // A bare domain ends in one of these (the top-level domains of UrlRegex): "calendly.com/tom", "bit.ly/3kQz",
    // "outreachly.io". Anything else with a dot ("Node.js", "e.g.", "ASP.NET") is not taken for a link.
    private static readonly SearchValues<string> UrlAnchors = SearchValues.Create(
        ["http", "www.", ".com", ".net", ".org", ".io", ".co", ".ai", ".app", ".dev", ".me", ".ly", ".us", ".uk", ".de", ".fr",
         ".eu", ".ca", ".au", ".in", ".so", ".xyz", ".info", ".biz", ".link", ".page", ".to", ".gl", ".gd", ".gy", ".at", ".cc",
         ".tv", ".fm", ".gg", ".site", ".online", ".tech", ".pro", ".nl", ".es", ".it", ".se", ".ch", ".be", ".ie", ".nz"],
        StringComparison.OrdinalIgnoreCase);

    private static readonly SearchValues<string> SpelledAtAnchors = SearchValues.Create(
        ["[at", "(at", "{at", "<at", "[ at", "( at", " dot "], StringComparison.OrdinalIgnoreCase);

    public static string NormalizeUrl(string url)
    {
        var u = url.ToLowerInvariant();
        foreach (var prefix in (string[])["https://", "http://"])
        {
            if (u.StartsWith(prefix, StringComparison.Ordinal))
            {
                u = u[prefix.Length..];
            }
        }

        if (u.StartsWith("www.", StringComparison.Ordinal))
        {
            u = u[4..];
        }

        return u.TrimEnd('/');
    }

    /// <summary>The host of a normalized link ("calendly.com/tom" → "calendly.com"), or of an address's domain.</summary>
    public static string Host(string normalized)
    {
        var at = normalized.LastIndexOf('@');
        var host = at >= 0 ? normalized[(at + 1)..] : normalized;
        var end = host.AsSpan().IndexOfAny('/', '?', '#');
        return end < 0 ? host : host[..end];
    }

    private static bool Inside(List<Contact> found, int index)
    {
        foreach (var c in found)
        {
            if (index >= c.Start && index < c.Start + c.Length)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>
    /// A link with a scheme or "www.", or a bare domain with a common top-level domain written in lower case, with or
    /// without a path; never the domain of an e-mail address.
    /// </summary>
    [GeneratedRegex("""
        \b(?:https?://|www\.)[^\s<>"'()\[\]]+
        |(?<![\p{L}\p{N}@._%+/-])
         [\p{L}\p{N}](?:[\p{L}\p{N}-]*[\p{L}\p{N}])?(?:\.[\p{L}\p{N}](?:[\p{L}\p{N}-]*[\p{L}\p{N}])?)*
         \.(?-i:com|net|org|io|co|ai|app|dev|me|ly|us|uk|de|fr|eu|ca|au|in|so|xyz|info|biz|link|page|to|gl|gd|gy|at|cc|tv|fm|gg|site|online|tech|pro|nl|es|it|se|ch|be|ie|nz)
         (?![\p{L}\p{N}@_-])(?:[/?#][^\s<>"'()\[\]]*)?
        """, RegexOptions.IgnoreCase | RegexOptions.CultureInvariant | RegexOptions.IgnorePatternWhitespace)]
    private static partial Regex UrlRegex();

    /// <summary>An address written out against scrapers: "tom [at] outreachly [dot] com", "tom (at) outreachly.com", "tom at outreachly dot com".</summary>
    [GeneratedRegex("""
        (?<![\p{L}\p{N}._%+-])(?<local>[\p{L}\p{N}._%+-]+)
        (?:\s*[\[({<]\s*at\s*[\])}>]\s*(?<domain>[\p{L}\p{N}-]+(?:(?:\s*[\[({<]\s*dot\s*[\])}>]\s*|\.|\s+dot\s+)[\p{L}\p{N}-]+)+)
          |\s+at\s+(?<domain>[\p{L}\p{N}-]+(?:\s+dot\s+[\p{L}\p{N}-]+)*\s+dot\s+(?:com|net|org|io|co|ai))\b)
        """, RegexOptions.IgnoreCase | RegexOptions.CultureInvariant | RegexOptions.IgnorePatternWhitespace)]
    private static partial Regex SpelledEmailRegex();

    [GeneratedRegex(@"\s*[\[({<]\s*dot\s*[\])}>]\s*|\s+dot\s+", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex SpelledDot();

    [GeneratedRegex(@"[\p{L}\p{N}._%+-]+@[\p{L}\p{N}-]+(?:\.[\p{L}\p{N}-]+)*\.\p{L}{2,}", RegexOptions.CultureInvariant)]
    private static partial Regex EmailRegex();

    [GeneratedRegex(@"(?<![\p{L}\p{N}])(?:\+|\()?\d[\d\s().-]{6,}\d(?![\p{L}\p{N}])", RegexOptions.CultureInvariant)]
    private static partial Regex PhoneRegex();
}
