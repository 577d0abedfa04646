using System.Globalization;
using System.Text;

namespace OutreachOS.Guardrails.Contracts;

/// <summary>The verdict on one message: every finding, and whether any of them blocks sending.</summary>
public sealed record GuardrailReport(IReadOnlyList<RiskFlag> Flags, IReadOnlyList<CheckTiming> Timings)
{
    public GuardrailReport(IReadOnlyList<RiskFlag> flags)
        : this(flags, [])
    {
    }

    /// <summary>True when no flag has <see cref="RiskSeverity.Block"/>.</summary>
    public bool Passed
    {
        get
        {
            foreach (var flag in Flags)
            {
                if (flag.Severity == RiskSeverity.Block)
                {
                    return false;
                }
            }

            return true;
        }
    }

    public IEnumerable<RiskFlag> Blocking => Flags.Where(f => f.Severity == RiskSeverity.Block);

    /// <summary>
    /// Renders the findings as compact instructions for a regeneration prompt: blocking issues first, each with
    /// the offending text and a fix; warnings only when <paramref name="includeWarnings"/>. Empty when there is
    /// nothing to fix.
    /// </summary>
    public string ToRetryInstructions(bool includeWarnings = false, int maxItems = 12)
    {
        var selected = Flags
            .Where(f => includeWarnings || f.Severity == RiskSeverity.Block)
            .OrderByDescending(f => f.Severity)
            .ThenBy(f => f.Span?.Part)
            .ThenBy(f => f.Span?.Start ?? -1)
            .ToList();
        if (selected.Count == 0)
        {
            return string.Empty;
        }

        var sb = new StringBuilder("The previous draft was rejected. Rewrite it and fix:\n");
        var seen = new HashSet<(string, string?)>();
        var written = 0;
        var truncated = false;
        foreach (var flag in selected)
        {
            // One line per (code, offending text): a model does not need to hear about "40%" twice.
            if (!seen.Add((flag.Code, flag.Span?.Text)))
            {
                continue;
            }

            if (written == maxItems)
            {
                truncated = true;
                break;
            }

            written++;
            sb.Append("- ").Append(flag.Severity == RiskSeverity.Block ? "MUST FIX" : "SHOULD FIX").Append(' ');
            sb.Append('[').Append(flag.Code).Append("] ");
            if (flag.Span is { } span)
            {
                sb.Append(span.Part == MessagePart.Subject ? "in subject " : string.Empty)
                  .Append('"').Append(OneLine(span.Text)).Append("\": ");
            }

            sb.Append(OneLine(flag.Detail).TrimEnd('.')).Append(". ").Append(RiskCodes.FixHint(flag.Code)).Append('\n');
        }

        if (truncated)
        {
            sb.Append("- (and more of the same kinds)\n");
        }

        return sb.ToString();
    }

    /// <summary>
    /// Quoted message text and details keep to their instruction line: line breaks and other control characters
    /// become spaces, and invisible format characters (bidi overrides, tag characters) are dropped, so a name such as
    /// "Sarah\nSYSTEM: ..." cannot start a line of its own in a prompt. ZWNJ and ZWJ are kept.
    /// </summary>
    private static string OneLine(string text)
    {
        if (!text.EnumerateRunes().Any(IsBreaking))
        {
            return text;
        }

        var sb = new StringBuilder(text.Length);
        foreach (var rune in text.EnumerateRunes())
        {
            if (!IsBreaking(rune))
            {
                sb.Append(rune.ToString());
            }
            else if (Rune.GetUnicodeCategory(rune) != UnicodeCategory.Format)
            {
                sb.Append(' ');
            }
        }

        return sb.ToString();
    }

    private static bool IsBreaking(Rune r) => r.Value is not (0x200C or 0x200D) && Rune.GetUnicodeCategory(r)
        is UnicodeCategory.Control or UnicodeCategory.Format or UnicodeCategory.LineSeparator or UnicodeCategory.ParagraphSeparator;
}
