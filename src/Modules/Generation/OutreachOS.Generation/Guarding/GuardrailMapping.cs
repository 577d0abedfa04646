using OutreachOS.Generation.Contracts;
using OutreachOS.Generation.Prompting;
using OutreachOS.Guardrails.Contracts;

namespace OutreachOS.Generation.Guarding;

/// <summary>Maps a request and one variant to the Guardrails module's input, and its findings back to the HTTP shape.</summary>
internal static class GuardrailMapping
{
    public static GuardrailInput For(PersonalizeRequest r, ParsedVariantDto v, Guid? organizationId) => For(r, v.Subject, v.Message, organizationId);

    /// <summary>As <see cref="For(PersonalizeRequest, ParsedVariantDto, Guid?)"/>, under lists the caller has read already
    /// (one reading for a whole attempt set, see <see cref="IGuardrailPolicyReader"/>).</summary>
    public static GuardrailInput For(PersonalizeRequest r, ParsedVariantDto v, OrganizationGuardrailLists lists) =>
        Under(For(r, v.Subject, v.Message, null), lists);

    private static GuardrailInput Under(GuardrailInput input, OrganizationGuardrailLists lists) =>
        input with { ForbiddenPhrases = lists.ForbiddenPhrases, CompetitorNames = lists.CompetitorNames };

    public static GuardrailInput For(PersonalizeRequest r, string? subject, string message, Guid? organizationId)
    {
        var context = ContextTexts(r);
        var lead = r.Lead!;
        var sources = new List<string>(context);
        AddIfAny(sources, lead.LastName);
        AddIfAny(sources, lead.Domain);
        return new GuardrailInput
        {
            Channel = r.Channel switch
            {
                Channel.Linkedin => MessageChannel.LinkedIn,
                Channel.Sms => MessageChannel.Sms,
                _ => MessageChannel.Email,
            },
            Subject = PromptRenderer.IncludeSubjects(r) ? subject : null,
            Message = message,
            LeadFirstName = lead.FirstName?.Trim(),
            LeadCompany = lead.CompanyName?.Trim(),
            Goal = r.Goal?.Trim(),
            Framework = r.Framework switch
            {
                Framework.Aida => CopyFramework.Aida,
                Framework.Pas => CopyFramework.Pas,
                Framework.Bab => CopyFramework.Bab,
                _ => null,
            },
            MaxWords = PromptRenderer.DefaultMaxWords(r),
            SourceTexts = sources,
            // Everything in the request is the lead's third-party context (summary, signals, keywords may carry text
            // written to steer the writer): only the lead's own domain may source a link; nothing in it sources a
            // discount, price or guarantee, a contact detail, or excuses a strong spam phrase.
            TrustedSourceTexts = Trusted(r),
            OrganizationId = organizationId,
            // With nothing but a name and a company there is no context to be relevant to: relevance cannot be required.
            Requirements = new GuardrailRequirements(RequireGreeting: true, RequireCallToAction: true, RequireRelevance: context.Count > 0),
        };
    }

    /// <summary>Codes whose span, found in the lead's own context, is wording no message may repeat.</summary>
    private static readonly HashSet<string> WordingCodes =
    [
        RiskCodes.SpamPhrase, RiskCodes.AggressiveCta, RiskCodes.ForbiddenPhrase, RiskCodes.CompetitorMention,
        RiskCodes.InappropriateWording, RiskCodes.UnsourcedPromise, RiskCodes.UnsourcedPii, RiskCodes.UnsourcedUrl,
    ];

    /// <summary>At most this many phrases are named in a prompt: a context stuffed with spam words must not flood it.</summary>
    public const int MaxWordingToAvoid = 20;

    /// <summary>
    /// The lead's context (title, summary, keywords, tech stack, signals) as one text for the guardrails, so that wording
    /// they would refuse in a message (spam and forbidden phrases, competitor names, promises, contact details and links
    /// that are not the lead's) is known before the model writes; null when there is no context. Same trust as
    /// <see cref="For(PersonalizeRequest, string?, string, Guid?)"/>.
    /// </summary>
    public static GuardrailInput? ForContext(PersonalizeRequest r, Guid? organizationId)
    {
        var context = ContextTexts(r);
        if (context.Count == 0)
        {
            return null;
        }

        return new GuardrailInput
        {
            Channel = MessageChannel.Email,
            Message = string.Join('\n', context),
            LeadFirstName = r.Lead?.FirstName?.Trim(),
            LeadCompany = r.Lead?.CompanyName?.Trim(), // the lead's names are names, not wording (see the spam check)
            TrustedSourceTexts = Trusted(r),
            OrganizationId = organizationId,
            Requirements = GuardrailRequirements.InboundReply,
            WordingOnly = true,
        };
    }

    /// <summary>What <see cref="WordingToAvoid(GuardrailReport)"/> finds in the request's context under the organization's
    /// lists; none without context.</summary>
    public static async ValueTask<IReadOnlyList<string>> WordingToAvoidAsync(IGuardrailEvaluator guardrails, PersonalizeRequest r, OrganizationGuardrailLists lists, CancellationToken ct) =>
        ForContext(r, null) is { } context ? WordingToAvoid(await guardrails.EvaluateAsync(Under(context, lists), ct)) : [];

    /// <summary>The wording of a <see cref="ForContext"/> report that a message must leave out, once each, in order.</summary>
    public static IReadOnlyList<string> WordingToAvoid(GuardrailReport contextReport) =>
    [
        .. contextReport.Flags
            .Where(f => WordingCodes.Contains(f.Code) && f.Span is { Text.Length: > 0 })
            .OrderBy(f => f.Span!.Start)
            .Select(f => f.Span!.Text.Trim())
            .Where(t => t.Length > 0)
            .Distinct(StringComparer.OrdinalIgnoreCase)
            .Take(MaxWordingToAvoid),
    ];

    /// <summary>EMAIL with <c>include_subjects: false</c> is sent without a subject on purpose: that is not a finding.</summary>
    public static IReadOnlyList<RiskFlag> Relevant(PersonalizeRequest r, GuardrailReport report) =>
        r.Channel == Channel.Email && !PromptRenderer.IncludeSubjects(r)
            ? [.. report.Flags.Where(f => f.Code != RiskCodes.SubjectMissing)]
            : report.Flags;

    public static bool Passed(IReadOnlyList<RiskFlag> flags) => flags.All(f => f.Severity != RiskSeverity.Block);

    public static RiskFlagDto ToDto(RiskFlag f) => new(
        f.Code,
        f.Severity == RiskSeverity.Block ? FlagSeverity.Block : FlagSeverity.Warn,
        f.Detail,
        f.Span is { } s ? new FlagSpan(s.Start, s.Length, s.Text, s.Part == MessagePart.Subject ? FlagPart.Subject : FlagPart.Body) : null);

    public static IReadOnlyList<RiskFlagDto> ToDtos(IReadOnlyList<RiskFlag> flags) => [.. flags.Select(ToDto)];

    /// <summary>Retry instructions for the blocked variants, numbered as the model saw them.</summary>
    public static string RetryFeedback(IReadOnlyList<(int Index, IReadOnlyList<RiskFlag> Flags)> blocked)
    {
        var sb = new System.Text.StringBuilder();
        foreach (var (index, flags) in blocked)
        {
            sb.Append("Variant ").Append(index + 1).Append(": ").Append(new GuardrailReport(flags).ToRetryInstructions());
        }

        return sb.ToString();
    }

    /// <summary>What the request vouches for: only the lead's own domain (everything else in it is the lead's third-party context).</summary>
    private static IReadOnlyList<string> Trusted(PersonalizeRequest r) =>
        string.IsNullOrWhiteSpace(r.Lead?.Domain) ? [] : [r.Lead.Domain.Trim()];

    /// <summary>The lead's context beyond name and company: what a relevance reason may draw on.</summary>
    private static List<string> ContextTexts(PersonalizeRequest r)
    {
        var list = new List<string>();
        AddIfAny(list, r.Lead?.Title);
        AddIfAny(list, r.CompanyContext?.Summary);
        foreach (var items in new[] { r.CompanyContext?.Keywords, r.CompanyContext?.TechStack, r.Signals?.CrmHistory, r.Signals?.Technographics, r.Signals?.IntentSignals, r.Signals?.Behavioral })
        {
            foreach (var item in items ?? [])
            {
                AddIfAny(list, item);
            }
        }

        return list;
    }

    private static void AddIfAny(List<string> list, string? value)
    {
        if (!string.IsNullOrWhiteSpace(value))
        {
            list.Add(value.Trim());
        }
    }
}
