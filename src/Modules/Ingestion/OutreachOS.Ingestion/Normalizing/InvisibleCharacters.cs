using System.Buffers;
using System.Text;

namespace OutreachOS.Ingestion.Normalizing;

/// <summary>
/// Strips characters that render as nothing but still reach a model: zero-width space/joiners (U+200B–U+200D), word joiner
/// (U+2060), variation selectors (U+FE00–U+FE0F) and Unicode tags (U+E0000–U+E007F, the "ASCII smuggling" block), and
/// control characters (<see cref="IsControl"/>: C0 other than tab and line breaks, DEL, C1), which no mail displays and
/// one of which, NUL, PostgreSQL cannot store at all (an event holding one is refused). Vertical tab and form feed are
/// layout, not hidden text: they become line breaks and are not counted.
/// The count is kept because hidden characters in a business email are a prompt-injection signal.
/// </summary>
internal static class InvisibleCharacters
{
    public static bool IsInvisible(Rune r) => r.Value is (>= 0x200B and <= 0x200D) or 0x2060 or (>= 0xFE00 and <= 0xFE0F) or (>= 0xE0000 and <= 0xE007F);

    /// <summary>U+0000–U+001F other than tab, LF and CR (vertical tab and form feed included), DEL, and U+0080–U+009F.</summary>
    public static bool IsControl(Rune r) => r.Value is (< 0x20 and not ('\t' or '\n' or '\r')) or (>= 0x7F and <= 0x9F);

    private static bool IsLayout(Rune r) => r.Value is '\v' or '\f';

    // Every character that may be stripped or replaced: the fast path of both methods looks for these only.
    private static readonly SearchValues<char> Suspects = SearchValues.Create(
        Range('\u0000', '\u0008') + "\u000B\u000C" + Range('\u000E', '\u001F') + Range('\u007F', '\u009F')
        + "\u200B\u200C\u200D\u2060" + Range('\uFE00', '\uFE0F') + "\uDB40");

    private static readonly SearchValues<char> Controls = SearchValues.Create(
        Range('\u0000', '\u0008') + "\u000B\u000C" + Range('\u000E', '\u001F') + Range('\u007F', '\u009F'));

    /// <summary>The first control character (<see cref="IsControl"/>) of the text, or null.</summary>
    public static char? FirstControl(string? input) =>
        input is not null && input.AsSpan().IndexOfAny(Controls) is >= 0 and var at ? input[at] : null;

    /// <summary>The text without invisible and control characters, and how many were removed.</summary>
    public static (string Text, int Removed) Strip(string? input) => Clean(input, Suspects, controlsOnly: false);

    /// <summary>
    /// The text without control characters (invisible ones are kept): for what is stored but not read as the message — the
    /// HTML kept for the audit, header values, message ids.
    /// </summary>
    public static (string Text, int Removed) StripControls(string? input) => Clean(input, Controls, controlsOnly: true);

    private static (string Text, int Removed) Clean(string? input, SearchValues<char> suspects, bool controlsOnly)
    {
        if (string.IsNullOrEmpty(input))
        {
            return (input ?? "", 0);
        }
        if (!input.AsSpan().ContainsAny(suspects))
        {
            return (input, 0);
        }
        var sb = new StringBuilder(input.Length);
        var removed = 0;
        Span<char> pair = stackalloc char[2];
        foreach (var rune in input.EnumerateRunes())
        {
            if (IsLayout(rune))
            {
                sb.Append('\n');
            }
            else if (IsControl(rune) || (!controlsOnly && IsInvisible(rune)))
            {
                removed++;
            }
            else
            {
                sb.Append(pair[..rune.EncodeToUtf16(pair)]);
            }
        }
        return (sb.ToString(), removed);
    }

    private static string Range(char first, char last)
    {
        var chars = new char[last - first + 1];
        for (var i = 0; i < chars.Length; i++)
        {
            chars[i] = (char)(first + i);
        }
        return new string(chars);
    }
}
