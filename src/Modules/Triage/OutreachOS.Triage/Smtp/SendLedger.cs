using Npgsql;
using OutreachOS.BuildingBlocks.EventStore;

namespace OutreachOS.Triage.Smtp;

/// <summary>What the ledger says about a decision's send.</summary>
internal enum SendClaim
{
    /// <summary>This caller owns the send: nobody has tried it before.</summary>
    Claimed,

    /// <summary>A previous attempt completed the SMTP dialogue (the event may not have been recorded yet).</summary>
    AlreadySent,

    /// <summary>A previous attempt started and never reported back (crash mid-dialogue): sending again could duplicate.</summary>
    OutcomeUnknown,

    /// <summary>Nothing was claimed: the document the send depends on (a draft) is gone, or the message it answers was
    /// erased meanwhile.</summary>
    Withdrawn,
}

/// <summary>
/// <c>oos.triage_sends</c>, one row per decision, committed on its own before the SMTP dialogue starts: the intent
/// survives a crash that loses the consumer's transaction, so a redelivery never sends a second mail (see ADR 0013).
/// </summary>
internal sealed class SendLedger(NpgsqlDataSource dataSource)
{
    public static readonly Migration Migration = new(410, "triage reply send ledger", """
        CREATE TABLE oos.triage_sends (
            decision_id     uuid        PRIMARY KEY,
            tenant_id       uuid        NOT NULL,
            inbound_id      uuid        NOT NULL,
            smtp_message_id text        NOT NULL,
            recipient       text        NOT NULL,
            subject         text        NOT NULL,
            status          text        NOT NULL CHECK (status IN ('SENDING', 'SENT')),
            created_at      timestamptz NOT NULL DEFAULT now(),
            sent_at         timestamptz
        );
        CREATE INDEX triage_sends_tenant ON oos.triage_sends (tenant_id, created_at);
        """);

    /// <param name="whileDocument">A document (type, id) of the organization the send is for, a draft: the claim is made
    /// only while it exists, and its row is key-share locked for the statement, so an erasure deleting it either waits for
    /// the claim (and then blanks the claimed row with the rest) or is waited for (and no claim is made).</param>
    /// <param name="unlessErased">A stream of the organization (the received message's): the claim is made only while it
    /// holds no erased event, so a message erased while its automatic reply was composed is not answered (ADR 0030).</param>
    public async Task<SendClaim> ClaimAsync(Guid tenantId, Guid decisionId, Guid inboundId, string messageId, string recipient, string subject, CancellationToken ct,
        (string Type, string Id)? whileDocument = null, string? unlessErased = null)
    {
        var conditions = new List<string>(2);
        if (whileDocument is not null)
        {
            conditions.Add("EXISTS (SELECT 1 FROM oos.documents WHERE tenant_id = @t AND type = @dt AND id = @di FOR KEY SHARE)");
        }
        if (unlessErased is not null)
        {
            conditions.Add("NOT EXISTS (SELECT 1 FROM oos.events WHERE tenant_id = @t AND stream_id = @es AND type = @erased)");
        }
        var where = conditions.Count == 0 ? "" : "WHERE " + string.Join(" AND ", conditions);
        await using (var insert = dataSource.CreateCommand($"""
            INSERT INTO oos.triage_sends (decision_id, tenant_id, inbound_id, smtp_message_id, recipient, subject, status)
            SELECT @d, @t, @i, @m, @r, @s, 'SENDING' {where}
            ON CONFLICT (decision_id) DO NOTHING
            """))
        {
            if (whileDocument is { } document)
            {
                insert.Parameters.AddWithValue("dt", document.Type);
                insert.Parameters.AddWithValue("di", document.Id);
            }
            if (unlessErased is not null)
            {
                insert.Parameters.AddWithValue("es", unlessErased);
                insert.Parameters.AddWithValue("erased", EventErasure.ErasedType);
            }
            insert.Parameters.AddWithValue("d", decisionId);
            insert.Parameters.AddWithValue("t", tenantId);
            insert.Parameters.AddWithValue("i", inboundId);
            insert.Parameters.AddWithValue("m", messageId);
            insert.Parameters.AddWithValue("r", recipient);
            insert.Parameters.AddWithValue("s", subject);
            if (await insert.ExecuteNonQueryAsync(ct) == 1)
            {
                return SendClaim.Claimed;
            }
        }

        return await StatusAsync(tenantId, decisionId, ct) switch
        {
            "SENT" => SendClaim.AlreadySent,
            null => SendClaim.Withdrawn, // no earlier claim, so the document was missing or the message erased
            _ => SendClaim.OutcomeUnknown,
        };
    }

    public async Task MarkSentAsync(Guid decisionId, CancellationToken ct)
    {
        await using var cmd = dataSource.CreateCommand("UPDATE oos.triage_sends SET status = 'SENT', sent_at = now() WHERE decision_id = @d");
        cmd.Parameters.AddWithValue("d", decisionId);
        await cmd.ExecuteNonQueryAsync(ct);
    }

    /// <summary>The ledger's status of the decision's reply (SENDING or SENT), or null when no send was started.</summary>
    public async Task<string?> StatusAsync(Guid tenantId, Guid decisionId, CancellationToken ct)
    {
        await using var read = dataSource.CreateCommand("SELECT status FROM oos.triage_sends WHERE decision_id = @d AND tenant_id = @t");
        read.Parameters.AddWithValue("d", decisionId);
        read.Parameters.AddWithValue("t", tenantId);
        return await read.ExecuteScalarAsync(ct) as string;
    }

    /// <summary>The server certainly did not take the mail: forget the intent so that a retry may send.</summary>
    public async Task ReleaseAsync(Guid decisionId, CancellationToken ct)
    {
        await using var cmd = dataSource.CreateCommand("DELETE FROM oos.triage_sends WHERE decision_id = @d AND status = 'SENDING'");
        cmd.Parameters.AddWithValue("d", decisionId);
        await cmd.ExecuteNonQueryAsync(ct);
    }
}
