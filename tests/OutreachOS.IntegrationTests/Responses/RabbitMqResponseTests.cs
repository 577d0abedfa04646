using MassTransit;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using Xunit.Abstractions;
using OutreachOS.BuildingBlocks.Messaging;
using OutreachOS.IntegrationTests.Messaging;
using OutreachOS.Triage.Contracts;

namespace OutreachOS.IntegrationTests.Responses;

/// <summary>Auto-send through the real RabbitMQ broker: relay → queue → consumer → smtp-sink, and a redelivery has no effect.</summary>
public sealed class RabbitMqResponseTests(RabbitResponsesFixture f, ITestOutputHelper output) : IClassFixture<RabbitResponsesFixture>
{
    [Fact]
    public async Task Auto_send_through_rabbitmq_reaches_the_smtp_server_exactly_once_even_when_the_decision_is_redelivered()
    {
        var d = await f.DecideAsync(ResponsePath.AutoSend, "scheduling", "Could we find 30 minutes next week?");
        await f.WaitForEventAsync(d, "inbound_reply_sent.v1");
        var mail = Assert.Single(f.Sink.WithMessageId(f.MessageIdOf(d)));
        Assert.Equal("Re: Meeting next week", mail.Header("Subject"));

        var original = Assert.Single(await f.EventsAsync(d, "inbound_decided.v1"));
        var sentEvent = Assert.Single(await f.EventsAsync(d, "inbound_reply_sent.v1"));
        // A figure, not an assertion: decision committed → reply accepted by smtp-sink and recorded (relay poll + broker + render + SMTP).
        output.WriteLine($"decided → sent recorded: {(sentEvent.CreatedAt - original.CreatedAt).TotalMilliseconds:F0} ms");
        var bus = f.App.Services.GetRequiredService<IBus>();
        var fresh = Guid.NewGuid();
        foreach (var messageId in new[] { original.EventId, original.EventId, fresh })
        {
            await bus.Publish(d, ctx =>
            {
                ctx.MessageId = messageId;
                ctx.Headers.Set(MessagingHeaders.TenantId, d.OrganizationId.ToString());
            });
        }

        var dataSource = f.App.Services.GetRequiredService<NpgsqlDataSource>();
        await Eventually.TrueAsync(() => InboxTransaction.IsProcessedAsync(dataSource, "triage-responses", fresh), "the re-published decision was consumed");
        await Task.Delay(700); // the duplicates of the original message id, if consumed late, would land now
        Assert.Single(f.Sink.WithMessageId(f.MessageIdOf(d)));
        Assert.Single(await f.EventsAsync(d, "inbound_reply_sent.v1"));
    }
}
