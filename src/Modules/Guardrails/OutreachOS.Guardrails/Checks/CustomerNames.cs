using System.Text.RegularExpressions;
using OutreachOS.Guardrails.Text;

namespace OutreachOS.Guardrails.Checks;

/// <summary>
/// Lists of capitalized names ("Stripe, Notion and Goldman Sachs") and the names a source text presents as customers
/// or partners. A name counts only inside the phrase that presents it: in "Customers include Ramp. We integrate with
/// Salesforce." Ramp is a customer and Salesforce is not, nor is it in "Our customer Ramp uses Salesforce".
/// </summary>
internal static partial class CustomerNames
{
    /// <summary>The names of a list that starts at <paramref name="at"/>: "Stripe, Notion and Goldman Sachs".</summary>
    public static List<(int Start, string Text)> ListFrom(string text, int at)
    {
        var names = new List<(int Start, string Text)>();
        while (true)
        {
            var name = ClaimPatterns.CapitalizedName().Match(text, at);
            if (!name.Success)
            {
                break;
            }

            var group = name.Groups["name"];
            names.Add((group.Index, TrimPossessive(group.Value.TrimEnd('.', '’', '\''))));
            at = name.Index + name.Length;
            var separator = ClaimPatterns.NameSeparator().Match(text, at);
            if (!separator.Success)
            {
                break;
            }

            at = separator.Index + separator.Length;
        }

        return names;
    }

    public static string TrimPossessive(string token) =>
        token.EndsWith("'s", StringComparison.Ordinal) || token.EndsWith("’s", StringComparison.Ordinal) ? token[..^2] : token;

    /// <summary>
    /// The names that <paramref name="sources"/> present as customers or partners, one sentence at a time: after a
    /// cue ("customers include A, B and C", "Customer logos: A", "Case study: A", "our customer A", "trusted by A",
    /// "we work with A", "helped A") or before one ("A and B are customers", "A is a client of ours", "A relies on
    /// us", "A uses our product"). Other names in the same sentence or line are not customers.
    /// </summary>
    public static List<string> PresentedIn(string sources)
    {
        var names = new List<string>();
        if (!ClaimPatterns.SourceCustomerAnchors.MayMatch(sources))
        {
            return names;
        }

        foreach (var sentence in SentenceSplitter.Split(sources))
        {
            var text = sentence.Text;
            if (!ClaimPatterns.SourceCustomerAnchors.MayMatch(text))
            {
                continue;
            }

            foreach (Match cue in ClaimPatterns.CustomerCueBeforeNames().Matches(text))
            {
                AddAll(names, ListFrom(text, cue.Index + cue.Length));
            }

            foreach (Match claim in ClaimPatterns.NamesBeforeReliance().Matches(text))
            {
                AddAll(names, ListFrom(text, claim.Groups["names"].Index));
            }

            foreach (Match claim in ClaimPatterns.NamesBeforeCustomerNoun().Matches(text))
            {
                AddAll(names, ListFrom(text, claim.Groups["names"].Index));
            }
        }

        return names;
    }

    private static void AddAll(List<string> names, List<(int Start, string Text)> found)
    {
        foreach (var (_, text) in found)
        {
            if (text.Length > 0)
            {
                names.Add(text);
            }
        }
    }
}
