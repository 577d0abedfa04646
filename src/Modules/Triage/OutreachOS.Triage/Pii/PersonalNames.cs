using System.Text.RegularExpressions;

namespace OutreachOS.Triage.Pii;

/// <summary>
/// Whether a From display name looks like a person's name. The display name is whatever the sender typed (an attacker can
/// write <c>"https://evil.example/reset Support" &lt;victim@customer.com&gt;</c>), so a reply greets only a name made of
/// letters (accented too), apostrophes, hyphens and initials; anything else (digits, links, '@', symbols) gets the
/// template's generic greeting. This cannot tell "Reset Password" from "Jane Doe": it keeps links, addresses, phone numbers
/// and figures out of a reply, not every word.
/// </summary>
internal static partial class PersonalNames
{
    public const int MaxFirstName = 40;
    public const int MaxFullName = 80;

    /// <summary>The display name, trimmed, when every word looks like part of a personal name (at most 5 words); else null.</summary>
    public static string? Full(string? displayName)
    {
        var name = MatchText.Fold(displayName).Trim().Trim('"', '\'').Trim();
        if (name.Length is 0 or > MaxFullName)
        {
            return null;
        }

        var words = name.Split([' ', ','], StringSplitOptions.RemoveEmptyEntries);
        return words.Length is >= 1 and <= 5 && words.All(w => NameWord().IsMatch(w)) && words.Any(w => w.TrimEnd('.').Length >= 2)
            ? string.Join(' ', name.Split(' ', StringSplitOptions.RemoveEmptyEntries))
            : null;
    }

    /// <summary>
    /// The name to greet: the first word of a personal-looking display name ("Smith, Jane" → Jane), not an initial,
    /// at most <see cref="MaxFirstName"/> characters; else null.
    /// </summary>
    public static string? First(string? displayName)
    {
        if (Full(displayName) is not { } full)
        {
            return null;
        }

        var comma = full.IndexOf(',', StringComparison.Ordinal);
        var given = comma > 0 && comma < full.Length - 1 ? full[(comma + 1)..] : full;
        var first = given.Split([' ', ','], StringSplitOptions.RemoveEmptyEntries).FirstOrDefault();
        return first is { Length: >= 2 and <= MaxFirstName } && !first.EndsWith('.') ? first : null;
    }

    // A letter first; then letters, combining marks, apostrophes or hyphens; an initial may end with a dot ("J.").
    [GeneratedRegex(@"^\p{L}[\p{L}\p{M}'’\-]{0,39}\.?$", RegexOptions.CultureInvariant)]
    private static partial Regex NameWord();
}
