using OutreachOS.BuildingBlocks.EventStore;
using OutreachOS.Triage.Responses;

namespace OutreachOS.Triage.Templates;

/// <summary>
/// The organization's templates: the last <c>triage_templates_updated.v1</c> of its <c>triage-templates</c> stream
/// over the built-in defaults (templates merge by id; values fall back to configuration).
/// </summary>
internal sealed class TemplateStore(IEventStore store, ResponseOptions options)
{
    public async Task<TemplatesResponse> GetAsync(Guid tenantId, CancellationToken ct)
    {
        var events = await store.ReadStreamAsync(tenantId, TemplateStreams.StreamId, ct: ct);
        var last = events.Count == 0 ? null : events[^1];
        var set = last?.As<TriageTemplatesUpdated>().Templates;
        return Effective(last?.Version ?? 0, set);
    }

    public TemplatesResponse Effective(long version, TemplateSet? set)
    {
        var templates = new Dictionary<string, ReplyTemplate>(DefaultTemplates.All, StringComparer.Ordinal);
        foreach (var (id, template) in set?.Templates ?? new Dictionary<string, ReplyTemplate>())
        {
            templates[id] = template;
        }

        return new TemplatesResponse(version, templates, (set?.Values ?? new TemplateValues()).Over(options.Values));
    }

    /// <summary>The template for an intent: the first (by id) that lists it, else <c>generic</c>.</summary>
    public static (string Id, ReplyTemplate Template) Select(TemplatesResponse templates, string intent)
    {
        foreach (var (id, t) in templates.Templates.OrderBy(kv => kv.Key, StringComparer.Ordinal))
        {
            if (t.Intents?.Contains(intent, StringComparer.OrdinalIgnoreCase) == true)
            {
                return (id, t);
            }
        }

        return templates.Templates.TryGetValue(DefaultTemplates.Generic, out var generic)
            ? (DefaultTemplates.Generic, generic)
            : (DefaultTemplates.Generic, DefaultTemplates.All[DefaultTemplates.Generic]);
    }
}
