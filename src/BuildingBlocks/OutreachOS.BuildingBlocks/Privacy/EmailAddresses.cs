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

    private static readonly System.Globalization.IdnMapping Idn = new() { AllowUnassigned = true };

    /// <summary>
    /// The form an address is matched by (the do-not-contact list's key, ADR 0031): <see cref="Canonical"/>, and for a
    /// non-ASCII address also composed (<see cref="CanonicalComposition"/>) with its domain in ASCII (IDNA, punycode). An
    /// ASCII address is its canonical form; a domain IDNA refuses stays as it is.
    /// </summary>
    public static string MatchKey(string email)
    {
        var canonical = Canonical(email);
        if (System.Text.Ascii.IsValid(canonical))
        {
            return canonical;
        }
        // string.Normalize does nothing under the host's invariant globalization: composed here (see its limits).
        var nfc = CanonicalComposition.Compose(canonical);
        var at = nfc.LastIndexOf('@');
        return at <= 0 || at == nfc.Length - 1 || AsciiDomain(nfc[(at + 1)..]) is not { } domain ? nfc : nfc[..(at + 1)] + domain;
    }

    /// <summary>The domain in ASCII (IDNA, punycode; composed first), lower case; null when IDNA refuses it.</summary>
    private static string? AsciiDomain(string domain)
    {
        try
        {
            return Idn.GetAscii(CanonicalComposition.Compose(domain)).ToLowerInvariant();
        }
        catch (ArgumentException)
        {
            return null;
        }
    }

    /// <summary>
    /// Every spelling the same address may have been stored under, lower case: as given, composed (NFC-like) and
    /// decomposed (<see cref="CanonicalComposition"/>), each with its domain in Unicode and in ASCII (IDNA, punycode):
    /// "josé@exämple.com" is also "jose\u0301@exa\u0308mple.com" and "josé@xn--exmple-cua.com". An ASCII address without a
    /// punycode label has one spelling. Used to find every mention of a data subject (erasure, ADR 0030).
    /// </summary>
    public static IReadOnlyList<string> Spellings(string email)
    {
        var canonical = Canonical(email);
        var at = canonical.LastIndexOf('@');
        if (at <= 0 || at == canonical.Length - 1 || (System.Text.Ascii.IsValid(canonical) && !canonical.Contains("xn--", StringComparison.Ordinal)))
        {
            return [canonical];
        }
        var local = canonical[..at];
        var domain = canonical[(at + 1)..];
        var domains = new List<string> { domain };
        if (AsciiDomain(domain) is { } ascii)
        {
            domains.Add(ascii);
            domains.Add(Idn.GetUnicode(ascii).ToLowerInvariant());
        }
        var spellings = new List<string>();
        foreach (var l in new[] { local, CanonicalComposition.Compose(local), CanonicalComposition.Decompose(local) })
        {
            foreach (var d in domains.SelectMany(d => new[] { d, CanonicalComposition.Compose(d), CanonicalComposition.Decompose(d) }))
            {
                var spelling = l + "@" + d;
                if (!spellings.Contains(spelling, StringComparer.Ordinal))
                {
                    spellings.Add(spelling);
                }
            }
        }
        return spellings;
    }
}
