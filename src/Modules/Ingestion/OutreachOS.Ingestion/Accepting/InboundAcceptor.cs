using System.Globalization;
using Npgsql;
using OutreachOS.BuildingBlocks.EventStore;
using OutreachOS.Ingestion.Contracts;
using OutreachOS.Ingestion.Normalizing;

namespace OutreachOS.Ingestion.Accepting;

/// <param name="Conflict">A duplicate whose stored content differs (another message under a re-used Message-ID); known
/// only outside a caller's transaction (the API), and only for messages accepted with a content hash.</param>
internal sealed record AcceptResult(Guid InboundId, bool Duplicate, bool Conflict = false);

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
        var content = InboundContent.Sha256(n.Email);
        var received = new InboundMessageReceived(inboundId, organizationId, source, n.Email, n.HiddenCharactersRemoved,
            n.HiddenHtmlElementsRemoved > 0, clock.GetUtcNow());
        var metadata = new Dictionary<string, string>
        {
            ["hidden_html_elements"] = n.HiddenHtmlElementsRemoved.ToString(CultureInfo.InvariantCulture),
            ["truncated"] = n.Truncated ? "true" : "false",
            [InboundContent.MetadataKey] = content,
        };
        if (n.RecipientsDropped > 0)
        {
            metadata["recipients_dropped"] = n.RecipientsDropped.ToString(CultureInfo.InvariantCulture);
        }
        var append = new StreamAppend(organizationId, InboundStreams.StreamId(inboundId), InboundStreams.StreamType,
            ExpectedVersion.NoStream, [new EventToAppend(DeterministicId.For(inboundId, "received"), received, metadata)]);
        bool duplicate;
        try
        {
            var result = transaction is null
                ? (await store.AppendManyAsync([append], ct))[0]
                : (await store.AppendManyAsync(transaction, [append], ct))[0];
            duplicate = result.AlreadyAppended;
        }
        catch (ConcurrencyException) when (transaction is null)
        {
            // The stream exists but not with our first event id: cannot happen for streams we open, but a duplicate it is.
            duplicate = true;
        }
        if (!duplicate || transaction is not null)
        {
            // A mailbox's duplicate (the same message in two mailboxes, a re-notification) is dropped as before.
            return new AcceptResult(inboundId, duplicate);
        }
        // A retry, or another message under a re-used Message-ID? Only the rare duplicate pays for this read.
        var first = await store.ReadStreamAsync(organizationId, append.StreamId, toVersion: 1, ct: ct);
        var conflict = first is [var stored, ..] && stored.Metadata.TryGetValue(InboundContent.MetadataKey, out var storedContent)
            && !string.Equals(storedContent, content, StringComparison.Ordinal);
        return new AcceptResult(inboundId, true, conflict);
    }
}
