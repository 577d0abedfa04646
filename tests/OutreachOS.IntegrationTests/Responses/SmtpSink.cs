using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace OutreachOS.IntegrationTests.Responses;

/// <summary>A received mail as smtp-sink dumped it: its X-Rcpt-Args envelope, headers (unfolded) and body.</summary>
internal sealed record SinkMail(string File, IReadOnlyList<(string Name, string Value)> Headers, string Body)
{
    public string? Header(string name) => Headers.FirstOrDefault(h => string.Equals(h.Name, name, StringComparison.OrdinalIgnoreCase)).Value;

    public IEnumerable<string> All(string name) => Headers.Where(h => string.Equals(h.Name, name, StringComparison.OrdinalIgnoreCase)).Select(h => h.Value);
}

/// <summary>
/// Postfix's <c>smtp-sink</c> as a real SMTP server on 127.0.0.1 (a free port), dumping each message to its own file
/// (<c>-d DIR/%M.</c>). Needs /usr/sbin/smtp-sink (Debian package postfix; scripts/test.sh installs it): tests fail
/// without it, never skip.
/// </summary>
internal sealed class SmtpSink : IAsyncDisposable
{
    public const string Binary = "/usr/sbin/smtp-sink";

    private readonly Process _process;

    private SmtpSink(Process process, string dir, int port)
    {
        _process = process;
        Directory = dir;
        Port = port;
    }

    public string Directory { get; }

    public int Port { get; }

    public static async Task<SmtpSink> StartAsync(params string[] options)
    {
        if (!File.Exists(Binary))
        {
            throw new InvalidOperationException($"{Binary} is missing: install the Debian package postfix (scripts/test.sh does).");
        }

        var dir = Path.Combine(Path.GetTempPath(), "oos-smtp-sink-" + Guid.NewGuid().ToString("N"));
        System.IO.Directory.CreateDirectory(dir);
        int port;
        using (var probe = new TcpListener(IPAddress.Loopback, 0))
        {
            probe.Start();
            port = ((IPEndPoint)probe.LocalEndpoint).Port;
            probe.Stop();
        }

        // -u: smtp-sink drops to this user after binding (required when running as root); the dump folder is ours.
        var psi = new ProcessStartInfo(Binary) { UseShellExecute = false, RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (var a in options.Concat(["-u", Environment.UserName, "-d", Path.Combine(dir, "%M."), $"127.0.0.1:{port}", "10"]))
        {
            psi.ArgumentList.Add(a);
        }

        var process = Process.Start(psi) ?? throw new InvalidOperationException("could not start smtp-sink");
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (true)
        {
            try
            {
                using var client = new TcpClient();
                await client.ConnectAsync(IPAddress.Loopback, port);
                break;
            }
            catch (SocketException) when (DateTime.UtcNow < deadline && !process.HasExited)
            {
                await Task.Delay(50);
            }
            catch (SocketException)
            {
                var err = process.HasExited ? await process.StandardError.ReadToEndAsync() : "(still running)";
                throw new InvalidOperationException($"smtp-sink did not listen on 127.0.0.1:{port}: {err}");
            }
        }

        return new SmtpSink(process, dir, port);
    }

    /// <summary>Every message received so far.</summary>
    /// <remarks>smtp-sink opens a dump file when a transaction starts and deletes it when the transaction is refused, so a
    /// file listed a moment ago may be gone: that is a mail that was never received.</remarks>
    public IReadOnlyList<SinkMail> Messages()
    {
        var mails = new List<SinkMail>();
        foreach (var file in System.IO.Directory.GetFiles(Directory).Order(StringComparer.Ordinal))
        {
            try
            {
                mails.Add(Parse(file, File.ReadAllText(file, Encoding.UTF8)));
            }
            catch (FileNotFoundException)
            {
                // refused transaction, removed by smtp-sink
            }
        }

        return mails;
    }

    public IReadOnlyList<SinkMail> WithMessageId(string messageId) =>
        [.. Messages().Where(m => m.Header("Message-ID") == messageId)];

    internal static SinkMail Parse(string file, string raw)
    {
        var text = raw.Replace("\r\n", "\n", StringComparison.Ordinal);
        var split = text.IndexOf("\n\n", StringComparison.Ordinal);
        var head = split < 0 ? text : text[..split];
        var body = split < 0 ? string.Empty : text[(split + 2)..];
        var headers = new List<(string, string)>();
        foreach (var line in head.Split('\n'))
        {
            if (line.Length > 0 && (line[0] == ' ' || line[0] == '\t') && headers.Count > 0)
            {
                var (n, v) = headers[^1];
                headers[^1] = (n, v + " " + line.Trim());
            }
            else if (line.IndexOf(':', StringComparison.Ordinal) is var colon and > 0)
            {
                headers.Add((line[..colon], line[(colon + 1)..].Trim()));
            }
        }

        return new SinkMail(file, headers, body);
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
                await _process.WaitForExitAsync();
            }
        }
        finally
        {
            _process.Dispose();
            try
            {
                System.IO.Directory.Delete(Directory, recursive: true);
            }
            catch (IOException)
            {
                // leftover temp folder: harmless
            }
        }
    }
}
