using OutreachOS.BuildingBlocks.EventStore;

namespace OutreachOS.Ingestion.Outbound;

/// <summary>Stream <c>outbound-{request_id:N}</c>, type <c>outbound</c>: sends of an outbound personalization, replies, meetings.</summary>
internal static class OutboundStreams
{
    public const string StreamType = "outbound";

    public static string StreamId(Guid requestId) => $"outbound-{requestId:N}";

    /// <summary>
    /// The id of a send or meeting event: the caller names the request, so the id includes the organization. Before
    /// 2026-12-02 it did not, and one organization could claim the id another organization's send of the same request
    /// id would need (that send then failed as a duplicate).
    /// </summary>
    public static Guid EventId(Guid tenantId, Guid requestId, string what) =>
        NameBasedIds.ForTenant(tenantId, StreamType, $"{requestId:N}:{what}");

    public static readonly Type[] EventTypes = [typeof(OutboundSent), typeof(OutboundReplyReceived), typeof(OutboundMeetingBooked)];
}

/// <summary>A variant of request <see cref="RequestId"/> went out as the mail with RFC 5322 <see cref="MessageId"/>.</summary>
[EventName("outbound_sent.v1")]
internal sealed record OutboundSent(Guid RequestId, string MessageId, string Channel, int VariantIndex, DateTimeOffset At);

/// <summary>An inbound message (<see cref="InboundId"/>) answered the outbound mail <see cref="MessageId"/>.</summary>
[EventName("outbound_reply_received.v1")]
internal sealed record OutboundReplyReceived(Guid RequestId, string MessageId, Guid InboundId, string ReplyMessageId, DateTimeOffset At);

[EventName("outbound_meeting_booked.v1")]
internal sealed record OutboundMeetingBooked(Guid RequestId, DateTimeOffset BookedAt, DateTimeOffset At);
