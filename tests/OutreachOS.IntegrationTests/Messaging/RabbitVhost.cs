using System.Diagnostics;
using RabbitMQ.Client;
using SharedRabbit = OutreachOS.IntegrationTests.Infrastructure.TestRabbitMq;

namespace OutreachOS.IntegrationTests.Messaging;

/// <summary>
/// A fresh virtual host for one test (from the shared <see cref="SharedRabbit"/> fixture: OUTREACHOS_TEST_RABBITMQ is
/// required, tests fail without it), so tests running in parallel never consume each other's messages; deleted after.
/// </summary>
internal sealed class RabbitVhost : IAsyncDisposable
{
    private RabbitVhost(Uri uri) => Uri = uri;

    public Uri Uri { get; }

    private string Name => Uri.UnescapeDataString(Uri.AbsolutePath.TrimStart('/'));

    public static async Task<RabbitVhost> CreateAsync(string prefix) => new(await SharedRabbit.CreateVirtualHostAsync(prefix));

    /// <summary>Messages ready in a queue (0 when the queue does not exist yet: MassTransit creates _error lazily).</summary>
    public async Task<uint> MessageCountAsync(string queue)
    {
        var factory = new ConnectionFactory { Uri = Uri };
        await using var conn = await factory.CreateConnectionAsync();
        await using var channel = await conn.CreateChannelAsync();
        try
        {
            return (await channel.QueueDeclarePassiveAsync(queue)).MessageCount;
        }
        catch (RabbitMQ.Client.Exceptions.OperationInterruptedException)
        {
            return 0;
        }
    }

    public async ValueTask DisposeAsync()
    {
        // Best effort: a leftover test vhost is harmless, so failures here are ignored.
        var psi = new ProcessStartInfo(Environment.GetEnvironmentVariable(SharedRabbit.CtlVariable) is { Length: > 0 } ctl ? ctl : "rabbitmqctl")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        if (Environment.GetEnvironmentVariable(SharedRabbit.NodeVariable) is { Length: > 0 } node)
        {
            psi.ArgumentList.Add("-n");
            psi.ArgumentList.Add(node);
        }
        psi.ArgumentList.Add("delete_vhost");
        psi.ArgumentList.Add(Name);
        try
        {
            using var p = Process.Start(psi);
            if (p is not null)
            {
                _ = p.StandardOutput.ReadToEndAsync();
                _ = p.StandardError.ReadToEndAsync();
                await p.WaitForExitAsync();
            }
        }
        catch (System.ComponentModel.Win32Exception)
        {
        }
    }
}
