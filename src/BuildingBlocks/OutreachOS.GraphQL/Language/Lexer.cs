using System.Globalization;
using System.Text;

namespace OutreachOS.GraphQL.Language;

internal enum TokenKind
{
    Sof,
    Eof,
    Bang,
    Dollar,
    Amp,
    ParenL,
    ParenR,
    Spread,
    Colon,
    Equals,
    At,
    BracketL,
    BracketR,
    BraceL,
    Pipe,
    BraceR,
    Name,
    Int,
    Float,
    String,
    BlockString,
}

internal readonly record struct Token(TokenKind Kind, int Start, int End, SourceLocation Loc, string? Value)
{
    public static string KindDescription(TokenKind kind) => kind switch
    {
        TokenKind.Sof => "<SOF>",
        TokenKind.Eof => "<EOF>",
        TokenKind.Bang => "\"!\"",
        TokenKind.Dollar => "\"$\"",
        TokenKind.Amp => "\"&\"",
        TokenKind.ParenL => "\"(\"",
        TokenKind.ParenR => "\")\"",
        TokenKind.Spread => "\"...\"",
        TokenKind.Colon => "\":\"",
        TokenKind.Equals => "\"=\"",
        TokenKind.At => "\"@\"",
        TokenKind.BracketL => "\"[\"",
        TokenKind.BracketR => "\"]\"",
        TokenKind.BraceL => "\"{\"",
        TokenKind.Pipe => "\"|\"",
        TokenKind.BraceR => "\"}\"",
        TokenKind.Name => "Name",
        TokenKind.Int => "Int",
        TokenKind.Float => "Float",
        TokenKind.String => "String",
        TokenKind.BlockString => "BlockString",
        _ => kind.ToString(),
    };

    public string Description => Value is null ? KindDescription(Kind) : $"{KindDescription(Kind)} \"{Value}\"";
}

/// <summary>Tokenizer following the lexical grammar of the October 2021 spec (section 2.1).</summary>
internal sealed class Lexer
{
    private readonly string _body;
    private int _pos;
    private int _line = 1;
    private int _lineStart;

    public Lexer(string body) => _body = body;

    public SourceLocation LocationOf(int position)
    {
        // Only used for error positions within the current line region; recompute from scratch for correctness.
        int line = 1, lineStart = 0;
        for (var i = 0; i < position && i < _body.Length; i++)
        {
            var c = _body[i];
            if (c == '\n' || (c == '\r' && (i + 1 >= _body.Length || _body[i + 1] != '\n')))
            {
                line++;
                lineStart = i + 1;
            }
            else if (c == '\r')
            {
                // \r\n: the \n ends the line.
            }
        }

        return new SourceLocation(line, position - lineStart + 1);
    }

    private GraphQLSyntaxException Error(int position, string description) =>
        new($"Syntax Error: {description}", LocationOf(position));

    public Token Next()
    {
        SkipIgnored();
        var start = _pos;
        var loc = new SourceLocation(_line, start - _lineStart + 1);
        if (_pos >= _body.Length)
        {
            return new Token(TokenKind.Eof, start, start, loc, null);
        }

        var c = _body[_pos];
        TokenKind? punct = c switch
        {
            '!' => TokenKind.Bang,
            '$' => TokenKind.Dollar,
            '&' => TokenKind.Amp,
            '(' => TokenKind.ParenL,
            ')' => TokenKind.ParenR,
            ':' => TokenKind.Colon,
            '=' => TokenKind.Equals,
            '@' => TokenKind.At,
            '[' => TokenKind.BracketL,
            ']' => TokenKind.BracketR,
            '{' => TokenKind.BraceL,
            '|' => TokenKind.Pipe,
            '}' => TokenKind.BraceR,
            _ => null,
        };
        if (punct is { } p)
        {
            _pos++;
            return new Token(p, start, _pos, loc, null);
        }

        if (c == '.')
        {
            if (_pos + 2 < _body.Length + 0 && At(_pos + 1) == '.' && At(_pos + 2) == '.')
            {
                _pos += 3;
                return new Token(TokenKind.Spread, start, _pos, loc, null);
            }

            throw Error(_pos, $"Unexpected character: {PrintChar(_pos)}.");
        }

        if (IsNameStart(c))
        {
            while (_pos < _body.Length && IsNameContinue(_body[_pos]))
            {
                _pos++;
            }

            return new Token(TokenKind.Name, start, _pos, loc, _body[start.._pos]);
        }

        if (c == '-' || char.IsAsciiDigit(c))
        {
            return ReadNumber(start, loc);
        }

        if (c == '"')
        {
            if (At(_pos + 1) == '"' && At(_pos + 2) == '"')
            {
                return ReadBlockString(start, loc);
            }

            return ReadString(start, loc);
        }

        if (c == '\'')
        {
            throw Error(_pos, "Unexpected single quote character ('), did you mean to use a double quote (\")?");
        }

        throw Error(_pos, char.IsSurrogate(c) && !IsSurrogatePairAt(_pos)
            ? $"Invalid character: {PrintChar(_pos)}."
            : $"Unexpected character: {PrintChar(_pos)}.");
    }

    private char At(int i) => i < _body.Length ? _body[i] : '\0';

    private bool IsSurrogatePairAt(int i) => char.IsHighSurrogate(At(i)) && char.IsLowSurrogate(At(i + 1));

    private string PrintChar(int i)
    {
        if (i >= _body.Length)
        {
            return "<EOF>";
        }

        var c = _body[i];
        if (c >= 0x20 && c <= 0x7E)
        {
            return c == '"' ? "'\"'" : $"\"{c}\"";
        }

        var cp = IsSurrogatePairAt(i) ? char.ConvertToUtf32(c, _body[i + 1]) : c;
        return "U+" + cp.ToString("X4", CultureInfo.InvariantCulture);
    }

    private static bool IsNameStart(char c) => char.IsAsciiLetter(c) || c == '_';

    private static bool IsNameContinue(char c) => char.IsAsciiLetterOrDigit(c) || c == '_';

    private void SkipIgnored()
    {
        while (_pos < _body.Length)
        {
            var c = _body[_pos];
            switch (c)
            {
                case '\uFEFF':
                case ' ':
                case '\t':
                case ',':
                    _pos++;
                    break;
                case '\n':
                    _pos++;
                    NewLine();
                    break;
                case '\r':
                    _pos++;
                    if (At(_pos) == '\n')
                    {
                        _pos++;
                    }

                    NewLine();
                    break;
                case '#':
                    // A comment holds any SourceCharacter; a lone surrogate ends it and is then an invalid character.
                    while (_pos < _body.Length && _body[_pos] != '\n' && _body[_pos] != '\r'
                        && (!char.IsSurrogate(_body[_pos]) || IsSurrogatePairAt(_pos)))
                    {
                        _pos += char.IsSurrogate(_body[_pos]) ? 2 : 1;
                    }

                    break;
                default:
                    return;
            }
        }
    }

    private void NewLine()
    {
        _line++;
        _lineStart = _pos;
    }

    private Token ReadNumber(int start, SourceLocation loc)
    {
        var isFloat = false;
        if (At(_pos) == '-')
        {
            _pos++;
        }

        if (At(_pos) == '0')
        {
            _pos++;
            if (char.IsAsciiDigit(At(_pos)))
            {
                throw Error(_pos, $"Invalid number, unexpected digit after 0: {PrintChar(_pos)}.");
            }
        }
        else
        {
            ReadDigits();
        }

        if (At(_pos) == '.')
        {
            isFloat = true;
            _pos++;
            ReadDigits();
        }

        if (At(_pos) is 'e' or 'E')
        {
            isFloat = true;
            _pos++;
            if (At(_pos) is '+' or '-')
            {
                _pos++;
            }

            ReadDigits();
        }

        if (At(_pos) == '.' || (_pos < _body.Length && IsNameStart(_body[_pos])))
        {
            throw Error(_pos, $"Invalid number, expected digit but got: {PrintChar(_pos)}.");
        }

        return new Token(isFloat ? TokenKind.Float : TokenKind.Int, start, _pos, loc, _body[start.._pos]);
    }

    private void ReadDigits()
    {
        if (!char.IsAsciiDigit(At(_pos)))
        {
            throw Error(_pos, $"Invalid number, expected digit but got: {PrintChar(_pos)}.");
        }

        while (char.IsAsciiDigit(At(_pos)))
        {
            _pos++;
        }
    }

    private Token ReadString(int start, SourceLocation loc)
    {
        _pos++;
        var sb = new StringBuilder();
        while (_pos < _body.Length)
        {
            var c = _body[_pos];
            if (c == '"')
            {
                _pos++;
                return new Token(TokenKind.String, start, _pos, loc, sb.ToString());
            }

            if (c is '\n' or '\r')
            {
                break;
            }

            if (c == '\\')
            {
                var e = At(_pos + 1);
                switch (e)
                {
                    case '"': sb.Append('"'); _pos += 2; break;
                    case '\\': sb.Append('\\'); _pos += 2; break;
                    case '/': sb.Append('/'); _pos += 2; break;
                    case 'b': sb.Append('\b'); _pos += 2; break;
                    case 'f': sb.Append('\f'); _pos += 2; break;
                    case 'n': sb.Append('\n'); _pos += 2; break;
                    case 'r': sb.Append('\r'); _pos += 2; break;
                    case 't': sb.Append('\t'); _pos += 2; break;
                    case 'u': ReadUnicodeEscape(sb); break;
                    default:
                        throw Error(_pos, $"Invalid character escape sequence: \"{_body.Substring(_pos, Math.Min(2, _body.Length - _pos))}\".");
                }

                continue;
            }

            AppendSourceCharacter(sb);
        }

        throw Error(_pos, "Unterminated string.");
    }

    private void ReadUnicodeEscape(StringBuilder sb)
    {
        var escStart = _pos;
        if (At(_pos + 2) == '{')
        {
            var i = _pos + 3;
            var value = 0;
            var digits = 0;
            while (i < _body.Length && Uri.IsHexDigit(_body[i]) && digits < 9)
            {
                value = (value * 16) + Convert.ToInt32(_body[i].ToString(), 16);
                i++;
                digits++;
                if (value > 0x10FFFF)
                {
                    break;
                }
            }

            if (At(i) == '}' && digits > 0 && value <= 0x10FFFF && !(value >= 0xD800 && value <= 0xDFFF))
            {
                sb.Append(char.ConvertFromUtf32(value));
                _pos = i + 1;
                return;
            }

            var end = Math.Min(_body.Length, _body.IndexOf('}', escStart) is var k and >= 0 ? k + 1 : i + 1);
            throw Error(escStart, $"Invalid Unicode escape sequence: \"{_body[escStart..end]}\".");
        }

        var code = ReadHex4(_pos + 2);
        if (code < 0)
        {
            throw Error(escStart, $"Invalid Unicode escape sequence: \"{_body.Substring(escStart, Math.Min(6, _body.Length - escStart))}\".");
        }

        if (code >= 0xD800 && code <= 0xDBFF && At(_pos + 6) == '\\' && At(_pos + 7) == 'u')
        {
            var low = ReadHex4(_pos + 8);
            if (low >= 0xDC00 && low <= 0xDFFF)
            {
                sb.Append((char)code).Append((char)low);
                _pos += 12;
                return;
            }
        }

        if (code >= 0xD800 && code <= 0xDFFF)
        {
            throw Error(escStart, $"Invalid Unicode escape sequence: \"{_body.Substring(escStart, 6)}\".");
        }

        sb.Append((char)code);
        _pos += 6;
    }

    private int ReadHex4(int i)
    {
        if (i + 4 > _body.Length)
        {
            return -1;
        }

        var s = _body.AsSpan(i, 4);
        foreach (var ch in s)
        {
            if (!Uri.IsHexDigit(ch))
            {
                return -1;
            }
        }

        return int.Parse(s, NumberStyles.HexNumber, CultureInfo.InvariantCulture);
    }

    private Token ReadBlockString(int start, SourceLocation loc)
    {
        _pos += 3;
        var raw = new StringBuilder();
        while (_pos < _body.Length)
        {
            var c = _body[_pos];
            if (c == '"' && At(_pos + 1) == '"' && At(_pos + 2) == '"')
            {
                _pos += 3;
                return new Token(TokenKind.BlockString, start, _pos, loc, DedentBlockString(raw.ToString()));
            }

            if (c == '\\' && At(_pos + 1) == '"' && At(_pos + 2) == '"' && At(_pos + 3) == '"')
            {
                raw.Append("\"\"\"");
                _pos += 4;
                continue;
            }

            if (c is '\n' or '\r')
            {
                raw.Append(c);
                _pos++;
                if (c == '\r' && At(_pos) == '\n')
                {
                    raw.Append('\n');
                    _pos++;
                }

                NewLine();
                continue;
            }

            AppendSourceCharacter(raw);
        }

        throw Error(_pos, "Unterminated string.");
    }

    /// <summary>
    /// Appends the string character at the position and moves past it. Spec October 2021: any SourceCharacter (Unicode
    /// scalar value), control characters included; a lone surrogate is not one.
    /// </summary>
    private void AppendSourceCharacter(StringBuilder sb)
    {
        var c = _body[_pos];
        if (!char.IsSurrogate(c))
        {
            sb.Append(c);
            _pos++;
            return;
        }

        if (!IsSurrogatePairAt(_pos))
        {
            throw Error(_pos, $"Invalid character within String: {PrintChar(_pos)}.");
        }

        sb.Append(c).Append(_body[_pos + 1]);
        _pos += 2;
    }

    /// <summary>The spec's BlockStringValue(): strip common indentation and blank leading/trailing lines.</summary>
    internal static string DedentBlockString(string raw)
    {
        var lines = raw.Replace("\r\n", "\n", StringComparison.Ordinal).Replace('\r', '\n').Split('\n');
        var commonIndent = int.MaxValue;
        int? firstNonEmpty = null;
        var lastNonEmpty = -1;
        for (var i = 0; i < lines.Length; i++)
        {
            var line = lines[i];
            var indent = 0;
            while (indent < line.Length && line[indent] is ' ' or '\t')
            {
                indent++;
            }

            if (indent == line.Length)
            {
                continue;
            }

            firstNonEmpty ??= i;
            lastNonEmpty = i;
            if (i != 0 && indent < commonIndent)
            {
                commonIndent = indent;
            }
        }

        if (firstNonEmpty is null)
        {
            return string.Empty;
        }

        var result = new List<string>();
        for (var i = firstNonEmpty.Value; i <= lastNonEmpty; i++)
        {
            var line = lines[i];
            result.Add(i == 0 || commonIndent == int.MaxValue ? line : line.Length >= commonIndent ? line[commonIndent..] : string.Empty);
        }

        return string.Join('\n', result);
    }
}
