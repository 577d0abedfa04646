using System.Collections.Concurrent;
using MassTransit;
using MassTransit.InMemoryTransport;
using MassTransit.InMemoryTransport.Configuration;
using MassTransit.Transports;
using MassTransit.Transports.Fabric;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace OutreachOS.BuildingBlocks.Messaging;

/// <summary>
/// The receive endpoints a published message type reaches on MassTransit's in-memory transport, read from the transport's
/// own message fabric: from the message type's exchange through every exchange bound to it (the exchanges of the
/// interfaces and base types MassTransit publishes it as, then each endpoint's exchange) down to the queues. This is the
/// route the publish itself takes, so consumers of an interface, several endpoints for one type, an endpoint consuming
/// two of the message's types (one queue, one delivery) and a type nobody consumes (no queue) all count as the transport
/// delivers them (ADR 0003, addendum 2026-12-03).
/// </summary>
/// <remarks>
/// Cached per message type and recomputed after any change of the fabric (a binding created or a consumer connected,
/// seen through its observer). Only queues of endpoints that report completion (<see cref="Observe"/>, done for every
/// endpoint configured by <c>AddOutreachMessaging</c>) count: a queue nobody reports for would hold the relay forever.
/// Relies on MassTransit 8.4's fabric types (<c>IInMemoryHostConfiguration.TransportProvider.MessageFabric</c>); if they
/// cannot be reached, every message counts as delivered nowhere, which is the behaviour before this was built, and an
/// error says so once.
/// </remarks>
internal sealed class InMemoryRoutes(IServiceProvider services, ILogger<InMemoryRoutes> logger) : IMessageFabricObserver<InMemoryTransportContext>
{
    private readonly ConcurrentDictionary<Type, Route> _byType = new();
    private readonly ConcurrentDictionary<string, bool> _observed = new(StringComparer.OrdinalIgnoreCase);
    private readonly ConcurrentDictionary<string, bool> _unobservedWarned = new(StringComparer.OrdinalIgnoreCase);
    private readonly Lock _fabricLock = new();
    private Fabric? _fabric;
    private bool _unavailable;
    private long _version;

    /// <summary>An endpoint that reports when it is done with a message (its queue counts in routes).</summary>
    public void Observe(string endpoint)
    {
        _observed[endpoint] = true;
        Interlocked.Increment(ref _version);
    }

    /// <summary>The endpoints (queue names) a message of <paramref name="messageType"/> published now is delivered to.</summary>
    public IReadOnlyCollection<string> EndpointsFor(Type messageType)
    {
        var version = Interlocked.Read(ref _version);
        if (_byType.TryGetValue(messageType, out var cached) && cached.Version == version)
        {
            return cached.Endpoints;
        }
        if (GetFabric() is not { } fabric)
        {
            return [];
        }
        var route = new Route(version, Walk(fabric, messageType));
        _byType[messageType] = route;
        return route.Endpoints;
    }

    private string[] Walk(Fabric fabric, Type messageType)
    {
        if (!fabric.Bus.Topology.PublishTopology.TryGetPublishAddress(messageType, fabric.Bus.Address, out var address) || address is null)
        {
            return [];
        }
        var exchangeName = new InMemoryEndpointAddress(new InMemoryHostAddress(fabric.Bus.Address), address).Name;
        var queues = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        var seen = new HashSet<IMessageSink<InMemoryTransportMessage>>();
        var pending = new Stack<IMessageSink<InMemoryTransportMessage>>();
        pending.Push(fabric.Messages.GetExchange(fabric.Context, exchangeName));
        while (pending.TryPop(out var sink))
        {
            if (!seen.Add(sink))
            {
                continue;
            }
            switch (sink)
            {
                case IMessageQueue<InMemoryTransportContext, InMemoryTransportMessage> queue when _observed.ContainsKey(queue.Name):
                    queues.Add(queue.Name);
                    break;
                case IMessageQueue<InMemoryTransportContext, InMemoryTransportMessage> queue:
                    if (_unobservedWarned.TryAdd(queue.Name, true))
                    {
                        logger.LogWarning(
                            "In-memory queue {Queue} receives {MessageType} but does not report when it is done with a message; the relay does not wait for it",
                            queue.Name, messageType.Name);
                    }
                    break;
                case MessageFanOutExchange<InMemoryTransportMessage> exchange:
                    foreach (var next in exchange.Sinks)
                    {
                        pending.Push(next);
                    }
                    break;
                case IMessageExchange<InMemoryTransportMessage> exchange:
                    // Direct and topic exchanges route by key: counting all their queues could wait for a delivery that
                    // never happens. Nothing here binds by routing key; say so if something starts to.
                    if (_unobservedWarned.TryAdd(exchange.Name, true))
                    {
                        logger.LogWarning("In-memory exchange {Exchange} routes by key; the relay does not wait for the queues behind it", exchange.Name);
                    }
                    break;
            }
        }
        return [.. queues.Order(StringComparer.OrdinalIgnoreCase)];
    }

    private Fabric? GetFabric()
    {
        if (_fabric is not null || _unavailable)
        {
            return _fabric;
        }
        lock (_fabricLock)
        {
            if (_fabric is not null || _unavailable)
            {
                return _fabric;
            }
            var instance = services.GetService<IBusInstance>();
            if (instance?.HostConfiguration is IInMemoryHostConfiguration host && host.TransportProvider is { } provider)
            {
                provider.MessageFabric.ConnectMessageFabricObserver(this);
                _fabric = new Fabric(instance.Bus, provider, provider.MessageFabric);
            }
            else
            {
                _unavailable = true;
                logger.LogError("The in-memory message fabric is not reachable (MassTransit's internals changed?): the relay's checkpoint no longer " +
                    "waits for consumers, and a crash loses what was published and not yet consumed");
            }
            return _fabric;
        }
    }

    void IMessageFabricObserver<InMemoryTransportContext>.ExchangeDeclared(InMemoryTransportContext context, string name, ExchangeType exchangeType) =>
        Interlocked.Increment(ref _version);

    void IMessageFabricObserver<InMemoryTransportContext>.ExchangeBindingCreated(InMemoryTransportContext context, string source, string destination, string routingKey) =>
        Interlocked.Increment(ref _version);

    void IMessageFabricObserver<InMemoryTransportContext>.QueueDeclared(InMemoryTransportContext context, string name) => Interlocked.Increment(ref _version);

    void IMessageFabricObserver<InMemoryTransportContext>.QueueBindingCreated(InMemoryTransportContext context, string source, string destination) =>
        Interlocked.Increment(ref _version);

    TopologyHandle IMessageFabricObserver<InMemoryTransportContext>.ConsumerConnected(InMemoryTransportContext context, TopologyHandle handle, string queueName)
    {
        Interlocked.Increment(ref _version);
        return handle;
    }

    private sealed record Route(long Version, string[] Endpoints);

    private sealed record Fabric(IBus Bus, InMemoryTransportContext Context, IMessageFabric<InMemoryTransportContext, InMemoryTransportMessage> Messages);
}
