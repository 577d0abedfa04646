using OutreachOS.BuildingBlocks.Documents;
using OutreachOS.BuildingBlocks.Json;
using OutreachOS.Ingestion.Contracts;
using OutreachOS.Triage.Contracts;
using OutreachOS.Triage.Responses;

namespace OutreachOS.Triage.Drafts;

internal static class DraftStatus
{
    public const string Pending = "PENDING";
    public const string Approved = "APPROVED";
    public const string Rejected = "REJECTED";

    public static bool IsValid(string s) => s is Pending or Approved or Rejected;
}

internal sealed record DraftClassification(string Intent, string Urgency, string Owner, IReadOnlyList<string> PolicyFlags, double Confidence);

/// <summary>
/// The approval queue's read model (document <c>triage_draft</c>, id = draft id), written in the same transaction as
/// the events that change it, so <c>GET /drafts</c> is consistent with the stream. Holds what approving needs
/// (recipient, threading, redactions) besides what <see cref="DraftView"/> shows.
/// </summary>
[DocumentName("triage_draft")]
internal sealed record DraftRecord(
    Guid DraftId,
    Guid InboundId,
    Guid DecisionId,
    string Status,
    string TemplateId,
    string Subject,
    string Text,
    MailAddress From,
    string OriginalSubject,
    string OriginalText,
    string OriginalMessageId,
    IReadOnlyList<string> OriginalReferences,
    DraftClassification Classification,
    IReadOnlyList<string> Reasons,
    DateTimeOffset? SlaDueAt,
    DateTimeOffset CreatedAt,
    ResponsePath DecidedPath,
    IReadOnlyList<ReplyRiskFlag> RiskFlags,
    bool DryRun,
    string? Cc,
    IReadOnlyDictionary<string, string> Redactions,
    string? FinalText = null,
    int? EditDistance = null,
    string? DecidedBy = null,
    DateTimeOffset? DecidedAt = null,
    string? RejectReason = null,
    string? SendStatus = null,
    IReadOnlyList<ReplyRiskFlag>? FinalRiskFlags = null,
    string? BlockOverriddenBy = null)
{
    /// <summary>The JSON name of <see cref="CreatedAt"/> in the stored document: the approval queue's order.</summary>
    public static readonly string CreatedAtProperty = OutreachJson.Options.PropertyNamingPolicy!.ConvertName(nameof(CreatedAt));

    /// <summary>The JSON name of <see cref="DecidedAt"/> in the stored document: the feedback export's order.</summary>
    public static readonly string DecidedAtProperty = OutreachJson.Options.PropertyNamingPolicy!.ConvertName(nameof(DecidedAt));

    public DraftView ToView() => new(DraftId, InboundId, Status, Subject, FinalText ?? Text, new DraftSender(From.Email, From.Name),
        OriginalSubject, OriginalText, Classification, Reasons, SlaDueAt, CreatedAt, DecidedPath, RiskFlags,
        Status == DraftStatus.Approved ? Text : null, EditDistance, DecidedBy, DecidedAt, RejectReason, SendStatus, FinalRiskFlags, BlockOverriddenBy);
}

internal sealed record DraftSender(string Email, string? Name);

/// <summary>
/// The shared contract's DraftView, plus what a reviewer sees after a decision: the original draft text (when edited),
/// the edit distance, who decided and when, the rejection reason, and the send status (SENT, DRY_RUN, ...); for an
/// edited approval, the guardrail findings on the sent text and who overrode its BLOCK findings (null: none overridden).
/// </summary>
internal sealed record DraftView(
    Guid DraftId,
    Guid InboundId,
    string Status,
    string Subject,
    string Text,
    DraftSender From,
    string OriginalSubject,
    string OriginalText,
    DraftClassification Classification,
    IReadOnlyList<string> Reasons,
    DateTimeOffset? SlaDueAt,
    DateTimeOffset CreatedAt,
    ResponsePath DecidedPath,
    IReadOnlyList<ReplyRiskFlag> RiskFlags,
    string? DraftText,
    int? EditDistance,
    string? DecidedBy,
    DateTimeOffset? DecidedAt,
    string? RejectReason,
    string? SendStatus,
    IReadOnlyList<ReplyRiskFlag>? FinalRiskFlags,
    string? BlockOverriddenBy);

/// <summary>A page of drafts, oldest first; <see cref="Next"/> is the <c>after</c> of the next page (null: none).</summary>
internal sealed record DraftList(IReadOnlyList<DraftView> Items, string? Next);
