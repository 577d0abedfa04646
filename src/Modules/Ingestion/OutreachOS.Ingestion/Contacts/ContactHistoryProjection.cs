using Npgsql;
using NpgsqlTypes;
using OutreachOS.BuildingBlocks.EventStore;
using OutreachOS.BuildingBlocks.Privacy;
using OutreachOS.BuildingBlocks.Projections;
using OutreachOS.Ingestion.Contracts;
using OutreachOS.Ingestion.Normalizing;
using OutreachOS.Ingestion.Outbound;

namespace OutreachOS.Ingestion.Contacts;

/// <summary>
/// Async projection <c>ingestion-contact-history</c> of the module's own events into <c>oos.ingestion_contact_history</c>:
/// each received message under its sender (<c>inbound_received.v1</c>), and each outbound send that a contact answered
/// under that contact (<c>outbound_reply_received.v1</c>: a send records a Message-ID, not a recipient, so a reply is how
/// the module learns who a send reached). Off the webhook's path; a new deployment backfills from the start of the log.
/// Rows are keyed by a reference, so a replay inserts nothing twice.
/// </summary>
internal sealed class ContactHistoryProjection : ISubscription
{
    /// <summary>A message's row key in the history (<c>ref</c>): the erasure of the message deletes its row by it.</summary>
    internal static string MessageRef(Guid inboundId) => $"inbound:{inboundId:N}";

    public const string SubscriptionName = "ingestion-contact-history";
    private const int MaxSummary = 300;

    public string Name => SubscriptionName;

    // Most of the log (personalization, credits, triage) is nothing to this projection: such batches cost no transaction.
    public bool Handles(StoredEvent e) => e.EventType is "inbound_received.v1" or "outbound_reply_received.v1";

    /// <summary>A contact's history is read by people and by later messages, not within a fifth of a second: one batch per burst.</summary>
    public TimeSpan GatherDelay => TimeSpan.FromMilliseconds(200);

    public async Task HandleAsync(NpgsqlTransaction transaction, IReadOnlyList<StoredEvent> events, CancellationToken ct)
    {
        var received = new List<StoredEvent>();
        var replies = new List<StoredEvent>();
        foreach (var e in events)
        {
            if (e.EventType == "inbound_received.v1")
            {
                received.Add(e);
            }
            else if (e.EventType == "outbound_reply_received.v1")
            {
                replies.Add(e);
            }
        }

        // Messages first: a reply in the same batch finds its sender among them.
        if (received.Count > 0)
        {
            var rows = received.Select(e => e.As<InboundMessageReceived>()).Where(m => EmailAddresses.IsValid(m.Message.From.Email)).ToList();
            await using var cmd = new NpgsqlCommand("""
                INSERT INTO oos.ingestion_contact_history (tenant_id, email, ref, kind, summary, at)
                SELECT * FROM unnest(@t, @e, @r, @k, @s, @a)
                ON CONFLICT DO NOTHING
                """, transaction.Connection, transaction);
            cmd.Parameters.Add(Array("t", NpgsqlDbType.Uuid, rows.Select(m => m.OrganizationId)));
            cmd.Parameters.Add(Array("e", NpgsqlDbType.Text, rows.Select(m => EmailAddresses.Canonical(m.Message.From.Email))));
            cmd.Parameters.Add(Array("r", NpgsqlDbType.Text, rows.Select(m => MessageRef(m.InboundId))));
            cmd.Parameters.Add(Array("k", NpgsqlDbType.Text, rows.Select(_ => "MESSAGE")));
            cmd.Parameters.Add(Array("s", NpgsqlDbType.Text, rows.Select(m => Clip($"Received: \"{Subject(m.Message.Subject)}\""))));
            cmd.Parameters.Add(Array("a", NpgsqlDbType.TimestampTz, rows.Select(m => m.Message.ReceivedAt)));
            await cmd.ExecuteNonQueryAsync(ct);
        }

        if (replies.Count > 0)
        {
            var rows = replies.Select(e => (e.TenantId, Reply: e.As<OutboundReplyReceived>())).ToList();
            await using var cmd = new NpgsqlCommand("""
                INSERT INTO oos.ingestion_contact_history (tenant_id, email, ref, kind, summary, at)
                SELECT h.tenant_id, h.email, 'outbound:' || r.request_id || ':' || r.message_id, 'MESSAGE',
                       left('Sent: ' || lower(coalesce(s.channel, 'EMAIL')) || ' outreach (request ' || r.request_id || '), answered', 300),
                       coalesce(s.sent_at, r.at)
                FROM unnest(@t, @i, @q, @m, @a) AS r(tenant_id, inbound_ref, request_id, message_id, at)
                JOIN oos.ingestion_contact_history h ON h.tenant_id = r.tenant_id AND h.ref = r.inbound_ref
                LEFT JOIN oos.ingestion_outbound_sends s ON s.tenant_id = r.tenant_id AND s.message_id = r.message_id
                ON CONFLICT DO NOTHING
                """, transaction.Connection, transaction);
            cmd.Parameters.Add(Array("t", NpgsqlDbType.Uuid, rows.Select(x => x.TenantId)));
            cmd.Parameters.Add(Array("i", NpgsqlDbType.Text, rows.Select(x => MessageRef(x.Reply.InboundId))));
            cmd.Parameters.Add(Array("q", NpgsqlDbType.Text, rows.Select(x => x.Reply.RequestId.ToString())));
            cmd.Parameters.Add(Array("m", NpgsqlDbType.Text, rows.Select(x => x.Reply.MessageId)));
            cmd.Parameters.Add(Array("a", NpgsqlDbType.TimestampTz, rows.Select(x => x.Reply.At)));
            await cmd.ExecuteNonQueryAsync(ct);
        }
    }

    public async Task ResetAsync(NpgsqlTransaction transaction, CancellationToken ct)
    {
        await using var cmd = new NpgsqlCommand(ContactHistorySchema.Truncate, transaction.Connection, transaction);
        await cmd.ExecuteNonQueryAsync(ct);
    }

    private static NpgsqlParameter Array<T>(string name, NpgsqlDbType type, IEnumerable<T> values) =>
        new(name, NpgsqlDbType.Array | type) { Value = values.ToArray() };

    private static string Subject(string? s) => string.IsNullOrWhiteSpace(s) ? "(no subject)" : s.Replace('\n', ' ').Replace('\r', ' ').Trim();

    private static string Clip(string s) => s.Length <= MaxSummary ? s : s[..(MaxSummary - 1)] + "…";
}
