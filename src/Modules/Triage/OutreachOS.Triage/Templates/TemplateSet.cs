using OutreachOS.BuildingBlocks.EventStore;

namespace OutreachOS.Triage.Templates;

/// <summary>One reply template: Handlebars subject and plain-text body, used for the listed intents.</summary>
internal sealed record ReplyTemplate(IReadOnlyList<string>? Intents, string? Subject, string? Body);

/// <summary>
/// The organization's approved content that templates draw on. Every value here counts as an approved source for the
/// guardrails (a reply may quote it); anything else a reply states must come from the customer's own message.
/// </summary>
internal sealed record TemplateValues(
    string? Signature = null,
    IReadOnlyList<string>? Slots = null,
    string? BookingLink = null,
    IReadOnlyList<string>? PricingParagraphs = null,
    string? EtaWindow = null,
    IReadOnlyList<string>? DocLinks = null,
    string? PartnerAlias = null)
{
    /// <summary>Organization values win; configuration fills what the organization left out.</summary>
    public TemplateValues Over(TemplateValues fallback) => new(
        Signature ?? fallback.Signature,
        Slots ?? fallback.Slots,
        BookingLink ?? fallback.BookingLink,
        PricingParagraphs ?? fallback.PricingParagraphs,
        EtaWindow ?? fallback.EtaWindow,
        DocLinks ?? fallback.DocLinks,
        PartnerAlias ?? fallback.PartnerAlias);
}

/// <summary>The body of <c>PUT /templates</c> and the payload of its event: templates by id, plus approved values.</summary>
internal sealed record TemplateSet(IReadOnlyDictionary<string, ReplyTemplate>? Templates, TemplateValues? Values);

/// <summary>Stream <c>triage-templates</c> (per organization), one event per version.</summary>
[EventName("triage_templates_updated.v1")]
internal sealed record TriageTemplatesUpdated(long Version, TemplateSet Templates, DateTimeOffset At);

/// <summary>
/// The answer of <c>GET/PUT /templates</c>. Version 0 = the built-in defaults. <see cref="Problems"/>: what <c>PUT</c> would
/// refuse in the stored set, by field as a 400's <c>errors</c> (<c>templates.{id}.body</c>, <c>values.slots[0]</c>); empty when
/// valid. A set stored before a check existed may have some: a reply whose template (or values) has one is never sent
/// automatically.
/// </summary>
internal sealed record TemplatesResponse(
    long Version, IReadOnlyDictionary<string, ReplyTemplate> Templates, TemplateValues Values, IReadOnlyDictionary<string, string[]>? Problems = null)
{
    /// <summary>
    /// The problems that concern a reply filled from template <paramref name="templateId"/>: the template's own and the
    /// values' (every template draws on them), as <c>field: reason</c>.
    /// </summary>
    public IReadOnlyList<string> ProblemsOf(string templateId)
    {
        if (Problems is not { Count: > 0 })
        {
            return [];
        }

        var field = $"templates.{templateId}";
        return
        [
            .. Problems.Where(p => p.Key == field || p.Key.StartsWith(field + ".", StringComparison.Ordinal) || p.Key.StartsWith("values.", StringComparison.Ordinal))
                .OrderBy(p => p.Key, StringComparer.Ordinal)
                .SelectMany(p => p.Value.Select(reason => $"{p.Key}: {reason}")),
        ];
    }
}

internal static class TemplateStreams
{
    public const string StreamId = "triage-templates";
    public const string StreamType = "triage_templates";
}
