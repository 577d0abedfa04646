using System.Text.Json.Serialization;

namespace OutreachOS.Generation.Contracts;

/// <summary>On the wire: BLOCK, WARN.</summary>
public enum FlagSeverity
{
    Warn,
    Block,
}

/// <summary>On the wire: BODY, SUBJECT.</summary>
public enum FlagPart
{
    Body,
    Subject,
}

public sealed record FlagSpan(int Start, int Length, string Text, FlagPart Part);

public sealed record RiskFlagDto(string Code, FlagSeverity Severity, string Detail, FlagSpan? Span);

/// <summary>
/// One variant. <c>subject</c> is present for EMAIL only. <c>blocked</c> variants kept a BLOCK flag after the
/// guardrail retry and can only be selected with <c>"override": true</c>.
/// </summary>
public sealed record VariantDto(
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Subject,
    string Message,
    IReadOnlyList<string> PersonalizationPoints,
    IReadOnlyList<RiskFlagDto> RiskFlags,
    bool Blocked);

/// <summary><c>remaining</c> is the organization's available balance after this request settled.</summary>
public sealed record CreditsDto(int Charged, int Remaining);

/// <summary>
/// The answer to <c>POST /personalize</c> and <c>/regenerate</c>. <c>attempts</c> counts model calls for this attempt
/// set (1, or 2 after a guardrail retry). <c>degraded</c> is true when low credits reduced the variant count.
/// </summary>
public sealed record PersonalizeResponse(
    Guid RequestId,
    IReadOnlyList<VariantDto> Variants,
    int Attempts,
    CreditsDto Credits,
    int AttemptSet,
    bool Degraded,
    int RegenerationsLeft);

public sealed record SelectionDto(int AttemptSet, int VariantIndex, string Message, bool Edited, bool Overridden,
    IReadOnlyList<RiskFlagDto> RiskFlags, DateTimeOffset At);
