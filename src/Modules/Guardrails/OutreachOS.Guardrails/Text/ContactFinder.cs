using System.Buffers;
using System.Collections.Frozen;
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
            AddLink(found, text, m.Index, m.Length);
        }

        if (span.Contains('.'))
        {
            FindBareLinks(text, found);
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

    private static readonly SearchValues<string> UrlAnchors = SearchValues.Create(["http", "www."], StringComparison.OrdinalIgnoreCase);
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

    private static void AddLink(List<Contact> found, string text, int start, int length)
    {
        var value = text.Substring(start, length).TrimEnd('.', ',', ';', ':', '!', '?');
        if (value.Length > 0 && !Inside(found, start))
        {
            found.Add(new Contact(ContactKind.Url, start, value.Length, value, NormalizeUrl(value)));
        }
    }

    /// <summary>
    /// Bare links: a host of dot-separated labels (letters, digits, inner hyphens) whose last label is a top-level
    /// domain written in lower case, with or without a path: "calendly.com/tom", "book.shop/x", "acme.io". The host
    /// may not follow "@", ".", "_", "%", "+", "/" or "-" (an address's domain, a path) nor precede "@" or "_" (an
    /// address's local part, an identifier). A linear scan over the dots: no regex backtracking on long dotted runs.
    /// </summary>
    private static void FindBareLinks(string text, List<Contact> found)
    {
        var at = text.IndexOf('.', StringComparison.Ordinal);
        while (at >= 0)
        {
            var start = at;
            while (start > 0 && IsHostChar(text[start - 1]))
            {
                start--;
            }

            var end = at + 1;
            while (end < text.Length && IsHostChar(text[end]))
            {
                end++;
            }

            var next = end;
            if (start < at && (start == 0 || !IsBeforeHostExcluded(text[start - 1])) && (end == text.Length || text[end] is not ('@' or '_')))
            {
                next = TakeBareLink(text, found, start, end);
            }

            next = Math.Max(next, end); // past the whole token, so a trailing dot ("acme.io.") is not read again
            at = next < text.Length ? text.IndexOf('.', next) : -1;
        }
    }

    /// <summary>Reads one host-like token (text[start..end)); returns where the scan goes on.</summary>
    private static int TakeBareLink(string text, List<Contact> found, int start, int end)
    {
        var token = text.AsSpan(start, end - start).TrimEnd(".-");
        var hostEnd = start + token.Length;
        var labels = token.Count('.') + 1;
        if (labels < 2 || token[0] is '.' or '-' || !ValidLabels(token))
        {
            return end;
        }

        var lastDot = token.LastIndexOf('.');
        var tld = token[(lastDot + 1)..];
        var hasPath = hostEnd == end && end < text.Length && text[end] is '/' or '?' or '#';
        // "Calendly.COM/tom": a top-level domain in capitals is read as one when a path follows; without one, "ASP.NET"
        // and "it.SO" are a product name and a sentence run on, not links.
        var tldKey = hasPath && IsUpperAscii(tld) ? tld.ToString().ToLowerInvariant().AsSpan() : tld;
        var isLink = IsKnownTld(tldKey)
            ? hasPath || !FileExtensionTlds.Contains(tldKey)
            : hasPath && IsLowerAscii(tld) && tld.Length <= 24 && !FileExtensions.Contains(tld) && IsLowerHost(token);
        if (!isLink)
        {
            // "acme.com.Next": a sentence run on after a link without its space.
            var host = token[..lastDot];
            var dot = host.LastIndexOf('.');
            if (dot > 0 && char.IsUpper(tld[0]) && IsKnownTld(host[(dot + 1)..]) && !FileExtensionTlds.Contains(host[(dot + 1)..]))
            {
                AddLink(found, text, start, host.Length);
            }

            return end;
        }

        var linkEnd = hostEnd;
        if (hasPath)
        {
            while (linkEnd < text.Length && !char.IsWhiteSpace(text[linkEnd]) && text[linkEnd] is not ('<' or '>' or '"' or '\'' or '(' or ')' or '[' or ']'))
            {
                linkEnd++;
            }
        }

        AddLink(found, text, start, linkEnd - start);
        return linkEnd;
    }

    private static bool IsHostChar(char c) => char.IsLetterOrDigit(c) || c is '.' or '-';

    private static bool IsBeforeHostExcluded(char c) => c is '@' or '_' or '%' or '+' or '/';

    private static bool ValidLabels(ReadOnlySpan<char> host)
    {
        foreach (var range in host.Split('.'))
        {
            var label = host[range];
            if (label.Length == 0 || label[0] == '-' || label[^1] == '-')
            {
                return false;
            }
        }

        return true;
    }

    private static bool IsKnownTld(ReadOnlySpan<char> s) => IsLowerAscii(s) && TopLevelDomains.Lookup.Contains(s);

    private static bool IsLowerAscii(ReadOnlySpan<char> s) => s.Length >= 2 && !s.ContainsAnyExceptInRange('a', 'z');

    private static bool IsUpperAscii(ReadOnlySpan<char> s) => s.Length >= 2 && !s.ContainsAnyExceptInRange('A', 'Z');

    private static bool IsLowerHost(ReadOnlySpan<char> host)
    {
        foreach (var c in host)
        {
            if (char.IsUpper(c))
            {
                return false;
            }
        }

        return true;
    }

    // Real top-level domains that are far more often file extensions in prose ("README.md", "setup.py",
    // "backup.zip"): without a path they are not taken for links; with one ("install.sh/docs") they are.
    private static readonly FrozenSet<string>.AlternateLookup<ReadOnlySpan<char>> FileExtensionTlds = FrozenSet.ToFrozenSet(
        ["md", "py", "rs", "sh", "pl", "pm", "zip", "mov", "tf"], StringComparer.Ordinal).GetAlternateLookup<ReadOnlySpan<char>>();

    // Extensions that are not top-level domains: "node.js/deno" is a pair of runtimes, not a link with a path.
    private static readonly FrozenSet<string>.AlternateLookup<ReadOnlySpan<char>> FileExtensions = FrozenSet.ToFrozenSet(
        ["js", "ts", "jsx", "tsx", "mjs", "cjs", "json", "yaml", "yml", "xml", "csv", "tsv", "txt", "pdf", "doc", "docx", "xls",
         "xlsx", "ppt", "pptx", "png", "jpg", "jpeg", "gif", "svg", "webp", "gz", "tar", "rar", "exe", "dll", "rb", "go", "java",
         "kt", "cs", "cpp", "hpp", "php", "html", "htm", "css", "scss", "sql", "log", "ini", "cfg", "toml", "lock", "sln", "csproj"],
        StringComparer.Ordinal).GetAlternateLookup<ReadOnlySpan<char>>();

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

    /// <summary>A link with a scheme or "www.", up to the next space, quote or bracket.</summary>
    [GeneratedRegex("""\b(?:https?://|www\.)[^\s<>"'()\[\]]+""", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
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
