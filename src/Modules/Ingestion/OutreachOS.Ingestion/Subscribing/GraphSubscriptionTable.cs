using Npgsql;
using OutreachOS.BuildingBlocks.EventStore;

namespace OutreachOS.Ingestion.Subscribing;

/// <summary>
/// <c>oos.ingestion_graph_subscriptions</c>: the Graph subscriptions this service created (id → organization, user), so
/// the webhook accepts their notifications. Written in the transaction that appends the subscription's event. The
/// clientState is not stored: the webhook compares it with the configured value of the subscription's mailbox.
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

    /// <summary>The mailbox's current subscription becomes <paramref name="subscriptionId"/>; rows of earlier ones go.</summary>
    public static async Task SaveAsync(NpgsqlTransaction tx, Guid tenant, string userId, string subscriptionId, DateTimeOffset expiresAt, DateTimeOffset now, CancellationToken ct)
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
                    INSERT INTO oos.ingestion_graph_subscriptions (subscription_id, tenant_id, user_id, expires_at, updated_at) VALUES ($1, $2, $3, $4, $5)
                    ON CONFLICT (subscription_id) DO UPDATE SET expires_at = EXCLUDED.expires_at, updated_at = EXCLUDED.updated_at
                    """)
                {
                    Parameters = { new() { Value = subscriptionId }, new() { Value = tenant }, new() { Value = userId }, new() { Value = expiresAt }, new() { Value = now } },
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
