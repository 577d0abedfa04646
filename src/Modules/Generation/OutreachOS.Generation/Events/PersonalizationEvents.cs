using OutreachOS.BuildingBlocks.EventStore;
using OutreachOS.Generation.Contracts;

namespace OutreachOS.Generation.Events;

// One stream per personalization request (tenant = organization). Shipped event types are never edited: add a .v2.

[EventName("personalization_requested.v1")]
internal sealed record PersonalizationRequested(Guid RequestId, PersonalizeRequest Request, Guid ApiKeyId, DateTimeOffset At);

[EventName("personalization_attempt_set_started.v1")]
internal sealed record AttemptSetStarted(int AttemptSet, string Reason, int RequestedVariants, int VariantCount, bool Degraded, DateTimeOffset At);

[EventName("personalization_regeneration_requested.v1")]
internal sealed record RegenerationRequested(int AttemptSet, int Regeneration, DateTimeOffset At);

[EventName("personalization_credits_reserved.v1")]
internal sealed record CreditsReserved(Guid ReservationId, string Purpose, int Credits, int Available, DateTimeOffset At);

[EventName("personalization_credits_settled.v1")]
internal sealed record CreditsSettled(Guid ReservationId, string Purpose, int Charged, int Remaining, DateTimeOffset At);

[EventName("personalization_credits_refunded.v1")]
internal sealed record CreditsRefunded(Guid ReservationId, string Purpose, int Released, int Remaining, string Reason, DateTimeOffset At);

[EventName("personalization_prompt_rendered.v1")]
internal sealed record PromptRendered(int AttemptSet, int Attempt, PromptDto Prompt, IReadOnlyList<int> VariantIndexes, DateTimeOffset At);

[EventName("personalization_model_responded.v1")]
internal sealed record ModelResponded(int AttemptSet, int Attempt, ModelOutputDto Output, DateTimeOffset At);

/// <summary>A model call that gave no usable answer (written before the billed tokens were recorded; read only).</summary>
[EventName("personalization_model_call_failed.v1")]
internal sealed record ModelCallFailed(int AttemptSet, int Attempt, string Provider, string Model, string Error, int? StatusCode, int HttpAttempts, DateTimeOffset At);

/// <summary>
/// A model call that gave no usable answer. <c>InputTokens</c>/<c>OutputTokens</c>/<c>CostUsd</c> are what the provider
/// billed for an answer it gave but that could not be used (a refusal, no text); 0 when nothing came back.
/// </summary>
[EventName("personalization_model_call_failed.v2")]
internal sealed record ModelCallFailedV2(int AttemptSet, int Attempt, string Provider, string Model, string Error, int? StatusCode, int HttpAttempts,
    int InputTokens, int OutputTokens, decimal CostUsd, DateTimeOffset At);

[EventName("personalization_output_rejected.v1")]
internal sealed record OutputRejected(int AttemptSet, int Attempt, string Reason, DateTimeOffset At);

[EventName("personalization_variants_parsed.v1")]
internal sealed record VariantsParsed(int AttemptSet, int Attempt, IReadOnlyList<ParsedVariantDto> Variants, IReadOnlyList<int> VariantIndexes, DateTimeOffset At);

/// <summary>Guardrail verdicts for one attempt; <c>Passed</c>/<c>Checked</c> feed the first-attempt pass rate.</summary>
[EventName("personalization_guardrails_evaluated.v1")]
internal sealed record GuardrailsEvaluated(int AttemptSet, int Attempt, IReadOnlyList<VerdictDto> Verdicts, int Passed, int Checked, DateTimeOffset At);

[EventName("personalization_retry_requested.v1")]
internal sealed record RetryRequested(int AttemptSet, int NextAttempt, IReadOnlyList<int> VariantIndexes, string Reasons, DateTimeOffset At);

/// <summary>
/// The final variants of an attempt set. <c>FirstAttemptPassed</c>/<c>FirstAttemptChecked</c> count variants that passed
/// the guardrails on the first model call (the first-attempt pass rate is their ratio).
/// </summary>
[EventName("personalization_variants_returned.v1")]
internal sealed record VariantsReturned(int AttemptSet, IReadOnlyList<VariantDto> Variants, int Attempts, int FirstAttemptPassed, int FirstAttemptChecked, DateTimeOffset At);

[EventName("personalization_generation_failed.v1")]
internal sealed record GenerationFailed(int AttemptSet, string Reason, DateTimeOffset At);

[EventName("personalization_variant_selected.v1")]
internal sealed record VariantSelected(int AttemptSet, int VariantIndex, Guid ApiKeyId, DateTimeOffset At);

[EventName("personalization_variant_edited.v1")]
internal sealed record VariantEdited(int AttemptSet, int VariantIndex, string EditedMessage, IReadOnlyList<RiskFlagDto> Flags, DateTimeOffset At);

/// <summary>A variant with BLOCK flags was selected anyway: who, and which blocks were waived.</summary>
[EventName("personalization_block_overridden.v1")]
internal sealed record BlockedVariantOverridden(int AttemptSet, int VariantIndex, IReadOnlyList<string> BlockingCodes, Guid ApiKeyId, DateTimeOffset At);

/// <summary>A replay, written before <see cref="ReplayDto.FailureCostUsd"/> existed (read only: it reads as 0).</summary>
[EventName("personalization_replay_performed.v1")]
internal sealed record ReplayPerformed(ReplayDto Replay);

/// <summary>A replay: its output, verdicts and comparison, or its failure and what a billed unusable answer cost.</summary>
[EventName("personalization_replay_performed.v2")]
internal sealed record ReplayPerformedV2(ReplayDto Replay);

/// <summary>
/// An <c>Idempotency-Key</c> named a call on the request (regenerate, select or replay), recorded in the transaction that
/// made the call's first change: a repeat finds it and gets the call's answer. <c>BodySha256</c> fingerprints the body
/// (a key names one call); the call's result is found by <c>AttemptSet</c>, <c>Selection</c> (1-based, in the selection
/// history) or <c>ReplayId</c>.
/// </summary>
[EventName("personalization_idempotency_key_used.v1")]
internal sealed record IdempotencyKeyUsed(string Key, string Operation, string BodySha256, int? AttemptSet, int? Selection, Guid? ReplayId, DateTimeOffset At);

internal static class PersonalizationStreams
{
    public const string Type = "personalization";

    public static string For(Guid requestId) => $"personalization-{requestId:N}";

    public static readonly Type[] EventTypes =
    [
        typeof(PersonalizationRequested), typeof(AttemptSetStarted), typeof(RegenerationRequested), typeof(CreditsReserved),
        typeof(CreditsSettled), typeof(CreditsRefunded), typeof(PromptRendered), typeof(ModelResponded), typeof(ModelCallFailed), typeof(ModelCallFailedV2),
        typeof(OutputRejected), typeof(VariantsParsed), typeof(GuardrailsEvaluated), typeof(RetryRequested), typeof(VariantsReturned),
        typeof(GenerationFailed), typeof(VariantSelected), typeof(VariantEdited), typeof(BlockedVariantOverridden), typeof(ReplayPerformed), typeof(ReplayPerformedV2),
        typeof(IdempotencyKeyUsed),
    ];
}
