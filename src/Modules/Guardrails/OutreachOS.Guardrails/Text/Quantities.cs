using System.Buffers;
using System.Collections.Frozen;
using System.Globalization;
using System.Text.RegularExpressions;

namespace OutreachOS.Guardrails.Text;

internal enum MentionKind
{
    Number,
    Percent,
    Money,
    Year,
    Date,
    Quarter,
    Time,
}

/// <summary>
/// A factual quantity found in text. <see cref="Value"/> is normalized ("$2M", "2 million" and "2,000,000" are all
/// 2000000; times are minutes after midnight); <see cref="Mantissa"/> is the figure before its multiplier;
/// <see cref="Key"/> identifies a calendar day ("3-5") or quarter ("q3").
/// </summary>
internal sealed record Mention(MentionKind Kind, int Start, int Length, string Text, decimal Value, decimal Mantissa, string? Key)
{
    public int End => Start + Length;

    /// <summary>Year attached to a date mention ("March 5, 2024"), if any.</summary>
    public decimal? Year { get; init; }

    /// <summary>A year-like number that may also be a count ("2000 teams"): sourced by, and sourcing, either.</summary>
    public bool AlsoCount { get; init; }

    /// <summary>Spelled-out quantities ("forty percent") are recognised in the message only with a unit.</summary>
    public bool Spelled { get; init; }
}

internal static partial class Quantities
{
    /// <summary>
    /// Finds dates, quarters, times and numbers (digits, and spelled-out numbers with a unit) in order of position.
    /// Ranges in <paramref name="masked"/> (e-mail addresses, phone numbers, links) are skipped, and a number that is
    /// part of a date or time is reported only as that date or time. Expects <see cref="TextNormalizer"/> output:
    /// the patterns read ASCII digits only ([0-9], never <c>\d</c>, which also matches "３" and "٣").
    /// </summary>
    public static List<Mention> Extract(string text, IReadOnlyList<(int Start, int Length)> masked, bool allSpelledNumbers = false)
    {
        var found = new List<Mention>();
        var taken = new List<(int Start, int Length)>(masked);

        foreach (var m in DateMatches(text))
        {
            var start = m.Groups["mon"].Success ? m.Groups["mon"].Index : m.Index;
            var length = m.Index + m.Length - start;
            if (Overlaps(taken, start, length) || ToDate(m) is not { } date)
            {
                continue;
            }

            found.Add(date with { Start = start, Length = length, Text = text.Substring(start, length) });
            taken.Add((start, length));
        }

        foreach (Match m in TimeRegex().Matches(text))
        {
            if (Overlaps(taken, m.Index, m.Length))
            {
                continue;
            }

            var hour = int.Parse(m.Groups["h"].Value, CultureInfo.InvariantCulture);
            var minute = m.Groups["m"].Success ? int.Parse(m.Groups["m"].Value, CultureInfo.InvariantCulture) : 0;
            var ampm = m.Groups["ampm"].Value;
            if (ampm.Length > 0 && char.ToLowerInvariant(ampm[0]) == 'p' && hour < 12)
            {
                hour += 12;
            }

            if (hour > 24 || minute > 59)
            {
                continue;
            }

            found.Add(new Mention(MentionKind.Time, m.Index, m.Length, m.Value, (hour * 60) + minute, hour, null));
            taken.Add((m.Index, m.Length));
        }

        foreach (Match m in NumberRegex().Matches(text))
        {
            if (Overlaps(taken, m.Index, m.Length) || ToNumber(text, m) is not { } number)
            {
                continue;
            }

            found.Add(number);
            taken.Add((m.Index, m.Length));
        }

        // Spelled-out numbers only count in a message with a unit; skip the regex when no unit word is present.
        var spelled = (allSpelledNumbers && text.AsSpan().ContainsAny(NumberWords)) || text.AsSpan().ContainsAny(SpelledUnits)
            ? SpelledRegex().Matches(text)
            : (IEnumerable<Match>)[];
        foreach (var m in spelled)
        {
            var hasUnit = m.Groups["mult"].Success || m.Groups["pct"].Success || m.Groups["times"].Success;
            if ((!hasUnit && !allSpelledNumbers) || Overlaps(taken, m.Index, m.Length))
            {
                continue;
            }

            var mantissa = SpelledValue(m.Groups["w"].Value);
            var value = mantissa * Multiplier(m.Groups["mult"].Value);
            var kind = m.Groups["pct"].Success ? MentionKind.Percent : MentionKind.Number;
            found.Add(new Mention(kind, m.Index, m.Length, m.Value, value, mantissa, null) { Spelled = true });
        }

        found.Sort((a, b) => a.Start.CompareTo(b.Start));
        return found;
    }

    private static readonly SearchValues<string> NumberWords = SearchValues.Create(
        ["one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven", "twelve", "teen", "twenty",
         "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety", "hundred"], StringComparison.OrdinalIgnoreCase);

    private static readonly SearchValues<string> SpelledUnits = SearchValues.Create(
        ["percent", "per cent", "hundred", "thousand", "million", "billion", "times", "fold"], StringComparison.OrdinalIgnoreCase);

    private static Mention? ToNumber(string text, Match m)
    {
        var num = m.Groups["num"].Value;
        var digits = num.Replace(",", string.Empty, StringComparison.Ordinal).Replace(" ", string.Empty, StringComparison.Ordinal);
        if (!decimal.TryParse(digits, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var mantissa))
        {
            return null;
        }

        var mult = m.Groups["mult"].Value;
        var plain = mult.Length == 0 && !m.Groups["pct"].Success && !m.Groups["cursuf"].Success
                    && !m.Groups["ord"].Success && !m.Groups["x"].Success;
        if (m.Groups["fy"].Success)
        {
            // "FY2023", "FY 24", "FY'24": a fiscal year is a year, and "FY24k" is nothing we can read.
            return plain && digits.Length is 2 or 4 && !digits.Contains('.', StringComparison.Ordinal)
                ? new Mention(MentionKind.Year, m.Index, m.Length, m.Value, digits.Length == 2 ? 2000 + mantissa : mantissa, mantissa, null)
                : null;
        }

        var value = mantissa * Multiplier(mult);
        var isMoney = m.Groups["cur"].Success || m.Groups["cursuf"].Success;
        // Only four plain digits can be a year: "2,024", "2 024" and "2.024" are counts.
        var kind = m.Groups["pct"].Success ? MentionKind.Percent
            : isMoney ? MentionKind.Money
            : plain && num.Length == 4 && value is >= 1900 and <= 2100 ? MentionKind.Year
            : MentionKind.Number;
        return new Mention(kind, m.Index, m.Length, m.Value, value, mantissa, null)
        {
            AlsoCount = kind == MentionKind.Year && CountsSomething(text, m.Index + m.Length),
        };
    }

    /// <summary>
    /// "2000 teams": a year-like number followed by a word that is not a stopword ("since 2019 you", "2023 and 2024")
    /// may just as well count that word, so it is read as a year and as a count.
    /// </summary>
    private static bool CountsSomething(string text, int end)
    {
        var i = end;
        if (i < text.Length && text[i] == '+')
        {
            i++; // "2000+ teams"
        }

        if (i + 1 >= text.Length || text[i] != ' ' || !char.IsLetter(text[i + 1]))
        {
            return false;
        }

        var start = ++i;
        while (i < text.Length && (char.IsLetter(text[i]) || text[i] is '\'' or '’' or '-'))
        {
            i++;
        }

        if (i < text.Length && char.IsDigit(text[i]))
        {
            return false; // "2024 Q3"
        }

        var word = text[start..i].ToLowerInvariant();
        return !Lexicon.IsStopword(word) && !MonthNames.Contains(word);
    }

    private static readonly FrozenSet<string> MonthNames = FrozenSet.ToFrozenSet(
        ["january", "february", "march", "april", "may", "june", "july", "august", "september", "october", "november", "december",
         "jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep", "sept", "oct", "nov", "dec"], StringComparer.Ordinal);

    private static Mention? ToDate(Match m)
    {
        if (m.Groups["q"].Success)
        {
            return new Mention(MentionKind.Quarter, m.Index, m.Length, m.Value, 0, 0, m.Groups["q"].Value.ToLowerInvariant());
        }

        int month, day;
        decimal? year = null;
        if (m.Groups["iy"].Success)
        {
            month = int.Parse(m.Groups["im"].Value, CultureInfo.InvariantCulture);
            day = int.Parse(m.Groups["id"].Value, CultureInfo.InvariantCulture);
            year = int.Parse(m.Groups["iy"].Value, CultureInfo.InvariantCulture);
        }
        else if (m.Groups["sa"].Success)
        {
            // Slash dates are ambiguous (US month/day vs day/month): the key is the ordered pair; Matches() tries both.
            var a = int.Parse(m.Groups["sa"].Value, CultureInfo.InvariantCulture);
            var b = int.Parse(m.Groups["sb"].Value, CultureInfo.InvariantCulture);
            var y = int.Parse(m.Groups["sy"].Value, CultureInfo.InvariantCulture);
            year = y < 100 ? 2000 + y : y;
            if (a > 31 || b > 31 || (a > 12 && b > 12))
            {
                return null;
            }

            return new Mention(MentionKind.Date, m.Index, m.Length, m.Value, 0, 0, $"{a}/{b}") { Year = year };
        }
        else
        {
            var monthName = m.Groups["mon"].Success ? m.Groups["mon"].Value : m.Groups["mon2"].Value;
            month = MonthNumber(monthName);
            day = int.Parse(m.Groups["d"].Success ? m.Groups["d"].Value : m.Groups["d2"].Value, CultureInfo.InvariantCulture);
            var y = m.Groups["y"].Success ? m.Groups["y"].Value : m.Groups["y2"].Value;
            if (y.Length > 0)
            {
                year = int.Parse(y, CultureInfo.InvariantCulture);
            }
        }

        if (month is < 1 or > 12 || day is < 1 or > 31)
        {
            return null;
        }

        return new Mention(MentionKind.Date, m.Index, m.Length, m.Value, 0, 0, $"{month}-{day}") { Year = year };
    }

    /// <summary>All calendar keys a date mention may mean (slash dates: both month/day and day/month).</summary>
    public static IEnumerable<string> DateKeys(Mention date)
    {
        if (date.Key is null)
        {
            yield break;
        }

        var slash = date.Key.IndexOf('/', StringComparison.Ordinal);
        if (slash < 0)
        {
            yield return date.Key;
            yield break;
        }

        var a = int.Parse(date.Key.AsSpan(0, slash), CultureInfo.InvariantCulture);
        var b = int.Parse(date.Key.AsSpan(slash + 1), CultureInfo.InvariantCulture);
        if (a <= 12)
        {
            yield return $"{a}-{b}";
        }

        if (b <= 12)
        {
            yield return $"{b}-{a}";
        }
    }

    private static int MonthNumber(string name) => name[..3].ToLowerInvariant() switch
    {
        "jan" => 1, "feb" => 2, "mar" => 3, "apr" => 4, "may" => 5, "jun" => 6,
        "jul" => 7, "aug" => 8, "sep" => 9, "oct" => 10, "nov" => 11, "dec" => 12, _ => 0,
    };

    private static decimal Multiplier(string mult) => mult.ToLowerInvariant() switch
    {
        "hundred" => 100m,
        "k" or "thousand" => 1_000m,
        "m" or "mm" or "million" => 1_000_000m,
        "b" or "bn" or "billion" => 1_000_000_000m,
        "trillion" => 1_000_000_000_000m,
        _ => 1m,
    };

    private static decimal SpelledValue(string words)
    {
        decimal total = 0;
        foreach (var part in words.ToLowerInvariant().Split([' ', '-'], StringSplitOptions.RemoveEmptyEntries))
        {
            total += part switch
            {
                "one" => 1, "two" => 2, "three" => 3, "four" => 4, "five" => 5, "six" => 6, "seven" => 7,
                "eight" => 8, "nine" => 9, "ten" => 10, "eleven" => 11, "twelve" => 12, "thirteen" => 13,
                "fourteen" => 14, "fifteen" => 15, "sixteen" => 16, "seventeen" => 17, "eighteen" => 18,
                "nineteen" => 19, "twenty" => 20, "thirty" => 30, "forty" => 40, "fifty" => 50, "sixty" => 60,
                "seventy" => 70, "eighty" => 80, "ninety" => 90, "hundred" => 100, _ => 0,
            };
        }

        return total;
    }

    private static bool Overlaps(List<(int Start, int Length)> ranges, int start, int length)
    {
        foreach (var (s, l) in ranges)
        {
            if (start < s + l && s < start + length)
            {
                return true;
            }
        }

        return false;
    }

    // Digits not glued to a preceding letter (so "B2B", "G2", "Q3", "v2.0" are not numbers) nor inside another number
    // ("1,234", "2.5"), but allowed right after a letter's comma or period ("Hi Sarah,40%") unless more of a dotted
    // id follows ("report.2023.csv"). Then an optional currency ("$", "US$", "HK$", "R$", "USD ") or fiscal-year
    // prefix ("FY2023"), thousands separated by commas or by single spaces (NBSP and thin spaces are spaces after
    // normalisation: "1 000", but "12 3456" stays two numbers), decimals, a multiplier (k, M, bn, million), percent,
    // ordinal or "x" suffix.
    [GeneratedRegex("""
        (?:(?<![\p{L}\p{N}_$€£¥.,])|(?<=\p{L}(?<glue>[.,])))
        (?:(?<cur>(?:us|a|au|c|ca|nz|hk|s|sg|r|nt|mx)?\$|[€£¥]|(?:usd|eur|gbp)(?=\s?[0-9]))\s?|(?<fy>fy|cy)\s?'?)?
        (?<num>[0-9]{1,3}(?:,[0-9]{3})+(?:\.[0-9]+)?|[0-9]{1,3}(?:\ [0-9]{3})+(?![0-9])(?:\.[0-9]+)?|[0-9]+(?:\.[0-9]+)?)
        (?:\s?(?<mult>k|mm|m|bn|b|thousand|million|billion|trillion)(?!\p{L}))?
        (?:\s?(?<pct>%|percent(?!\p{L})|per\s?cent(?!\p{L})|pct(?!\p{L})))?
        (?:\s?(?<cursuf>usd|eur|gbp|dollars|euros|pounds)(?!\p{L}))?
        (?:(?<ord>st|nd|rd|th)|(?<x>x))?
        (?![\p{L}\p{N}])
        (?(glue)(?![.,_/][\p{L}\p{N}]))
        """, RegexOptions.IgnoreCase | RegexOptions.CultureInvariant | RegexOptions.IgnorePatternWhitespace)]
    private static partial Regex NumberRegex();

    // Month-name dates: the month of "March 5" sits in a lookbehind so the scan only stops at digits.
    [GeneratedRegex("""
        (?<=\b(?<mon>jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?\s+)(?<d>[0-9]{1,2})(?:st|nd|rd|th)?(?![\p{L}\p{N}])(?:,?\s+(?<y>[0-9]{4})(?!\p{N}))?
        |(?<![\p{L}\p{N}])(?<d2>[0-9]{1,2})(?:st|nd|rd|th)?\s+(?:of\s+)?(?<mon2>jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\b(?:,?\s+(?<y2>[0-9]{4})(?!\p{N}))?
        """, RegexOptions.IgnoreCase | RegexOptions.CultureInvariant | RegexOptions.IgnorePatternWhitespace)]
    private static partial Regex MonthDateRegex();

    [GeneratedRegex("""
        (?<![\p{L}\p{N}])(?<iy>[0-9]{4})-(?<im>[0-9]{1,2})-(?<id>[0-9]{1,2})\b
        |(?<![\p{L}\p{N}])(?<sa>[0-9]{1,2})/(?<sb>[0-9]{1,2})/(?<sy>[0-9]{4}|[0-9]{2})\b
        """, RegexOptions.CultureInvariant | RegexOptions.IgnorePatternWhitespace)]
    private static partial Regex NumericDateRegex();

    [GeneratedRegex(@"\b(?<q>[QH][1-4])\b", RegexOptions.CultureInvariant)]
    private static partial Regex QuarterRegex();

    private static readonly SearchValues<string> MonthAnchors = SearchValues.Create(
        ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"], StringComparison.OrdinalIgnoreCase);

    private static readonly SearchValues<char> NumericDateAnchors = SearchValues.Create("-/");

    private static readonly SearchValues<char> QuarterAnchors = SearchValues.Create("QH");

    /// <summary>Runs only the date regexes whose literal anchors occur: most messages contain no date at all.</summary>
    private static IEnumerable<Match> DateMatches(string text)
    {
        var span = text.AsSpan();
        var month = span.ContainsAny(MonthAnchors) ? MonthDateRegex().Matches(text) : (IEnumerable<Match>)[];
        var numeric = span.ContainsAny(NumericDateAnchors) ? NumericDateRegex().Matches(text) : (IEnumerable<Match>)[];
        var quarter = span.ContainsAny(QuarterAnchors) ? QuarterRegex().Matches(text) : (IEnumerable<Match>)[];
        return month.Concat(numeric).Concat(quarter);
    }

    [GeneratedRegex("""
        (?<![\p{L}\p{N}:])(?<h>[0-9]{1,2})(?::(?<m>[0-9]{2}))?\s?(?<ampm>[ap]\.?m\.?)(?!\p{L})
        |(?<![\p{L}\p{N}:])(?<h>[0-9]{1,2}):(?<m>[0-9]{2})(?![\p{N}:])
        """, RegexOptions.IgnoreCase | RegexOptions.CultureInvariant | RegexOptions.IgnorePatternWhitespace)]
    private static partial Regex TimeRegex();

    [GeneratedRegex("""
        \b(?<w>(?:twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety)(?:[\s-](?:one|two|three|four|five|six|seven|eight|nine))?|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen|fourteen|fifteen|sixteen|seventeen|eighteen|nineteen|hundred)
        (?:\s+(?<mult>hundred|thousand|million|billion))?
        (?:\s+(?<pct>percent|per\s+cent))?
        (?:[\s-](?<times>times|fold)(?!\p{L}))?
        \b
        """, RegexOptions.IgnoreCase | RegexOptions.CultureInvariant | RegexOptions.IgnorePatternWhitespace)]
    private static partial Regex SpelledRegex();
}
