using MassTransit;
using Microsoft.Extensions.DependencyInjection;
using OutreachOS.BuildingBlocks.Messaging;

namespace OutreachOS.IntegrationTests.Messaging;

/// <summary>Idempotent consumers, bounded retry and dead letters on real PostgreSQL and RabbitMQ.</summary>
public sealed class ConsumerTests
{
    private static readonly Guid Tenant = Guid.Parse("d0000000-0000-0000-0000-000000000001");
    private static readonly Guid OtherTenant = Guid.Parse("d0000000-0000-0000-0000-000000000002");

    private static Task PublishAsync<T>(IBus bus, T message, Guid messageId, Guid tenant) where T : class =>
        bus.Publish(message, ctx =>
        {
            ctx.MessageId = messageId;
            ctx.Headers.Set(MessagingHeaders.TenantId, tenant.ToString());
        });

    [Fact]
    public async Task The_same_message_id_delivered_twice_has_one_effect()
    {
        await using var rabbit = await RabbitVhost.CreateAsync("redeliver");
        await using var h = await MessagingHarness.StartAsync(null, rabbit, x => x.AddConsumer<EffectConsumer>().Endpoint(e => e.Name = "test-effects"));
        var probe = h.Services.GetRequiredService<TestProbe>();
        var id = Guid.NewGuid();

        await PublishAsync(h.Bus, new RelayTestHappened("x", 7), id, Tenant);
        await PublishAsync(h.Bus, new RelayTestHappened("x", 7), id, Tenant);
        await PublishAsync(h.Bus, new RelayTestHappened("x", 8), Guid.NewGuid(), Tenant);

        await Eventually.TrueAsync(async () => await h.ScalarAsync("SELECT count(*) FROM oos.inbox WHERE consumer = 'test-effect'") == 2, "two distinct messages processed");
        await Task.Delay(500); // the duplicate, if consumed late, would land now
        var effects = await h.Store.ReadStreamAsync(Tenant, "effects");
        Assert.Equal([7, 8], effects.Select(e => e.As<TestEffect>().N).Order());
        Assert.Equal(1, await h.ScalarAsync("SELECT count(*) FROM oos.inbox WHERE message_id = @m AND tenant_id = @t", ("m", id), ("t", Tenant)));
        Assert.Equal(2, probe.AttemptsOf("effect")); // the duplicate never reached the handler
    }

    [Fact]
    public async Task A_consumer_that_always_fails_ends_in_dead_letters_and_the_error_queue_after_bounded_attempts_then_redrive_processes_it_once()
    {
        await using var rabbit = await RabbitVhost.CreateAsync("poison");
        await using var h = await MessagingHarness.StartAsync(null, rabbit, x => x.AddConsumer<PoisonConsumer>().Endpoint(e => e.Name = "test-poison"));
        var probe = h.Services.GetRequiredService<TestProbe>();
        var messageId = Guid.NewGuid();
        var commandId = Guid.NewGuid();

        await PublishAsync(h.Bus, new PoisonCommand(commandId), messageId, Tenant);

        await Eventually.TrueAsync(async () => (await h.DeadLetters.ListAsync(Tenant, true, 10)).Count == 1, "a dead letter");
        await Eventually.TrueAsync(async () => await rabbit.MessageCountAsync("test-poison_error") == 1, "the _error queue holds the message");
        var dead = Assert.Single(await h.DeadLetters.ListAsync(Tenant, true, 10));
        Assert.Equal(3, probe.AttemptsOf("poison")); // 1 + Messaging:Retry:Limit (2)
        Assert.Equal(3, dead.Attempts);
        Assert.Equal("test-poison", dead.Consumer);
        Assert.Equal(messageId, dead.MessageId);
        Assert.Equal(Tenant, dead.TenantId);
        Assert.Contains("PoisonCommand", dead.MessageType, StringComparison.Ordinal);
        Assert.Contains("the downstream dependency is broken", dead.Exception, StringComparison.Ordinal);
        Assert.Contains(commandId.ToString(), dead.Body, StringComparison.Ordinal);
        Assert.Null(dead.RedrivenAt);
        Assert.Empty(await h.DeadLetters.ListAsync(OtherTenant, false, 10));
        Assert.False(await InboxTransaction.IsProcessedAsync(h.DataSource, "test-poison", messageId));

        // Another tenant cannot redrive it.
        Assert.False(await h.DeadLetters.RedriveAsync(dead.Id, OtherTenant));

        probe.Faulty = false;
        Assert.True(await h.DeadLetters.RedriveAsync(dead.Id, Tenant));
        await Eventually.TrueAsync(() => InboxTransaction.IsProcessedAsync(h.DataSource, "test-poison", messageId), "processed after redrive");
        // A second redrive (an operator double-click) re-sends, and the inbox absorbs it.
        Assert.True(await h.DeadLetters.RedriveAsync(dead.Id));
        await Task.Delay(700);

        var effects = await h.Store.ReadStreamAsync(Tenant, "poison-effects");
        Assert.Equal(commandId, Assert.Single(effects).As<TestEffect>().MessageId);
        Assert.Equal(4, probe.AttemptsOf("poison")); // the second redrive never reached the handler
        var after = await h.DeadLetters.GetAsync(dead.Id);
        Assert.NotNull(after!.RedrivenAt);
        Assert.Equal(2, after.RedriveCount);
        Assert.Empty(await h.DeadLetters.ListAsync(Tenant, true, 10));
        // Exactly one copy was moved to _error (our error filters replace MassTransit's defaults, not add to them).
        Assert.Equal(1u, await rabbit.MessageCountAsync("test-poison_error"));
    }

    [Fact]
    public async Task An_already_retried_exception_is_not_retried_by_the_bus()
    {
        await using var rabbit = await RabbitVhost.CreateAsync("llm");
        await using var h = await MessagingHarness.StartAsync(null, rabbit, x => x.AddConsumer<LlmCallConsumer>().Endpoint(e => e.Name = "test-llm"));
        var probe = h.Services.GetRequiredService<TestProbe>();

        await PublishAsync(h.Bus, new LlmCallCommand(Guid.NewGuid()), Guid.NewGuid(), Tenant);

        await Eventually.TrueAsync(async () => (await h.DeadLetters.ListAsync(Tenant, true, 10)).Count == 1, "a dead letter");
        await Eventually.TrueAsync(async () => await rabbit.MessageCountAsync("test-llm_error") == 1, "the _error queue holds the message");
        await Task.Delay(300);
        Assert.Equal(1, probe.AttemptsOf("llm"));
        Assert.Equal(1, Assert.Single(await h.DeadLetters.ListAsync(Tenant, true, 10)).Attempts);
    }
}
