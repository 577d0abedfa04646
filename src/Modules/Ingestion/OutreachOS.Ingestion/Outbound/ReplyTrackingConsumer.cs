using MassTransit;
using Npgsql;
using OutreachOS.BuildingBlocks.EventStore;
using OutreachOS.BuildingBlocks.Messaging;
using OutreachOS.Ingestion.Accepting;
using OutreachOS.Ingestion.Contracts;
using OutreachOS.Ingestion.Normalizing;

namespace OutreachOS.Ingestion.Outbound;

/// <summary>
/// Reply tracking, off the bus: an inbound message whose In-Reply-To, References or thread id names a recorded outbound
/// send is appended to that send's stream as <c>outbound_reply_received.v1</c> — once per (inbound, request), by the inbox
/// and by a deterministic event id. A reply that arrives before its send was recorded is not matched later.
/// </summary>
internal sealed class ReplyTrackingConsumer(NpgsqlDataSource dataSource, IEventStore store, TimeProvider clock)
    : IdempotentConsumer<InboundMessageReceived>(dataSource)
{
    protected override string ConsumerName => "ingestion-reply-tracking";

    /// <summary>A message that names no other message cannot be a reply: no claim, no transaction.</summary>
    protected override bool MayHaveEffect(InboundMessageReceived message) => Candidates(message.Message).Count > 0;

    protected override async Task HandleAsync(ConsumeContext<InboundMessageReceived> context, NpgsqlTransaction transaction, Guid? tenantId, CancellationToken ct)
    {
        var received = context.Message;
        var tenant = tenantId ?? received.OrganizationId;
        var candidates = Candidates(received.Message);
        if (candidates.Count == 0)
        {
            return;
        }
        await using var cmd = new NpgsqlCommand("""
            SELECT request_id, message_id FROM oos.ingestion_outbound_sends
            WHERE tenant_id = @t AND message_id = ANY(@ids)
            """, transaction.Connection, transaction);
        cmd.Parameters.AddWithValue("t", tenant);
        cmd.Parameters.AddWithValue("ids", candidates.ToArray());
        var matches = new List<(Guid RequestId, string MessageId)>();
        await using (var r = await cmd.ExecuteReaderAsync(ct))
        {
            while (await r.ReadAsync(ct))
            {
                matches.Add((r.GetGuid(0), r.GetString(1)));
            }
        }
        // One reply event per request: the most specific match (In-Reply-To first, then References order).
        var appends = matches
            .GroupBy(m => m.RequestId)
            .Select(g => g.OrderBy(m => candidates.IndexOf(m.MessageId)).First())
            .Select(m => new StreamAppend(tenant, OutboundStreams.StreamId(m.RequestId), OutboundStreams.StreamType, ExpectedVersion.Any,
                [new EventToAppend(DeterministicId.For(received.InboundId, "reply:" + m.RequestId.ToString("N")),
                    new OutboundReplyReceived(m.RequestId, m.MessageId, received.InboundId, received.Message.MessageId, clock.GetUtcNow()))]))
            .ToList();
        if (appends.Count > 0)
        {
            await store.AppendManyAsync(transaction, appends, ct);
        }
    }

    /// <summary>Message-ids this message refers to, most specific first; never its own id.</summary>
    internal static List<string> Candidates(InboundEmail m)
    {
        var own = MessageIds.Bare(m.MessageId);
        return MessageIds.Split(m.InReplyTo)
            .Concat(m.References.Reverse().SelectMany(MessageIds.Split))
            .Concat(m.ThreadId is { } t ? [MessageIds.Bare(t)] : [])
            .Where(id => id.Length > 0 && id != own)
            .Distinct(StringComparer.Ordinal)
            .Take(200)
            .ToList();
    }
}
