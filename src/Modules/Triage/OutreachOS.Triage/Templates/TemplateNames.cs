namespace OutreachOS.Triage.Templates;

/// <summary>
/// The names a template's tags use that the reply model does not hold, found by reading the tags rather than by rendering:
/// the trial renders at validation reach only the branches their samples take, so a misspelt name under mixed conditions
/// (<c>{{#unless a}}</c> inside <c>{{#if b}}</c>) passed and rendered as nothing. Helpers (<c>if</c>, <c>unless</c>,
/// <c>each</c>, <c>with</c>, <c>join</c>, <c>lookup</c>), literals, <c>this</c>, <c>@index</c> and the like are not names;
/// <c>../x</c> is <c>x</c>; comments and escaped tags (<c>\{{…}}</c>) are skipped. A name inside <c>{{#each}}</c> is checked
/// against the model too (its item is a string, so only <c>this</c> has a value there; the trial renders report the rest).
/// </summary>
internal static class TemplateNames
{
    private static readonly HashSet<string> Helpers = new(StringComparer.Ordinal) { "if", "unless", "each", "with", "join", "lookup", "log", "else" };

    public static string? FirstUnknown(string source, IReadOnlyCollection<string> known)
    {
        var i = 0;
        while (source.IndexOf("{{", i, StringComparison.Ordinal) is var start && start >= 0)
        {
            if (start > 0 && source[start - 1] == '\\')
            {
                i = start + 2; // an escaped tag is text
                continue;
            }

            if (string.CompareOrdinal(source, start, "{{!--", 0, 5) == 0)
            {
                var close = source.IndexOf("--}}", start + 5, StringComparison.Ordinal);
                i = close < 0 ? source.Length : close + 4;
                continue;
            }

            var from = start + (start + 2 < source.Length && source[start + 2] == '{' ? 3 : 2);
            var end = source.IndexOf("}}", from, StringComparison.Ordinal);
            if (end < 0)
            {
                return null; // unterminated: the compiler reports it
            }

            i = end + 2;
            if (Unknown(source[from..end], known) is { } name)
            {
                return name;
            }
        }

        return null;
    }

    private static string? Unknown(string tag, IReadOnlyCollection<string> known)
    {
        var content = tag.Trim().Trim('~').Trim();
        if (content.Length == 0 || content[0] is '!' or '/' or '>')
        {
            return null;
        }

        if (content[0] is '#' or '^' or '&')
        {
            content = content[1..].TrimStart('~').TrimStart();
        }

        var first = true;
        foreach (var token in Tokens(content))
        {
            var value = token.Contains('=', StringComparison.Ordinal) ? token[(token.IndexOf('=', StringComparison.Ordinal) + 1)..] : token;
            if (!(first && Helpers.Contains(value)) && !IsKnown(value, known))
            {
                return value;
            }

            first = false;
        }

        return null;
    }

    private static bool IsKnown(string token, IReadOnlyCollection<string> known)
    {
        if (token.Length == 0 || token[0] is '"' or '\'' or '@' or '-' || char.IsAsciiDigit(token[0])
            || token is "true" or "false" or "null" or "undefined" or "this" or "." || token.StartsWith("this.", StringComparison.Ordinal)
            || token.StartsWith("./", StringComparison.Ordinal) || Helpers.Contains(token))
        {
            return true;
        }

        while (token.StartsWith("../", StringComparison.Ordinal))
        {
            token = token[3..];
        }

        var root = token.Split('.', '/', '[')[0];
        return root.Length == 0 || root is "this" || known.Contains(root);
    }

    // Words of a tag: white space and parentheses separate them; a quoted string is one word (a literal).
    private static IEnumerable<string> Tokens(string content)
    {
        var i = 0;
        while (i < content.Length)
        {
            var c = content[i];
            if (char.IsWhiteSpace(c) || c is '(' or ')')
            {
                i++;
                continue;
            }

            var start = i;
            if (c is '"' or '\'')
            {
                var close = content.IndexOf(c, i + 1);
                i = close < 0 ? content.Length : close + 1;
                yield return content[start..i];
                continue;
            }

            while (i < content.Length && !char.IsWhiteSpace(content[i]) && content[i] is not ('(' or ')'))
            {
                if (content[i] is '"' or '\'')
                {
                    var close = content.IndexOf(content[i], i + 1); // key="a b"
                    i = close < 0 ? content.Length : close + 1;
                    continue;
                }

                i++;
            }

            yield return content[start..i];
        }
    }
}
