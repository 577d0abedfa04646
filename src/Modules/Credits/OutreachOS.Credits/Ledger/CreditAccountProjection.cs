using Npgsql;
using OutreachOS.BuildingBlocks.EventStore;

namespace OutreachOS.Credits.Ledger;

/// <summary>
/// Inline projection of the ledger streams into an account row per (organization, period), one row per reservation,
/// alerts and daily usage. Inline because the account row is what the next reservation locks and decides on: it must
/// be exactly as current as the stream (it also carries the stream version used as the expected version).
/// </summary>
internal sealed class CreditAccountProjection : IInlineProjection
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

    public async Task ApplyAsync(NpgsqlTransaction transaction, IReadOnlyList<StoredEvent> events, CancellationToken ct)
    {
        var conn = transaction.Connection!;
        foreach (var e in events)
        {
            var period = CreditStreams.PeriodOf(e.StreamId);
            var (consumedDelta, reservedDelta) = e.Data switch
            {
                CreditsReserved r => (0, r.Credits),
                CreditsSettled s => (s.Used, -s.Reserved),
                CreditsRefunded f => (0, -f.Credits),
                _ => (0, 0),
            };
            // The inserted row must pass the CHECK on its own (PostgreSQL checks it before detecting the conflict), so the
            // deltas are applied in the update branch; a new row only ever starts with a reservation.
            await using (var account = new NpgsqlCommand("""
                INSERT INTO oos.credit_accounts (tenant_id, period, consumed, reserved, version, updated_at)
                VALUES (@t, @p, GREATEST(@c, 0), GREATEST(@r, 0), @v, @at)
                ON CONFLICT (tenant_id, period) DO UPDATE SET
                    consumed = oos.credit_accounts.consumed + @c,
                    reserved = oos.credit_accounts.reserved + @r,
                    version = EXCLUDED.version,
                    updated_at = EXCLUDED.updated_at
                """, conn, transaction))
            {
                account.Parameters.AddWithValue("t", e.TenantId);
                account.Parameters.AddWithValue("p", period);
                account.Parameters.AddWithValue("c", consumedDelta);
                account.Parameters.AddWithValue("r", reservedDelta);
                account.Parameters.AddWithValue("v", e.Version);
                account.Parameters.AddWithValue("at", e.CreatedAt);
                await account.ExecuteNonQueryAsync(ct);
            }

            await using var cmd = new NpgsqlCommand { Connection = conn, Transaction = transaction };
            cmd.Parameters.AddWithValue("t", e.TenantId);
            cmd.Parameters.AddWithValue("p", period);
            switch (e.Data)
            {
                case CreditsReserved r:
                    cmd.CommandText = """
                        INSERT INTO oos.credit_reservations (tenant_id, id, period, credits, status, reason, created_at, expires_at)
                        VALUES (@t, @id, @p, @credits, 'OPEN', @reason, @at, @exp)
                        """;
                    cmd.Parameters.AddWithValue("id", r.ReservationId);
                    cmd.Parameters.AddWithValue("credits", r.Credits);
                    cmd.Parameters.AddWithValue("reason", r.Reason);
                    cmd.Parameters.AddWithValue("at", r.At);
                    cmd.Parameters.AddWithValue("exp", r.ExpiresAt);
                    break;
                case CreditsSettled s:
                    cmd.CommandText = """
                        UPDATE oos.credit_reservations SET status = 'SETTLED', used = @used, closed_at = @at WHERE tenant_id = @t AND id = @id;
                        INSERT INTO oos.credit_usage_daily (tenant_id, period, day, consumed) VALUES (@t, @p, @day, @used)
                        ON CONFLICT (tenant_id, period, day) DO UPDATE SET consumed = oos.credit_usage_daily.consumed + EXCLUDED.consumed;
                        """;
                    cmd.Parameters.AddWithValue("id", s.ReservationId);
                    cmd.Parameters.AddWithValue("used", s.Used);
                    cmd.Parameters.AddWithValue("at", s.At);
                    cmd.Parameters.AddWithValue("day", DateOnly.FromDateTime(s.At.UtcDateTime));
                    break;
                case CreditsRefunded f:
                    cmd.CommandText = """
                        UPDATE oos.credit_reservations SET status = 'REFUNDED', used = 0, closed_at = @at, close_reason = @reason
                        WHERE tenant_id = @t AND id = @id
                        """;
                    cmd.Parameters.AddWithValue("id", f.ReservationId);
                    cmd.Parameters.AddWithValue("at", f.At);
                    cmd.Parameters.AddWithValue("reason", f.Reason);
                    break;
                case CreditAlertRaised a:
                    cmd.CommandText = """
                        INSERT INTO oos.credit_alerts (tenant_id, period, level, available, allowance, raised_at)
                        VALUES (@t, @p, @level, @available, @allowance, @at)
                        """;
                    cmd.Parameters.AddWithValue("level", LevelName(a.Level));
                    cmd.Parameters.AddWithValue("available", a.Available);
                    cmd.Parameters.AddWithValue("allowance", a.Allowance);
                    cmd.Parameters.AddWithValue("at", a.At);
                    break;
                default:
                    continue;
            }
            await cmd.ExecuteNonQueryAsync(ct);
        }
    }

    public static string LevelName(Contracts.CreditAlertLevel level) => level.ToString().ToUpperInvariant();
}
