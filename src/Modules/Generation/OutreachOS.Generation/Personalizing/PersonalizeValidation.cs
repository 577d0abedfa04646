using System.Globalization;
using System.Text;
using OutreachOS.BuildingBlocks.Privacy;
using OutreachOS.BuildingBlocks.Web;
using OutreachOS.Generation.Contracts;

namespace OutreachOS.Generation.Personalizing;

/// <summary>Field-by-field validation of <c>POST /personalize</c>; every invalid field is named with its JSON path.</summary>
internal static class PersonalizeValidation
{
    public const int MinWords = 20; // greeting + one reason + a call to action do not fit in fewer
    public const int MaxWords = 1000;

    /// <param name="requireEmail"><c>Generation:RequireLeadEmail</c>: a lead without an address cannot be checked against
    /// the do-not-contact list, and the organization asked that none be written for.</param>
    public static FieldErrors Validate(PersonalizeRequest r, bool requireEmail = false)
    {
        var e = new FieldErrors();
        if (r.Channel is null)
        {
            e.Add("channel", "is required (EMAIL, LINKEDIN or SMS)");
        }

        if (r.Tone is null)
        {
            e.Add("tone", "is required (PROFESSIONAL, FRIENDLY or DIRECT)");
        }

        e.Required("goal", r.Goal, 200);
        if (r.VariantCount is < 1 or > 3)
        {
            e.Add("variant_count", "must be between 1 and 3");
        }

        if (r.Lead is null)
        {
            e.Add("lead", "is required");
        }
        else
        {
            e.Required("lead.first_name", r.Lead.FirstName, 100)
             .Required("lead.company_name", r.Lead.CompanyName, 200)
             .Optional("lead.last_name", r.Lead.LastName, 100)
             .Optional("lead.title", r.Lead.Title, 200)
             .Optional("lead.domain", r.Lead.Domain, 253);
            SingleLine(e, "lead.first_name", r.Lead.FirstName);
            SingleLine(e, "lead.last_name", r.Lead.LastName);
            SingleLine(e, "lead.title", r.Lead.Title);
            SingleLine(e, "lead.company_name", r.Lead.CompanyName);
            if (r.Lead.Domain is { Length: > 0 } d && (d.Any(char.IsWhiteSpace) || !d.Contains('.', StringComparison.Ordinal)))
            {
                e.Add("lead.domain", "must be a domain name such as example.com");
            }
            if (requireEmail && string.IsNullOrWhiteSpace(r.Lead.Email))
            {
                e.Add("lead.email", "is required: this deployment checks every lead against the do-not-contact list (Generation:RequireLeadEmail)");
            }
            else if (r.Lead.Email is not null && !EmailAddresses.IsValid(r.Lead.Email.Trim()))
            {
                e.Add("lead.email", "must be an e-mail address");
            }
        }

        if (r.CompanyContext is { } c)
        {
            e.Optional("company_context.summary", c.Summary, 2000);
            List(e, "company_context.keywords", c.Keywords, 20, 100);
            List(e, "company_context.tech_stack", c.TechStack, 30, 100);
        }

        if (r.Signals is { } s)
        {
            List(e, "signals.crm_history", s.CrmHistory, 20, 500);
            List(e, "signals.technographics", s.Technographics, 20, 500);
            List(e, "signals.intent_signals", s.IntentSignals, 20, 500);
            List(e, "signals.behavioral", s.Behavioral, 20, 500);
        }

        if (r.Constraints?.MaxWords is { } max && (max < MinWords || max > MaxWords))
        {
            e.Add("constraints.max_words", $"must be between {MinWords} and {MaxWords}");
        }

        return e;
    }

    /// <summary>
    /// Name fields are quoted into the prompt and into retry instructions, so a line break or an invisible control
    /// character (Cc; Cf such as a bidi override or a tag character; line and paragraph separators) could smuggle an
    /// instruction onto a line of its own. ZWNJ and ZWJ stay allowed: some scripts need them in ordinary names.
    /// </summary>
    private static void SingleLine(FieldErrors e, string field, string? value)
    {
        if (value is not null && value.EnumerateRunes().Any(IsControl))
        {
            e.Add(field, "must not contain line breaks or control characters");
        }
    }

    private static bool IsControl(Rune r) => r.Value is not (0x200C or 0x200D) && Rune.GetUnicodeCategory(r)
        is UnicodeCategory.Control or UnicodeCategory.Format or UnicodeCategory.LineSeparator or UnicodeCategory.ParagraphSeparator;

    private static void List(FieldErrors e, string field, IReadOnlyList<string>? items, int maxItems, int maxLength)
    {
        if (items is null)
        {
            return;
        }

        if (items.Count > maxItems)
        {
            e.Add(field, $"must hold at most {maxItems} items");
        }

        for (var i = 0; i < items.Count && i < maxItems; i++)
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
}
