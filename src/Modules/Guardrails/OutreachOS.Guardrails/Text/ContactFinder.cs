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
        var urls = span.ContainsAny(UrlAnchors) ? UrlRegex().Matches(text) : (IEnumerable<Match>)[];
        var emails = span.Contains('@') ? EmailRegex().Matches(text) : (IEnumerable<Match>)[];
        var phones = span.ContainsAnyInRange('0', '9') ? PhoneRegex().Matches(text) : (IEnumerable<Match>)[];
        foreach (var m in urls)
        {
            var value = m.Value.TrimEnd('.', ',', ';', ':', '!', '?');
            found.Add(new Contact(ContactKind.Url, m.Index, value.Length, value, NormalizeUrl(value)));
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

    [GeneratedRegex(@"\b(?:https?://|www\.)[^\s<>""'()\[\]]+", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex UrlRegex();

    [GeneratedRegex(@"[\p{L}\p{N}._%+-]+@[\p{L}\p{N}-]+(?:\.[\p{L}\p{N}-]+)*\.\p{L}{2,}", RegexOptions.CultureInvariant)]
    private static partial Regex EmailRegex();

    [GeneratedRegex(@"(?<![\p{L}\p{N}])(?:\+|\()?\d[\d\s().-]{6,}\d(?![\p{L}\p{N}])", RegexOptions.CultureInvariant)]
    private static partial Regex PhoneRegex();
}
