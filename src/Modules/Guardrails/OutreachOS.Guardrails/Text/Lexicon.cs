using System.Collections.Frozen;

namespace OutreachOS.Guardrails.Text;

internal readonly record struct Word(int Start, string Text)
{
    public int End => Start + Text.Length;

    public bool IsCapitalized => Text.Length > 0 && char.IsUpper(Text[0]);
}

internal static class Lexicon
{
    /// <summary>
    /// Words are runs of letters and digits, joined by inner apostrophes, hyphens and ampersands ("don't",
    /// "15-min", "AT&T"). A hand-written scan: this runs on every text of every evaluation.
    /// </summary>
    public static List<Word> Tokenize(string text)
    {
        var words = new List<Word>(text.Length / 5);
        var i = 0;
        while (i < text.Length)
        {
            if (!char.IsLetterOrDigit(text[i]))
            {
                i++;
                continue;
            }

            var start = i;
            var end = i + 1; // exclusive end of the last letter/digit seen
            var j = i + 1;
            while (j < text.Length)
            {
                var c = text[j];
                if (char.IsLetterOrDigit(c))
                {
                    end = j + 1;
                }
                else if (c is not ('\'' or '’' or '&' or '-'))
                {
                    break;
                }

                j++;
            }

            words.Add(new Word(start, text.Substring(start, end - start)));
            i = end;
        }

        return words;
    }

    /// <summary>Crude suffix stripping: enough for "scaling"/"scale"/"scaled" or "hires"/"hiring" to meet.</summary>
    public static string Stem(string word)
    {
        var w = HasUpper(word) ? word.ToLowerInvariant() : word;
        if (w.EndsWith("'s", StringComparison.Ordinal) || w.EndsWith("’s", StringComparison.Ordinal))
        {
            w = w[..^2];
        }

        if (w.Length > 4 && w.EndsWith("ies", StringComparison.Ordinal))
        {
            w = w[..^3] + "y";
        }
        else if (w.Length > 5 && w.EndsWith("ing", StringComparison.Ordinal))
        {
            w = w[..^3];
        }
        else if (w.Length > 4 && w.EndsWith("ed", StringComparison.Ordinal))
        {
            w = w[..^2];
        }
        else if (w.Length > 4 && w.EndsWith("ly", StringComparison.Ordinal))
        {
            w = w[..^2];
        }
        else if (w.Length > 3 && w.EndsWith('s') && !w.EndsWith("ss", StringComparison.Ordinal))
        {
            w = w[..^1];
        }

        if (w.Length > 3 && w.EndsWith('e'))
        {
            w = w[..^1];
        }

        return w;
    }

    private static bool HasUpper(string word)
    {
        foreach (var c in word)
        {
            if (char.IsUpper(c))
            {
                return true;
            }
        }

        return false;
    }

    public static bool IsStopword(string lower) => Stopwords.Contains(lower);

    /// <summary>Words so common in business email that sharing them with the context proves nothing.</summary>
    public static bool IsGeneric(string lower) => Stopwords.Contains(lower) || GenericBusiness.Contains(lower);

    /// <summary>Capitalized words that are not names (sign-offs, days, months, common acronyms).</summary>
    public static bool IsCommonCapitalized(string word)
    {
        var lower = word.ToLowerInvariant();
        return Stopwords.Contains(lower) || CommonCapitalized.Contains(lower) || GenericBusiness.Contains(lower);
    }

    private static readonly FrozenSet<string> Stopwords = Split("""
        a about above after again against all also am an and any are aren't as at be because been before being
        below between both but by can can't cannot could couldn't did didn't do does doesn't doing don't down
        during each few for from further had hadn't has hasn't have haven't having he her here hers herself him
        himself his how i i'd i'll i'm i've if in into is isn't it it's its itself just let's me more most my myself
        no nor not now of off on once only or other ought our ours ourselves out over own same she should so some
        such than that that's the their theirs them themselves then there there's these they they're this those
        through to too under until up very was wasn't we we'd we'll we're we've were weren't what what's when where
        which while who whom why will with won't would wouldn't you you'd you'll you're you've your yours yourself
        yourselves hi hello hey dear thanks thank best regards cheers sincerely kind warm quick really just maybe
        perhaps still already even though since yet per via
        """);

    private static readonly FrozenSet<string> GenericBusiness = Split("""
        team teams company companies business businesses work working help helps helping time times people
        thing things way ways like love look looking reach reaching out noticed saw seen see note today week weeks
        month months year years day days call chat minutes minute min mins meeting meet talk connect connecting
        book share idea ideas question questions reply open worth interested happy glad sure great good new
        make making get getting know think want need needs sense fit role roles current currently right around
        across many much lot lots something anything everything someone anyone everyone next last first
        """);

    private static readonly FrozenSet<string> CommonCapitalized = Split("""
        monday tuesday wednesday thursday friday saturday sunday january february march april may june july
        august september october november december jan feb mar apr jun jul aug sep sept oct nov dec
        ai ml llm ceo cto cfo coo cmo cro cio ciso vp svp evp hr it b2b b2c saas paas iaas crm erp api apis seo sem
        sdr sdrs bdr bdrs ae aes kpi kpis okr okrs q1 q2 q3 q4 h1 h2 ps p.s faq us usa uk eu emea apac na latam
        linkedin email sms pdf ui ux devops gtm revops ops pm pms cx
        hope would could should might quick curious wondering noticed saw congrats congratulations also
        mr mrs ms dr
        """);

    private static FrozenSet<string> Split(string words) =>
        words.Split((char[])[' ', '\n', '\r'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .ToFrozenSet(StringComparer.Ordinal);
}
