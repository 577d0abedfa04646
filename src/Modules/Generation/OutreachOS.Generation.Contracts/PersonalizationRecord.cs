using System.Text.Json;

namespace OutreachOS.Generation.Contracts;

/// <summary>A rendered prompt exactly as sent: replay re-sends these fields unchanged (except an optional model).</summary>
public sealed record PromptDto(
    string TemplateId,
    string TemplateVersion,
    string System,
    string User,
    string? Model,
    double Temperature,
    string SchemaName,
    string Schema,
    int MaxOutputTokens);

/// <summary>What the model answered (raw text, before parsing) and what the call cost.</summary>
public sealed record ModelOutputDto(
    string Raw,
    string Provider,
    string Model,
    int InputTokens,
    int OutputTokens,
    decimal CostUsd,
    double LatencyMs,
    int HttpAttempts);

public sealed record ParsedVariantDto(string? Subject, string Message, IReadOnlyList<string> PersonalizationPoints);

public sealed record VerdictDto(int VariantIndex, bool Passed, IReadOnlyList<RiskFlagDto> Flags);

/// <summary>
/// One model call inside an attempt set. <c>output</c> is null when the call failed (<c>failure</c>); <c>parse_error</c>
/// is set when the answer was not the required JSON (a failed attempt). <c>variant_indexes</c> maps this attempt's
/// variants to the positions they fill in the final set (a retry only rewrites blocked variants).
/// </summary>
public sealed record AttemptDto(
    int Number,
    PromptDto Prompt,
    ModelOutputDto? Output,
    string? Failure,
    string? ParseError,
    IReadOnlyList<ParsedVariantDto> Variants,
    IReadOnlyList<int> VariantIndexes,
    IReadOnlyList<VerdictDto> Verdicts,
    string? RetryReasons);

/// <summary>RESERVED, SETTLED or REFUNDED.</summary>
public enum CreditMovementKind
{
    Reserved,
    Settled,
    Refunded,
}

public sealed record CreditMovementDto(CreditMovementKind Kind, Guid ReservationId, string Purpose, int Credits, int? Remaining, string? Reason, DateTimeOffset At);

/// <summary>A set of attempts that produced one list of variants: the initial request (1) or a regeneration (2, 3, ...).</summary>
public sealed record AttemptSetDto(
    int Number,
    string Reason,
    int VariantCount,
    bool Degraded,
    IReadOnlyList<AttemptDto> Attempts,
    IReadOnlyList<VariantDto>? Variants,
    bool? FirstAttemptPassed,
    string? Failure)
{
    /// <summary>When the set started (its reservation); a set with neither variants nor a failure is still running.</summary>
    public DateTimeOffset? StartedAt { get; init; }
}

public sealed record VariantComparisonDto(int Index, bool SameMessage, bool? OriginalPassed, bool ReplayPassed,
    IReadOnlyList<string> FlagsAdded, IReadOnlyList<string> FlagsRemoved);

public sealed record ComparisonDto(bool SameRawOutput, string OriginalModel, string? ReplayModel, bool? OriginalParsed, bool ReplayParsed,
    int OriginalVariantCount, int ReplayVariantCount, IReadOnlyList<VariantComparisonDto> Variants);

/// <summary>The answer to <c>POST /personalize/{id}/replay</c>, also kept in the request's record.</summary>
public sealed record ReplayDto(
    Guid RequestId,
    Guid ReplayId,
    int AttemptSet,
    int Attempt,
    string? RequestedModel,
    ModelOutputDto? Output,
    string? Failure,
    string? ParseError,
    IReadOnlyList<ParsedVariantDto> Variants,
    IReadOnlyList<VerdictDto> Verdicts,
    ComparisonDto? Comparison,
    DateTimeOffset At,
    decimal FailureCostUsd = 0m);

/// <summary>
/// A call on a request named by an <c>Idempotency-Key</c>: which operation, a SHA-256 of its body, and where its result is
/// (the attempt set of a regeneration, the 1-based selection, the replay id).
/// </summary>
public sealed record IdempotentCallDto(string Key, string Operation, string BodySha256, int? AttemptSet, int? Selection, Guid? ReplayId, DateTimeOffset At);

/// <summary>One event of the request's stream, in order, with its link in the SHA-256 hash chain.</summary>
public sealed record AuditEventDto(long Version, string Type, DateTimeOffset CreatedAt, string Hash, JsonElement Data);

/// <summary>
/// <c>GET /personalize/{id}</c>: the stored request, every prompt and raw output, parsed variants and verdicts per
/// attempt, the selection, credit movements, replays, and the stream's events with their hashes.
/// </summary>
public sealed record PersonalizationRecord(
    Guid RequestId,
    DateTimeOffset CreatedAt,
    PersonalizeRequest Request,
    IReadOnlyList<AttemptSetDto> AttemptSets,
    SelectionDto? Selection,
    IReadOnlyList<SelectionDto> SelectionHistory,
    IReadOnlyList<CreditMovementDto> CreditMovements,
    IReadOnlyList<ReplayDto> Replays,
    int Regenerations,
    long Version)
{
    /// <summary>
    /// The <c>Idempotency-Key</c>s that named calls on this request (regenerate, select, replay), in order. The key of
    /// <c>POST /personalize</c> itself is not listed: it names the request, whose id is derived from it.
    /// </summary>
    public IReadOnlyList<IdempotentCallDto> IdempotencyKeys { get; init; } = [];

    /// <summary>Filled on read from the event stream; never stored in the read model.</summary>
    public IReadOnlyList<AuditEventDto>? Events { get; init; }

    /// <summary>Result of re-computing the stream's hash chain on read.</summary>
    public bool? ChainValid { get; init; }
}
