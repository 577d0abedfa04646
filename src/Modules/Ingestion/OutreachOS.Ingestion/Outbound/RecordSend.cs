using Microsoft.AspNetCore.Http;
using Npgsql;
using OutreachOS.BuildingBlocks.EventStore;
using OutreachOS.BuildingBlocks.Web;
using OutreachOS.Ingestion.Normalizing;

namespace OutreachOS.Ingestion.Outbound;

internal sealed record RecordSendRequest(Guid? RequestId, string? MessageId, string? Channel, int? VariantIndex);

internal sealed record SendRecorded(Guid RequestId, string MessageId, string Channel, int VariantIndex, long Version);

/// <summary>
/// <c>POST /outbound/sends</c>: appends <c>outbound_sent.v1</c> and records Message-ID → request in the same transaction,
/// so a reply can never find a send whose event is missing (or the reverse). Repeating the same send is a no-op (201
/// again); the same Message-ID for another request is a 409.
/// </summary>
internal static class RecordSend
{
    private static readonly string[] Channels = ["EMAIL", "LINKEDIN", "SMS"];

    public static FieldErrors Validate(RecordSendRequest r)
    {
        var e = new FieldErrors();
        if (r.RequestId is null || r.RequestId == Guid.Empty)
        {
            e.Add("request_id", "is required");
        }
        e.Required("message_id", r.MessageId, EmailNormalizer.MaxMessageIdChars);
        if (r.MessageId is { } m && MessageIds.Bare(m).Length == 0)
        {
            e.Add("message_id", "is required");
        }
        if (r.Channel is null || !Channels.Contains(r.Channel.Trim().ToUpperInvariant()))
        {
            e.Add("channel", "must be EMAIL, LINKEDIN or SMS");
        }
        if (r.VariantIndex is null or < 0 or > 9)
        {
            e.Add("variant_index", "must be between 0 and 9");
        }
        return e;
    }

    public static async Task<IResult> HandleAsync(RecordSendRequest body, Guid tenant, NpgsqlDataSource dataSource, IEventStore store,
        TimeProvider clock, CancellationToken ct)
    {
        var errors = Validate(body);
        if (errors.Any)
        {
            return errors.ToProblem();
        }
        var requestId = body.RequestId!.Value;
        var messageId = body.MessageId!.Trim();
        var bare = MessageIds.Bare(messageId);
        var channel = body.Channel!.Trim().ToUpperInvariant();
        var now = clock.GetUtcNow();

        await using var conn = await dataSource.OpenConnectionAsync(ct);
        await using var tx = await conn.BeginTransactionAsync(ct);
        await using (var insert = new NpgsqlCommand("""
            INSERT INTO oos.ingestion_outbound_sends (tenant_id, message_id, request_id, channel, variant_index, sent_at)
            VALUES (@t, @m, @r, @c, @v, @now) ON CONFLICT (tenant_id, message_id) DO NOTHING
            """, conn, tx))
        {
            insert.Parameters.AddWithValue("t", tenant);
            insert.Parameters.AddWithValue("m", bare);
            insert.Parameters.AddWithValue("r", requestId);
            insert.Parameters.AddWithValue("c", channel);
            insert.Parameters.AddWithValue("v", body.VariantIndex!.Value);
            insert.Parameters.AddWithValue("now", now);
            if (await insert.ExecuteNonQueryAsync(ct) == 0)
            {
                // A separate statement: its snapshot sees a row a concurrent request committed while we waited on it.
                await using var owner = new NpgsqlCommand(
                    "SELECT request_id FROM oos.ingestion_outbound_sends WHERE tenant_id = @t AND message_id = @m", conn, tx);
                owner.Parameters.AddWithValue("t", tenant);
                owner.Parameters.AddWithValue("m", bare);
                if (await owner.ExecuteScalarAsync(ct) is Guid o && o != requestId)
                {
                    return Problems.Conflict("This message_id is already recorded as a send of another request.");
                }
            }
        }
        var sent = new OutboundSent(requestId, messageId, channel, body.VariantIndex.Value, now);
        var result = (await store.AppendManyAsync(tx, [new StreamAppend(tenant, OutboundStreams.StreamId(requestId), OutboundStreams.StreamType,
            ExpectedVersion.Any, [new EventToAppend(OutboundStreams.EventId(tenant, requestId, "sent:" + bare), sent)])], ct))[0];
        await tx.CommitAsync(ct);
        return TypedResults.Created($"/outbound/{requestId:D}", new SendRecorded(requestId, messageId, channel, body.VariantIndex.Value, result.Version));
    }
}
