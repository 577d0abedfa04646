using System.Diagnostics;

namespace OutreachOS.IntegrationTests.Infrastructure;

/// <summary>
/// The RabbitMQ broker of the test run, one fresh virtual host per test.
/// <c>OUTREACHOS_TEST_RABBITMQ</c> is an amqp URI (e.g. amqp://guest:guest@127.0.0.1:5672/);
/// <c>OUTREACHOS_TEST_RABBITMQ_NODE</c> the node name for <c>rabbitmqctl -n</c> (default node when absent);
/// <c>OUTREACHOS_TEST_RABBITMQCTL</c> optionally the rabbitmqctl to run. scripts/test.sh sets all three.
/// Without a broker, tests that need one fail (never skip): a green run must mean RabbitMQ was exercised.
/// </summary>
internal static class TestRabbitMq
{
    public const string UriVariable = "OUTREACHOS_TEST_RABBITMQ";
    public const string NodeVariable = "OUTREACHOS_TEST_RABBITMQ_NODE";
    public const string CtlVariable = "OUTREACHOS_TEST_RABBITMQCTL";

    /// <summary>The configured broker URI (its own virtual host, usually "/").</summary>
    public static Uri BaseUri
    {
        get
        {
            var value = Environment.GetEnvironmentVariable(UriVariable);
            if (string.IsNullOrWhiteSpace(value))
            {
                throw new InvalidOperationException(
                    $"{UriVariable} is not set: this test needs a RabbitMQ broker. Run ./scripts/test.sh (it installs and starts one), " +
                    $"or set {UriVariable}=amqp://guest:guest@127.0.0.1:5672/ and {NodeVariable}=rabbit@<host> for a broker you run.");
            }

            return new Uri(value);
        }
    }

    /// <summary>Creates a virtual host named after <paramref name="prefix"/> plus a unique suffix, grants the URI's user full rights on it, and returns the URI of that virtual host.</summary>
    public static async Task<Uri> CreateVirtualHostAsync(string prefix)
    {
        var baseUri = BaseUri;
        var user = Uri.UnescapeDataString(baseUri.UserInfo.Split(':')[0]);
        if (user.Length == 0)
        {
            user = "guest";
        }

        var vhost = TestPostgres.UniqueName(prefix);
        await RabbitMqCtlAsync("add_vhost", vhost);
        await RabbitMqCtlAsync("set_permissions", "-p", vhost, user, ".*", ".*", ".*");
        return new UriBuilder(baseUri) { Path = "/" + Uri.EscapeDataString(vhost) }.Uri;
    }

    private static async Task RabbitMqCtlAsync(params string[] arguments)
    {
        var startInfo = new ProcessStartInfo(RabbitMqCtl())
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        var node = Environment.GetEnvironmentVariable(NodeVariable);
        if (!string.IsNullOrWhiteSpace(node))
        {
            startInfo.ArgumentList.Add("-n");
            startInfo.ArgumentList.Add(node);
        }

        foreach (var argument in arguments)
        {
            startInfo.ArgumentList.Add(argument);
        }

        using var process = Process.Start(startInfo) ?? throw new InvalidOperationException("could not start rabbitmqctl");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await process.WaitForExitAsync(timeout.Token);
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException(
                $"rabbitmqctl {string.Join(' ', startInfo.ArgumentList)} failed ({process.ExitCode}): {await stdout} {await stderr}");
        }
    }

    private static string RabbitMqCtl()
    {
        var configured = Environment.GetEnvironmentVariable(CtlVariable);
        if (!string.IsNullOrWhiteSpace(configured))
        {
            return configured;
        }

        var path = Environment.GetEnvironmentVariable("PATH") ?? string.Empty;
        return path.Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Select(d => Path.Combine(d, "rabbitmqctl"))
            .Append("/usr/sbin/rabbitmqctl")
            .FirstOrDefault(File.Exists) ?? "rabbitmqctl";
    }
}
