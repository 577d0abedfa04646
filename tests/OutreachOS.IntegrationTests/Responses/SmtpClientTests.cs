using System.Net;
using System.Net.Sockets;
using System.Text;
using OutreachOS.Ingestion.Contracts;
using OutreachOS.Triage.Smtp;

namespace OutreachOS.IntegrationTests.Responses;

/// <summary>The SMTP client against postfix's smtp-sink on 127.0.0.1: delivery, and the two kinds of failure.</summary>
public sealed class SmtpClientTests
{
    private static OutgoingMail Mail(string text) => new(
        $"<reply-{Guid.NewGuid():N}@acme.example>", new MailAddress("help@acme.example", "Acme Support"),
        [new MailAddress("sarah@customer.example", "Sarah Chen")], [new MailAddress("partners@acme.example")], "Re: Größen", text,
        "<m1@customer.example>", [], DateTimeOffset.UtcNow, true);

    private static SmtpMailSender Sender(int port) =>
        new(new SmtpOptions("127.0.0.1", port, new MailAddress("help@acme.example"), null, null, false, TimeSpan.FromSeconds(10)));

    [Fact]
    public async Task A_mail_arrives_with_its_headers_all_recipients_and_a_dot_leading_line_intact()
    {
        await using var sink = await SmtpSink.StartAsync();
        var mail = Mail("Hi Sarah,\n.hidden? no: a line that starts with a dot\n.\nBest");
        await Sender(sink.Port).SendAsync(mail, CancellationToken.None);

        var received = Assert.Single(sink.Messages());
        Assert.Equal(mail.MessageId, received.Header("Message-ID"));
        Assert.Equal(["<sarah@customer.example>", "<partners@acme.example>"], received.All("X-Rcpt-Args"));
        Assert.Equal("=?utf-8?B?" + Convert.ToBase64String(Encoding.UTF8.GetBytes("Re: Größen")) + "?=", received.Header("Subject"));
        Assert.Equal("Hi Sarah,\n.hidden? no: a line that starts with a dot\n.\nBest", received.Body.TrimEnd('\n'));
    }

    [Fact]
    public async Task A_rejected_recipient_is_a_definite_failure_that_may_be_retried()
    {
        await using var sink = await SmtpSink.StartAsync("-f", "RCPT");
        var mail = Mail("Hi");
        var e = await Assert.ThrowsAsync<MailNotSentException>(() => Sender(sink.Port).SendAsync(mail, CancellationToken.None));
        Assert.Contains("RCPT", e.Message, StringComparison.Ordinal);
        Assert.Empty(sink.WithMessageId(mail.MessageId)); // a refused transaction may leave a header-only dump for a moment
    }

    [Fact]
    public async Task A_connection_lost_after_the_whole_message_was_sent_is_an_unknown_outcome()
    {
        // -q .: smtp-sink hangs up without answering the end of DATA — what a crash of the server (or of the network) looks like.
        await using var sink = await SmtpSink.StartAsync("-q", ".");
        await Assert.ThrowsAsync<MailOutcomeUnknownException>(() => Sender(sink.Port).SendAsync(Mail("Hi"), CancellationToken.None));
    }

    [Fact]
    public async Task No_server_listening_is_a_definite_failure()
    {
        int port;
        using (var probe = new TcpListener(IPAddress.Loopback, 0))
        {
            probe.Start();
            port = ((IPEndPoint)probe.LocalEndpoint).Port;
            probe.Stop();
        }

        await Assert.ThrowsAsync<MailNotSentException>(() => Sender(port).SendAsync(Mail("Hi"), CancellationToken.None));
    }
}
