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

/// <summary>The answer of <c>GET/PUT /templates</c>. Version 0 = the built-in defaults.</summary>
internal sealed record TemplatesResponse(long Version, IReadOnlyDictionary<string, ReplyTemplate> Templates, TemplateValues Values);

internal static class TemplateStreams
{
    public const string StreamId = "triage-templates";
    public const string StreamType = "triage_templates";
}
