using Npgsql;
using OutreachOS.BuildingBlocks.EventStore;

namespace OutreachOS.Ingestion.Subscribing;

/// <summary>
/// <c>oos.ingestion_graph_subscriptions</c>: the Graph subscriptions this service created (id → organization, user), so
/// the webhook accepts their notifications. Written in the transaction that appends the subscription's event. The
/// clientState is not stored: the webhook compares it with the configured value of the subscription's mailbox. Its
/// SHA-256 is, so that the renewer sees when the configured value changed and re-creates the subscription with the new
/// one (Graph keeps sending the clientState a subscription was created with).
/// </summary>
internal static class GraphSubscriptionTable
{
    public static readonly Migration Migration = new(401, "ingestion graph subscriptions", """
        CREATE TABLE oos.ingestion_graph_subscriptions (
            subscription_id text        PRIMARY KEY,
            tenant_id       uuid        NOT NULL,
            user_id         text        NOT NULL,
            expires_at      timestamptz NOT NULL,
            updated_at      timestamptz NOT NULL
        );
        CREATE INDEX ingestion_graph_subscriptions_user ON oos.ingestion_graph_subscriptions (tenant_id, lower(user_id));
        """);

    /// <summary>Rows written before it have no hash: their clientState is taken to be the configured one.</summary>
    public static readonly Migration ClientStateMigration = new(402, "ingestion graph subscription client state hash", """
        ALTER TABLE oos.ingestion_graph_subscriptions ADD COLUMN client_state_sha256 bytea;
        """);

    public static byte[] Fingerprint(string clientState) => System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(clientState));

    /// <summary>Whether the subscription was created with another clientState than <paramref name="clientState"/> (false when unknown).</summary>
    public static async Task<bool> ClientStateChangedAsync(NpgsqlTransaction tx, string subscriptionId, string clientState, CancellationToken ct)
    {
        await using var cmd = new NpgsqlCommand("SELECT client_state_sha256 FROM oos.ingestion_graph_subscriptions WHERE subscription_id = $1", tx.Connection, tx)
        {
            Parameters = { new NpgsqlParameter { Value = subscriptionId } },
        };
        return await cmd.ExecuteScalarAsync(ct) is byte[] stored && !stored.AsSpan().SequenceEqual(Fingerprint(clientState));
    }

    /// <summary>The mailbox's current subscription becomes <paramref name="subscriptionId"/>; rows of earlier ones go.</summary>
    public static async Task SaveAsync(NpgsqlTransaction tx, Guid tenant, string userId, string subscriptionId, DateTimeOffset expiresAt, DateTimeOffset now,
        string clientState, CancellationToken ct)
    {
        await using var batch = new NpgsqlBatch(tx.Connection, tx)
        {
            BatchCommands =
            {
                new NpgsqlBatchCommand("DELETE FROM oos.ingestion_graph_subscriptions WHERE tenant_id = $1 AND lower(user_id) = lower($2) AND subscription_id <> $3")
                {
                    Parameters = { new() { Value = tenant }, new() { Value = userId }, new() { Value = subscriptionId } },
                },
                new NpgsqlBatchCommand("""
                    INSERT INTO oos.ingestion_graph_subscriptions (subscription_id, tenant_id, user_id, expires_at, updated_at, client_state_sha256)
                    VALUES ($1, $2, $3, $4, $5, $6)
                    ON CONFLICT (subscription_id) DO UPDATE SET expires_at = EXCLUDED.expires_at, updated_at = EXCLUDED.updated_at,
                        client_state_sha256 = coalesce(oos.ingestion_graph_subscriptions.client_state_sha256, EXCLUDED.client_state_sha256)
                    """)
                {
                    Parameters =
                    {
                        new() { Value = subscriptionId }, new() { Value = tenant }, new() { Value = userId }, new() { Value = expiresAt }, new() { Value = now },
                        new() { Value = Fingerprint(clientState) },
                    },
                },
            },
        };
        await batch.ExecuteNonQueryAsync(ct);
    }

    /// <summary>The known subscriptions among <paramref name="ids"/>: id → (organization, user id).</summary>
    public static async Task<Dictionary<string, (Guid Tenant, string UserId)>> FindAsync(NpgsqlDataSource dataSource, IReadOnlyCollection<string> ids, CancellationToken ct)
    {
        var found = new Dictionary<string, (Guid, string)>(StringComparer.OrdinalIgnoreCase);
        if (ids.Count == 0)
        {
            return found;
        }
        await using var cmd = dataSource.CreateCommand("SELECT subscription_id, tenant_id, user_id FROM oos.ingestion_graph_subscriptions WHERE subscription_id = ANY($1)");
        cmd.Parameters.Add(new NpgsqlParameter { Value = ids.ToArray() });
        await using var reader = await cmd.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            found[reader.GetString(0)] = (reader.GetGuid(1), reader.GetString(2));
        }
        return found;
    }
}
