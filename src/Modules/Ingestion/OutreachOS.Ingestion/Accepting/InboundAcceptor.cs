using System.Globalization;
using Npgsql;
using OutreachOS.BuildingBlocks.EventStore;
using OutreachOS.Ingestion.Contracts;
using OutreachOS.Ingestion.Normalizing;

namespace OutreachOS.Ingestion.Accepting;

internal sealed record AcceptResult(Guid InboundId, bool Duplicate);

/// <summary>
/// Opens an inbound stream with <c>inbound_received.v1</c>. The only write of the webhook path: one append, after which
/// the relay carries the event to the bus and everything else (filtering, classification...) happens off the request.
/// </summary>
internal sealed class InboundAcceptor(IEventStore store, TimeProvider clock)
{
    public async Task<AcceptResult> AcceptAsync(Guid organizationId, InboundSource source, NormalizedEmail n,
        NpgsqlTransaction? transaction, CancellationToken ct)
    {
        var inboundId = DeterministicId.Inbound(organizationId, n.Email.MessageId);
        var received = new InboundMessageReceived(inboundId, organizationId, source, n.Email, n.HiddenCharactersRemoved,
            n.HiddenHtmlElementsRemoved > 0, clock.GetUtcNow());
        var metadata = new Dictionary<string, string>
        {
            ["hidden_html_elements"] = n.HiddenHtmlElementsRemoved.ToString(CultureInfo.InvariantCulture),
            ["truncated"] = n.Truncated ? "true" : "false",
        };
        if (n.RecipientsDropped > 0)
        {
            metadata["recipients_dropped"] = n.RecipientsDropped.ToString(CultureInfo.InvariantCulture);
        }
        var append = new StreamAppend(organizationId, InboundStreams.StreamId(inboundId), InboundStreams.StreamType,
            ExpectedVersion.NoStream, [new EventToAppend(DeterministicId.For(inboundId, "received"), received, metadata)]);
        try
        {
            var result = transaction is null
                ? (await store.AppendManyAsync([append], ct))[0]
                : (await store.AppendManyAsync(transaction, [append], ct))[0];
            return new AcceptResult(inboundId, result.AlreadyAppended);
        }
        catch (ConcurrencyException) when (transaction is null)
        {
            // The stream exists but not with our first event id: cannot happen for streams we open, but a duplicate it is.
            return new AcceptResult(inboundId, true);
        }
    }
}
