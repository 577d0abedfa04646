using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using OutreachOS.BuildingBlocks.Documents;
using OutreachOS.BuildingBlocks.Web;

namespace OutreachOS.Triage.Drafts;

/// <summary>The approval queue: list, read, approve (optionally edited), reject. Org-scoped; another org's draft → 404.</summary>
internal static class DraftsEndpoints
{
    public static void Map(IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/drafts").WithTags("Triage drafts");
        group.MapGet("", ListAsync).WithSummary("Drafts of the organization, optionally by status (PENDING, APPROVED, REJECTED)");
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

    private static async Task<IResult> ListAsync(string? status, HttpContext http, DocumentStore docs, CancellationToken ct)
    {
        if (status is not null && !DraftStatus.IsValid(status))
        {
            return new FieldErrors().Add("status", "must be PENDING, APPROVED or REJECTED").ToProblem();
        }

        var items = await docs.ListAsync<DraftRecord>(http.GetTenantId(), status, 500, ct: ct);
        return Results.Ok(new DraftList([.. items.Select(i => i.Data).OrderBy(d => d.CreatedAt).Select(d => d.ToView())]));
    }

    private static string By(HttpContext http) => $"api_key:{http.GetCaller().ApiKeyId}";
}
