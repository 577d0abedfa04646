using OutreachOS.Guardrails.Contracts;
using OutreachOS.Guardrails.Text;

namespace OutreachOS.Guardrails.Checks;

/// <summary>A phrase with its finding; <see cref="Folded"/> is pre-computed for spacing-insensitive matching.</summary>
internal sealed record PhraseEntry(string Phrase, string Code, RiskSeverity Severity, string Reason)
{
    public string Folded { get; } = FoldedText.Fold(Phrase);
}

internal static class PhraseList
{
    /// <summary>Builds entries from "phrase|phrase|..." lines that share a code, severity and reason.</summary>
    public static IEnumerable<PhraseEntry> Of(string code, RiskSeverity severity, string reason, string phrases) =>
        phrases.Split(['|', '\n'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(p => new PhraseEntry(p, code, severity, reason));

    /// <summary>Orders entries longest first, which <see cref="Find"/> relies on to report "fucking" rather than "fuck".</summary>
    public static PhraseEntry[] LongestFirst(IEnumerable<PhraseEntry> entries) =>
        [.. entries.OrderByDescending(e => e.Folded.Length)];

    /// <summary>
    /// Finds every entry in the part, skipping hits covered by an allowed context phrase (e.g. "free" inside
    /// "feel free") or by an earlier, longer hit. Returns (entry, start, length) in original offsets.
    /// </summary>
    public static List<(PhraseEntry Entry, int Start, int Length)> Find(
        Evaluation.MessageText part, IReadOnlyList<PhraseEntry> entries, IReadOnlyList<string> allowedFolded)
    {
        var hits = new List<(PhraseEntry, int, int)>();
        List<(int Start, int Length)>? allowed = null;
        foreach (var entry in entries)
        {
            if (entry.Folded.Length == 0 || !part.Folded.Folded.Contains(entry.Folded, StringComparison.Ordinal))
            {
                continue; // cheap pre-filter: most entries never occur
            }

            foreach (var (start, length) in part.Folded.FindAll(entry.Folded))
            {
                allowed ??= AllowedRanges(part.Folded, allowedFolded);
                if (!allowed.Any(a => a.Start <= start && start + length <= a.Start + a.Length)
                    && !hits.Any(h => h.Item2 <= start && start + length <= h.Item2 + h.Item3))
                {
                    hits.Add((entry, start, length));
                }
            }
        }

        return hits;
    }

    private static List<(int Start, int Length)> AllowedRanges(FoldedText text, IReadOnlyList<string> allowedFolded)
    {
        var ranges = new List<(int, int)>();
        foreach (var phrase in allowedFolded)
        {
            if (text.Folded.Contains(phrase, StringComparison.Ordinal))
            {
                ranges.AddRange(text.FindAll(phrase));
            }
        }

        return ranges;
    }
}
