using System.Text;
using OutreachOS.Ingestion.Contracts;
using OutreachOS.Triage.Smtp;

namespace OutreachOS.UnitTests.Responses;

public sealed class MimeWriterTests
{
    private static OutgoingMail Mail(string subject = "Re: Pricing", string text = "Hello Sarah,\n\nThanks.", bool auto = true) =>
        new("<reply-1@acme.example>", new MailAddress("help@acme.example", "Acme Support"), [new MailAddress("sarah@customer.example", "Sarah Chen")], [],
            subject, text, "<m1@customer.example>", ["<m0@customer.example>"], DateTimeOffset.Parse("2026-11-22T10:00:00Z", System.Globalization.CultureInfo.InvariantCulture), auto);

    [Fact]
    public void Headers_carry_the_message_id_and_thread_the_reply_under_the_customer_message()
    {
        var raw = MimeWriter.Write(Mail());
        Assert.Contains("Message-ID: <reply-1@acme.example>\r\n", raw, StringComparison.Ordinal);
        Assert.Contains("In-Reply-To: <m1@customer.example>\r\n", raw, StringComparison.Ordinal);
        Assert.Contains("References: <m0@customer.example> <m1@customer.example>\r\n", raw, StringComparison.Ordinal);
        Assert.Contains("To: Sarah Chen <sarah@customer.example>\r\n", raw, StringComparison.Ordinal);
        Assert.Contains("Date: Sun, 22 Nov 2026 10:00:00 +0000\r\n", raw, StringComparison.Ordinal);
        Assert.Contains("Auto-Submitted: auto-replied\r\n", raw, StringComparison.Ordinal);
        Assert.EndsWith("\r\n\r\nHello Sarah,\r\n\r\nThanks.\r\n", raw, StringComparison.Ordinal);
    }

    [Fact]
    public void A_human_approved_reply_is_not_marked_auto_submitted() =>
        Assert.DoesNotContain("Auto-Submitted", MimeWriter.Write(Mail(auto: false)), StringComparison.Ordinal);

    [Fact]
    public void A_subject_with_line_breaks_cannot_inject_headers()
    {
        var raw = MimeWriter.Write(Mail(subject: "Hi\r\nBcc: victim@example.com"));
        Assert.DoesNotContain("\r\nBcc:", raw, StringComparison.Ordinal);
        Assert.Contains("Subject: Hi  Bcc: victim@example.com\r\n", raw, StringComparison.Ordinal);
    }

    [Fact]
    public void Non_ascii_subjects_are_encoded_and_non_ascii_bodies_sent_as_base64()
    {
        var raw = MimeWriter.Write(Mail(subject: "Re: Preise für Köln", text: "Grüße"));
        Assert.Contains("Subject: =?utf-8?B?" + Convert.ToBase64String(Encoding.UTF8.GetBytes("Re: Preise für Köln")) + "?=", raw, StringComparison.Ordinal);
        Assert.Contains("Content-Transfer-Encoding: base64", raw, StringComparison.Ordinal);
        Assert.Contains(Convert.ToBase64String(Encoding.UTF8.GetBytes("Grüße")), raw, StringComparison.Ordinal);
    }

    /// <summary>
    /// A non-ASCII display name is one encoded word, not a quoted string inside one (the reader saw the quotes); a long
    /// non-ASCII subject is several encoded words of at most 75 characters on folded lines, decoding to the subject.
    /// </summary>
    [Fact]
    public void Non_ascii_names_are_encoded_without_quotes_and_long_subjects_in_short_encoded_words()
    {
        var subject = "Re: " + string.Concat(Enumerable.Repeat("Grüße aus Köln — 東京 🙂 ", 12));
        var mail = Mail(subject: subject) with { To = [new MailAddress("joerg@customer.example", "Müller, Jörg"), new MailAddress("x@customer.example", "Smith, Jane")] };
        var raw = MimeWriter.Write(mail);

        var to = HeaderValue(raw, "To");
        Assert.Equal("Müller, Jörg <joerg@customer.example>, \"Smith, Jane\" <x@customer.example>", Decode(to));
        var encoded = System.Text.RegularExpressions.Regex.Matches(HeaderValue(raw, "Subject"), @"=\?utf-8\?B\?[^?]*\?=");
        Assert.True(encoded.Count > 1);
        Assert.All(encoded, w => Assert.True(w.Length <= 75, $"{w.Length}-character encoded word"));
        Assert.Equal(subject.Trim(), Decode(HeaderValue(raw, "Subject")));
        Assert.All(raw.Split("\r\n"), line => Assert.True(line.Length <= 998));
    }

    // The header's value with its continuation lines unfolded.
    private static string HeaderValue(string raw, string name)
    {
        var start = raw.IndexOf("\r\n" + name + ": ", StringComparison.Ordinal) + name.Length + 4;
        var end = start;
        while (raw.IndexOf("\r\n", end, StringComparison.Ordinal) is var eol && eol >= 0 && eol + 2 < raw.Length && raw[eol + 2] == ' ')
        {
            end = eol + 2;
        }

        return raw[start..raw.IndexOf("\r\n", end, StringComparison.Ordinal)].Replace("\r\n ", " ", StringComparison.Ordinal);
    }

    // RFC 2047: encoded words decoded, white space between two adjacent ones dropped.
    private static string Decode(string value) =>
        System.Text.RegularExpressions.Regex.Replace(
            System.Text.RegularExpressions.Regex.Replace(value, @"(\?=)\s+(=\?)", "$1$2"),
            @"=\?utf-8\?B\?([^?]*)\?=", m => Encoding.UTF8.GetString(Convert.FromBase64String(m.Groups[1].Value)));

    [Fact]
    public void Lines_starting_with_a_dot_are_dot_stuffed() =>
        Assert.Equal("..first\r\nmiddle\r\n..\r\n", MimeWriter.DotStuff(".first\r\nmiddle\r\n.\r\n"));

    [Fact]
    public void An_address_with_brackets_or_line_breaks_is_refused_before_any_connection() =>
        Assert.Throws<MailNotSentException>(() => MimeWriter.Envelope("x@y.z>\r\nRCPT TO:<evil@example.com"));
}
