namespace OutreachOS.Triage.Classification;

/// <summary>
/// A light English suffix stripper so "schedule", "rescheduling" and "scheduled" share one feature. Deliberately much smaller
/// than Porter: each rule can be checked by hand, and the lexicon's phrases go through the same function as the mail, so a
/// consistent stem (not a linguistically correct one) is all the matching needs. Words of three letters or fewer and words
/// containing digits are left alone ("pm", "api", "2fa", "404").
/// </summary>
internal static class Stemmer
{
    public static string Stem(string word)
    {
        if (word.Length <= 3 || !word.All(char.IsLetter))
        {
            return word;
        }
        var w = word;

        // Plurals and third person: invoices → invoice, replies → repli, addresses → address; keep "ss", "us", "is" endings.
        if (w.EndsWith("ies", StringComparison.Ordinal) && w.Length > 4)
        {
            w = w[..^3] + "i";
        }
        else if (w.EndsWith("sses", StringComparison.Ordinal))
        {
            w = w[..^2];
        }
        else if (w[^1] == 's' && !w.EndsWith("ss", StringComparison.Ordinal) && !w.EndsWith("us", StringComparison.Ordinal)
            && !w.EndsWith("is", StringComparison.Ordinal))
        {
            w = w[..^1];
        }

        // -ing / -ed when a syllable is left (meeting → meet, but not "thing" or "need"); shipped → ship.
        if (w.EndsWith("ing", StringComparison.Ordinal) && w.Length >= 6 && HasVowel(w.AsSpan(0, w.Length - 3)))
        {
            w = Undouble(w[..^3]);
        }
        else if (w.EndsWith("ed", StringComparison.Ordinal) && !w.EndsWith("eed", StringComparison.Ordinal) && w.Length >= 5
            && HasVowel(w.AsSpan(0, w.Length - 2)))
        {
            w = Undouble(w[..^2]);
        }
        else if (w.EndsWith("ly", StringComparison.Ordinal) && w.Length >= 6)
        {
            w = w[..^2];
        }

        // integration → integrat, like integrate → integrat.
        if (w.EndsWith("ation", StringComparison.Ordinal) && w.Length >= 8)
        {
            w = w[..^3];
        }
        // apply/applied/applies → appli.
        if (w.Length >= 4 && w[^1] == 'y' && !IsVowel(w[^2]))
        {
            w = w[..^1] + "i";
        }
        // price/pricing/priced → pric.
        if (w.Length >= 4 && w[^1] == 'e')
        {
            w = w[..^1];
        }
        // cancelled/cancelling → cancel (short words such as "bill" and "call" keep their ll).
        if (w.Length > 5 && w.EndsWith("ll", StringComparison.Ordinal))
        {
            w = w[..^1];
        }
        return w;
    }

    private static string Undouble(string w) =>
        w.Length >= 3 && w[^1] == w[^2] && !IsVowel(w[^1]) && w[^1] is not ('l' or 's' or 'z') ? w[..^1] : w;

    private static bool HasVowel(ReadOnlySpan<char> s)
    {
        foreach (var c in s)
        {
            if (IsVowel(c))
            {
                return true;
            }
        }
        return false;
    }

    private static bool IsVowel(char c) => c is 'a' or 'e' or 'i' or 'o' or 'u' or 'y';
}
