namespace OutreachOS.Ingestion.Normalizing;

/// <summary>A deliberately plain address check: one '@', a local part, a dotted domain, no spaces or angle brackets.</summary>
internal static class EmailAddresses
{
    public static bool IsValid(string? email)
    {
        if (string.IsNullOrWhiteSpace(email) || email.Length > 254)
        {
            return false;
        }
        var at = email.LastIndexOf('@');
        if (at <= 0 || at == email.Length - 1 || email.IndexOf('@') != at)
        {
            return false;
        }
        var domain = email[(at + 1)..];
        return !email.Any(c => char.IsWhiteSpace(c) || c is '<' or '>' or ',' or ';' || char.IsControl(c))
            && domain.Contains('.', StringComparison.Ordinal) && !domain.StartsWith('.') && !domain.EndsWith('.')
            && !domain.Contains("..", StringComparison.Ordinal);
    }

    /// <summary>The form stored and compared: trimmed, lower-case (domains are case-insensitive; providers treat local parts so too).</summary>
    public static string Canonical(string email) => email.Trim().ToLowerInvariant();
}

/// <summary>RFC 5322 Message-IDs as compared for threading: angle brackets and surrounding space removed.</summary>
internal static class MessageIds
{
    public static string Bare(string id)
    {
        var s = id.Trim();
        return s.Length >= 2 && s[0] == '<' && s[^1] == '>' ? s[1..^1].Trim() : s;
    }

    /// <summary>Every id in a References/In-Reply-To value (which may hold several, separated by white space).</summary>
    public static IEnumerable<string> Split(string? value) => SplitRaw(value).Select(Bare).Where(x => x.Length > 0);

    /// <summary>Every id in a References/In-Reply-To value, as written (angle brackets kept).</summary>
    public static IEnumerable<string> SplitRaw(string? value) =>
        string.IsNullOrWhiteSpace(value)
            ? []
            : value.Split([' ', '\t', '\r', '\n', ','], StringSplitOptions.RemoveEmptyEntries);
}
