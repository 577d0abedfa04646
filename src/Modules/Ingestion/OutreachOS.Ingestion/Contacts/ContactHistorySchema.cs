using OutreachOS.BuildingBlocks.EventStore;

namespace OutreachOS.Ingestion.Contacts;

/// <summary>
/// Migration 420 (420-429 reserved for the contact history): the history read model and the CSV import's optional
/// last-deal / last-ticket columns.
/// </summary>
internal static class ContactHistorySchema
{
    public static readonly Migration Migration = new(420, "ingestion contact history", """
        CREATE TABLE oos.ingestion_contact_history (
            tenant_id   uuid        NOT NULL,
            email       text        NOT NULL,
            ref         text        NOT NULL,
            kind        text        NOT NULL,
            summary     text        NOT NULL,
            at          timestamptz NOT NULL,
            PRIMARY KEY (tenant_id, email, ref)
        );
        CREATE INDEX ingestion_contact_history_recent ON oos.ingestion_contact_history (tenant_id, email, at DESC);
        ALTER TABLE oos.ingestion_contacts
            ADD COLUMN last_deal      text,
            ADD COLUMN last_deal_at   timestamptz,
            ADD COLUMN last_ticket    text,
            ADD COLUMN last_ticket_at timestamptz;
        """);

    public const string Truncate = "TRUNCATE oos.ingestion_contact_history";
}
