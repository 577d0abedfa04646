using OutreachOS.BuildingBlocks.EventStore;
using OutreachOS.Triage.Contracts;

namespace OutreachOS.Triage.Responses;

// Events of the response paths, appended to the inbound stream (inbound-{id}). Names and fields follow the shared
// event catalogue; a shipped event is never edited (add a .v2 instead).

/// <summary>A guardrail finding as stored in an event: severity is WARN or BLOCK, span part BODY or SUBJECT.</summary>
internal sealed record ReplyRiskFlag(string Code, string Severity, string Detail, ReplyRiskSpan? Span);

internal sealed record ReplyRiskSpan(int Start, int Length, string Text, string Part);

/// <summary>
/// The reply as rendered (and optionally paraphrased), with redaction placeholders still in place: the customer's
/// own values are restored only in the mail that is sent. <see cref="Path"/> is the path it follows after guardrails.
/// </summary>
[EventName("inbound_reply_drafted.v1")]
internal sealed record InboundReplyDrafted(
    Guid InboundId, Guid DraftId, Guid DecisionId, ResponsePath Path, string TemplateId, string Subject, string Text,
    IReadOnlyList<ReplyRiskFlag> RiskFlags, bool Paraphrased, string? Provider, string? Model, decimal CostUsd, double LatencyMs,
    DateTimeOffset At);

/// <summary>An automatic send turned into a draft for review. Each reason starts with its code (<see cref="DowngradeReasons"/>).</summary>
[EventName("inbound_path_downgraded.v1")]
internal sealed record InboundPathDowngraded(Guid InboundId, ResponsePath From, ResponsePath To, IReadOnlyList<string> Reasons, DateTimeOffset At);

/// <summary>
/// A draft for review was filled from a stored template that <c>PUT /templates</c> would refuse now (stored before a check
/// existed): the problems, as the draft lists them for its reviewer, so that the audit has them too. An automatic send
/// that such a template turned into a draft records them on <see cref="InboundPathDowngraded"/> instead.
/// </summary>
[EventName("inbound_template_problems_noted.v1")]
internal sealed record InboundTemplateProblemsNoted(Guid InboundId, Guid DraftId, IReadOnlyList<string> Problems, DateTimeOffset At);

/// <summary>The codes that start the reasons of <see cref="InboundPathDowngraded"/>.</summary>
internal static class DowngradeReasons
{
    /// <summary><c>guardrail {code}: {detail}</c>: a BLOCK finding on the reply.</summary>
    public const string Guardrail = "guardrail";

    /// <summary>
    /// <c>template_invalid {field}: {reason}</c>: the stored template the reply was filled from (or the approved values)
    /// fails the validation of <c>PUT /templates</c>, e.g. <c>template_invalid templates.support.body: does not compile:
    /// unknown variable 'sendr_name' (…)</c>; or it does not render at all and the draft uses the built-in template.
    /// </summary>
    public const string TemplateInvalid = "template_invalid";
}

[EventName("inbound_draft_approved.v1")]
internal sealed record InboundDraftApproved(
    Guid InboundId, Guid DraftId, bool Edited, string OriginalText, string FinalText, int EditDistance, string ApprovedBy, DateTimeOffset At);

[EventName("inbound_draft_rejected.v1")]
internal sealed record InboundDraftRejected(Guid InboundId, Guid DraftId, string Reason, string RejectedBy, DateTimeOffset At);

[EventName("inbound_reply_sent.v1")]
internal sealed record InboundReplySent(
    Guid InboundId, Guid DecisionId, Guid DraftId, string SmtpMessageId, string To, string Subject, bool Auto, DateTimeOffset At);

/// <summary>Reasons: DRY_RUN, MAIL_NOT_CONFIGURED, SEND_OUTCOME_UNKNOWN (a crash during an earlier SMTP dialogue; see ADR 0013).</summary>
[EventName("inbound_send_skipped.v1")]
internal sealed record InboundSendSkipped(Guid InboundId, Guid DecisionId, string Reason, DateTimeOffset At);

[EventName("inbound_assigned.v1")]
internal sealed record InboundAssigned(Guid InboundId, string Owner, IReadOnlyList<string> Outline, DateTimeOffset? SlaDueAt, DateTimeOffset At);

[EventName("inbound_qa_sampled.v1")]
internal sealed record InboundQaSampled(Guid InboundId, Guid DecisionId, bool CheckPassed, DateTimeOffset At);

[EventName("inbound_qa_verdict.v1")]
internal sealed record InboundQaVerdict(Guid InboundId, bool Correct, string Reviewer, string? Notes, DateTimeOffset At);

[EventName("inbound_crm_logged.v1")]
internal sealed record InboundCrmLogged(Guid InboundId, string Crm, string NoteId, DateTimeOffset At);

internal static class ResponseEventTypes
{
    public static readonly Type[] All =
    [
        typeof(InboundDecided), typeof(InboundReplyDrafted), typeof(InboundPathDowngraded), typeof(InboundDraftApproved),
        typeof(InboundDraftRejected), typeof(InboundReplySent), typeof(InboundSendSkipped), typeof(InboundAssigned),
        typeof(InboundQaSampled), typeof(InboundQaVerdict), typeof(InboundCrmLogged), typeof(Templates.TriageTemplatesUpdated),
        typeof(InboundTemplateProblemsNoted),
    ];
}
