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
                  .Append('"').Append(span.Text).Append("\": ");
            }

            sb.Append(flag.Detail.TrimEnd('.')).Append(". ").Append(RiskCodes.FixHint(flag.Code)).Append('\n');
        }

        if (truncated)
        {
            sb.Append("- (and more of the same kinds)\n");
        }

        return sb.ToString();
    }
}
