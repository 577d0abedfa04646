using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using OutreachOS.BuildingBlocks.EventStore;
using OutreachOS.BuildingBlocks.Web;
using OutreachOS.Ingestion.Contracts;
using OutreachOS.Triage.Contracts;
using OutreachOS.Triage.Pii;
using OutreachOS.Triage.Responses;

namespace OutreachOS.Triage.Templates;

/// <summary>
/// <c>GET /templates</c> (with the stored set's <c>problems</c>, re-checked like a PUT) and <c>PUT /templates</c> (a new version;
/// compile errors → 400 naming the template).
/// </summary>
internal static class TemplatesEndpoints
{
    public static void Map(IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/templates").WithTags("Triage templates");
        group.MapGet("", (HttpContext http, TemplateStore templates, CancellationToken ct) => templates.GetAsync(http.GetTenantId(), ct))
            .WithSummary("The organization's reply templates (built-in defaults at version 0), approved values, and the problems validation finds in the stored set (a template with one is never sent automatically)");
        group.MapPut("", PutAsync).RequireOrganizationAdmin().WithSummary("Replace the organization's templates (merged over the defaults by id); a new version; ADMIN keys only");
    }

    private static async Task<IResult> PutAsync(TemplateSet body, HttpContext http, IEventStore store, TemplateStore templates,
        TemplateRenderer renderer, TimeProvider time, CancellationToken ct)
    {
        var tenant = http.GetTenantId();
        var errors = TemplateValidation.Validate(body, renderer);
        if (errors.Any)
        {
            return errors.ToProblem("The templates are invalid.");
        }

        var info = await store.GetStreamAsync(tenant, TemplateStreams.StreamId, ct);
        var version = info?.Version ?? 0;
        var next = version + 1;
        await store.AppendAsync(tenant, TemplateStreams.StreamId, TemplateStreams.StreamType,
            version == 0 ? ExpectedVersion.NoStream : ExpectedVersion.Exactly(version),
            [EventToAppend.Create(new TriageTemplatesUpdated(next, body, time.GetUtcNow()))], ct);
        return TypedResults.Ok(templates.Effective(next, body));
    }
}

/// <summary>The variables a template sees. Lists are null when empty, so <c>{{#if}}</c>/<c>{{#unless}}</c> read naturally.</summary>
internal static class ReplyModel
{
    public static Dictionary<string, object?> Build(InboundDecided d, TemplateValues v, string replySubject)
    {
        var slots = v.Slots is { Count: > 0 } s ? s : null;
        return new Dictionary<string, object?>(StringComparer.Ordinal)
        {
            // The display name is whatever the sender typed: only a personal-looking name is echoed (else "Hi there,").
            ["sender_name"] = SenderNames(d).First ?? "there",
            ["sender_full_name"] = SenderNames(d).Full,
            ["original_subject"] = d.Message.Subject,
            ["reply_subject"] = replySubject,
            ["intent"] = d.Classification.Intent,
            ["urgency"] = d.Classification.Urgency,
            ["ticket_id"] = ResponseIds.TicketId(d.InboundId),
            ["slots"] = slots?.ToArray(),
            ["slot_1"] = slots?.ElementAtOrDefault(0),
            ["slot_2"] = slots?.ElementAtOrDefault(1),
            ["booking_link"] = v.BookingLink,
            ["pricing_paragraphs"] = v.PricingParagraphs is { Count: > 0 } p ? p.ToArray() : null,
            ["eta_window"] = v.EtaWindow,
            ["doc_links"] = v.DocLinks is { Count: > 0 } l ? l.ToArray() : null,
            ["partner_alias"] = v.PartnerAlias,
            ["signature"] = v.Signature,
        };
    }

    /// <summary>A model with every variable set, to trial-render a template at <c>PUT /templates</c>.</summary>
    public static Dictionary<string, object?> Sample()
    {
        var d = new InboundDecided(Guid.Empty, Guid.Empty,
            new InboundEmail("<sample@example.com>", null, new MailAddress("sample@example.com", "Sam Sample"), [], [], "Sample subject", "Sample text",
                null, new Dictionary<string, string>(), DateTimeOffset.UnixEpoch, null, []),
            new InboundClassification("other", "normal", "support", [], 1, "sample", []),
            new RoutingDecision(Guid.Empty, ResponsePath.DraftForReview, [], "support", null, 0, false),
            new Dictionary<string, string>(), DateTimeOffset.UnixEpoch);
        return Build(d, new TemplateValues("Sig", ["slot one", "slot two"], "https://example.com/book", ["Paragraph."], "soon", ["https://example.com/doc"], "partners@example.com"), "Re: Sample subject");
    }

    /// <summary>The model of a message from a sender without a usable name, with no approved values: every
    /// <c>{{#if}}</c> takes its other branch.</summary>
    public static Dictionary<string, object?> EmptySample() => new(Sample().Select(kv => KeyValuePair.Create(kv.Key, Empty(kv.Value))), StringComparer.Ordinal);

    private static object? Empty(object? value) => value is Array ? Array.Empty<string>() : string.Empty;

    /// <summary>
    /// The sender's first and full name as a reply may use them: only when the display name looks like a personal name
    /// (<see cref="PersonalNames"/>). A display name that is a redaction placeholder is judged by its value and kept as
    /// the placeholder (restored in the outgoing mail).
    /// </summary>
    public static (string? First, string? Full) SenderNames(InboundDecided d)
    {
        var name = d.Message.From.Name?.Trim();
        if (name is not null && PiiRedactor.IsPlaceholder(name))
        {
            return PersonalNames.Full(Redactions.Restore(name, d.Redactions)) is null ? (null, null) : (name, name);
        }

        return (PersonalNames.First(name), PersonalNames.Full(name));
    }

    public static string ReplySubject(string? original)
    {
        var s = (original ?? string.Empty).Replace('\r', ' ').Replace('\n', ' ').Trim();
        if (s.Length == 0)
        {
            return "Re: your message";
        }

        return s.StartsWith("re:", StringComparison.OrdinalIgnoreCase) ? s : "Re: " + s;
    }

    /// <summary>The subject without reply/forward prefixes, for the guardrails' subject checks (a real reply is not a fake one).</summary>
    public static string WithoutReplyPrefix(string subject)
    {
        var s = subject.TrimStart();
        var changed = true;
        while (changed)
        {
            changed = false;
            foreach (var prefix in (string[])["re:", "fwd:", "fw:", "aw:"])
            {
                if (s.StartsWith(prefix, StringComparison.OrdinalIgnoreCase))
                {
                    s = s[prefix.Length..].TrimStart();
                    changed = true;
                }
            }
        }

        return s.Length == 0 ? "your message" : s;
    }
}
