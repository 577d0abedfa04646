using System.Text;
using System.Text.RegularExpressions;

namespace OutreachOS.Ingestion.Normalizing;

/// <summary>
/// RFC 2047 encoded words (<c>=?utf-8?B?…?=</c>, <c>=?iso-8859-1?Q?…?=</c>) in a header value, decoded. The Gmail API hands
/// headers over as the message carries them, so a subject or a display name with any non-ASCII letter arrived encoded:
/// the classifier read base64, the reply's subject was "Re: =?UTF-8?B?…", and a sender called Jörg was greeted generically.
/// White space between two adjacent encoded words is dropped (RFC 2047 §6.2); a word in an unknown charset, or one that
/// does not decode, is left as written; line breaks a word decodes to become spaces.
/// </summary>
internal static partial class EncodedWords
{
    public static string? Decode(string? value)
    {
        if (value is null || !value.Contains("=?", StringComparison.Ordinal))
        {
            return value;
        }

        var sb = new StringBuilder(value.Length);
        var at = 0;
        var lastWordEnd = -1;
        foreach (Match m in EncodedWord().Matches(value))
        {
            var between = value.AsSpan(at, m.Index - at);
            var decoded = DecodeWord(m.Groups["charset"].Value, m.Groups["encoding"].Value, m.Groups["text"].Value);
            // Only white space between this word and the previous decoded one: it is not part of the text.
            if (!(decoded is not null && lastWordEnd == at && between.IsWhiteSpace()))
            {
                sb.Append(between);
            }

            sb.Append(decoded ?? m.Value);
            at = m.Index + m.Length;
            lastWordEnd = decoded is null ? -1 : at;
        }

        return sb.Append(value, at, value.Length - at).ToString();
    }

    private static string? DecodeWord(string charset, string encoding, string text)
    {
        var star = charset.IndexOf('*', StringComparison.Ordinal); // RFC 2231 language: "utf-8*en"
        if (Charset(star < 0 ? charset : charset[..star]) is not { } enc)
        {
            return null;
        }

        byte[]? bytes = encoding is "B" or "b" ? Base64(text) : QuotedPrintable(text);
        if (bytes is null)
        {
            return null;
        }

        try
        {
            var decoded = enc.GetString(bytes);
            return decoded.Replace('\r', ' ').Replace('\n', ' ');
        }
        catch (DecoderFallbackException)
        {
            return null;
        }
    }

    private static Encoding? Charset(string name)
    {
        try
        {
            return CodePagesEncodingProvider.Instance.GetEncoding(name) ?? Encoding.GetEncoding(name);
        }
        catch (ArgumentException)
        {
            return null;
        }
    }

    private static byte[]? Base64(string text)
    {
        var padded = text.Length % 4 == 0 ? text : text + new string('=', 4 - text.Length % 4);
        try
        {
            return Convert.FromBase64String(padded);
        }
        catch (FormatException)
        {
            return null;
        }
    }

    // "Q": '_' is a space, "=XX" a byte in hex, anything else itself.
    private static byte[]? QuotedPrintable(string text)
    {
        var bytes = new List<byte>(text.Length);
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (c == '_')
            {
                bytes.Add((byte)' ');
            }
            else if (c == '=')
            {
                if (i + 2 >= text.Length || !byte.TryParse(text.AsSpan(i + 1, 2), System.Globalization.NumberStyles.HexNumber,
                    System.Globalization.CultureInfo.InvariantCulture, out var b))
                {
                    return null;
                }

                bytes.Add(b);
                i += 2;
            }
            else if (c < 128)
            {
                bytes.Add((byte)c);
            }
            else
            {
                return null;
            }
        }

        return [.. bytes];
    }

    [GeneratedRegex(@"=\?(?<charset>[^?\s]{1,40})\?(?<encoding>[BbQq])\?(?<text>[^?\s]{0,2000})\?=", RegexOptions.CultureInvariant)]
    private static partial Regex EncodedWord();
}
