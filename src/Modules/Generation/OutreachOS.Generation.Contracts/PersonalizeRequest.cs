namespace OutreachOS.Generation.Contracts;

/// <summary>Where the message will be sent. On the wire: EMAIL, LINKEDIN, SMS.</summary>
public enum Channel
{
    Email,
    Linkedin,
    Sms,
}

/// <summary>On the wire: PROFESSIONAL, FRIENDLY, DIRECT.</summary>
public enum Tone
{
    Professional,
    Friendly,
    Direct,
}

/// <summary>Copywriting structure. On the wire: AIDA, PAS, BAB.</summary>
public enum Framework
{
    Aida,
    Pas,
    Bab,
}

/// <summary>
/// <c>POST /personalize</c>. Every member is nullable so that a missing field is reported by name (400) instead of
/// failing deserialisation with a generic message.
/// </summary>
public sealed record PersonalizeRequest(
    Channel? Channel,
    Tone? Tone,
    string? Goal,
    Framework? Framework,
    int? VariantCount,
    LeadInput? Lead,
    CompanyContextInput? CompanyContext,
    SignalsInput? Signals,
    ConstraintsInput? Constraints);

/// <param name="Email">Optional: where the message will go. Checked against the organization's do-not-contact list (ADR 0031);
/// never written into the prompt.</param>
public sealed record LeadInput(string? FirstName, string? LastName, string? Title, string? CompanyName, string? Domain, string? Email = null);

public sealed record CompanyContextInput(string? Summary, IReadOnlyList<string>? Keywords, IReadOnlyList<string>? TechStack);

public sealed record SignalsInput(
    IReadOnlyList<string>? CrmHistory,
    IReadOnlyList<string>? Technographics,
    IReadOnlyList<string>? IntentSignals,
    IReadOnlyList<string>? Behavioral);

/// <summary><c>no_claims_policy</c> only makes the prompt stricter: unsourced claims are blocked either way.</summary>
public sealed record ConstraintsInput(int? MaxWords, bool? IncludeSubjects, bool? NoClaimsPolicy);

/// <summary><c>POST /personalize/{id}/select</c>.</summary>
public sealed record SelectVariantRequest(int? VariantIndex, string? EditedMessage, bool? Override);

/// <summary><c>POST /personalize/{id}/replay</c>; <c>model</c> replaces the stored prompt's model.</summary>
public sealed record ReplayRequest(string? Model);
