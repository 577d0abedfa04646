using OutreachOS.BuildingBlocks.EventStore;
using OutreachOS.BuildingBlocks.Web;

namespace OutreachOS.Host.Audit;

internal sealed record AuditEvent(long Version, Guid EventId, string Type, DateTimeOffset CreatedAt, System.Text.Json.JsonElement Data,
    IReadOnlyDictionary<string, string> Metadata, string Hash, long Sequence);

/// <param name="NextAfterVersion">The <c>after_version</c> of the next page; null when this page ends the stream.</param>
internal sealed record AuditStream(string StreamId, string StreamType, long Version, DateTimeOffset CreatedAt, ChainVerification Verification,
    IReadOnlyList<AuditEvent> Events, long? NextAfterVersion);

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

        group.MapGet("/streams/{streamId}", async (string streamId, long? after_version, int? limit, HttpContext http, IEventStore store, CancellationToken ct) =>
        {
            var errors = new FieldErrors().NoControlCharacters("streamId", streamId);
            if (limit is < 1 or > MaxEventsPerPage)
            {
                errors.Add("limit", $"must be between 1 and {MaxEventsPerPage}");
            }
            if (after_version is < 0)
            {
                errors.Add("after_version", "must not be negative");
            }
            if (errors.Any)
            {
                return errors.ToProblem();
            }

            // The chain is verified over the whole stream as it is read; the answer carries one page of it.
            var stream = await store.ReadVerifiedAsync(http.GetTenantId(), streamId, after_version ?? 0, limit ?? MaxEventsPerPage, ct);
            if (stream is null)
            {
                return Problems.NotFound($"Stream '{streamId}'");
            }
            var page = stream.Events;
            var next = page.Count > 0 && page[^1].Version < stream.Info.Version ? page[^1].Version : (long?)null;
            return Results.Ok(new AuditStream(stream.Info.StreamId, stream.Info.StreamType, stream.Info.Version, stream.Info.CreatedAt,
                stream.Verification, page.Select(ToAudit).ToList(), next));
        }).WithSummary("A stream's events in version order with their hashes (paged: after_version, limit ≤ 1000) and the whole chain's verification");

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

    /// <summary>The most events one answer carries (also the GraphQL page's limit).</summary>
    internal const int MaxEventsPerPage = 1000;

    internal static AuditEvent ToAudit(StoredEvent e)
    {
        using var doc = System.Text.Json.JsonDocument.Parse(e.Json);
        return new AuditEvent(e.Version, e.EventId, e.EventType, e.CreatedAt, doc.RootElement.Clone(), e.Metadata, e.HashHex, e.Sequence);
    }
}
