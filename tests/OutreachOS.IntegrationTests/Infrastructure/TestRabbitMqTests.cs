using System.Text;
using RabbitMQ.Client;

namespace OutreachOS.IntegrationTests.Infrastructure;

public sealed class TestRabbitMqTests
{
    [Fact]
    public async Task CreateVirtualHostAsync_returns_a_virtual_host_where_a_message_round_trips()
    {
        var uri = await TestRabbitMq.CreateVirtualHostAsync("infra-probe");

        await using var connection = await new ConnectionFactory { Uri = uri }.CreateConnectionAsync();
        await using var channel = await connection.CreateChannelAsync();
        var queue = await channel.QueueDeclareAsync(queue: "probe", durable: false, exclusive: false, autoDelete: false);
        await channel.BasicPublishAsync(exchange: string.Empty, routingKey: queue.QueueName, body: Encoding.UTF8.GetBytes("hello"));

        var received = await PollAsync(channel, queue.QueueName);
        Assert.Equal("hello", Encoding.UTF8.GetString(received.Body.Span));
        Assert.StartsWith("/infra_probe_", uri.AbsolutePath, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_virtual_host_that_was_never_created_refuses_the_connection()
    {
        var missing = new UriBuilder(TestRabbitMq.BaseUri) { Path = "/never-created-" + Guid.NewGuid().ToString("N") }.Uri;

        // RabbitMQ.Client 7 may hand out the connection before the broker's refusal (530) arrives; the next call fails.
        var error = await Record.ExceptionAsync(async () =>
        {
            await using var connection = await new ConnectionFactory { Uri = missing, AutomaticRecoveryEnabled = false }.CreateConnectionAsync();
            await using var channel = await connection.CreateChannelAsync();
        });

        Assert.NotNull(error);
        Assert.Contains("NOT_ALLOWED", error.ToString(), StringComparison.Ordinal);
    }

    private static async Task<BasicGetResult> PollAsync(IChannel channel, string queue)
    {
        for (var attempt = 0; attempt < 50; attempt++)
        {
            if (await channel.BasicGetAsync(queue, autoAck: true) is { } result)
            {
                return result;
            }

            await Task.Delay(100);
        }

        throw new TimeoutException($"no message arrived on {queue}");
    }
}
