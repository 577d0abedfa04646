using System.Collections.Concurrent;
using MassTransit;
using Npgsql;
using OutreachOS.BuildingBlocks.EventStore;
using OutreachOS.BuildingBlocks.Messaging;

namespace OutreachOS.IntegrationTests.Messaging;

public sealed record RelayTestHappened(string Stream, int N) : IIntegrationEvent;

/// <summary>Not an integration event: the relay must skip it.</summary>
public sealed record PlainTestHappened(int N);

public sealed record TestEffect(Guid MessageId, int N);

public sealed record PoisonCommand(Guid Id);

public sealed record LlmCallCommand(Guid Id);

/// <summary>What test consumers saw, shared with the test through DI.</summary>
internal sealed class TestProbe
{
    public ConcurrentQueue<Received> Deliveries { get; } = new();
    public ConcurrentDictionary<string, int> Attempts { get; } = new();
    public volatile bool Faulty = true;

    public int AttemptsOf(string key) => Attempts.TryGetValue(key, out var n) ? n : 0;

    public void Attempt(string key) => Attempts.AddOrUpdate(key, 1, (_, n) => n + 1);

    internal sealed record Received(Guid? MessageId, Guid? CorrelationId, IReadOnlyDictionary<string, string?> Headers, RelayTestHappened Message);
}

/// <summary>Records every delivery as it comes (no inbox): what the relay put on the wire.</summary>
internal sealed class RelayRecorderConsumer(TestProbe probe) : IConsumer<RelayTestHappened>
{
    public Task Consume(ConsumeContext<RelayTestHappened> context)
    {
        var headers = new[] { MessagingHeaders.TenantId, MessagingHeaders.StreamId, MessagingHeaders.StreamVersion, MessagingHeaders.EventType }
            .ToDictionary(h => h, h => context.Headers.Get<string>(h));
        probe.Deliveries.Enqueue(new TestProbe.Received(context.MessageId, context.CorrelationId, headers, context.Message));
        return Task.CompletedTask;
    }
}

/// <summary>Idempotent consumer: each delivery counts as an attempt, each processed message appends one effect.</summary>
internal sealed class EffectConsumer(NpgsqlDataSource dataSource, IEventStore store, TestProbe probe) : IdempotentConsumer<RelayTestHappened>(dataSource)
{
    protected override string ConsumerName => "test-effect";

    protected override async Task HandleAsync(ConsumeContext<RelayTestHappened> context, NpgsqlTransaction transaction, Guid? tenantId, CancellationToken ct)
    {
        probe.Attempt("effect");
        await store.AppendManyAsync(transaction,
            [new StreamAppend(tenantId!.Value, "effects", "test", ExpectedVersion.Any, [EventToAppend.Create(new TestEffect(context.MessageId!.Value, context.Message.N))])],
            ct);
    }
}

/// <summary>Fails every attempt while the probe is faulty; afterwards appends one effect per message.</summary>
internal sealed class PoisonConsumer(NpgsqlDataSource dataSource, IEventStore store, TestProbe probe) : IdempotentConsumer<PoisonCommand>(dataSource)
{
    protected override string ConsumerName => "test-poison";

    protected override async Task HandleAsync(ConsumeContext<PoisonCommand> context, NpgsqlTransaction transaction, Guid? tenantId, CancellationToken ct)
    {
        probe.Attempt("poison");
        if (probe.Faulty)
        {
            throw new InvalidOperationException("poison: the downstream dependency is broken");
        }
        await store.AppendManyAsync(transaction,
            [new StreamAppend(tenantId!.Value, "poison-effects", "test", ExpectedVersion.Any, [EventToAppend.Create(new TestEffect(context.Message.Id, 0))])],
            ct);
    }
}

/// <summary>Stands in for the LLM layer's exception: the SDK already retried, the bus must not.</summary>
internal sealed class SdkRetriesExhaustedException(string message) : Exception(message), IAlreadyRetriedException;

internal sealed class LlmCallConsumer(TestProbe probe) : IConsumer<LlmCallCommand>
{
    public Task Consume(ConsumeContext<LlmCallCommand> context)
    {
        probe.Attempt("llm");
        throw new SdkRetriesExhaustedException("model call failed after 3 SDK retries");
    }
}
