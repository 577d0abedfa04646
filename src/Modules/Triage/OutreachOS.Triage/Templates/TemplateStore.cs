using System.Collections.Concurrent;
using OutreachOS.BuildingBlocks.EventStore;
using OutreachOS.Triage.Responses;

namespace OutreachOS.Triage.Templates;

/// <summary>
/// The organization's templates: the last <c>triage_templates_updated.v1</c> of its <c>triage-templates</c> stream
/// over the built-in defaults (templates merge by id; values fall back to configuration), with what
/// <see cref="TemplateValidation"/> finds wrong in that stored set (sets stored before a check existed were never held to it).
/// </summary>
internal sealed class TemplateStore(IEventStore store, ResponseOptions options, TemplateRenderer renderer)
{
    private static readonly IReadOnlyDictionary<string, string[]> None = new Dictionary<string, string[]>(StringComparer.Ordinal);

    // The verdict on a stored set, by its event: a stored event never changes, and every inbound reply reads the set, so
    // the trial renders run once per version, not once per message.
    private readonly ConcurrentDictionary<(Guid Tenant, Guid EventId), IReadOnlyDictionary<string, string[]>> _verdicts = new();

    public async Task<TemplatesResponse> GetAsync(Guid tenantId, CancellationToken ct)
    {
        var events = await store.ReadStreamAsync(tenantId, TemplateStreams.StreamId, ct: ct);
        if (events.Count == 0)
        {
            return Effective(0, null);
        }

        var last = events[^1];
        var set = (TemplateSet?)last.As<TriageTemplatesUpdated>().Templates; // null only if written without validation
        return Effective(last.Version, set, Problems(tenantId, last.EventId, set ?? new TemplateSet(null, null)));
    }

    public TemplatesResponse Effective(long version, TemplateSet? set, IReadOnlyDictionary<string, string[]>? problems = null)
    {
        var templates = new Dictionary<string, ReplyTemplate>(DefaultTemplates.All, StringComparer.Ordinal);
        foreach (var (id, template) in set?.Templates ?? new Dictionary<string, ReplyTemplate>())
        {
            if (template is not null) // a null stored without validation is a problem of its id, not a template
            {
                templates[id] = template;
            }
        }

        return new TemplatesResponse(version, templates, (set?.Values ?? new TemplateValues()).Over(options.Values), problems ?? None);
    }

    private IReadOnlyDictionary<string, string[]> Problems(Guid tenantId, Guid eventId, TemplateSet set)
    {
        if (_verdicts.TryGetValue((tenantId, eventId), out var verdict))
        {
            return verdict;
        }

        var errors = TemplateValidation.Validate(set, renderer);
        verdict = errors.Any ? errors.ToDictionary() : None;
        if (_verdicts.Count > 10_000)
        {
            _verdicts.Clear(); // bounded: one entry per organization's current version
        }

        _verdicts[(tenantId, eventId)] = verdict;
        return verdict;
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
