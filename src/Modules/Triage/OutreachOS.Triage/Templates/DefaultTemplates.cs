namespace OutreachOS.Triage.Templates;

/// <summary>
/// Built-in templates, used until an organization PUTs its own. Plain text, no promises beyond the approved values:
/// the ETA window, slots, prices and links all come from <see cref="TemplateValues"/>.
/// </summary>
internal static class DefaultTemplates
{
    public const string Generic = "generic";

    public static IReadOnlyDictionary<string, ReplyTemplate> All { get; } = new Dictionary<string, ReplyTemplate>(StringComparer.Ordinal)
    {
        ["scheduling"] = new(["scheduling"], "{{reply_subject}}", """
            Hi {{sender_name}},

            Thank you for reaching out about a meeting.
            {{#if slot_1}}
            I can offer these times:
            - {{slot_1}}
            {{#if slot_2}}
            - {{slot_2}}
            {{/if}}
            {{/if}}
            {{#if booking_link}}
            You can also pick a time that suits you here: {{booking_link}}
            {{/if}}

            {{signature}}
            """),
        ["pricing"] = new(["pricing"], "{{reply_subject}}", """
            Hi {{sender_name}},

            Thank you for your interest in our pricing.
            {{#each pricing_paragraphs}}

            {{this}}
            {{/each}}
            {{#unless pricing_paragraphs}}
            A member of our team will send you the details for your case.
            {{/unless}}

            {{signature}}
            """),
        ["support"] = new(["support", "billing"], "{{reply_subject}}", """
            Hi {{sender_name}},

            Thank you for contacting us. We have logged your request as ticket {{ticket_id}}.
            {{#if eta_window}}
            You can expect an update {{eta_window}}.
            {{/if}}
            {{#if doc_links}}

            These pages may help in the meantime:
            {{#each doc_links}}
            - {{this}}
            {{/each}}
            {{/if}}

            {{signature}}
            """),
        ["referral_partner"] = new(["referral_partner"], "{{reply_subject}}", """
            Hi {{sender_name}},

            Thank you for thinking of us for a partnership.
            {{#if partner_alias}}
            I have passed your message to our partnerships team ({{partner_alias}}), who will follow up with you.
            {{/if}}

            {{signature}}
            """),
        [Generic] = new([], "{{reply_subject}}", """
            Hi {{sender_name}},

            Thank you for your message. We have received it and will get back to you.

            {{signature}}
            """),
    };

    public static TemplateValues Values { get; } = new(Signature: "Best regards,\nThe team");
}
