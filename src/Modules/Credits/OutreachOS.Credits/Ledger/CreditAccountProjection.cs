using Npgsql;
using OutreachOS.BuildingBlocks.EventStore;
using OutreachOS.Credits.Contracts;

namespace OutreachOS.Credits.Ledger;

/// <summary>
/// Inline projection of the ledger streams into an account row per (organization, period), one row per reservation,
/// alerts and daily usage. Inline because the account row is what the next reservation locks and decides on: it must
/// be exactly as current as the stream (it also carries the stream version used as the expected version).
/// </summary>
internal sealed class CreditAccountProjection : IBatchedInlineProjection
{
    public static readonly Migration Migration = new(300, "credit ledger accounts, reservations, alerts, daily usage", """
        CREATE TABLE oos.credit_accounts (
            tenant_id   uuid        NOT NULL,
            period      text        NOT NULL,
            consumed    integer     NOT NULL DEFAULT 0,
            reserved    integer     NOT NULL DEFAULT 0,
            version     bigint      NOT NULL DEFAULT 0,
            updated_at  timestamptz NOT NULL,
            PRIMARY KEY (tenant_id, period),
            CONSTRAINT credit_accounts_non_negative CHECK (consumed >= 0 AND reserved >= 0)
        );
        CREATE TABLE oos.credit_reservations (
            tenant_id   uuid        NOT NULL,
            id          uuid        NOT NULL,
            period      text        NOT NULL,
            credits     integer     NOT NULL,
            used        integer,
            status      text        NOT NULL,
            reason      text        NOT NULL,
            created_at  timestamptz NOT NULL,
            expires_at  timestamptz NOT NULL,
            closed_at   timestamptz,
            close_reason text,
            PRIMARY KEY (tenant_id, id)
        );
        CREATE INDEX credit_reservations_open ON oos.credit_reservations (expires_at) WHERE status = 'OPEN';
        CREATE TABLE oos.credit_alerts (
            tenant_id   uuid        NOT NULL,
            period      text        NOT NULL,
            level       text        NOT NULL,
            available   integer     NOT NULL,
            allowance   integer     NOT NULL,
            raised_at   timestamptz NOT NULL,
            PRIMARY KEY (tenant_id, period, level)
        );
        CREATE TABLE oos.credit_usage_daily (
            tenant_id   uuid        NOT NULL,
            period      text        NOT NULL,
            day         date        NOT NULL,
            consumed    integer     NOT NULL,
            PRIMARY KEY (tenant_id, period, day)
        );
        """);

    public IReadOnlyCollection<Type> EventTypes { get; } = CreditEventTypes.All;

    /// <summary>All of the events' row changes, riding in the round trip that inserts the events (they need neither reads
    /// nor positions): one account update per (organization, period) with the summed deltas, then one statement per
    /// reservation, usage day and alert.</summary>
    public void AddStatements(ICollection<NpgsqlBatchCommand> batch, IReadOnlyList<StoredEvent> events)
    {
        // Only the ledger streams: another module may record a copy of a credit event on a stream of its own.
        foreach (var account in events.Where(e => CreditStreams.IsLedger(e.StreamId)).GroupBy(e => (e.TenantId, Period: CreditStreams.PeriodOf(e.StreamId))))
        {
            var (consumed, reserved) = (0, 0);
            foreach (var e in account)
            {
                var (c, r) = e.Data switch
                {
                    CreditsReserved x => (0, x.Credits),
                    CreditsSettled x => (x.Used, -x.Reserved),
                    CreditsRefunded x => (0, -x.Credits),
                    _ => (0, 0),
                };
                consumed += c;
                reserved += r;
            }
            var last = account.MaxBy(e => e.Version)!;
            // The inserted row must pass the CHECK on its own (PostgreSQL checks it before detecting the conflict), so the
            // deltas are applied in the update branch; a new row only ever starts with a reservation.
            batch.Add(Command("""
                INSERT INTO oos.credit_accounts (tenant_id, period, consumed, reserved, version, updated_at)
                VALUES (@t, @p, GREATEST(@c, 0), GREATEST(@r, 0), @v, @at)
                ON CONFLICT (tenant_id, period) DO UPDATE SET
                    consumed = oos.credit_accounts.consumed + @c,
                    reserved = oos.credit_accounts.reserved + @r,
                    version = EXCLUDED.version,
                    updated_at = EXCLUDED.updated_at
                """, account.Key.TenantId, account.Key.Period, ("c", consumed), ("r", reserved), ("v", last.Version), ("at", last.CreatedAt)));
            foreach (var e in account)
            {
                AddRowChanges(batch, e.TenantId, account.Key.Period, e.Data);
            }
        }
    }

    private static void AddRowChanges(ICollection<NpgsqlBatchCommand> batch, Guid tenantId, string period, object? data)
    {
        switch (data)
        {
            case CreditsReserved r:
                batch.Add(Command("""
                    INSERT INTO oos.credit_reservations (tenant_id, id, period, credits, status, reason, created_at, expires_at)
                    VALUES (@t, @id, @p, @credits, 'OPEN', @reason, @at, @exp)
                    """, tenantId, period, ("id", r.ReservationId), ("credits", r.Credits), ("reason", r.Reason), ("at", r.At), ("exp", r.ExpiresAt)));
                break;
            case CreditsSettled s:
                batch.Add(Command(
                    "UPDATE oos.credit_reservations SET status = 'SETTLED', used = @used, closed_at = @at WHERE tenant_id = @t AND id = @id",
                    tenantId, period, ("id", s.ReservationId), ("used", s.Used), ("at", s.At)));
                batch.Add(Command("""
                    INSERT INTO oos.credit_usage_daily (tenant_id, period, day, consumed) VALUES (@t, @p, @day, @used)
                    ON CONFLICT (tenant_id, period, day) DO UPDATE SET consumed = oos.credit_usage_daily.consumed + EXCLUDED.consumed
                    """, tenantId, period, ("day", DateOnly.FromDateTime(s.At.UtcDateTime)), ("used", s.Used)));
                break;
            case CreditsRefunded f:
                batch.Add(Command("""
                    UPDATE oos.credit_reservations SET status = 'REFUNDED', used = 0, closed_at = @at, close_reason = @reason
                    WHERE tenant_id = @t AND id = @id
                    """, tenantId, period, ("id", f.ReservationId), ("at", f.At), ("reason", f.Reason)));
                break;
            case CreditAlertRaised a:
                batch.Add(Command("""
                    INSERT INTO oos.credit_alerts (tenant_id, period, level, available, allowance, raised_at)
                    VALUES (@t, @p, @level, @available, @allowance, @at)
                    """, tenantId, period, ("level", LevelName(a.Level)), ("available", a.Available), ("allowance", a.Allowance), ("at", a.At)));
                break;
        }
    }

    private static NpgsqlBatchCommand Command(string sql, Guid tenantId, string period, params (string Name, object Value)[] parameters)
    {
        var cmd = new NpgsqlBatchCommand(sql);
        cmd.Parameters.AddWithValue("t", tenantId);
        cmd.Parameters.AddWithValue("p", period);
        foreach (var (name, value) in parameters)
        {
            cmd.Parameters.AddWithValue(name, value);
        }
        return cmd;
    }

    public static string LevelName(Contracts.CreditAlertLevel level) => level.ToString().ToUpperInvariant();
}
