using System.Text;

namespace OutreachOS.Ingestion.Normalizing;

/// <summary>
/// An RFC 5322 address list (<c>To</c>, <c>Cc</c>, <c>From</c>) as mail really carries it: <c>Name &lt;a@b&gt;</c>, quoted
/// names with commas and escapes, comments (<c>jane@x.com (Jane Doe)</c>, nested), and groups
/// (<c>Team: a@x.com, b@x.com;</c>, <c>undisclosed-recipients:;</c> — the group's name is not an address). One pass, no
/// backtracking: an unterminated quote, comment or angle bracket runs to the end of the value. What comes out is not
/// validated here; the normalizer decides what an unusable address costs. RFC 2047 encoded words in a display name are
/// decoded (<see cref="EncodedWords"/>).
/// </summary>
internal static class AddressHeader
{
    public static List<RawAddress> Parse(string? value)
    {
        var list = new List<RawAddress>();
        if (string.IsNullOrWhiteSpace(value))
        {
            return list;
        }
        var phrase = new StringBuilder(); // outside angle brackets: the display name, or the bare addr-spec
        string? angle = null;
        string? comment = null;
        var inGroup = false;
        var i = 0;
        while (i < value.Length)
        {
            var c = value[i];
            switch (c)
            {
                case '"':
                    i = ReadDelimited(value, i + 1, '"', out var quoted);
                    phrase.Append(quoted);
                    continue;
                case '(':
                    i = ReadComment(value, i + 1, out var text);
                    comment ??= text;
                    phrase.Append(' ');
                    continue;
                case '<':
                    i = ReadDelimited(value, i + 1, '>', out var address);
                    angle ??= address;
                    continue;
                case ':' when !inGroup && angle is null:
                    // "display-name:" opens a group; the name is not an address.
                    phrase.Clear();
                    comment = null;
                    inGroup = true;
                    break;
                case ';':
                    Flush();
                    inGroup = false;
                    break;
                case ',':
                    Flush();
                    break;
                default:
                    phrase.Append(c);
                    break;
            }
            i++;
        }
        Flush();
        return list;

        void Flush()
        {
            var words = Collapse(phrase.ToString());
            if (angle is not null)
            {
                list.Add(new RawAddress(angle.Trim(), words.Length > 0 ? EncodedWords.Decode(words) : Named(comment)));
            }
            else if (words.Length > 0)
            {
                list.Add(new RawAddress(words, Named(comment)));
            }
            phrase.Clear();
            angle = null;
            comment = null;
        }
    }

    private static string? Named(string? comment) => Collapse(comment ?? "") is { Length: > 0 } n ? EncodedWords.Decode(n) : null;

    private static string Collapse(string s) => string.Join(' ', s.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries));

    /// <summary>Up to the unescaped <paramref name="end"/> (a backslash escapes the next character); returns the index after it.</summary>
    private static int ReadDelimited(string s, int i, char end, out string content)
    {
        var sb = new StringBuilder();
        for (; i < s.Length; i++)
        {
            if (s[i] == '\\' && end == '"' && i + 1 < s.Length)
            {
                sb.Append(s[++i]);
            }
            else if (s[i] == end)
            {
                content = sb.ToString();
                return i + 1;
            }
            else
            {
                sb.Append(s[i]);
            }
        }
        content = sb.ToString();
        return i;
    }

    /// <summary>A comment: nested parentheses, backslash escapes; returns the index after its closing parenthesis.</summary>
    private static int ReadComment(string s, int i, out string content)
    {
        var sb = new StringBuilder();
        var depth = 1;
        for (; i < s.Length; i++)
        {
            var c = s[i];
            if (c == '\\' && i + 1 < s.Length)
            {
                sb.Append(s[++i]);
                continue;
            }
            if (c == '(')
            {
                depth++;
            }
            else if (c == ')' && --depth == 0)
            {
                content = sb.ToString();
                return i + 1;
            }
            sb.Append(c);
        }
        content = sb.ToString();
        return i;
    }
}
