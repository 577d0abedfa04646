using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using OutreachOS.BuildingBlocks.Documents;
using OutreachOS.BuildingBlocks.Web;

namespace OutreachOS.Triage.Drafts;

/// <summary>The approval queue: list, read, approve (optionally edited), reject. Org-scoped; another org's draft → 404.</summary>
internal static class DraftsEndpoints
{
    public const int DefaultLimit = 100;
    public const int MaxLimit = 500;

    public static void Map(IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/drafts").WithTags("Triage drafts");
        group.MapGet("", ListAsync)
            .WithSummary("Drafts of the organization, optionally by status (PENDING, APPROVED, REJECTED), oldest first (limit 1-500, default 100; after = the previous page's next)");
        group.MapGet("/{draftId:guid}", async (Guid draftId, HttpContext http, DocumentStore docs, CancellationToken ct) =>
            await docs.GetAsync<DraftRecord>(http.GetTenantId(), draftId.ToString(), ct) is { } d
                ? Results.Ok(d.Data.ToView())
                : Problems.NotFound($"Draft {draftId}"))
            .WithSummary("One draft");
        group.MapPost("/{draftId:guid}/approve", (Guid draftId, ApproveDraftRequest? body, HttpContext http, DraftActions actions, CancellationToken ct) =>
            actions.ApproveAsync(http.GetTenantId(), draftId, body?.EditedText, body?.Override == true, By(http), ct))
            .WithSummary("Approve (optionally with edited_text, re-checked by the guardrails: BLOCK → 422 unless \"override\": true) and send, unless the decision was a dry run");
        group.MapPost("/{draftId:guid}/reject", (Guid draftId, RejectDraftRequest body, HttpContext http, DraftActions actions, CancellationToken ct) =>
            actions.RejectAsync(http.GetTenantId(), draftId, body.Reason, By(http), ct))
            .WithSummary("Reject with a reason (required)");
    }

    /// <summary>
    /// Oldest first by creation, in the database: the oldest pending drafts are the ones closest to their SLA, and a page
    /// cut anywhere else (the store's id order is a hash's) could leave them out with no sign. <c>next</c> says more exist.
    /// </summary>
    private static async Task<IResult> ListAsync(string? status, string? limit, string? after, HttpContext http, DocumentStore docs,
        CancellationToken ct)
    {
        var errors = new FieldErrors().Page(limit, after, DefaultLimit, MaxLimit, out var take);
        if (status is not null && !DraftStatus.IsValid(status))
        {
            errors.Add("status", "must be PENDING, APPROVED or REJECTED");
        }
        if (errors.Any)
        {
            return errors.ToProblem();
        }

        var page = await docs.ListPageAsync<DraftRecord>(http.GetTenantId(), DraftRecord.CreatedAtProperty, status, after, take, ct);
        return Results.Ok(new DraftList([.. page.Items.Select(i => i.Data.ToView())], page.Next));
    }

    private static string By(HttpContext http) => $"api_key:{http.GetCaller().ApiKeyId}";
}
