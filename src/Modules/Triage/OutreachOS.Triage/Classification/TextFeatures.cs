using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace OutreachOS.Triage.Classification;

/// <summary>
/// Turns a message into what the classifier scores: the new text only (quoted history and the signature removed), split into
/// lower-case word tokens, each stemmed (<see cref="Stemmer"/>). The lexicon phrases are tokenized the same way, so a phrase
/// matches whatever inflection the sender used ("rescheduling" matches "reschedule").
/// </summary>
internal static partial class TextFeatures
{
    /// <summary>
    /// Lower-case word tokens. Apostrophes are handled so negations survive ("can't" → "cant", "doesn’t" → "doesnt") and other
    /// clitics go ("we're" → "we", "company's" → "company"); a French or Italian elision splits ("n'arrive" → "n", "arrive");
    /// accents are folded ("contraseña" → "contrasena"); everything that is not a letter or digit separates words.
    /// </summary>
    public static IReadOnlyList<string> Tokenize(string text)
    {
        var tokens = new List<string>();
        var current = new StringBuilder();
        var i = 0;
        while (i < text.Length)
        {
            var c = text[i];
            if (char.IsLetterOrDigit(c))
            {
                current.Append(char.ToLowerInvariant(c));
                i++;
                continue;
            }
            if (c is '\'' or '’' && current.Length > 0 && i + 1 < text.Length && char.IsLetter(text[i + 1]))
            {
                // "n't" keeps the negation glued on; any other clitic ('re, 's, 'll, 've, 'd, 'm) is dropped.
                var end = i + 1;
                while (end < text.Length && char.IsLetter(text[end]))
                {
                    end++;
                }
                var clitic = text.AsSpan(i + 1, end - i - 1);
                if (end - i == 2 && char.ToLowerInvariant(text[i + 1]) == 't' && current[^1] == 'n')
                {
                    current.Append('t');
                }
                else if (!EnglishClitic(clitic))
                {
                    // French and Italian elision ("n'arrive", "l'accès", "dell'abbonamento"): the word after the apostrophe is
                    // the one that carries meaning, so both parts are words.
                    Flush(tokens, current);
                    i++;
                    continue;
                }
                i = end;
                continue;
            }
            Flush(tokens, current);
            i++;
        }
        Flush(tokens, current);
        return tokens;
    }

    public static IReadOnlyList<string> Stems(string text) => [.. Tokenize(text).Select(Stemmer.Stem)];

    /// <summary>The part of the body the sender wrote now: no quoted history, no signature.</summary>
    public static string NewText(string text) => StripSignature(StripQuoted(text));

    /// <summary>
    /// Drops quoted history: "&gt;" lines, and an "On … wrote:" / "-----Original Message-----" / "From: … Sent:" header with
    /// what follows it. When the history after such a header is quoted with "&gt;", only those lines go: text written below
    /// or between them is the sender's ("&gt; …\n\nNo. Please remove me from your list." is a bottom-posted answer, and an
    /// opt-out there must be seen). History without "&gt;" (mail converted from HTML) runs to the end and goes whole.
    /// </summary>
    public static string StripQuoted(string text)
    {
        var kept = new StringBuilder(text.Length);
        var at = 0;
        while (at < text.Length && QuoteHeader().Match(text, at) is { Success: true } header)
        {
            kept.Append(text, at, header.Index - at);
            at = header.Index + header.Length;
            if (!QuotedLinesFollow(text, at))
            {
                at = text.Length;
            }
        }
        kept.Append(text, at, text.Length - at);
        return string.Join('\n', kept.ToString().Split('\n').Where(l => !l.TrimStart().StartsWith('>')));
    }

    /// <summary>Whether the first non-blank line after the one holding <paramref name="from"/> starts with "&gt;".</summary>
    private static bool QuotedLinesFollow(string text, int from)
    {
        var line = text.IndexOf('\n', from);
        while (line >= 0)
        {
            var start = line + 1;
            var end = text.IndexOf('\n', start);
            var content = text.AsSpan(start, (end < 0 ? text.Length : end) - start).Trim();
            if (content.Length > 0)
            {
                return content[0] == '>';
            }
            line = end;
        }
        return false;
    }

    /// <summary>
    /// Cuts the signature: at a "-- " delimiter or a "Sent from my …" line, or at a sign-off line standing alone ("Best,",
    /// "Kind regards", "Thanks!") followed by at most six short lines (name, title, company, phone). A sign-off on the first
    /// line, or one followed by real text, is kept: "Thanks, the fix worked" is content.
    /// </summary>
    public static string StripSignature(string text)
    {
        var lines = text.Replace("\r\n", "\n", StringComparison.Ordinal).Split('\n');
        for (var i = 0; i < lines.Length; i++)
        {
            var line = lines[i].Trim();
            if (lines[i].TrimEnd() == "--" || lines[i] == "-- " || SentFrom().IsMatch(line))
            {
                return string.Join('\n', lines[..i]);
            }
            if (i > 0 && SignOff().IsMatch(line) && ShortLinesAfter(lines, i + 1))
            {
                return string.Join('\n', lines[..i]);
            }
        }
        return text;
    }

    /// <summary>
    /// At most six non-blank lines from <paramref name="from"/> on, none longer than 60 characters. Stops at the seventh
    /// or a long one: a body of many sign-off lines is not read once per line (that was quadratic).
    /// </summary>
    private static bool ShortLinesAfter(string[] lines, int from)
    {
        var count = 0;
        for (var j = from; j < lines.Length; j++)
        {
            var length = lines[j].AsSpan().Trim().Length;
            if (length > 0 && (++count > 6 || length > 60))
            {
                return false;
            }
        }
        return true;
    }

    /// <summary>True when the subject starts with a reply/forward prefix: it is the thread's old topic, not this message's.</summary>
    public static bool IsReplySubject(string subject) => ReplyPrefix().IsMatch(subject);

    private static bool EnglishClitic(ReadOnlySpan<char> clitic) =>
        clitic.Equals("s", StringComparison.OrdinalIgnoreCase) || clitic.Equals("re", StringComparison.OrdinalIgnoreCase)
        || clitic.Equals("ll", StringComparison.OrdinalIgnoreCase) || clitic.Equals("ve", StringComparison.OrdinalIgnoreCase)
        || clitic.Equals("d", StringComparison.OrdinalIgnoreCase) || clitic.Equals("m", StringComparison.OrdinalIgnoreCase)
        || clitic.Equals("t", StringComparison.OrdinalIgnoreCase);

    private static void Flush(List<string> tokens, StringBuilder current)
    {
        if (current.Length > 0)
        {
            tokens.Add(FoldDiacritics(current.ToString().Normalize(NormalizationForm.FormC).ToLower(CultureInfo.InvariantCulture)));
            current.Clear();
        }
    }

    /// <summary>
    /// "contraseña" and "contrasena", "réinitialiser" and "reinitialiser", "preço" and "preco" are one word: people type
    /// without accents as often as with them, and the lexicon is written without. "ß" is "ss", "œ" "oe", "æ" "ae". A table,
    /// not Unicode decomposition: the host runs with invariant globalization, where normalization leaves accents alone.
    /// </summary>
    private static string FoldDiacritics(string word)
    {
        if (word.All(char.IsAscii))
        {
            return word;
        }
        var sb = new StringBuilder(word.Length + 2);
        foreach (var c in word)
        {
            switch (c)
            {
                case 'ß': sb.Append("ss"); break;
                case 'œ': sb.Append("oe"); break;
                case 'æ': sb.Append("ae"); break;
                case >= '\u00E0' and <= '\u00FF': sb.Append(Latin1[c - '\u00E0']); break;
                case >= '\u0100' and <= '\u017F': sb.Append(LatinExtendedA[c - '\u0100']); break;
                default: sb.Append(c); break;
            }
        }
        return sb.ToString();
    }

    // U+00E0–U+00FF (lower case; 'æ' is handled above, '÷' and 'þ' stay).
    private const string Latin1 = "aaaaaaaceeeeiiiidnooooo\u00F7ouuuuy\u00FEy";

    // U+0100–U+017F, each upper/lower pair folded to its lower-case base letter ('ı', 'ĸ', 'ŉ', 'ſ' to their nearest letter).
    private const string LatinExtendedA =
        "aaaaaaccccccccdddd" + "eeeeeeeeee" + "gggggggg" + "hhhh" + "iiiiiiiiii" + "jjjj" + "kkk" + "llllllllll" + "nnnnnnnnn"
        + "oooooooo" + "rrrrrr" + "ssssssss" + "tttttt" + "uuuuuuuuuuuu" + "ww" + "yyy" + "zzzzzz" + "s";

    [GeneratedRegex(@"^\s*(re|aw|sv|antw|fwd?|wg)\s*:", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex ReplyPrefix();

    // Only spaces and tabs between the line break and the header: "\s*" also crossed line breaks, so every line break of
    // a run of blank lines scanned the rest of the run (quadratic; 100,000 blank lines took minutes). A header after blank
    // lines is still found, from the line break just before it.
    [GeneratedRegex(@"(^|\n)[^\S\n]*(On .{0,200}wrote:|-{2,}\s*Original Message\s*-{2,}|From: .{0,200}\n\s*Sent: )", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex QuoteHeader();

    [GeneratedRegex(@"^sent from my \w+", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex SentFrom();

    [GeneratedRegex(@"^(best|best regards|kind regards|warm regards|regards|many thanks|thanks|thank you|thx|cheers|sincerely|yours sincerely|yours truly|all the best|greetings|br|mit freundlichen gr(ü|ue)(ß|ss)en|viele gr(ü|ue)(ß|ss)e|cordialement|saludos)\s*[,.!]?$",
        RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex SignOff();
}
