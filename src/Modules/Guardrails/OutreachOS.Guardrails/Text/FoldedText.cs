namespace OutreachOS.Guardrails.Text;

/// <summary>
/// Text reduced to lower-case letters, digits and a few money/percent symbols, with a map back to the original
/// offsets. Matching a folded phrase against it ignores case, spacing and punctuation, so "A C T  N O W",
/// "act-now" and "Act now" all match "act now", while word boundaries are checked on the original text so
/// "contact nowadays" does not. Each char is first put through <see cref="TextNormalizer.Map"/>, so full-width and
/// look-alike letters ("ｒｉｓｋ", Cyrillic "rіsk") fold like their Latin forms, whoever built the text.
/// </summary>
internal sealed class FoldedText
{
    private readonly int[] _map;

    private FoldedText(string original, string folded, int[] map)
    {
        Original = original;
        Folded = folded;
        _map = map;
    }

    public string Original { get; }

    public string Folded { get; }

    public static FoldedText Create(string text)
    {
        var chars = new char[text.Length];
        var map = new int[text.Length];
        var n = 0;
        for (var i = 0; i < text.Length; i++)
        {
            var c = TextNormalizer.Map(text[i]);
            if (IsKept(c))
            {
                chars[n] = char.ToLowerInvariant(c);
                map[n] = i;
                n++;
            }
        }

        Array.Resize(ref map, n);
        return new FoldedText(text, new string(chars, 0, n), map);
    }

    /// <summary>Folds a phrase the same way (no offset map needed).</summary>
    public static string Fold(string text)
    {
        Span<char> buffer = text.Length <= 256 ? stackalloc char[text.Length] : new char[text.Length];
        var n = 0;
        foreach (var raw in text)
        {
            var c = TextNormalizer.Map(raw);
            if (IsKept(c))
            {
                buffer[n++] = char.ToLowerInvariant(c);
            }
        }

        return new string(buffer[..n]);
    }

    /// <summary>Original-text ranges (start, length) where the folded phrase occurs on word boundaries.</summary>
    public List<(int Start, int Length)> FindAll(string foldedPhrase)
    {
        var hits = new List<(int, int)>();
        if (foldedPhrase.Length == 0)
        {
            return hits;
        }

        var from = 0;
        while (from <= Folded.Length - foldedPhrase.Length)
        {
            var at = Folded.IndexOf(foldedPhrase, from, StringComparison.Ordinal);
            if (at < 0)
            {
                break;
            }

            var start = _map[at];
            var end = _map[at + foldedPhrase.Length - 1] + 1;
            if (IsBoundary(start - 1) && IsBoundary(end))
            {
                hits.Add((start, end - start));
            }

            from = at + 1;
        }

        return hits;
    }

    public bool Contains(string foldedPhrase) => FindAll(foldedPhrase).Count > 0;

    private bool IsBoundary(int index) => index < 0 || index >= Original.Length || !char.IsLetterOrDigit(Original[index]);

    private static bool IsKept(char c) => char.IsLetterOrDigit(c) || c is '%' or '$' or '#' or '€' or '£';
}
