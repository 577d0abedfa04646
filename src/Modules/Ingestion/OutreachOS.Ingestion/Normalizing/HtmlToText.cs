using System.Net;
using System.Text;
using System.Text.RegularExpressions;

namespace OutreachOS.Ingestion.Normalizing;

/// <summary>
/// A tolerant HTML → plain text conversion for e-mail bodies (no DOM library: the registry has none we may use).
/// Drops scripts, styles, comments and the head (which ends at <c>&lt;/head&gt;</c> or at <c>&lt;body</c>, its end tag
/// being optional); turns block elements into line breaks; decodes entities; and removes content a reader cannot see —
/// <c>display:none</c>, <c>visibility:hidden</c>, zero font size or box, zero opacity, white text on no background of its
/// own, the <c>hidden</c> attribute — because that is where injected instructions hide. Hidden elements are counted (a
/// prompt-injection signal downstream, so a false one sends normal mail to a person). Linear in the input.
/// </summary>
internal static partial class HtmlToText
{
    private static readonly HashSet<string> Void = new(StringComparer.OrdinalIgnoreCase)
    {
        "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param", "source", "track", "wbr",
    };

    private static readonly HashSet<string> RawText = new(StringComparer.OrdinalIgnoreCase) { "script", "style", "title", "textarea", "template" };

    private static readonly HashSet<string> Block = new(StringComparer.OrdinalIgnoreCase)
    {
        "p", "div", "br", "li", "ul", "ol", "tr", "table", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "pre", "hr",
        "section", "article", "header", "footer", "address", "dd", "dt", "dl",
    };

    /// <param name="Work">Open-element entries looked at while matching end tags: at most a constant per tag.</param>
    public sealed record Result(string Text, int HiddenElementsRemoved, long Work = 0);

    public static Result Convert(string html)
    {
        ArgumentNullException.ThrowIfNull(html);
        var text = new StringBuilder(html.Length / 2);
        var open = new OpenElements();
        var hiddenCount = 0;
        var headSeen = false;
        var i = 0;
        while (i < html.Length)
        {
            var lt = html.IndexOf('<', i);
            var end = lt < 0 ? html.Length : lt;
            if (end > i && open.HiddenDepth == 0)
            {
                text.Append(Decode(html[i..end]));
            }
            if (lt < 0)
            {
                break;
            }
            i = lt;
            if (string.CompareOrdinal(html, i, "<!--", 0, 4) == 0)
            {
                var close = html.IndexOf("-->", i + 4, StringComparison.Ordinal);
                i = close < 0 ? html.Length : close + 3;
                continue;
            }
            if (i + 1 < html.Length && (html[i + 1] == '!' || html[i + 1] == '?'))
            {
                var close = html.IndexOf('>', i);
                i = close < 0 ? html.Length : close + 1;
                continue;
            }
            var tag = ParseTag(html, i);
            if (tag is null)
            {
                // A lone '<' that starts no tag is text.
                if (open.HiddenDepth == 0)
                {
                    text.Append('<');
                }
                i++;
                continue;
            }
            var (name, closing, selfClosing, attributes, next) = tag.Value;
            i = next;
            if (closing)
            {
                open.Close(name);
                if (Block.Contains(name) && open.HiddenDepth == 0)
                {
                    text.Append('\n');
                }
                continue;
            }
            if (name.Equals("head", StringComparison.OrdinalIgnoreCase))
            {
                // The first head only: another one is invalid markup, and searching again for each would be quadratic.
                if (!headSeen)
                {
                    headSeen = true;
                    var endTag = FindTag(html, "</head", i);
                    var body = FindTag(html, "<body", i);
                    if (body >= 0 && (endTag < 0 || body < endTag))
                    {
                        i = body; // the body tag itself is read as any other
                    }
                    else if (endTag >= 0)
                    {
                        i = SkipTo(html, endTag, '>');
                    }
                    // Neither: its title, styles and scripts still go as raw text; anything else would show in a browser.
                }
                continue;
            }
            var hidden = IsHidden(attributes);
            if (RawText.Contains(name))
            {
                var close = FindTag(html, "</" + name, i);
                i = close < 0 ? html.Length : SkipTo(html, close, '>');
                continue;
            }
            if (hidden && open.HiddenDepth == 0)
            {
                hiddenCount++;
            }
            if (Block.Contains(name) && open.HiddenDepth == 0)
            {
                text.Append('\n');
            }
            if (!selfClosing && !Void.Contains(name))
            {
                open.Open(name, hidden);
            }
        }
        return new Result(Tidy(text.ToString()), hiddenCount, open.Work);
    }

    // U+0080–U+009F as windows-1252 reads bytes 0x80–0x9F (the five it leaves undefined stay as they are).
    private static readonly string Windows1252High = BuildWindows1252High();

    private static string BuildWindows1252High()
    {
        var bytes = new byte[32];
        for (var b = 0; b < bytes.Length; b++)
        {
            bytes[b] = (byte)(0x80 + b);
        }
        return System.Text.CodePagesEncodingProvider.Instance.GetEncoding(1252)!.GetString(bytes);
    }

    /// <summary>
    /// Entities decoded, and what they left in U+0080–U+009F read as windows-1252, as browsers read a numeric reference
    /// there (<c>&amp;#150;</c> is an en dash, <c>&amp;#146;</c> a right quote: old Word-made HTML is full of them); C1
    /// controls would otherwise be stripped later and counted as hidden characters.
    /// </summary>
    private static string Decode(string segment)
    {
        var decoded = WebUtility.HtmlDecode(segment);
        if (!decoded.AsSpan().ContainsAnyInRange('\u0080', '\u009F'))
        {
            return decoded;
        }
        var chars = decoded.ToCharArray();
        for (var k = 0; k < chars.Length; k++)
        {
            if (chars[k] is >= '\u0080' and <= '\u009F')
            {
                chars[k] = Windows1252High[chars[k] - 0x80];
            }
        }
        return new string(chars);
    }

    /// <summary>The next <paramref name="prefix"/> (<c>&lt;/head</c>, <c>&lt;body</c>...) that is a whole tag name — so
    /// <c>&lt;/head</c> does not match <c>&lt;/header&gt;</c> — or -1.</summary>
    private static int FindTag(string s, string prefix, int from)
    {
        while (from < s.Length)
        {
            var at = s.IndexOf(prefix, from, StringComparison.OrdinalIgnoreCase);
            if (at < 0)
            {
                return -1;
            }
            var after = at + prefix.Length;
            if (after >= s.Length || s[after] is '>' or '/' || char.IsWhiteSpace(s[after]))
            {
                return at;
            }
            from = after;
        }
        return -1;
    }

    private static int SkipTo(string s, int from, char c)
    {
        var at = s.IndexOf(c, from);
        return at < 0 ? s.Length : at + 1;
    }

    private static (string Name, bool Closing, bool SelfClosing, string Attributes, int Next)? ParseTag(string html, int start)
    {
        var i = start + 1;
        var closing = i < html.Length && html[i] == '/';
        if (closing)
        {
            i++;
        }
        var nameStart = i;
        while (i < html.Length && (char.IsAsciiLetterOrDigit(html[i]) || html[i] is '-' or ':'))
        {
            i++;
        }
        if (i == nameStart || !char.IsAsciiLetter(html[nameStart]))
        {
            return null;
        }
        var name = html[nameStart..i];
        // Attributes run to the first '>' outside quotes.
        var attrStart = i;
        char quote = '\0';
        while (i < html.Length)
        {
            var c = html[i];
            if (quote != '\0')
            {
                if (c == quote)
                {
                    quote = '\0';
                }
            }
            else if (c is '"' or '\'')
            {
                quote = c;
            }
            else if (c == '>')
            {
                break;
            }
            i++;
        }
        var attributes = html[attrStart..Math.Min(i, html.Length)];
        var selfClosing = attributes.TrimEnd().EndsWith('/');
        return (name, closing, selfClosing, attributes, Math.Min(i + 1, html.Length));
    }

    internal static bool IsHidden(string attributes)
    {
        if (attributes.Length == 0)
        {
            return false;
        }
        string? style = null, bgcolor = null;
        foreach (var (name, value) in Attributes(attributes))
        {
            switch (name)
            {
                case "hidden":
                    return true;
                case "style":
                    style ??= value; // the first of duplicates counts, as in browsers
                    break;
                case "bgcolor":
                    bgcolor ??= value;
                    break;
            }
        }
        if (style is null)
        {
            return false;
        }
        var whiteText = false;
        var background = bgcolor is not null && !IsNoBackground(Squeeze(bgcolor));
        foreach (var declaration in Squeeze(style).Split(';'))
        {
            var colon = declaration.IndexOf(':', StringComparison.Ordinal);
            if (colon <= 0)
            {
                continue;
            }
            var (property, value) = (declaration[..colon], declaration[(colon + 1)..]);
            switch (property)
            {
                case "color":
                    whiteText |= WhiteColor().IsMatch(value);
                    break;
                case "background" or "background-color":
                    background |= !IsNoBackground(value);
                    break;
                default:
                    if (HiddenDeclaration().IsMatch(declaration))
                    {
                        return true;
                    }
                    break;
            }
        }
        // White text is invisible on the white page, not on a button or a banner that has a colour of its own.
        return whiteText && !background;
    }

    /// <summary>A background that does not make white text visible: none, transparent, inherited, or white itself.</summary>
    private static bool IsNoBackground(string value) =>
        value.Length == 0 || NoBackground().IsMatch(value) || WhiteInside().IsMatch(value);

    private static string Squeeze(string value) =>
        WebUtility.HtmlDecode(value).ToLowerInvariant().Replace(" ", "", StringComparison.Ordinal).Replace("\t", "", StringComparison.Ordinal);

    /// <summary>
    /// The attributes of a tag (the text after its name) as HTML tokenizes them: a name runs to white space, <c>/</c>,
    /// <c>=</c> or <c>&gt;</c>; a value is quoted or runs to white space. So <c>alt="hidden gem"</c> is an <c>alt</c>
    /// attribute whose value mentions hidden, not a <c>hidden</c> attribute. Names are lower-cased.
    /// </summary>
    internal static IEnumerable<(string Name, string? Value)> Attributes(string s)
    {
        var i = 0;
        while (i < s.Length)
        {
            while (i < s.Length && (char.IsWhiteSpace(s[i]) || s[i] == '/'))
            {
                i++;
            }
            var start = i;
            while (i < s.Length && !char.IsWhiteSpace(s[i]) && s[i] is not ('/' or '=' or '>'))
            {
                i++;
            }
            if (i == start)
            {
                i++; // a stray '=' or '>'
                continue;
            }
            var name = s[start..i].ToLowerInvariant();
            var j = i;
            while (j < s.Length && char.IsWhiteSpace(s[j]))
            {
                j++;
            }
            if (j >= s.Length || s[j] != '=')
            {
                yield return (name, null);
                continue;
            }
            i = j + 1;
            while (i < s.Length && char.IsWhiteSpace(s[i]))
            {
                i++;
            }
            if (i < s.Length && s[i] is '"' or '\'')
            {
                var quote = s[i];
                var close = s.IndexOf(quote, i + 1);
                var end = close < 0 ? s.Length : close;
                yield return (name, s[(i + 1)..end]);
                i = end + 1;
            }
            else
            {
                var valueStart = i;
                while (i < s.Length && !char.IsWhiteSpace(s[i]) && s[i] != '>')
                {
                    i++;
                }
                yield return (name, s[valueStart..i]);
            }
        }
    }

    private static string Tidy(string s)
    {
        s = s.Replace('\u00A0', ' ').Replace("\r\n", "\n", StringComparison.Ordinal).Replace('\r', '\n');
        s = SpacesRun().Replace(s, " ");
        s = SpaceAroundNewline().Replace(s, "\n");
        s = BlankLines().Replace(s, "\n\n");
        return s.Trim();
    }

    // One declaration (property:value, lower case, no spaces): display:none, visibility:hidden, font-size:0 (any unit),
    // width/height/max-*:0, opacity:0.
    [GeneratedRegex(@"^(display:none|visibility:hidden|font-size:0(\.0+)?([a-z%]+)?|(max-)?(width|height):0(px|em|rem|%)?|opacity:0(\.0+)?)(!important)?$")]
    private static partial Regex HiddenDeclaration();

    [GeneratedRegex(@"^(#fff(fff)?|white|rgb\(255,255,255\)|rgba\(255,255,255,1(\.0+)?\))(!important)?$")]
    private static partial Regex WhiteColor();

    [GeneratedRegex(@"^(none|transparent|inherit|initial|unset|revert)(!important)?$")]
    private static partial Regex NoBackground();

    [GeneratedRegex(@"(#fff(fff)?(?![0-9a-f])|white|rgba?\(255,255,255)")]
    private static partial Regex WhiteInside();

    [GeneratedRegex(@"[ \t\f\v]+")]
    private static partial Regex SpacesRun();

    [GeneratedRegex(@" ?\n ?")]
    private static partial Regex SpaceAroundNewline();

    [GeneratedRegex(@"\n{3,}")]
    private static partial Regex BlankLines();
}
