namespace OutreachOS.Ingestion.Normalizing;

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
