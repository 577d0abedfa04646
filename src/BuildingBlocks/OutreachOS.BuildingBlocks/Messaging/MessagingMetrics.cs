using System.Diagnostics.Metrics;

namespace OutreachOS.BuildingBlocks.Messaging;

/// <summary>Meter "OutreachOS.Messaging" (add it to the host's MeterProvider; MassTransit's own traces use source "MassTransit").</summary>
public static class MessagingMetrics
{
    public const string MeterName = "OutreachOS.Messaging";

    /// <summary>MassTransit's ActivitySource and Meter name (for the host's tracer and meter providers).</summary>
    public const string MassTransitSource = "MassTransit";

    private static readonly Meter Meter = new(MeterName);

    internal static readonly Counter<long> Published = Meter.CreateCounter<long>("outreachos.relay.published", "messages",
        "Integration events published by the relay (re-publications after a crash included).");

    internal static readonly Histogram<double> RelayLag = Meter.CreateHistogram<double>("outreachos.relay.lag", "ms",
        "From an integration event's append to its publication confirmed by the broker (transaction, relay wake-up, held-back wait, publish).");

    internal static readonly Histogram<double> PublishDuration = Meter.CreateHistogram<double>("outreachos.relay.publish_duration", "ms",
        "One publish by the relay until the broker confirmed it (RabbitMQ: after routing and, for durable queues, persistence).");

    internal static readonly Histogram<double> DeliveryLatency = Meter.CreateHistogram<double>("outreachos.messaging.delivery_latency", "ms",
        "From publication to the start of an idempotent consumer (broker, queueing, prefetch), per consumer.");

    internal static readonly Counter<long> DeadLettered = Meter.CreateCounter<long>("outreachos.messaging.dead_letters", "messages",
        "Messages that exhausted their attempts and were recorded in oos.dead_letters.");

    internal static readonly Counter<long> Redriven = Meter.CreateCounter<long>("outreachos.messaging.redriven", "messages",
        "Dead letters re-sent to their consumer's queue.");
}
