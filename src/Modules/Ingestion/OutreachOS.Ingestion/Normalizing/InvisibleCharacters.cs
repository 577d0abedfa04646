using System.Text;

namespace OutreachOS.Ingestion.Normalizing;

/// <summary>
/// Strips characters that render as nothing but still reach a model: zero-width space/joiners (U+200B–U+200D), word joiner
/// (U+2060), variation selectors (U+FE00–U+FE0F) and Unicode tags (U+E0000–U+E007F, the "ASCII smuggling" block).
/// The count is kept because hidden characters in a business email are a prompt-injection signal.
/// </summary>
internal static class InvisibleCharacters
{
    public static bool IsInvisible(Rune r) => r.Value is (>= 0x200B and <= 0x200D) or 0x2060 or (>= 0xFE00 and <= 0xFE0F) or (>= 0xE0000 and <= 0xE007F);

    public static (string Text, int Removed) Strip(string? input)
    {
        if (string.IsNullOrEmpty(input))
        {
            return (input ?? "", 0);
        }
        if (!MayContain(input))
        {
            return (input, 0);
        }
        var sb = new StringBuilder(input.Length);
        var removed = 0;
        foreach (var rune in input.EnumerateRunes())
        {
            if (IsInvisible(rune))
            {
                removed++;
            }
            else
            {
                sb.Append(rune.ToString());
            }
        }
        return (sb.ToString(), removed);
    }

    // Fast path: every character to strip is U+200B..U+2060, U+FE0x, or a surrogate pair led by U+DB40.
    private static bool MayContain(string s)
    {
        foreach (var c in s)
        {
            if (c is (>= '\u200B' and <= '\u200D') or '\u2060' or (>= '\uFE00' and <= '\uFE0F') or '\uDB40')
            {
                return true;
            }
        }
        return false;
    }
}
