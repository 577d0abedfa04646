using System.Net.Security;
using System.Net.Sockets;
using System.Text;

namespace OutreachOS.Triage.Smtp;

/// <summary>Sends one mail; throws <see cref="MailNotSentException"/> when the server certainly did not accept it.</summary>
internal interface IMailSender
{
    bool Configured { get; }

    Task SendAsync(OutgoingMail mail, CancellationToken ct);
}

/// <summary>The server did not take the message (refused, unreachable, rejected before the end of DATA): safe to retry.</summary>
internal sealed class MailNotSentException(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>The connection failed after the whole message was transmitted: the server may or may not have queued it.</summary>
internal sealed class MailOutcomeUnknownException(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>
/// A small SMTP client (RFC 5321: EHLO, optional STARTTLS or implicit TLS, AUTH PLAIN, MAIL, RCPT, DATA). Own code
/// instead of System.Net.Mail because it must (1) write our deterministic Message-ID and threading headers verbatim and
/// (2) tell "certainly not sent" from "outcome unknown", which decides whether a retry may send again.
/// </summary>
internal sealed class SmtpMailSender(SmtpOptions options) : IMailSender
{
    public bool Configured => options.Configured;

    public async Task SendAsync(OutgoingMail mail, CancellationToken ct)
    {
        if (!options.Configured)
        {
            throw new MailNotSentException("Mail:Smtp:Host is not configured.");
        }

        var data = MimeWriter.DotStuff(MimeWriter.Write(mail));
        var recipients = mail.To.Concat(mail.Cc).Select(a => MimeWriter.Envelope(a.Email)).Distinct(StringComparer.OrdinalIgnoreCase).ToList();
        var from = MimeWriter.Envelope(mail.From.Email);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(options.Timeout);
        var dataSent = false;
        try
        {
            using var tcp = new TcpClient();
            await tcp.ConnectAsync(options.Host!, options.Port, timeout.Token);
            Stream stream = tcp.GetStream();
            var implicitTls = options.EnableSsl && options.Port == 465;
            if (implicitTls)
            {
                stream = await TlsAsync(stream, timeout.Token);
            }

            var session = new Session(stream);
            await session.ExpectAsync(220, timeout.Token);
            var ehlo = await session.CommandAsync("EHLO outreachos", 250, timeout.Token);
            if (options.EnableSsl && !implicitTls)
            {
                if (!ehlo.Contains("STARTTLS", StringComparison.OrdinalIgnoreCase))
                {
                    throw new MailNotSentException("The SMTP server does not offer STARTTLS and Mail:Smtp:EnableSsl is true.");
                }

                await session.CommandAsync("STARTTLS", 220, timeout.Token);
                session = new Session(await TlsAsync(stream, timeout.Token));
                await session.CommandAsync("EHLO outreachos", 250, timeout.Token);
            }

            if (options.Username is not null)
            {
                var token = Convert.ToBase64String(Encoding.UTF8.GetBytes($"\0{options.Username}\0{options.Password}"));
                await session.CommandAsync("AUTH PLAIN " + token, 235, timeout.Token, redact: true);
            }

            await session.CommandAsync($"MAIL FROM:<{from}>", 250, timeout.Token);
            foreach (var r in recipients)
            {
                await session.CommandAsync($"RCPT TO:<{r}>", 250, timeout.Token, alsoOk: 251);
            }

            await session.CommandAsync("DATA", 354, timeout.Token);
            await session.WriteAsync(data + (data.EndsWith("\r\n", StringComparison.Ordinal) ? string.Empty : "\r\n") + ".\r\n", timeout.Token);
            dataSent = true;
            await session.ExpectAsync(250, timeout.Token);
            try
            {
                await session.CommandAsync("QUIT", 221, timeout.Token);
            }
            catch (Exception e) when (e is IOException or SmtpReplyException or OperationCanceledException)
            {
                // Accepted already; a rude goodbye changes nothing.
            }
        }
        catch (SmtpReplyException e)
        {
            // A 4xx/5xx reply, even to the end of DATA, means the server did not take the message.
            throw new MailNotSentException(e.Message, e);
        }
        catch (Exception e) when (e is IOException or SocketException or OperationCanceledException or System.Security.Authentication.AuthenticationException)
        {
            if (dataSent)
            {
                throw new MailOutcomeUnknownException($"The connection failed after the message was transmitted: {e.Message}", e);
            }

            if (e is OperationCanceledException && ct.IsCancellationRequested)
            {
                throw;
            }

            throw new MailNotSentException($"SMTP {options.Host}:{options.Port} failed: {e.Message}", e);
        }
    }

    private async Task<Stream> TlsAsync(Stream inner, CancellationToken ct)
    {
        var ssl = new SslStream(inner, leaveInnerStreamOpen: false);
        await ssl.AuthenticateAsClientAsync(new SslClientAuthenticationOptions { TargetHost = options.Host }, ct);
        return ssl;
    }

    private sealed class Session(Stream stream)
    {
        private readonly StreamReader _reader = new(stream, Encoding.ASCII, false, 1024, leaveOpen: true);

        public async Task WriteAsync(string text, CancellationToken ct)
        {
            await stream.WriteAsync(Encoding.UTF8.GetBytes(text), ct);
            await stream.FlushAsync(ct);
        }

        public async Task<string> CommandAsync(string command, int expected, CancellationToken ct, int alsoOk = 0, bool redact = false)
        {
            await WriteAsync(command + "\r\n", ct);
            return await ExpectAsync(expected, ct, alsoOk, redact ? command.Split(' ')[0] + " ..." : command);
        }

        /// <summary>Reads a (multi-line) reply; throws <see cref="SmtpReplyException"/> when its code is not the expected one.</summary>
        public async Task<string> ExpectAsync(int expected, CancellationToken ct, int alsoOk = 0, string? command = null)
        {
            var text = new StringBuilder();
            string line;
            do
            {
                line = await _reader.ReadLineAsync(ct) ?? throw new IOException("The SMTP server closed the connection.");
                text.Append(line).Append('\n');
            }
            while (line.Length > 3 && line[3] == '-');

            if (line.Length < 3 || !int.TryParse(line.AsSpan(0, 3), System.Globalization.CultureInfo.InvariantCulture, out var code))
            {
                throw new IOException($"Malformed SMTP reply: {line}");
            }

            if (code != expected && code != alsoOk)
            {
                throw new SmtpReplyException($"SMTP {(command ?? "greeting")} → {text.ToString().Trim()}");
            }

            return text.ToString();
        }
    }
}

internal sealed class SmtpReplyException(string message) : Exception(message);
