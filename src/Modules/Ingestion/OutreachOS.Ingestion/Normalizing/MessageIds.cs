namespace OutreachOS.Ingestion.Normalizing;

/// <summary>RFC 5322 Message-IDs as compared for threading: angle brackets and surrounding space removed.</summary>
internal static class MessageIds
{
    public static string Bare(string id)
    {
        var s = id.Trim();
        return s.Length >= 2 && s[0] == '<' && s[^1] == '>' ? s[1..^1].Trim() : s;
    }

    /// <summary>
    /// The Message-ID a provider's message is kept under: the header as written, or <paramref name="providerId"/> (stable:
    /// <c>graph:{resource}</c>, <c>gmail:{id}</c>) when the header is missing, empty inside its angle brackets (<c>&lt;&gt;</c>
    /// would put every such message of an organization on one stream) or longer than a header line may be.
    /// </summary>
    public static string UsableOr(string? id, string providerId) =>
        id is not null && Bare(id).Length > 0 && id.Trim().Length <= EmailNormalizer.MaxMessageIdChars ? id : providerId;

    /// <summary>Every id in a References/In-Reply-To value (which may hold several, separated by white space).</summary>
    public static IEnumerable<string> Split(string? value) => SplitRaw(value).Select(Bare).Where(x => x.Length > 0);

    /// <summary>Every id in a References/In-Reply-To value, as written (angle brackets kept).</summary>
    public static IEnumerable<string> SplitRaw(string? value) =>
        string.IsNullOrWhiteSpace(value)
            ? []
            : value.Split([' ', '\t', '\r', '\n', ','], StringSplitOptions.RemoveEmptyEntries);
}
