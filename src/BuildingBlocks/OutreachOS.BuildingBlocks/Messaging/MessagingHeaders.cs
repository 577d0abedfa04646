using MassTransit;

namespace OutreachOS.BuildingBlocks.Messaging;

/// <summary>Headers the relay puts on every integration event, so a consumer knows its tenant and where the event came from.</summary>
public static class MessagingHeaders
{
    public const string TenantId = "outreachos-tenant-id";
    public const string StreamId = "outreachos-stream-id";
    public const string StreamVersion = "outreachos-stream-version";
    public const string EventType = "outreachos-event-type";

    /// <summary>The tenant of the message, from its header (null when the sender did not set one).</summary>
    public static Guid? GetTenantId(this ConsumeContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        return context.Headers.Get<string>(TenantId) is { } raw && Guid.TryParse(raw, out var id) ? id : null;
    }
}
