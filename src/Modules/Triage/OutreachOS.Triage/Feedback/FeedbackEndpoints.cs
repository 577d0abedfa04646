using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using OutreachOS.BuildingBlocks.Documents;
using OutreachOS.BuildingBlocks.Json;
using OutreachOS.BuildingBlocks.Web;
using OutreachOS.Triage.Drafts;
using OutreachOS.Triage.Responses;

namespace OutreachOS.Triage.Feedback;

internal sealed record FeedbackInput(string Subject, string Text);

/// <summary>One fine-tuning example: the (redacted) customer mail, the draft the system wrote, and what a human sent.</summary>
internal sealed record FeedbackExample(
    Guid InboundId, Guid DraftId, string Intent, string TemplateId, FeedbackInput InputEmail, string OriginalDraft, string FinalText,
    int EditDistance, bool Edited, DateTimeOffset? ApprovedAt);

/// <summary><c>GET /feedback/export</c>: approved drafts as JSON lines (application/x-ndjson), oldest first, PII redacted.</summary>
internal static class FeedbackEndpoints
{
    public static void Map(IEndpointRouteBuilder app) =>
        app.MapGroup("/feedback").WithTags("Triage feedback").MapGet("/export", ExportAsync)
            .WithSummary("Approved drafts as fine-tuning examples (JSON lines)");

    private static async Task<IResult> ExportAsync(HttpContext http, DocumentStore docs, CancellationToken ct)
    {
        var approved = await docs.ListAsync<DraftRecord>(http.GetTenantId(), DraftStatus.Approved, 10_000, ct: ct);
        var sb = new StringBuilder();
        foreach (var d in approved.Select(a => a.Data).OrderBy(a => a.DecidedAt))
        {
            var example = new FeedbackExample(d.InboundId, d.DraftId, d.Classification.Intent, d.TemplateId,
                new FeedbackInput(Redactions.Redact(d.OriginalSubject, d.Redactions), Redactions.Redact(d.OriginalText, d.Redactions)),
                Redactions.Redact(d.Text, d.Redactions), Redactions.Redact(d.FinalText ?? d.Text, d.Redactions), d.EditDistance ?? 0,
                (d.EditDistance ?? 0) > 0, d.DecidedAt);
            sb.Append(JsonSerializer.Serialize(example, OutreachJson.Options)).Append('\n');
        }

        return Results.Text(sb.ToString(), "application/x-ndjson", Encoding.UTF8);
    }
}
