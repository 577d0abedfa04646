using OutreachOS.BuildingBlocks.EventStore;
using OutreachOS.BuildingBlocks.Web;

namespace OutreachOS.Host.Audit;

internal sealed record AuditEvent(long Version, Guid EventId, string Type, DateTimeOffset CreatedAt, System.Text.Json.JsonElement Data,
    IReadOnlyDictionary<string, string> Metadata, string Hash, long Sequence);

internal sealed record AuditStream(string StreamId, string StreamType, long Version, DateTimeOffset CreatedAt, ChainVerification Verification,
    IReadOnlyList<AuditEvent> Events);

/// <summary>Compliance view of raw streams (the one read that bypasses projections), scoped to the caller's organization.</summary>
internal static class AuditEndpoints
{
    public static void MapAuditEndpoints(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/audit").WithTags("Audit");

        group.MapGet("/streams", async (string? type, DateTimeOffset? from, DateTimeOffset? to, int? limit, HttpContext http, IEventStore store, CancellationToken ct) =>
        {
            var errors = new FieldErrors().NoControlCharacters("type", type);
            if (limit is < 1 or > 1000)
            {
                errors.Add("limit", "must be between 1 and 1000");
            }
            if (from is not null && to is not null && from > to)
            {
                errors.Add("from", "must not be after 'to'");
            }
            if (errors.Any)
            {
                return errors.ToProblem();
            }
            return Results.Ok(await store.ListStreamsAsync(http.GetTenantId(), type, from, to, limit ?? 100, ct));
        }).WithSummary("List the organization's streams by type and creation date");

        group.MapGet("/streams/{streamId}", async (string streamId, HttpContext http, IEventStore store, CancellationToken ct) =>
        {
            if (new FieldErrors().NoControlCharacters("streamId", streamId) is { Any: true } invalid)
            {
                return invalid.ToProblem();
            }

            var stream = await store.ReadVerifiedAsync(http.GetTenantId(), streamId, ct);
            return stream is null
                ? Problems.NotFound($"Stream '{streamId}'")
                : Results.Ok(new AuditStream(stream.Info.StreamId, stream.Info.StreamType, stream.Info.Version, stream.Info.CreatedAt,
                    stream.Verification, stream.Events.Select(ToAudit).ToList()));
        }).WithSummary("A stream's events in order with their hashes and the hash-chain verification");

        group.MapPost("/streams/{streamId}/verify", async (string streamId, HttpContext http, IEventStore store, CancellationToken ct) =>
        {
            if (new FieldErrors().NoControlCharacters("streamId", streamId) is { Any: true } invalid)
            {
                return invalid.ToProblem();
            }

            var stream = await store.ReadVerifiedAsync(http.GetTenantId(), streamId, ct);
            return stream is null ? Problems.NotFound($"Stream '{streamId}'") : Results.Ok(stream.Verification);
        }).ChangesNothing().WithSummary("Re-compute a stream's hash chain (VIEWER keys too: it writes nothing)");
    }

    internal static AuditEvent ToAudit(StoredEvent e)
    {
        using var doc = System.Text.Json.JsonDocument.Parse(e.Json);
        return new AuditEvent(e.Version, e.EventId, e.EventType, e.CreatedAt, doc.RootElement.Clone(), e.Metadata, e.HashHex, e.Sequence);
    }
}
