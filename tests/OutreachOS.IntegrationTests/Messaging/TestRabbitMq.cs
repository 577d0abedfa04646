using System.Diagnostics;
using RabbitMQ.Client;

namespace OutreachOS.IntegrationTests.Messaging;

/// <summary>
/// A fresh virtual host per test on the broker named by OUTREACHOS_TEST_RABBITMQ (amqp URI; required: tests fail without
/// it). Vhosts are created with rabbitmqctl against OUTREACHOS_TEST_RABBITMQ_NODE (the default node when unset), so
/// tests running in parallel never consume each other's messages.
/// </summary>
internal sealed class TestRabbitMq : IAsyncDisposable
{
    private TestRabbitMq(string vhost, Uri uri)
    {
        VirtualHost = vhost;
        Uri = uri;
    }

    public string VirtualHost { get; }

    public Uri Uri { get; }

    public static Uri BaseUri => new(Environment.GetEnvironmentVariable("OUTREACHOS_TEST_RABBITMQ") is { Length: > 0 } s
        ? s
        : throw new InvalidOperationException("OUTREACHOS_TEST_RABBITMQ is not set (e.g. amqp://guest:guest@127.0.0.1:5672/)"));

    public static async Task<TestRabbitMq> CreateAsync(string prefix)
    {
        var baseUri = BaseUri;
        var vhost = $"{prefix}-{Guid.NewGuid():N}";
        await CtlAsync("add_vhost", vhost);
        var user = Uri.UnescapeDataString(baseUri.UserInfo.Split(':')[0]);
        await CtlAsync("set_permissions", "-p", vhost, user, ".*", ".*", ".*");
        var uri = new UriBuilder(baseUri) { Path = "/" + Uri.EscapeDataString(vhost) }.Uri;
        return new TestRabbitMq(vhost, uri);
    }

    /// <summary>Messages ready in a queue (0 when the queue does not exist yet: MassTransit creates _error lazily).</summary>
    public async Task<uint> MessageCountAsync(string queue)
    {
        var factory = new ConnectionFactory { Uri = Uri };
        await using var conn = await factory.CreateConnectionAsync();
        await using var channel = await conn.CreateChannelAsync();
        try
        {
            var ok = await channel.QueueDeclarePassiveAsync(queue);
            return ok.MessageCount;
        }
        catch (RabbitMQ.Client.Exceptions.OperationInterruptedException)
        {
            return 0;
        }
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            await CtlAsync("delete_vhost", VirtualHost);
        }
        catch (InvalidOperationException)
        {
            // Best effort: a leftover test vhost is harmless.
        }
    }

    private static async Task CtlAsync(params string[] args)
    {
        var psi = new ProcessStartInfo("rabbitmqctl") { RedirectStandardOutput = true, RedirectStandardError = true };
        if (Environment.GetEnvironmentVariable("OUTREACHOS_TEST_RABBITMQ_NODE") is { Length: > 0 } node)
        {
            psi.ArgumentList.Add("-n");
            psi.ArgumentList.Add(node);
        }
        foreach (var a in args)
        {
            psi.ArgumentList.Add(a);
        }
        using var p = Process.Start(psi) ?? throw new InvalidOperationException("rabbitmqctl did not start");
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        await p.WaitForExitAsync();
        if (p.ExitCode != 0)
        {
            throw new InvalidOperationException($"rabbitmqctl {string.Join(' ', args)} failed ({p.ExitCode}): {await stdout}{await stderr}");
        }
    }
}
