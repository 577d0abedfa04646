using OutreachOS.BuildingBlocks.EventStore;
using OutreachOS.BuildingBlocks.Messaging;

namespace OutreachOS.Ingestion.Contracts;

/// <summary>One inbound message's stream: <c>inbound-{inbound_id}</c>, stream type <c>inbound</c>, tenant = organization.
/// Ingestion opens it; Triage and the response paths append to it, so <c>GET /inbound/{id}</c> shows one ordered history.</summary>
public static class InboundStreams
{
    public const string StreamType = "inbound";

    public static string StreamId(Guid inboundId) => $"inbound-{inboundId:D}";

    /// <summary>The inbound id of an inbound stream's id; null for any other stream.</summary>
    public static Guid? InboundIdOf(string streamId) =>
        streamId.StartsWith("inbound-", StringComparison.Ordinal) && Guid.TryParseExact(streamId.AsSpan("inbound-".Length), "D", out var id) ? id : null;
}

/// <summary>Where a message came in.</summary>
public enum InboundSource
{
    Email,
    Gmail,
    Graph,
}

public sealed record MailAddress(string Email, string? Name = null);

/// <summary>
/// A message after normalization: <see cref="Text"/> is what models and rules see (HTML converted to text, invisible
/// characters stripped); <see cref="Html"/> is kept only for the audit record. Header names are lower-case.
/// </summary>
public sealed record InboundEmail(
    string MessageId,
    string? ThreadId,
    MailAddress From,
    IReadOnlyList<MailAddress> To,
    IReadOnlyList<MailAddress> Cc,
    string Subject,
    string Text,
    string? Html,
    IReadOnlyDictionary<string, string> Headers,
    DateTimeOffset ReceivedAt,
    string? InReplyTo,
    IReadOnlyList<string> References);

/// <summary>
/// First event of an inbound stream, and the integration event the relay puts on the bus for Triage.
/// <see cref="HiddenCharactersRemoved"/> counts stripped invisible characters (a prompt-injection signal).
/// </summary>
[EventName("inbound_received.v1")]
public sealed record InboundMessageReceived(
    Guid InboundId,
    Guid OrganizationId,
    InboundSource Source,
    InboundEmail Message,
    int HiddenCharactersRemoved,
    bool HiddenHtmlRemoved,
    DateTimeOffset AcceptedAt) : IIntegrationEvent;
