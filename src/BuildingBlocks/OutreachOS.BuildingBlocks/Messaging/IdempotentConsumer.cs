using MassTransit;
using Npgsql;

namespace OutreachOS.BuildingBlocks.Messaging;

/// <summary>
/// Base for consumers whose effects must happen once per message id however often the bus delivers it. The handler runs
/// inside an <see cref="InboxTransaction"/>; it appends with <c>IEventStore.AppendManyAsync(transaction, ...)</c> and
/// must not commit. Side effects outside PostgreSQL (HTTP calls, e-mail) are not covered and need their own key.
/// </summary>
public abstract class IdempotentConsumer<TMessage>(NpgsqlDataSource dataSource) : IConsumer<TMessage> where TMessage : class
{
    /// <summary>The inbox key: stable across releases (renaming it makes every old message look new).</summary>
    protected abstract string ConsumerName { get; }

    public async Task Consume(ConsumeContext<TMessage> context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var messageId = context.MessageId
            ?? throw new InvalidOperationException($"{ConsumerName}: a message without MessageId cannot be de-duplicated.");
        var tenantId = context.GetTenantId();
        if (context.SentTime is { } sent)
        {
            // Publish → this consumer (broker routing, queueing behind other messages, prefetch): the bus part of the
            // end-to-end latency, per consumer.
            MessagingMetrics.DeliveryLatency.Record(Math.Max(0, (DateTime.UtcNow - sent).TotalMilliseconds),
                new KeyValuePair<string, object?>("consumer", ConsumerName));
        }
        if (!MayHaveEffect(context.Message))
        {
            return; // nothing to do however often it arrives: no claim, no transaction, no inbox row
        }
        await using var inbox = await InboxTransaction.BeginAsync(dataSource, ConsumerName, messageId, tenantId, context.CancellationToken);
        if (inbox is null)
        {
            return; // already processed: acknowledge and do nothing
        }
        await HandleAsync(context, inbox.Transaction, tenantId, context.CancellationToken);
        await inbox.CommitAsync(context.CancellationToken);
    }

    protected abstract Task HandleAsync(ConsumeContext<TMessage> context, NpgsqlTransaction transaction, Guid? tenantId, CancellationToken ct);

    /// <summary>
    /// False when the message alone shows that <see cref="HandleAsync"/> would change nothing (decided from its content,
    /// never from the database): it is acknowledged without a claim, a transaction or an inbox row.
    /// </summary>
    protected virtual bool MayHaveEffect(TMessage message) => true;
}
