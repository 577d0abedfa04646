using System.Globalization;
using System.Text;
using OutreachOS.Ingestion.Contracts;

namespace OutreachOS.Triage.Smtp;

/// <summary>A plain-text reply, threaded to the message it answers (In-Reply-To / References).</summary>
internal sealed record OutgoingMail(
    string MessageId, MailAddress From, IReadOnlyList<MailAddress> To, IReadOnlyList<MailAddress> Cc, string Subject, string Text,
    string? InReplyTo, IReadOnlyList<string> References, DateTimeOffset Date, bool AutoReplied);

/// <summary>
/// Writes an <see cref="OutgoingMail"/> as RFC 5322 bytes. Header values lose CR/LF (a subject from the customer cannot
/// inject headers); non-ASCII headers are RFC 2047 encoded (words of at most 75 characters, folded); the body is 7bit when it is short-lined ASCII, base64 otherwise.
/// </summary>
internal static class MimeWriter
{
    public static string Write(OutgoingMail m)
    {
        var sb = new StringBuilder();
        Header(sb, "Message-ID", Clean(m.MessageId));
        Header(sb, "Date", m.Date.ToUniversalTime().ToString("ddd, dd MMM yyyy HH:mm:ss '+0000'", CultureInfo.InvariantCulture));
        Header(sb, "From", Address(m.From));
        Header(sb, "To", string.Join(", ", m.To.Select(Address)));
        if (m.Cc.Count > 0)
        {
            Header(sb, "Cc", string.Join(", ", m.Cc.Select(Address)));
        }

        Header(sb, "Subject", Encode(Clean(m.Subject)));
        if (!string.IsNullOrWhiteSpace(m.InReplyTo))
        {
            Header(sb, "In-Reply-To", Angle(m.InReplyTo));
        }

        var references = m.References.Where(r => !string.IsNullOrWhiteSpace(r)).Select(Angle).ToList();
        if (!string.IsNullOrWhiteSpace(m.InReplyTo) && !references.Contains(Angle(m.InReplyTo), StringComparer.Ordinal))
        {
            references.Add(Angle(m.InReplyTo));
        }

        if (references.Count > 0)
        {
            Header(sb, "References", string.Join(" ", references));
        }

        if (m.AutoReplied)
        {
            Header(sb, "Auto-Submitted", "auto-replied"); // RFC 3834: other responders must not answer it (no mail loops)
        }

        Header(sb, "MIME-Version", "1.0");
        Header(sb, "Content-Type", "text/plain; charset=utf-8");
        var body = m.Text.Replace("\r\n", "\n", StringComparison.Ordinal).Replace('\r', '\n');
        var lines = body.Split('\n');
        if (body.All(c => c < 128) && lines.All(l => l.Length <= 900))
        {
            Header(sb, "Content-Transfer-Encoding", "7bit");
            sb.Append("\r\n");
            foreach (var line in lines)
            {
                sb.Append(line).Append("\r\n");
            }
        }
        else
        {
            Header(sb, "Content-Transfer-Encoding", "base64");
            sb.Append("\r\n");
            var b64 = Convert.ToBase64String(Encoding.UTF8.GetBytes(string.Join("\r\n", lines)));
            for (var i = 0; i < b64.Length; i += 76)
            {
                sb.Append(b64, i, Math.Min(76, b64.Length - i)).Append("\r\n");
            }
        }

        return sb.ToString();
    }

    /// <summary>SMTP transparency (RFC 5321 4.5.2): a line starting with "." gets another ".".</summary>
    public static string DotStuff(string data) =>
        (data.StartsWith('.') ? "." : string.Empty) + data.Replace("\r\n.", "\r\n..", StringComparison.Ordinal);

    public static string Clean(string value) => value.Replace("\r", " ", StringComparison.Ordinal).Replace("\n", " ", StringComparison.Ordinal).Trim();

    /// <summary>An address for SMTP envelopes: no spaces, brackets or line breaks.</summary>
    public static string Envelope(string address)
    {
        var a = address.Trim();
        if (a.Length == 0 || a.Any(c => c is '<' or '>' or '\r' or '\n' or ' ' or ',') || !a.Contains('@', StringComparison.Ordinal))
        {
            throw new MailNotSentException($"'{Clean(a)}' is not a usable e-mail address.");
        }

        return a;
    }

    /// <summary>
    /// A display name is quoted when it is ASCII with specials ("Smith, Jane"), and RFC 2047 encoded when it is not ASCII:
    /// an encoded word is a phrase of its own, so quotes around it would be shown ("\"Müller, Jörg\"" in the reader's
    /// mail client), and quotes inside it are not read as quotes.
    /// </summary>
    private static string Address(MailAddress a)
    {
        if (string.IsNullOrWhiteSpace(a.Name))
        {
            return $"<{Envelope(a.Email)}>";
        }

        var name = Clean(a.Name);
        return $"{(IsPrintableAscii(name) ? Quote(name) : Encode(name))} <{Envelope(a.Email)}>";
    }

    private static string Quote(string name) =>
        name.All(c => char.IsLetterOrDigit(c) || c == ' ') ? name : "\"" + name.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal) + "\"";

    private static string Angle(string id)
    {
        var v = Clean(id);
        return v.StartsWith('<') ? v : $"<{v}>";
    }

    private static bool IsPrintableAscii(string value) => value.All(c => c is >= ' ' and < (char)127);

    /// <summary>
    /// RFC 2047 "B" encoded words of at most 75 characters (45 bytes of UTF-8 each, never splitting a character), folded
    /// onto continuation lines: one long encoded word is past the standard's limit, and strict readers show it raw.
    /// </summary>
    private static string Encode(string value)
    {
        if (IsPrintableAscii(value))
        {
            return value;
        }

        var words = new List<string>();
        var chunk = new StringBuilder();
        var bytes = 0;
        foreach (var rune in value.EnumerateRunes())
        {
            if (bytes + rune.Utf8SequenceLength > 45)
            {
                words.Add(EncodedWord(chunk.ToString()));
                chunk.Clear();
                bytes = 0;
            }

            chunk.Append(rune.ToString());
            bytes += rune.Utf8SequenceLength;
        }

        words.Add(EncodedWord(chunk.ToString()));
        return string.Join("\r\n ", words);
    }

    private static string EncodedWord(string text) => "=?utf-8?B?" + Convert.ToBase64String(Encoding.UTF8.GetBytes(text)) + "?=";

    private static void Header(StringBuilder sb, string name, string value) => sb.Append(name).Append(": ").Append(value).Append("\r\n");
}
