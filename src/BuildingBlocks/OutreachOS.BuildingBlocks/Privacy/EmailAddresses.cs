namespace OutreachOS.BuildingBlocks.Privacy;

/// <summary>A deliberately plain address check: one '@', a local part, a dotted domain, no spaces or angle brackets.</summary>
public static class EmailAddresses
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
