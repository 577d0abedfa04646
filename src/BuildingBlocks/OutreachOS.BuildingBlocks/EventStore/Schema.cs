using Microsoft.Extensions.Logging;
using Npgsql;

namespace OutreachOS.BuildingBlocks.EventStore;

/// <summary>
/// Creates and migrates the store's schema at start-up. Idempotent and safe when several hosts start at once:
/// migrations run under a transaction-level advisory lock and are recorded by number.
/// Modules add their own numbered migrations (ids are global and must never be reused or edited once shipped).
/// </summary>
public sealed class SchemaMigrator(NpgsqlDataSource dataSource, IEnumerable<Migration> migrations, ILogger<SchemaMigrator> logger)
{
    private const long MigrationLockKey = 0x0051_5365_6D61; // arbitrary constant shared by every host

    public async Task MigrateAsync(CancellationToken ct = default)
    {
        var all = CoreMigrations.All.Concat(migrations).OrderBy(m => m.Id).ToList();
        var dupes = all.GroupBy(m => m.Id).Where(g => g.Count() > 1).Select(g => g.Key).ToList();
        if (dupes.Count > 0)
        {
            throw new InvalidOperationException($"Duplicate migration ids: {string.Join(", ", dupes)}");
        }

        await using var conn = await dataSource.OpenConnectionAsync(ct);
        await using var tx = await conn.BeginTransactionAsync(ct);
        await using (var lockCmd = new NpgsqlCommand("SELECT pg_advisory_xact_lock(@k)", conn, tx))
        {
            lockCmd.Parameters.AddWithValue("k", MigrationLockKey);
            await lockCmd.ExecuteNonQueryAsync(ct);
        }
        await using (var boot = new NpgsqlCommand(
            "CREATE SCHEMA IF NOT EXISTS oos; CREATE TABLE IF NOT EXISTS oos.schema_migrations (id int PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())",
            conn, tx))
        {
            await boot.ExecuteNonQueryAsync(ct);
        }
        var applied = new HashSet<int>();
        await using (var read = new NpgsqlCommand("SELECT id FROM oos.schema_migrations", conn, tx))
        await using (var r = await read.ExecuteReaderAsync(ct))
        {
            while (await r.ReadAsync(ct))
            {
                applied.Add(r.GetInt32(0));
            }
        }
        foreach (var m in all.Where(m => !applied.Contains(m.Id)))
        {
            logger.LogInformation("Applying schema migration {MigrationId} {MigrationName}", m.Id, m.Name);
            await using var cmd = new NpgsqlCommand(m.Sql, conn, tx);
            await cmd.ExecuteNonQueryAsync(ct);
            await using var rec = new NpgsqlCommand("INSERT INTO oos.schema_migrations(id, name) VALUES (@id, @n)", conn, tx);
            rec.Parameters.AddWithValue("id", m.Id);
            rec.Parameters.AddWithValue("n", m.Name);
            await rec.ExecuteNonQueryAsync(ct);
        }
        await tx.CommitAsync(ct);
    }
}

/// <summary>A numbered, append-only schema change.</summary>
public sealed record Migration(int Id, string Name, string Sql);

internal static class CoreMigrations
{
    public static readonly Migration[] All =
    [
        new(1, "event store", """
            CREATE TABLE oos.streams (
                tenant_id   uuid        NOT NULL,
                id          text        NOT NULL,
                type        text        NOT NULL,
                version     bigint      NOT NULL,
                last_hash   bytea,
                created_at  timestamptz NOT NULL,
                updated_at  timestamptz NOT NULL,
                archived    boolean     NOT NULL DEFAULT false,
                PRIMARY KEY (tenant_id, id)
            );
            CREATE INDEX streams_type_created ON oos.streams (tenant_id, type, created_at);
            CREATE TABLE oos.events (
                seq         bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
                id          uuid        NOT NULL,
                tenant_id   uuid        NOT NULL,
                stream_id   text        NOT NULL,
                version     bigint      NOT NULL,
                type        text        NOT NULL,
                data        jsonb       NOT NULL,
                metadata    jsonb       NOT NULL,
                created_at  timestamptz NOT NULL,
                tx          xid8        NOT NULL DEFAULT pg_current_xact_id(),
                hash        bytea       NOT NULL,
                CONSTRAINT events_stream_version UNIQUE (tenant_id, stream_id, version),
                CONSTRAINT events_version_positive CHECK (version > 0)
            );
            CREATE UNIQUE INDEX events_id ON oos.events (id);
            CREATE INDEX events_tx_seq ON oos.events (tx, seq);
            CREATE INDEX events_tenant_type_created ON oos.events (tenant_id, type, created_at);
            CREATE TABLE oos.checkpoints (
                name        text        PRIMARY KEY,
                tx          xid8        NOT NULL,
                seq         bigint      NOT NULL,
                updated_at  timestamptz NOT NULL DEFAULT now()
            );
            CREATE TABLE oos.documents (
                tenant_id   uuid        NOT NULL,
                type        text        NOT NULL,
                id          text        NOT NULL,
                data        jsonb       NOT NULL,
                version     bigint      NOT NULL DEFAULT 1,
                updated_at  timestamptz NOT NULL DEFAULT now(),
                PRIMARY KEY (tenant_id, type, id)
            );
            CREATE INDEX documents_data ON oos.documents USING gin (data jsonb_path_ops);
            CREATE TABLE oos.inbox (
                consumer     text        NOT NULL,
                message_id   uuid        NOT NULL,
                tenant_id    uuid,
                processed_at timestamptz NOT NULL DEFAULT now(),
                PRIMARY KEY (consumer, message_id)
            );
            """),
        // A guard for batches that end in COMMIT (one round trip instead of two): a conditional write whose row count is
        // zero raises instead, so the transaction aborts and the COMMIT after it only ends the failed transaction.
        new(2, "commit guards", """
            CREATE FUNCTION oos.require_rows(affected bigint, code text, message text) RETURNS bigint
            LANGUAGE plpgsql AS $$
            BEGIN
                IF affected = 0 THEN
                    RAISE EXCEPTION USING ERRCODE = code, MESSAGE = message;
                END IF;
                RETURN affected;
            END
            $$;
            """),
        // Documents were indexed whole (GIN, jsonb_path_ops) for one kind of query, "status = x"; every write of a large
        // read model (a personalization record: prompts, outputs, verdicts) re-indexed each of its paths, the costliest
        // statement of the personalize benchmark once the log probe was fixed. A btree on the status alone serves it,
        // partial so that documents without a status (most of them) are not in it, and so that the planner never takes it
        // for a key lookup by (tenant, type, id): it has the primary key's prefix and is smaller.
        new(3, "documents indexed by status", """
            DROP INDEX IF EXISTS oos.documents_data;
            CREATE INDEX documents_status ON oos.documents (tenant_id, type, (data -> 'status')) WHERE data ? 'status';
            """),
        // No query of the product reads the log by (tenant, type, time): reads go by stream or by log position, and the
        // dashboard reads projections (ADR 0014). The index cost one more index entry for every event appended.
        new(4, "events not indexed by type", """
            DROP INDEX IF EXISTS oos.events_tenant_type_created;
            """),
        // Erasure of personal data (ADR 0030): an erased event keeps its row, position and stored hash; its type becomes
        // erased.v1 and its payload names the erasure. This table is the record the verifier needs to accept that link.
        new(5, "event erasures", """
            CREATE TABLE oos.event_erasures (
                event_id      uuid        PRIMARY KEY,
                tenant_id     uuid        NOT NULL,
                stream_id     text        NOT NULL,
                version       bigint      NOT NULL,
                original_type text        NOT NULL,
                erasure_id    uuid        NOT NULL,
                erased_at     timestamptz NOT NULL
            );
            CREATE INDEX event_erasures_stream ON oos.event_erasures (tenant_id, stream_id);
            """),
        // Events a projection failed on repeatedly and stepped over (SubscriptionOptions.ParkAfterFailures), so that one
        // bad event does not stop a read model for every organization. A rebuild of the projection clears its rows.
        new(6, "parked events", """
            CREATE TABLE oos.parked_events (
                subscription text        NOT NULL,
                tx           xid8        NOT NULL,
                seq          bigint      NOT NULL,
                event_id     uuid        NOT NULL,
                tenant_id    uuid        NOT NULL,
                stream_id    text        NOT NULL,
                event_type   text        NOT NULL,
                error        text        NOT NULL,
                attempts     int         NOT NULL,
                parked_at    timestamptz NOT NULL,
                PRIMARY KEY (subscription, seq)
            );
            """),
        // Per-stream order in the log (ADR 0003 addendum): the log is read in transaction-id order, so a transaction that
        // took its id before another one appended to the same stream must not append after it. Each stream row keeps the
        // id of its last appender; a head update from an older transaction is refused as a serialization failure (40001),
        // which callers retry in a new transaction (a newer id). The head updates compare in plain SQL and call this
        // function only to refuse (a PL/pgSQL call on every update cost measurable time).
        new(7, "stream appenders in transaction order", """
            ALTER TABLE oos.streams ADD COLUMN last_tx xid8;
            CREATE FUNCTION oos.stream_order_refused(last xid8) RETURNS xid8
            LANGUAGE plpgsql AS $$
            BEGIN
                RAISE EXCEPTION USING ERRCODE = '40001',
                    MESSAGE = 'a newer transaction appended to this stream first; retry in a new transaction',
                    DETAIL = format('The stream''s last appender was transaction %s, this is %s: appending now would put the stream''s next version before its previous one in the log.',
                                    last, pg_current_xact_id());
            END
            $$;
            """),
        // A projection's failures on one event are counted in its checkpoint row, not in the process: a takeover or a
        // restart goes on counting towards Projections:ParkAfterFailures instead of starting again (ADR 0003 addendum).
        // Every checkpoint move clears them.
        new(8, "subscription failure counts", """
            ALTER TABLE oos.checkpoints
                ADD COLUMN failing_tx  xid8,
                ADD COLUMN failing_seq bigint,
                ADD COLUMN failures    int NOT NULL DEFAULT 0;
            """),
    ];
}

/// <summary>
/// For batches that end in COMMIT (one round trip instead of two): the conditional write before it is guarded by
/// <c>oos.require_rows</c> (core migration 2), so a write that touches no row raises, the transaction aborts, and the
/// COMMIT only ends the failed transaction.
/// </summary>
internal static class CommitGuards
{
    /// <summary>Raised for a checkpoint that another runner moved (SQLSTATE, class "OO").</summary>
    public const string CheckpointMoved = "OOC01";

    /// <summary>Raised for a message already recorded in a consumer's inbox.</summary>
    public const string InboxTaken = "OOI01";

    /// <summary><paramref name="write"/> (an INSERT or UPDATE without RETURNING) as one statement that raises <paramref name="code"/> when it touches no row.</summary>
    public static string RequireRows(string write, string code, string message) => $"""
        WITH written AS ({write} RETURNING 1)
        SELECT oos.require_rows((SELECT count(*) FROM written), '{code}', '{message}')
        """;
}
