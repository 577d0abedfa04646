using System.Globalization;
using Npgsql;
using OutreachOS.BuildingBlocks.EventStore;
using OutreachOS.Ingestion.Contracts;
using OutreachOS.Ingestion.Normalizing;

namespace OutreachOS.Ingestion.Accepting;

/// <param name="Conflict">A duplicate whose stored content differs (another message under a re-used Message-ID); known
/// only outside a caller's transaction (the API), and only for messages accepted with a content hash.</param>
/// <param name="ReusedFrom">On the mailbox path: the message re-uses the Message-ID of this inbound message with other
/// content, and was kept under <paramref name="InboundId"/>, derived from its own content.</param>
internal sealed record AcceptResult(Guid InboundId, bool Duplicate, bool Conflict = false, Guid? ReusedFrom = null);

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
        var message = InboundContent.MessageSha256(n.Email);
        var append = Append(organizationId, source, n, inboundId, content, message, reusedFrom: null);
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
        if (!duplicate)
        {
            return new AcceptResult(inboundId, false);
        }
        if (transaction is not null)
        {
            return await AcceptMailboxDuplicateAsync(organizationId, source, n, inboundId, append.StreamId, content, message, transaction, ct);
        }
        // A retry, or another message under a re-used Message-ID? Only the rare duplicate pays for this read.
        var first = await store.ReadStreamAsync(organizationId, append.StreamId, toVersion: 1, ct: ct);
        var conflict = first is [var stored, ..] && stored.Metadata.TryGetValue(InboundContent.MetadataKey, out var storedContent)
            && !string.Equals(storedContent, content, StringComparison.Ordinal);
        return new AcceptResult(inboundId, true, conflict);
    }

    /// <summary>
    /// A mailbox message whose Message-ID is taken. The same message (the same <see cref="InboundContent.MessageSha256"/>,
    /// e.g. delivered to two mailboxes) is dropped as before. Another message under that Message-ID has nobody to answer
    /// a 409 to, and would be lost: it is kept under an inbound id derived from its Message-ID and its hash, with the
    /// first message's id in its metadata. A first message stored without that hash (before it existed) cannot be told
    /// apart from a copy, and the repeat is dropped as it always was.
    /// </summary>
    private async Task<AcceptResult> AcceptMailboxDuplicateAsync(Guid organizationId, InboundSource source, NormalizedEmail n, Guid inboundId,
        string streamId, string content, string message, NpgsqlTransaction transaction, CancellationToken ct)
    {
        // In the transaction: the first message may have been accepted earlier in this same batch.
        var first = await store.ReadStreamAsync(transaction, organizationId, streamId, toVersion: 1, ct);
        if (first is not [var stored, ..] || !stored.Metadata.TryGetValue(InboundContent.MessageMetadataKey, out var storedMessage)
            || string.Equals(storedMessage, message, StringComparison.Ordinal))
        {
            return new AcceptResult(inboundId, true);
        }
        var derivedId = DeterministicId.InboundReused(organizationId, n.Email.MessageId, message);
        var append = Append(organizationId, source, n, derivedId, content, message, reusedFrom: inboundId);
        var result = (await store.AppendManyAsync(transaction, [append], ct))[0];
        return new AcceptResult(derivedId, result.AlreadyAppended, ReusedFrom: inboundId);
    }

    private StreamAppend Append(Guid organizationId, InboundSource source, NormalizedEmail n, Guid inboundId, string content, string message, Guid? reusedFrom)
    {
        var received = new InboundMessageReceived(inboundId, organizationId, source, n.Email, n.HiddenCharactersRemoved,
            n.HiddenHtmlElementsRemoved > 0, clock.GetUtcNow());
        var metadata = new Dictionary<string, string>
        {
            ["hidden_html_elements"] = n.HiddenHtmlElementsRemoved.ToString(CultureInfo.InvariantCulture),
            ["truncated"] = n.Truncated ? "true" : "false",
            [InboundContent.MetadataKey] = content,
            [InboundContent.MessageMetadataKey] = message,
        };
        if (n.RecipientsDropped > 0)
        {
            metadata["recipients_dropped"] = n.RecipientsDropped.ToString(CultureInfo.InvariantCulture);
        }
        if (reusedFrom is { } from)
        {
            metadata[InboundContent.ReusedFromMetadataKey] = from.ToString("D");
        }
        return new StreamAppend(organizationId, InboundStreams.StreamId(inboundId), InboundStreams.StreamType,
            ExpectedVersion.NoStream, [new EventToAppend(DeterministicId.For(inboundId, "received"), received, metadata)]);
    }
}
