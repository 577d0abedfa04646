namespace OutreachOS.Guardrails.Contracts;

/// <summary>One AI-written message (a single variant) plus everything it was allowed to draw facts from.</summary>
public sealed record GuardrailInput
{
    public required MessageChannel Channel { get; init; }

    /// <summary>Email subject line; required for <see cref="MessageChannel.Email"/>, ignored for the other channels.</summary>
    public string? Subject { get; init; }

    /// <summary>The message body exactly as it would be sent.</summary>
    public required string Message { get; init; }

    /// <summary>The lead's first name; when known the greeting must use it.</summary>
    public string? LeadFirstName { get; init; }

    /// <summary>The lead's company name; it does not count as a relevance reason on its own.</summary>
    public string? LeadCompany { get; init; }

    /// <summary>The call to action wanted, e.g. "book a 15-min call". Its numbers and words count as sourced.</summary>
    public string? Goal { get; init; }

    /// <summary>When set, the message is checked for the parts of this framework.</summary>
    public CopyFramework? Framework { get; init; }

    /// <summary>Maximum words in the body; null means no word limit.</summary>
    public int? MaxWords { get; init; }

    /// <summary>
    /// Overrides the channel's default character limit (LinkedIn: 300 for a connection note); null keeps the default.
    /// </summary>
    public int? MaxCharacters { get; init; }

    /// <summary>
    /// All the text the message may draw facts from: lead fields, company summary, keywords, tech stack, signals,
    /// template slots, sender name and signature. Numbers, names, claims and contact details must be traceable here.
    /// </summary>
    public IReadOnlyList<string> SourceTexts { get; init; } = [];

    /// <summary>
    /// The source texts the sender vouches for, when <see cref="SourceTexts"/> also carries third-party lead context
    /// (company summary, signals, keywords) that may contain text written to steer the writer. When set, only these
    /// texts and <see cref="Goal"/> source commercial promises (discounts, free offers, prices, guarantees, SLAs),
    /// contact details and links, and excuse a strong spam phrase; the lead context still sources facts. Null: every
    /// source text is trusted (callers that pass only their own texts). Empty: nothing is.
    /// </summary>
    public IReadOnlyList<string>? TrustedSourceTexts { get; init; }

    /// <summary>Organization-specific forbidden phrases, on top of the built-in spam list.</summary>
    public IReadOnlyList<string> ForbiddenPhrases { get; init; } = [];

    /// <summary>Competitor names that must not be mentioned.</summary>
    public IReadOnlyList<string> CompetitorNames { get; init; } = [];

    public GuardrailRequirements Requirements { get; init; } = GuardrailRequirements.Outbound;

    /// <summary>
    /// Only the wording checks run (spam, forbidden and competitor phrases, safety: promises, contact details, links,
    /// inappropriate wording): for text that is not a message, such as a lead's context screened before a model writes.
    /// Length, claims, required elements and framework are not checked.
    /// </summary>
    public bool WordingOnly { get; init; }

    /// <summary>
    /// The organization whose policy applies (<c>PUT /guardrails/policy</c>: its forbidden phrases and competitor names are
    /// added to the lists above). Null: only the lists given here.
    /// </summary>
    public Guid? OrganizationId { get; init; }
}
