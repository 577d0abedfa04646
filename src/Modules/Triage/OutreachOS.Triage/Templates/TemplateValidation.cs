using System.Text.RegularExpressions;
using OutreachOS.BuildingBlocks.Web;

namespace OutreachOS.Triage.Templates;

/// <summary>
/// The checks a template set must pass: at <c>PUT /templates</c> (a 400 naming each field), and again on the stored set
/// that a reply is filled from (<see cref="TemplateStore"/>), since sets stored before a check existed were never held to it.
/// </summary>
internal static partial class TemplateValidation
{
    public static FieldErrors Validate(TemplateSet body, TemplateRenderer renderer)
    {
        var e = new FieldErrors();
        if (body.Templates is null && body.Values is null)
        {
            e.Add("templates", "is required (an object of templates by id), unless values are given");
        }

        if (body.Templates is { Count: > 50 })
        {
            e.Add("templates", "must hold at most 50 templates");
        }

        // Every variable set, then none: a name that is not a variable is reported in either branch of an {{#if}}.
        IReadOnlyDictionary<string, object?>[] samples = [ReplyModel.Sample(), ReplyModel.EmptySample()];
        var variables = samples[0].Keys.ToHashSet(StringComparer.Ordinal);
        foreach (var (id, t) in body.Templates ?? new Dictionary<string, ReplyTemplate>())
        {
            var field = $"templates.{id}";
            if (!TemplateId().IsMatch(id))
            {
                e.Add(field, "the template id must be 1-50 characters of a-z, 0-9 and _");
                continue;
            }

            if (t is null)
            {
                e.Add(field, "is required");
                continue;
            }

            e.Required($"{field}.body", t.Body, 10_000).Optional($"{field}.subject", t.Subject, 500);
            if (t.Intents is { Count: > 20 })
            {
                e.Add($"{field}.intents", "must hold at most 20 intents");
            }

            Check(e, renderer, $"{field}.subject", t.Subject, samples, variables);
            Check(e, renderer, $"{field}.body", t.Body, samples, variables);
        }

        if (body.Values is { } v)
        {
            e.Optional("values.signature", v.Signature, 1000).Optional("values.booking_link", v.BookingLink, 2000)
             .Optional("values.eta_window", v.EtaWindow, 200).Optional("values.partner_alias", v.PartnerAlias, 320);
            List(e, "values.slots", v.Slots, 10, 200);
            List(e, "values.pricing_paragraphs", v.PricingParagraphs, 20, 2000);
            List(e, "values.doc_links", v.DocLinks, 20, 2000);
        }

        return e;
    }

    private static void Check(FieldErrors e, TemplateRenderer renderer, string field, string? source, IReadOnlyDictionary<string, object?>[] samples,
        HashSet<string> variables)
    {
        if (string.IsNullOrEmpty(source))
        {
            return;
        }

        try
        {
            foreach (var sample in samples)
            {
                renderer.RenderStrict(source, sample);
            }
        }
        catch (TemplateCompileException x)
        {
            e.Add(field, $"does not compile: {x.Message}");
            return;
        }

        // The trial renders reach only the branches their samples take; the tags are read whole.
        if (TemplateNames.FirstUnknown(source, variables) is { } unknown)
        {
            e.Add(field, $"does not compile: unknown variable '{unknown}' (the variables are {string.Join(", ", variables.Order(StringComparer.Ordinal))})");
        }
    }

    private static void List(FieldErrors e, string field, IReadOnlyList<string>? items, int max, int maxLength)
    {
        if (items is null)
        {
            return;
        }

        if (items.Count > max)
        {
            e.Add(field, $"must hold at most {max} items");
        }

        for (var i = 0; i < items.Count; i++)
        {
            if (string.IsNullOrWhiteSpace(items[i]))
            {
                e.Add($"{field}[{i}]", "must not be empty");
            }
            else if (items[i].Length > maxLength)
            {
                e.Add($"{field}[{i}]", $"must be at most {maxLength} characters");
            }
        }
    }

    [GeneratedRegex("^[a-z0-9_]{1,50}$")]
    private static partial Regex TemplateId();
}
