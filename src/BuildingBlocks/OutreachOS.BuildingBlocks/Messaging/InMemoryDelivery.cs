using MassTransit;

namespace OutreachOS.BuildingBlocks.Messaging;

/// <summary>
/// Registered only with the embedded (in-memory) transport: what the publishers and the receive endpoints tell the
/// <see cref="DeliveryLedger"/>, so that the relay's stored checkpoint never passes an integration event some endpoint
/// has not finished with (ADR 0003, addendum 2026-12-03). With RabbitMQ the broker's confirm already means durable, and
/// none of this is registered.
/// </summary>
internal sealed class InMemoryDelivery(DeliveryLedger ledger, InMemoryRoutes routes)
{
    public DeliveryLedger Ledger => ledger;

    public InMemoryRoutes Routes => routes;

    /// <summary>Before <c>bus.Publish</c>: a consumer may finish before the publish call returns.</summary>
    public void Publishing(Guid messageId, string messageType) => ledger.Publishing(messageId, messageType);

    /// <summary>After <c>bus.Publish</c> returned: the in-memory transport has put the message in every queue it reaches.</summary>
    public void Published(Guid messageId, Type messageType) => ledger.Routed(messageId, routes.EndpointsFor(messageType));

    public void PublishFailed(Guid messageId) => ledger.PublishFailed(messageId);

    public void Finished(Guid messageId, Uri inputAddress) => ledger.Finished(messageId, DeadLetterFilter.QueueName(inputAddress));
}

/// <summary>
/// The first filter of every receive endpoint's consume pipe, outside the retry filter: when the message leaves the pipe
/// without an exception, every consumer of this endpoint has finished with it (after any retries). A message that fails
/// every attempt leaves with the exception; it is finished once <see cref="DeadLetterFilter"/> has recorded it.
/// </summary>
internal sealed class DeliveryFinishedFilter(InMemoryDelivery delivery) : IFilter<ConsumeContext>
{
    public async Task Send(ConsumeContext context, IPipe<ConsumeContext> next)
    {
        await next.Send(context);
        if (context.MessageId is { } id && context.ReceiveContext.InputAddress is { } input)
        {
            delivery.Finished(id, input);
        }
    }

    public void Probe(ProbeContext context) => context.CreateFilterScope("outreachos-delivery-finished");
}
