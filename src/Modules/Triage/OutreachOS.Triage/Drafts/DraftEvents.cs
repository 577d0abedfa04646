using OutreachOS.BuildingBlocks.EventStore;
using OutreachOS.Triage.Responses;

namespace OutreachOS.Triage.Drafts;

// Events of the approval queue's guardrail re-check, appended to the inbound stream next to inbound_draft_approved.v1.
// They are separate events rather than a v2 of the approval: the approval event is shipped and folded by name (KPIs,
// GET /inbound/{id}), and a blocked attempt must be recorded although nothing is approved.

/// <summary>
/// A human's edit of a draft went through the same guardrail checks as a generated reply. Appended for every approve
/// whose text differs from the draft: alone when a BLOCK finding refused it (422, the draft stays PENDING), or in the
/// approval's transaction, right before <c>inbound_draft_approved.v1</c>. <see cref="Text"/> still carries the
/// redaction placeholders, like the draft.
/// </summary>
[EventName("inbound_draft_edit_checked.v1")]
internal sealed record InboundDraftEditChecked(
    Guid InboundId, Guid DraftId, Guid DecisionId, string Text, bool Passed, IReadOnlyList<ReplyRiskFlag> RiskFlags, bool Override,
    string CheckedBy, DateTimeOffset At);

/// <summary>The approver sent an edit despite BLOCK findings (<c>"override": true</c>): who, and exactly which findings.</summary>
[EventName("inbound_draft_block_overridden.v1")]
internal sealed record InboundDraftBlockOverridden(
    Guid InboundId, Guid DraftId, Guid DecisionId, IReadOnlyList<ReplyRiskFlag> Findings, string OverriddenBy, DateTimeOffset At);

internal static class DraftEventTypes
{
    public static readonly Type[] All = [typeof(InboundDraftEditChecked), typeof(InboundDraftBlockOverridden)];
}
