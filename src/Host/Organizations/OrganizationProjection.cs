using Npgsql;
using OutreachOS.BuildingBlocks.EventStore;

namespace OutreachOS.Host.Organizations;

/// <summary>
/// Inline projection of organizations and API keys into plain tables: authentication needs an indexed lookup by
/// key hash that is consistent with the write (a revoked key stops working at commit).
/// </summary>
internal sealed class OrganizationProjection : IInlineProjection
{
    public static readonly Migration Migration = new(20, "organizations and api keys", """
        CREATE TABLE oos.organizations (
            id                 uuid        PRIMARY KEY,
            name               text        NOT NULL,
            tier               text        NOT NULL,
            is_platform_admin  boolean     NOT NULL,
            created_at         timestamptz NOT NULL
        );
        CREATE TABLE oos.api_keys (
            key_sha256   text        PRIMARY KEY,
            id           uuid        NOT NULL UNIQUE,
            tenant_id    uuid        NOT NULL REFERENCES oos.organizations(id),
            name         text        NOT NULL,
            prefix       text        NOT NULL,
            created_at   timestamptz NOT NULL,
            revoked_at   timestamptz
        );
        CREATE INDEX api_keys_tenant ON oos.api_keys (tenant_id);
        """);

    /// <summary>Keys that existed before roles could do everything: they stay ADMIN.</summary>
    public static readonly Migration RolesMigration = new(21, "api key roles", """
        ALTER TABLE oos.api_keys ADD COLUMN role text NOT NULL DEFAULT 'ADMIN' CHECK (role IN ('ADMIN', 'MEMBER'));
        """);

    /// <summary>The read-only role (ADR 0025).</summary>
    public static readonly Migration ViewerRoleMigration = new(22, "api key viewer role", """
        ALTER TABLE oos.api_keys DROP CONSTRAINT api_keys_role_check;
        ALTER TABLE oos.api_keys ADD CONSTRAINT api_keys_role_check CHECK (role IN ('ADMIN', 'MEMBER', 'VIEWER'));
        """);

    public IReadOnlyCollection<Type> EventTypes { get; } = [typeof(OrganizationCreated), typeof(ApiKeyIssued), typeof(ApiKeyIssuedV2), typeof(ApiKeyRevoked)];

    public async Task ApplyAsync(NpgsqlTransaction transaction, IReadOnlyList<StoredEvent> events, CancellationToken ct)
    {
        foreach (var e in events)
        {
            await using var cmd = transaction.Connection!.CreateCommand();
            cmd.Transaction = transaction;
            switch (e.Data)
            {
                case OrganizationCreated o:
                    cmd.CommandText = "INSERT INTO oos.organizations (id, name, tier, is_platform_admin, created_at) VALUES (@id, @n, @tier, @admin, @at)";
                    cmd.Parameters.AddWithValue("id", o.OrganizationId);
                    cmd.Parameters.AddWithValue("n", o.Name);
                    cmd.Parameters.AddWithValue("tier", o.Tier.ToString().ToUpperInvariant());
                    cmd.Parameters.AddWithValue("admin", o.IsPlatformAdmin);
                    cmd.Parameters.AddWithValue("at", o.At);
                    break;
                case ApiKeyIssued k:
                    InsertKey(cmd, k.KeyId, k.OrganizationId, k.Name, k.Prefix, k.KeySha256, k.At, k.EffectiveRole);
                    break;
                case ApiKeyIssuedV2 k:
                    InsertKey(cmd, k.KeyId, k.OrganizationId, k.Name, k.Prefix, k.Verifier, k.At, k.Role);
                    break;
                case ApiKeyRevoked r:
                    cmd.CommandText = "UPDATE oos.api_keys SET revoked_at = @at WHERE id = @id AND tenant_id = @t AND revoked_at IS NULL";
                    cmd.Parameters.AddWithValue("id", r.KeyId);
                    cmd.Parameters.AddWithValue("t", r.OrganizationId);
                    cmd.Parameters.AddWithValue("at", r.At);
                    break;
                default:
                    continue;
            }
            await cmd.ExecuteNonQueryAsync(ct);
        }
    }

    /// <summary>v1's SHA-256 and v2's keyed hash share the verifier column (ADR 0009): the prefixes of the two never collide.</summary>
    private static void InsertKey(NpgsqlCommand cmd, Guid id, Guid tenantId, string name, string prefix, string verifier, DateTimeOffset at, ApiKeyRole role)
    {
        cmd.CommandText = "INSERT INTO oos.api_keys (verifier, id, tenant_id, name, prefix, created_at, role) VALUES (@h, @id, @t, @n, @p, @at, @role)";
        cmd.Parameters.AddWithValue("h", verifier);
        cmd.Parameters.AddWithValue("id", id);
        cmd.Parameters.AddWithValue("t", tenantId);
        cmd.Parameters.AddWithValue("n", name);
        cmd.Parameters.AddWithValue("p", prefix);
        cmd.Parameters.AddWithValue("at", at);
        cmd.Parameters.AddWithValue("role", ApiKeyRoles.ToText(role));
    }
}
