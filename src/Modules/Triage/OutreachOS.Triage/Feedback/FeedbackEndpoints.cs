using System.Globalization;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using OutreachOS.BuildingBlocks.Documents;
using OutreachOS.BuildingBlocks.Json;
using OutreachOS.BuildingBlocks.Web;
using OutreachOS.Triage.Drafts;
using OutreachOS.Triage.Pii;
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
    public const int MaxLimit = 10_000;

    public static void Map(IEndpointRouteBuilder app) =>
        app.MapGroup("/feedback").WithTags("Triage feedback").MapGet("/export", ExportAsync)
            .WithSummary("Approved drafts as fine-tuning examples (JSON lines), oldest decision first (limit 1-10000, default 10000; a Link rel=\"next\" header when more follow)");

    /// <summary>
    /// Ordered by decision time and cut in the database, so an export of more than <see cref="MaxLimit"/> is the oldest
    /// ones and not a random subset (the store's id order is a hash's). A JSON-lines body has no room for a cursor: the
    /// next page's URL is in a <c>Link: &lt;…&gt;; rel="next"</c> header (RFC 8288), absent on the last page.
    /// </summary>
    private static async Task<IResult> ExportAsync(string? limit, string? after, HttpContext http, DocumentStore docs, CancellationToken ct)
    {
        var errors = new FieldErrors().Page(limit, after, MaxLimit, MaxLimit, out var take);
        if (errors.Any)
        {
            return errors.ToProblem();
        }

        var page = await docs.ListPageAsync<DraftRecord>(http.GetTenantId(), DraftRecord.DecidedAtProperty, DraftStatus.Approved, after, take, ct);
        if (page.Next is not null)
        {
            var next = $"{http.Request.PathBase}{http.Request.Path}?limit={take.ToString(CultureInfo.InvariantCulture)}&after={Uri.EscapeDataString(page.Next)}";
            http.Response.Headers.Link = $"<{next}>; rel=\"next\"";
        }

        var sb = new StringBuilder();
        foreach (var d in page.Items.Select(a => a.Data))
        {
            sb.Append(JsonSerializer.Serialize(ToExample(d), OutreachJson.Options)).Append('\n');
        }

        return Results.Text(sb.ToString(), "application/x-ndjson", Encoding.UTF8);
    }

    /// <summary>
    /// Every exported text (the customer's subject and message, the draft, what was sent) goes through the redactor here,
    /// whatever the policy and classifier did at triage time: the decision's map is often empty (offline classifier,
    /// <c>redact_before_llm: false</c>) and a reviewer may have typed or reformatted a number. One redactor per example,
    /// continuing the decision's map and knowing the sender's name and address, so a value has one placeholder across
    /// the four texts.
    /// </summary>
    internal static FeedbackExample ToExample(DraftRecord d)
    {
        var redactor = new PiiRedactor(d.Redactions).KnowSender(Redactions.Restore(d.From.Name ?? "", d.Redactions), Redactions.Restore(d.From.Email, d.Redactions));
        string Clean(string text) => redactor.Redact(Redactions.Redact(text, d.Redactions));
        return new FeedbackExample(d.InboundId, d.DraftId, d.Classification.Intent, d.TemplateId,
            new FeedbackInput(Clean(d.OriginalSubject), Clean(d.OriginalText)), Clean(d.Text), Clean(d.FinalText ?? d.Text), d.EditDistance ?? 0,
            (d.EditDistance ?? 0) > 0, d.DecidedAt);
    }
}
