using System.Globalization;
using MassTransit;
using Microsoft.Extensions.Logging;
using Npgsql;
using OutreachOS.BuildingBlocks.EventStore;

namespace OutreachOS.BuildingBlocks.Messaging;

/// <summary>Self-test: an operator (or a test) asks the bus to carry a probe through the relay to an idempotent consumer.</summary>
public sealed record MessagingProbeRequested(Guid ProbeId) : IIntegrationEvent;

/// <summary>Appended once per probe by <see cref="MessagingProbeConsumer"/>: a second one would prove a duplicate effect.</summary>
public sealed record MessagingProbeHandled(Guid ProbeId);

public sealed record MessagingProbeStatus(Guid ProbeId, bool Requested, long HandledCount);

internal sealed class MessagingProbeConsumer(NpgsqlDataSource dataSource, IEventStore store, MessagingOptions options, ILogger<MessagingProbeConsumer> logger)
    : IdempotentConsumer<MessagingProbeRequested>(dataSource)
{
    protected override string ConsumerName => "messaging-probe";

    protected override async Task HandleAsync(ConsumeContext<MessagingProbeRequested> context, NpgsqlTransaction transaction, Guid? tenantId, CancellationToken ct)
    {
        if (options.Probe.HangConsumer)
        {
            logger.LogWarning("Messaging:Probe:HangConsumer test hook: probe {ProbeId} received, the consumer now waits forever", context.Message.ProbeId);
            await Task.Delay(Timeout.Infinite, ct);
        }
        var tenant = tenantId ?? throw new InvalidOperationException("A probe without a tenant header cannot be handled.");
        var probeId = context.Message.ProbeId;
        await store.AppendManyAsync(transaction,
            [new StreamAppend(tenant, MessagingProbe.HandledStream(probeId), "messaging-probe", ExpectedVersion.Any, [EventToAppend.Create(new MessagingProbeHandled(probeId))])],
            ct);
    }
}

/// <summary>Starts and reads probes (what the admin endpoints call).</summary>
public sealed class MessagingProbe(IEventStore store)
{
    public static string RequestStream(Guid probeId) => "probe-" + probeId.ToString("D", CultureInfo.InvariantCulture);

    public static string HandledStream(Guid probeId) => RequestStream(probeId) + "-handled";

    /// <summary>
    /// Appends the request; repeating a probe id is a no-op (the event id derives from it and from the organization, so
    /// a caller's probe id can never be an id another organization's event needs).
    /// </summary>
    public async Task RequestAsync(Guid tenantId, Guid probeId, CancellationToken ct = default) =>
        await store.AppendAsync(tenantId, RequestStream(probeId), "messaging-probe", ExpectedVersion.Any,
            [new EventToAppend(RequestEventId(tenantId, probeId), new MessagingProbeRequested(probeId))], ct);

    public static Guid RequestEventId(Guid tenantId, Guid probeId) => NameBasedIds.ForTenant(tenantId, "messaging-probe", probeId.ToString("N"));

    public async Task<MessagingProbeStatus> StatusAsync(Guid tenantId, Guid probeId, CancellationToken ct = default)
    {
        var requested = await store.GetStreamAsync(tenantId, RequestStream(probeId), ct);
        var handled = await store.GetStreamAsync(tenantId, HandledStream(probeId), ct);
        return new MessagingProbeStatus(probeId, requested is not null, handled?.Version ?? 0);
    }
}
