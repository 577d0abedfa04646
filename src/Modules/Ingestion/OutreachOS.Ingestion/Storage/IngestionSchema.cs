using OutreachOS.BuildingBlocks.EventStore;

namespace OutreachOS.Ingestion.Storage;

/// <summary>The Ingestion module's own tables (migration ids 400-409 are reserved for this module).</summary>
internal static class IngestionSchema
{
    public static readonly Migration Migration = new(400, "ingestion outbound sends, contacts, mailbox cursors", """
        CREATE TABLE oos.ingestion_outbound_sends (
            tenant_id     uuid        NOT NULL,
            message_id    text        NOT NULL,
            request_id    uuid        NOT NULL,
            channel       text        NOT NULL,
            variant_index integer     NOT NULL,
            sent_at       timestamptz NOT NULL,
            PRIMARY KEY (tenant_id, message_id)
        );
        CREATE INDEX ingestion_outbound_sends_request ON oos.ingestion_outbound_sends (tenant_id, request_id);
        CREATE TABLE oos.ingestion_contacts (
            tenant_id   uuid        NOT NULL,
            email       text        NOT NULL,
            name        text,
            company     text,
            vip         boolean     NOT NULL DEFAULT false,
            tags        text[]      NOT NULL DEFAULT '{}',
            updated_at  timestamptz NOT NULL,
            PRIMARY KEY (tenant_id, email)
        );
        CREATE TABLE oos.ingestion_mailbox_cursors (
            tenant_id   uuid        NOT NULL,
            source      text        NOT NULL,
            mailbox     text        NOT NULL,
            cursor      text        NOT NULL,
            updated_at  timestamptz NOT NULL,
            PRIMARY KEY (tenant_id, source, mailbox)
        );
        """);

    /// <summary>
    /// When the read that stored a mailbox's cursor began, if it read to the end of the changes (null: not known — a
    /// cursor written before this column, or by a bounded read). Where a Gmail catch-up starts (ADR 0027 addendum).
    /// </summary>
    public static readonly Migration CursorSyncedAtMigration = new(404, "ingestion mailbox cursor synced_at",
        "ALTER TABLE oos.ingestion_mailbox_cursors ADD COLUMN synced_at timestamptz");
}
