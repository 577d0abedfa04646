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

            foreach (var claim in ClaimsAfterNames(text))
            {
                AddAll(names, ListFrom(text, claim.ListStart));
            }
        }

        return names;
    }

    /// <summary>
    /// Claims made about the list of names just before them ("Ramp and Gong rely on us", "Ramp is a customer"): the
    /// claim and where its list starts.
    /// </summary>
    public static IEnumerable<(Match Claim, int ListStart)> ClaimsAfterNames(string text)
    {
        foreach (var pattern in (Regex[])[ClaimPatterns.RelianceAfterNames(), ClaimPatterns.CustomerNounAfterNames()])
        {
            foreach (Match claim in pattern.Matches(text))
            {
                if (ListBefore(text, claim.Index) is { } start)
                {
                    yield return (claim, start);
                }
            }
        }
    }

    /// <summary>
    /// Message-only claims that a list of names uses a named product ("Stripe and Brex use Outreachly"); a product
    /// that is a common capitalized word ("use AI") is not one.
    /// </summary>
    public static IEnumerable<(Match Claim, int ListStart)> ProductClaimsAfterNames(string text)
    {
        foreach (Match claim in ClaimPatterns.RelianceOnProductAfterNames().Matches(text))
        {
            var product = claim.Value[(claim.Value.LastIndexOfAny([' ', '\t', '\n']) + 1)..];
            if (!Lexicon.IsCommonCapitalized(product) && ListBefore(text, claim.Index) is { } start)
            {
                yield return (claim, start);
            }
        }
    }

    /// <summary>
    /// Where the list of capitalized names that ends at <paramref name="end"/> starts, read backwards word by word (a
    /// regex for "names, then a claim" backtracks over every word of a long capitalized run that has no claim after
    /// it). Names are words that start with a capital or a digit, joined by spaces, commas, "and", "or" or "&amp;". A
    /// list right after "on", "using", "with", "in", "inside", "via" or "from" names a tool ("teams on HubSpot use our
    /// drafts"), so it starts at its next name, if any.
    /// </summary>
    public static int? ListBefore(string text, int end)
    {
        var starts = new List<int>(); // word starts, last word first
        var at = end;
        while (true)
        {
            var wordStart = at;
            while (wordStart > 0 && IsNameChar(text[wordStart - 1]))
            {
                wordStart--;
            }

            if (wordStart == at || !(char.IsUpper(text[wordStart]) || char.IsAsciiDigit(text[wordStart])))
            {
                break;
            }

            starts.Add(wordStart);
            if (SeparatorBefore(text, wordStart) is not { } previousEnd)
            {
                break;
            }

            at = previousEnd;
        }

        for (var i = starts.Count - 1; i >= 0; i--)
        {
            if (!AfterToolPreposition(text, starts[i]))
            {
                return starts[i];
            }
        }

        return null;
    }

    /// <summary>The end of the word before a list separator that ends at <paramref name="at"/>: " ", ", ", ", and ", " and ", " &amp; ".</summary>
    private static int? SeparatorBefore(string text, int at)
    {
        var i = at;
        while (i > 0 && char.IsWhiteSpace(text[i - 1]))
        {
            i--;
        }

        if (i == at && (i == 0 || text[i - 1] != ','))
        {
            return null;
        }

        var conjunction = WordBefore(text, i);
        if (conjunction is "and" or "or" or "&" && i < at)
        {
            var j = i - conjunction.Length;
            var k = j;
            while (k > 0 && char.IsWhiteSpace(text[k - 1]))
            {
                k--;
            }

            if (k < j && k > 0)
            {
                i = k;
            }
        }

        if (i > 0 && text[i - 1] == ',')
        {
            i--;
            while (i > 0 && char.IsWhiteSpace(text[i - 1]))
            {
                i--;
            }
        }

        return i > 0 && IsNameChar(text[i - 1]) ? i : null;
    }

    private static bool AfterToolPreposition(string text, int start)
    {
        var i = start;
        while (i > 0 && char.IsWhiteSpace(text[i - 1]))
        {
            i--;
        }

        return i < start && WordBefore(text, i) is "on" or "using" or "with" or "in" or "inside" or "via" or "from";
    }

    /// <summary>The lower-case word of letters (or a lone "&amp;") that ends at <paramref name="end"/>, if it is one.</summary>
    private static string WordBefore(string text, int end)
    {
        if (end > 0 && text[end - 1] == '&')
        {
            return "&";
        }

        var start = end;
        while (start > 0 && char.IsLetter(text[start - 1]) && end - start < 8)
        {
            start--;
        }

        return start < end && (start == 0 || !char.IsLetterOrDigit(text[start - 1])) ? text[start..end].ToLowerInvariant() : string.Empty;
    }

    private static bool IsNameChar(char c) => char.IsLetterOrDigit(c) || c is '\'' or '’' or '.' or '&' or '-';

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
