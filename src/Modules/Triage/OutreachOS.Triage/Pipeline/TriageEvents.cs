using OutreachOS.BuildingBlocks.EventStore;
using OutreachOS.Triage.Contracts;

namespace OutreachOS.Triage.Pipeline;

/// <summary>Why the pre-filter stopped a message (CONTRACTS.md: processing stops after this event).</summary>
internal enum FilterCategory
{
    AutoReply,
    Bulk,
    Bounce,
    Spam,
    BlockedSender,
    Duplicate,
}

[EventName("inbound_filtered.v1")]
internal sealed record InboundFiltered(Guid InboundId, FilterCategory Category, string Rule, string Detail, DateTimeOffset At);

/// <summary>
/// How many distinct values of each kind were replaced. <c>Name</c> and <c>Address</c> are in
/// <c>inbound_pii_redacted.v2</c> only; a v1 event reads them as 0.
/// </summary>
internal sealed record PiiCounts(int Email, int Phone, int Card, int Iban, int Ssn, int Name = 0, int Address = 0)
{
    public int Total() => Email + Phone + Card + Iban + Ssn + Name + Address;
}

/// <summary>Written before names and postal addresses were counted (read only).</summary>
[EventName("inbound_pii_redacted.v1")]
internal sealed record InboundPiiRedacted(Guid InboundId, PiiCounts Counts, DateTimeOffset At);

/// <summary>What was replaced before the text left for an external model: counts only (the map is on the decision).</summary>
[EventName("inbound_pii_redacted.v2")]
internal sealed record InboundPiiRedactedV2(Guid InboundId, PiiCounts Counts, DateTimeOffset At);

/// <summary>
/// The message was an unsubscribe request and its sender went on the do-not-contact list (ADR 0031) in the decision's
/// transaction: the message's own history says so (the entry is on the address's <c>suppression-*</c> stream).
/// </summary>
[EventName("inbound_sender_suppressed.v1")]
internal sealed record InboundSenderSuppressed(Guid InboundId, DateTimeOffset At);

[EventName("inbound_classified.v1")]
internal sealed record InboundClassified(
    Guid InboundId,
    InboundClassification Classification,
    string Provider,
    string Model,
    int TokensIn,
    int TokensOut,
    decimal CostUsd,
    double LatencyMs,
    DateTimeOffset At);
