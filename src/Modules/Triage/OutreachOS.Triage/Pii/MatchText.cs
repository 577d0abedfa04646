using System.Globalization;
using System.Text;

namespace OutreachOS.Triage.Pii;

/// <summary>
/// Text as the triage's pattern rules (PII redaction, prompt-injection and opt-out wording) read it. Format characters
/// (Unicode category Cf: soft hyphen U+00AD, zero-width space and joiners, word joiner, BOM U+FEFF, bidi controls, the
/// tag block U+E0000–U+E007F) and variation selectors are removed, so <c>ig&#xAD;nore</c> is <c>ignore</c>; every decimal
/// digit (category Nd: full-width, Arabic-Indic, Devanagari, …) becomes its ASCII digit and the full-width ASCII forms
/// (U+FF01–U+FF5E, e.g. <c>＠</c>) their ASCII letters, so a number or address cannot hide behind look-alike characters.
/// Every space separator (category Zs: no-break space U+00A0, narrow no-break space U+202F, thin space U+2009, …) becomes an
/// ASCII space and every dash (category Pd: en dash, em dash, non-breaking hyphen, …, and the minus sign U+2212) an ASCII
/// hyphen, so <c>4111&#xA0;1111&#xA0;1111&#xA0;1111</c> or <c>555–123–4567</c> read like their ASCII forms.
/// Ingestion strips a narrower set (zero-width, word joiner, variation selectors, tags) and counts it; this runs on top,
/// whatever ingestion left.
/// <see cref="Fold"/> is <see cref="FoldSeparators"/> of <see cref="FoldCharacters"/>. The redactor keeps the two steps
/// apart: it matches on the fully folded text but cuts values and keeps the text around them from
/// <see cref="FoldCharacters"/>, which <see cref="FoldSeparators"/> maps one char for one char (same length, same offsets),
/// so a non-breaking space or an en dash outside a redacted value stays as the sender wrote it.
/// </summary>
internal static class MatchText
{
    public static string Fold(string? text) => FoldSeparators(FoldCharacters(text));

    /// <summary>Format characters removed, Unicode digits and full-width ASCII forms made ASCII; separators left as they are.</summary>
    public static string FoldCharacters(string? text)
    {
        if (string.IsNullOrEmpty(text))
        {
            return text ?? "";
        }

        if (!NeedsFolding(text))
        {
            return text;
        }

        var sb = new StringBuilder(text.Length);
        foreach (var rune in text.EnumerateRunes())
        {
            if (IsIgnorable(rune))
            {
                continue;
            }

            if (Rune.GetUnicodeCategory(rune) == UnicodeCategory.DecimalDigitNumber && Rune.GetNumericValue(rune) is >= 0 and <= 9 and var d)
            {
                sb.Append((char)('0' + (int)d));
            }
            else if (rune.Value is >= 0xFF01 and <= 0xFF5E)
            {
                sb.Append((char)(rune.Value - 0xFF01 + 0x21));
            }
            else
            {
                sb.Append(rune.ToString());
            }
        }

        return sb.ToString();
    }

    /// <summary>
    /// Space separators (Zs) to ' ', dashes (Pd, and U+2212 MINUS SIGN) to '-', one UTF-16 char for one: the result has the
    /// text's length and a match in it has the same offsets in the text. (The one dash outside the BMP, U+10EAD, is left.)
    /// </summary>
    public static string FoldSeparators(string? text)
    {
        if (string.IsNullOrEmpty(text))
        {
            return text ?? "";
        }

        if (!NeedsFolding(text))
        {
            return text;
        }

        char[]? folded = null;
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            var to = c switch
            {
                <= '\u007F' => c,
                '\u2212' => '-',
                _ => char.GetUnicodeCategory(c) switch
                {
                    UnicodeCategory.SpaceSeparator => ' ',
                    UnicodeCategory.DashPunctuation => '-',
                    _ => c,
                },
            };
            if (to != c)
            {
                folded ??= text.ToCharArray();
                folded[i] = to;
            }
        }

        return folded is null ? text : new string(folded);
    }

    /// <summary>Category Cf, or a variation selector (category Mn, but it renders as nothing on its own).</summary>
    public static bool IsIgnorable(Rune r) =>
        Rune.GetUnicodeCategory(r) == UnicodeCategory.Format || r.Value is (>= 0xFE00 and <= 0xFE0F) or (>= 0xE0100 and <= 0xE01EF);

    // Fast path for the usual ASCII/Latin mail: only non-ASCII text can need folding.
    private static bool NeedsFolding(string s)
    {
        foreach (var c in s)
        {
            if (c > '\u007F')
            {
                return true;
            }
        }

        return false;
    }
}
