using Microsoft.AspNetCore.Http;
using OutreachOS.BuildingBlocks.EventStore;
using OutreachOS.BuildingBlocks.Web;

namespace OutreachOS.Ingestion.Outbound;

internal sealed record BookMeetingRequest(DateTimeOffset? BookedAt);

internal sealed record MeetingBooked(Guid RequestId, DateTimeOffset BookedAt, long Version);

/// <summary>
/// <c>POST /outbound/{request_id}/meeting</c>: records that the outreach led to a meeting (once per request: a repeat is a
/// no-op answered 201 again). The request must have a recorded send in the caller's organization, else 404.
/// </summary>
internal static class BookMeeting
{
    public static async Task<IResult> HandleAsync(Guid requestId, BookMeetingRequest? body, Guid tenant, IEventStore store, TimeProvider clock,
        CancellationToken ct)
    {
        var stream = OutboundStreams.StreamId(requestId);
        if (await store.GetStreamAsync(tenant, stream, ct) is null)
        {
            return Problems.NotFound($"Outbound request {requestId}");
        }
        var now = clock.GetUtcNow();
        var booked = new OutboundMeetingBooked(requestId, body?.BookedAt ?? now, now);
        var result = await store.AppendAsync(tenant, stream, OutboundStreams.StreamType, ExpectedVersion.Any,
            [new EventToAppend(OutboundStreams.EventId(tenant, requestId, "meeting"), booked)], ct);
        return TypedResults.Created($"/outbound/{requestId:D}", new MeetingBooked(requestId, booked.BookedAt, result.Version));
    }
}
