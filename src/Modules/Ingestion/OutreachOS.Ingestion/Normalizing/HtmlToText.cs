using System.Net;
using System.Text;
using System.Text.RegularExpressions;

namespace OutreachOS.Ingestion.Normalizing;

/// <summary>
/// A tolerant HTML → plain text conversion for e-mail bodies (no DOM library: the registry has none we may use).
/// Drops scripts, styles, comments and the head; turns block elements into line breaks; decodes entities; and removes
/// content a reader cannot see — <c>display:none</c>, <c>visibility:hidden</c>, zero font size or box, zero opacity,
/// white text, the <c>hidden</c> attribute — because that is where injected instructions hide. Hidden elements are counted.
/// </summary>
internal static partial class HtmlToText
{
    private static readonly HashSet<string> Void = new(StringComparer.OrdinalIgnoreCase)
    {
        "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param", "source", "track", "wbr",
    };

    private static readonly HashSet<string> RawText = new(StringComparer.OrdinalIgnoreCase) { "script", "style", "title", "textarea", "head", "template" };

    private static readonly HashSet<string> Block = new(StringComparer.OrdinalIgnoreCase)
    {
        "p", "div", "br", "li", "ul", "ol", "tr", "table", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "pre", "hr",
        "section", "article", "header", "footer", "address", "dd", "dt", "dl",
    };

    public sealed record Result(string Text, int HiddenElementsRemoved);

    public static Result Convert(string html)
    {
        ArgumentNullException.ThrowIfNull(html);
        var text = new StringBuilder(html.Length / 2);
        var stack = new List<(string Name, bool Hidden)>();
        var hiddenDepth = 0; // number of hidden elements open: text is dropped while > 0
        var hiddenCount = 0;
        var i = 0;
        while (i < html.Length)
        {
            var lt = html.IndexOf('<', i);
            var end = lt < 0 ? html.Length : lt;
            if (end > i && hiddenDepth == 0)
            {
                text.Append(WebUtility.HtmlDecode(html[i..end]));
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
                if (hiddenDepth == 0)
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
                var at = stack.FindLastIndex(e => string.Equals(e.Name, name, StringComparison.OrdinalIgnoreCase));
                if (at >= 0)
                {
                    for (var k = stack.Count - 1; k >= at; k--)
                    {
                        if (stack[k].Hidden)
                        {
                            hiddenDepth--;
                        }
                    }
                    stack.RemoveRange(at, stack.Count - at);
                }
                if (Block.Contains(name) && hiddenDepth == 0)
                {
                    text.Append('\n');
                }
                continue;
            }
            var hidden = IsHidden(attributes);
            if (RawText.Contains(name))
            {
                var close = html.IndexOf("</" + name, i, StringComparison.OrdinalIgnoreCase);
                i = close < 0 ? html.Length : SkipTo(html, close, '>');
                continue;
            }
            if (hidden && hiddenDepth == 0)
            {
                hiddenCount++;
            }
            if (Block.Contains(name) && hiddenDepth == 0)
            {
                text.Append('\n');
            }
            if (!selfClosing && !Void.Contains(name))
            {
                stack.Add((name, hidden));
                if (hidden)
                {
                    hiddenDepth++;
                }
            }
        }
        return new Result(Tidy(text.ToString()), hiddenCount);
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
        if (HiddenAttribute().IsMatch(attributes))
        {
            return true;
        }
        var style = StyleAttribute().Match(attributes);
        if (!style.Success)
        {
            return false;
        }
        var css = WebUtility.HtmlDecode(style.Groups["v"].Value).ToLowerInvariant().Replace(" ", "", StringComparison.Ordinal);
        return HiddenCss().IsMatch(css);
    }

    private static string Tidy(string s)
    {
        s = s.Replace('\u00A0', ' ').Replace("\r\n", "\n", StringComparison.Ordinal).Replace('\r', '\n');
        s = SpacesRun().Replace(s, " ");
        s = SpaceAroundNewline().Replace(s, "\n");
        s = BlankLines().Replace(s, "\n\n");
        return s.Trim();
    }

    [GeneratedRegex(@"(^|\s)hidden(\s|=|/|$)", RegexOptions.IgnoreCase)]
    private static partial Regex HiddenAttribute();

    [GeneratedRegex(@"\bstyle\s*=\s*(?:""(?<v>[^""]*)""|'(?<v>[^']*)'|(?<v>[^\s>]+))", RegexOptions.IgnoreCase)]
    private static partial Regex StyleAttribute();

    // display:none, visibility:hidden, font-size:0 (any unit), width/height/max-*:0, opacity:0, white text.
    [GeneratedRegex(@"(^|;)(display:none|visibility:hidden|font-size:0(\.0+)?([a-z%]+)?(;|!|$)|(max-)?(width|height):0(px|em|rem|%)?(;|!|$)|opacity:0(\.0+)?(;|!|$)|color:(#fff(fff)?|white|rgb\(255,255,255\)|rgba\(255,255,255,1(\.0+)?\))(;|!|$))")]
    private static partial Regex HiddenCss();

    [GeneratedRegex(@"[ \t\f\v]+")]
    private static partial Regex SpacesRun();

    [GeneratedRegex(@" ?\n ?")]
    private static partial Regex SpaceAroundNewline();

    [GeneratedRegex(@"\n{3,}")]
    private static partial Regex BlankLines();
}
