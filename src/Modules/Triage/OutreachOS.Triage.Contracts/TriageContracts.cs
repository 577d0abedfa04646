using OutreachOS.BuildingBlocks.EventStore;
using OutreachOS.BuildingBlocks.Messaging;
using OutreachOS.Ingestion.Contracts;

namespace OutreachOS.Triage.Contracts;

public enum ResponsePath
{
    AutoSend,
    DraftForReview,
    Human,
}

/// <summary>Classifier output, validated against the classification JSON schema before use.</summary>
public sealed record InboundClassification(
    string Intent,
    string Urgency,
    string Owner,
    IReadOnlyList<string> PolicyFlags,
    double Confidence,
    string Classifier,
    IReadOnlyList<string> Evidence);

/// <summary>The router's decision. <see cref="DryRun"/> decisions are recorded but never sent.</summary>
public sealed record RoutingDecision(
    Guid DecisionId,
    ResponsePath Path,
    IReadOnlyList<string> Reasons,
    string Owner,
    DateTimeOffset? SlaDueAt,
    int PolicyVersion,
    bool DryRun);

/// <summary>
/// Appended to the inbound stream when the router has decided; the relay publishes it to the response paths.
/// <see cref="Redactions"/> maps placeholders (e.g. <c>[EMAIL_1]</c>) back to the original values for template filling.
/// </summary>
[EventName("inbound_decided.v1")]
public sealed record InboundDecided(
    Guid InboundId,
    Guid OrganizationId,
    InboundEmail Message,
    InboundClassification Classification,
    RoutingDecision Decision,
    IReadOnlyDictionary<string, string> Redactions,
    DateTimeOffset DecidedAt) : IIntegrationEvent;
