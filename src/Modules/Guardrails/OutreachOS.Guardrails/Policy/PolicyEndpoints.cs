using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using OutreachOS.BuildingBlocks.Documents;
using OutreachOS.BuildingBlocks.EventStore;
using OutreachOS.BuildingBlocks.Web;

namespace OutreachOS.Guardrails.Policy;

internal sealed record GuardrailPolicyRequest(IReadOnlyList<string>? ForbiddenPhrases, IReadOnlyList<string>? CompetitorNames);

internal sealed record GuardrailPolicyResponse(IReadOnlyList<string> ForbiddenPhrases, IReadOnlyList<string> CompetitorNames, long Version, DateTimeOffset? UpdatedAt);

internal static class PolicyEndpoints
{
    public const int MaxEntries = 500;
    public const int MaxLength = 100;

    public static void Map(IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/guardrails").WithTags("Guardrails");

        group.MapGet("/policy", async (HttpContext http, DocumentStore documents, CancellationToken ct) =>
        {
            var doc = (await documents.GetAsync<GuardrailPolicyView>(http.GetTenantId(), GuardrailPolicyStream.DocumentId, ct))?.Data;
            return Results.Ok(doc is null
                ? new GuardrailPolicyResponse([], [], 0, null)
                : new GuardrailPolicyResponse(doc.ForbiddenPhrases, doc.CompetitorNames, doc.Version, doc.UpdatedAt));
        }).WithSummary("The organization's own forbidden phrases and competitor names (added to the built-in lists)");

        group.MapPut("/policy", async (GuardrailPolicyRequest body, HttpContext http, IEventStore store, TimeProvider clock, CancellationToken ct) =>
        {
            var errors = new FieldErrors();
            var phrases = Clean("forbidden_phrases", body.ForbiddenPhrases, errors);
            var competitors = Clean("competitor_names", body.CompetitorNames, errors);
            if (errors.Any)
            {
                return errors.ToProblem();
            }
            var caller = http.GetCaller();
            var now = clock.GetUtcNow();
            var result = await store.AppendAsync(caller.TenantId, GuardrailPolicyStream.Id, GuardrailPolicyStream.Type, ExpectedVersion.Any,
                [EventToAppend.Create(new GuardrailPolicySet(phrases, competitors, caller.ApiKeyId, now))], ct);
            return Results.Ok(new GuardrailPolicyResponse(phrases, competitors, result.Version, now));
        }).RequireOrganizationAdmin().WithSummary("Replace the organization's guardrail policy (versioned as events; ADMIN keys only)");
    }

    private static List<string> Clean(string field, IReadOnlyList<string>? items, FieldErrors errors)
    {
        var list = new List<string>();
        if (items is null)
        {
            return list;
        }
        if (items.Count > MaxEntries)
        {
            errors.Add(field, $"must have at most {MaxEntries} entries");
            return list;
        }
        for (var i = 0; i < items.Count; i++)
        {
            var item = items[i]?.Trim();
            if (string.IsNullOrEmpty(item))
            {
                errors.Add($"{field}[{i}]", "must not be empty");
            }
            else if (item.Length > MaxLength)
            {
                errors.Add($"{field}[{i}]", $"must be at most {MaxLength} characters");
            }
            else if (!list.Contains(item, StringComparer.OrdinalIgnoreCase))
            {
                list.Add(item);
            }
        }
        return list;
    }
}
