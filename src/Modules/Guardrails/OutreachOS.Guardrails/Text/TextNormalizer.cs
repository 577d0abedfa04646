using System.Globalization;

namespace OutreachOS.Guardrails.Text;

/// <summary>
/// The one compatibility folding applied to the message and the sources before anything is extracted: full-width
/// ASCII forms, decimal digits of any script, Cyrillic and Greek letters that look Latin, and every Unicode space
/// separator become their plain ASCII counterpart. Each UTF-16 char maps to exactly one char, so an offset found in
/// the normalised text is the same offset in the original (risk spans quote the original). Without it "４０％",
/// "rіsk-free" (Cyrillic і) or "Hi\u00A0Sarah" slip past checks written for ASCII, and a regex <c>\d</c> hands "３"
/// to <c>int.Parse</c>.
/// </summary>
internal static class TextNormalizer
{
    /// <summary>
    /// The normalised text, or the very same instance when nothing changes (always for ASCII input, which is
    /// checked with one vectorized scan and never allocates).
    /// </summary>
    public static string Normalize(string text)
    {
        var first = text.AsSpan().IndexOfAnyExceptInRange('\0', '\u007F');
        if (first < 0)
        {
            return text;
        }

        for (var i = first; i < text.Length; i++)
        {
            if (Map(text[i]) != text[i])
            {
                return string.Create(text.Length, (text, i), static (chars, state) =>
                {
                    var (source, from) = state;
                    source.AsSpan(0, from).CopyTo(chars);
                    for (var j = from; j < chars.Length; j++)
                    {
                        chars[j] = Map(source[j]);
                    }
                });
            }
        }

        return text;
    }

    /// <summary>The normalised form of one char (the char itself when it has none).</summary>
    public static char Map(char c)
    {
        if (c < '\u0080')
        {
            return c;
        }

        if (c is >= '\uFF01' and <= '\uFF5E')
        {
            return (char)(c - 0xFEE0); // full-width ASCII block: '！' (U+FF01) … '～' (U+FF5E) → '!' … '~'
        }

        switch (CharUnicodeInfo.GetUnicodeCategory(c))
        {
            case UnicodeCategory.SpaceSeparator:
                return ' ';
            case UnicodeCategory.DecimalDigitNumber:
                return (char)('0' + (int)CharUnicodeInfo.GetNumericValue(c));
        }

        return c switch
        {
            '\u066A' or '\uFE6A' => '%', // Arabic percent sign, small percent sign
            '\uFFE0' => '¢',
            '\uFFE1' => '£',
            '\uFFE5' => '¥',

            // Cyrillic (а е о р с у х і ј ѕ ԁ һ ӏ ԛ ԝ, А В Е К М Н О Р С Т Х У І Ј Ѕ Ԁ) and Greek (α ο ν ρ τ ι κ υ,
            // Α Β Ε Ζ Η Ι Κ Μ Ν Ο Ρ Τ Υ Χ) letters drawn like Latin ones, and the Latin script g (ɡ). Escaped: they
            // are indistinguishable from the Latin letters on screen, which is the whole point.
            '\u0430' => 'a', '\u0435' => 'e', '\u043E' => 'o', '\u0440' => 'p', '\u0441' => 'c', '\u0443' => 'y',
            '\u0445' => 'x', '\u0456' => 'i', '\u0458' => 'j', '\u0455' => 's', '\u0501' => 'd', '\u04BB' => 'h',
            '\u04CF' => 'l', '\u051B' => 'q', '\u051D' => 'w',
            '\u0410' => 'A', '\u0412' => 'B', '\u0415' => 'E', '\u041A' => 'K', '\u041C' => 'M', '\u041D' => 'H',
            '\u041E' => 'O', '\u0420' => 'P', '\u0421' => 'C', '\u0422' => 'T', '\u0425' => 'X', '\u0423' => 'Y',
            '\u0406' => 'I', '\u0408' => 'J', '\u0405' => 'S', '\u0500' => 'D',
            '\u03B1' => 'a', '\u03BF' => 'o', '\u03BD' => 'v', '\u03C1' => 'p', '\u03C4' => 't', '\u03B9' => 'i',
            '\u03BA' => 'k', '\u03C5' => 'u',
            '\u0391' => 'A', '\u0392' => 'B', '\u0395' => 'E', '\u0396' => 'Z', '\u0397' => 'H', '\u0399' => 'I',
            '\u039A' => 'K', '\u039C' => 'M', '\u039D' => 'N', '\u039F' => 'O', '\u03A1' => 'P', '\u03A4' => 'T',
            '\u03A5' => 'Y', '\u03A7' => 'X',
            '\u0261' => 'g',
            _ => c,
        };
    }

    /// <summary>
    /// Whether two words are the same name, ignoring case, accents (combining marks and the precomposed Latin-1 and
    /// Latin Extended-A letters: "José" = "Jose", "İsmail" = "Ismail") and look-alike letters. Hand-rolled because
    /// the service runs with invariant globalization, where culture-aware comparison and Unicode decomposition are
    /// ordinal.
    /// </summary>
    public static bool SameName(ReadOnlySpan<char> a, ReadOnlySpan<char> b)
    {
        int i = 0, j = 0;
        while (true)
        {
            while (i < a.Length && IsMark(a[i]))
            {
                i++;
            }

            while (j < b.Length && IsMark(b[j]))
            {
                j++;
            }

            if (i == a.Length || j == b.Length)
            {
                return i == a.Length && j == b.Length;
            }

            if (FoldLetter(a[i++]) != FoldLetter(b[j++]))
            {
                return false;
            }
        }
    }

    private static bool IsMark(char c) => c >= '\u0300' && CharUnicodeInfo.GetUnicodeCategory(c) == UnicodeCategory.NonSpacingMark;

    private static char FoldLetter(char c)
    {
        c = Map(c);
        if (c is >= '\u00C0' and <= '\u017F')
        {
            c = LatinBase[c - '\u00C0'];
        }

        return char.ToLowerInvariant(c);
    }

    /// <summary>Base letter of each char U+00C0–U+017F (from its canonical decomposition; Ł, Ø, Đ, ß and the like by hand).</summary>
    private const string LatinBase =
        "AAAAAAACEEEEIIII" + "DNOOOOO×OUUUUYTs" + "aaaaaaaceeeeiiii" + "dnooooo÷ouuuuyty" // U+00C0–U+00FF
        + "AaAaAaCcCcCcCcDd" + "DdEeEeEeEeEeGgGg" + "GgGgHhHhIiIiIiIi" + "IiIiJjKkkLlLlLlL" // U+0100–U+013F
        + "lLlNnNnNnnNnOoOo" + "OoOoRrRrRrSsSsSs" + "SsTtTtTtUuUuUuUu" + "UuUuWwYyYZzZzZzs"; // U+0140–U+017F
}
