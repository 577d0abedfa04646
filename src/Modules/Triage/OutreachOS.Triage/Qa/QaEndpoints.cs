using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Npgsql;
using OutreachOS.BuildingBlocks.Documents;
using OutreachOS.BuildingBlocks.EventStore;
using OutreachOS.BuildingBlocks.Web;
using OutreachOS.Ingestion.Contracts;
using OutreachOS.Triage.Responses;

namespace OutreachOS.Triage.Qa;

internal sealed record QaVerdictRequest(bool? Correct, string? Notes);

/// <summary><c>GET /qa/pending</c> and <c>POST /qa/{inbound_id}/verdict</c>: human verdicts on sampled auto-sent replies.</summary>
internal static class QaEndpoints
{
    public const int DefaultLimit = 100;
    public const int MaxLimit = 500;

    public static void Map(IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/qa").WithTags("Triage QA");
        group.MapGet("/pending", PendingAsync)
            .WithSummary("Sampled auto-sent replies waiting for a verdict, oldest first (limit 1-500, default 100; after = the previous page's next)");
        group.MapPost("/{inboundId:guid}/verdict", VerdictAsync).WithSummary("Record whether the auto-sent reply was correct");
    }

    /// <summary>Oldest sample first, ordered and cut in the database (the store's id order is a hash's, so a cut by id is random).</summary>
    private static async Task<IResult> PendingAsync(string? limit, string? after, HttpContext http, DocumentStore docs, CancellationToken ct)
    {
        var errors = new FieldErrors().Page(limit, after, DefaultLimit, MaxLimit, out var take);
        if (errors.Any)
        {
            return errors.ToProblem();
        }

        var page = await docs.ListPageAsync<QaRecord>(http.GetTenantId(), QaRecord.SampledAtProperty, QaSampler.Pending, after, take, ct);
        return TypedResults.Ok(new QaList([.. page.Items.Select(d => d.Data)], page.Next));
    }

    private static async Task<IResult> VerdictAsync(Guid inboundId, QaVerdictRequest body, HttpContext http, NpgsqlDataSource dataSource,
        IEventStore store, TimeProvider time, CancellationToken ct)
    {
        var errors = new FieldErrors().Optional("notes", body.Notes, 2000);
        if (body.Correct is null)
        {
            errors.Add("correct", "is required (true or false)");
        }

        if (errors.Any)
        {
            return errors.ToProblem();
        }

        var tenant = http.GetTenantId();
        await using var conn = await dataSource.OpenConnectionAsync(ct);
        await using var tx = await conn.BeginTransactionAsync(ct);
        var doc = await DocumentStore.GetAsync<QaRecord>(tx, tenant, inboundId.ToString(), forUpdate: true, ct);
        if (doc is null)
        {
            return Problems.NotFound($"QA sample of inbound {inboundId}");
        }

        if (doc.Data.Status != QaSampler.Pending)
        {
            return Problems.Conflict($"Inbound {inboundId} already has a QA verdict.");
        }

        var now = time.GetUtcNow();
        var reviewer = $"api_key:{http.GetCaller().ApiKeyId}";
        var notes = string.IsNullOrWhiteSpace(body.Notes) ? null : body.Notes.Trim();
        var updated = doc.Data with { Status = QaSampler.Reviewed, Correct = body.Correct, Reviewer = reviewer, Notes = notes, ReviewedAt = now };
        await DocumentStore.UpsertAsync(tx, tenant, inboundId.ToString(), updated, ct);
        await store.AppendManyAsync(tx, [new StreamAppend(tenant, InboundStreams.StreamId(inboundId), InboundStreams.StreamType, ExpectedVersion.Any,
            [EventToAppend.Create(new InboundQaVerdict(inboundId, body.Correct!.Value, reviewer, notes, now))])], ct);
        await tx.CommitAsync(ct);
        return TypedResults.Ok(updated);
    }
}
