using System.Globalization;
using System.Text;

namespace OutreachOS.Triage.Pii;

/// <summary>
/// Text as the triage's pattern rules (PII redaction, prompt-injection and opt-out wording) read it. Format characters
/// (Unicode category Cf: soft hyphen U+00AD, zero-width space and joiners, word joiner, BOM U+FEFF, bidi controls, the
/// tag block U+E0000–U+E007F) and variation selectors are removed, so <c>ig&#xAD;nore</c> is <c>ignore</c>; every decimal
/// digit (category Nd: full-width, Arabic-Indic, Devanagari, …) becomes its ASCII digit and the full-width ASCII forms
/// (U+FF01–U+FF5E, e.g. <c>＠</c>) their ASCII letters, so a number or address cannot hide behind look-alike characters.
/// Ingestion strips a narrower set (zero-width, word joiner, variation selectors, tags) and counts it; this runs on top,
/// whatever ingestion left.
/// </summary>
internal static class MatchText
{
    public static string Fold(string? text)
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
