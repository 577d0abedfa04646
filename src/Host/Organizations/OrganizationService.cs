using Npgsql;
using OutreachOS.BuildingBlocks.EventStore;

namespace OutreachOS.Host.Organizations;

internal sealed record OrganizationView(Guid Id, string Name, Tier Tier, bool IsPlatformAdmin, DateTimeOffset CreatedAt);

internal sealed record ApiKeyView(Guid Id, string Name, string Prefix, DateTimeOffset CreatedAt, DateTimeOffset? RevokedAt);

internal sealed record AuthenticatedKey(Guid KeyId, Guid TenantId, bool IsPlatformAdmin);

internal sealed record IssuedKey(ApiKeyView Key, string Secret);

/// <summary>Organizations and their API keys: commands append events, reads use the inline-projected tables.</summary>
internal sealed class OrganizationService(IEventStore store, NpgsqlDataSource dataSource, TimeProvider clock)
{
    public async Task<(OrganizationView Organization, IssuedKey Key)> CreateAsync(string name, Tier tier, bool platformAdmin, CancellationToken ct,
        Guid? id = null, string? keySecret = null)
    {
        var orgId = id ?? Guid.CreateVersion7();
        var now = clock.GetUtcNow();
        var secret = keySecret ?? ApiKeys.Generate();
        var issued = new ApiKeyIssued(DeterministicKeyId(orgId, secret), orgId, "default", ApiKeys.Prefix(secret), ApiKeys.Hash(secret), now);
        await store.AppendAsync(orgId, OrganizationStreams.For(orgId), OrganizationStreams.Type, ExpectedVersion.NoStream,
        [
            EventToAppend.Create(new OrganizationCreated(orgId, name, tier, platformAdmin, now)),
            new EventToAppend(issued.KeyId, issued),
        ], ct);
        return (new OrganizationView(orgId, name, tier, platformAdmin, now),
            new IssuedKey(new ApiKeyView(issued.KeyId, issued.Name, issued.Prefix, now, null), secret));
    }

    public async Task<IssuedKey> IssueKeyAsync(Guid tenantId, string name, CancellationToken ct, string? secret = null)
    {
        secret ??= ApiKeys.Generate();
        var now = clock.GetUtcNow();
        // The event id is derived from the key so that re-issuing the same bootstrap key is an idempotent no-op.
        var issued = new ApiKeyIssued(DeterministicKeyId(tenantId, secret), tenantId, name, ApiKeys.Prefix(secret), ApiKeys.Hash(secret), now);
        await store.AppendAsync(tenantId, OrganizationStreams.For(tenantId), OrganizationStreams.Type, ExpectedVersion.Any,
            [new EventToAppend(issued.KeyId, issued)], ct);
        return new IssuedKey(new ApiKeyView(issued.KeyId, name, issued.Prefix, now, null), secret);
    }

    public async Task<bool> RevokeKeyAsync(Guid tenantId, Guid keyId, CancellationToken ct)
    {
        var keys = await ListKeysAsync(tenantId, ct);
        var key = keys.FirstOrDefault(k => k.Id == keyId);
        if (key is null)
        {
            return false; // another organization's key looks exactly like a missing one
        }
        if (key.RevokedAt is null)
        {
            await store.AppendAsync(tenantId, OrganizationStreams.For(tenantId), OrganizationStreams.Type, ExpectedVersion.Any,
                [EventToAppend.Create(new ApiKeyRevoked(keyId, tenantId, clock.GetUtcNow()))], ct);
        }
        return true;
    }

    public async Task<IReadOnlyList<ApiKeyView>> ListKeysAsync(Guid tenantId, CancellationToken ct)
    {
        await using var cmd = dataSource.CreateCommand(
            "SELECT id, name, prefix, created_at, revoked_at FROM oos.api_keys WHERE tenant_id = @t ORDER BY created_at, id");
        cmd.Parameters.AddWithValue("t", tenantId);
        var list = new List<ApiKeyView>();
        await using var r = await cmd.ExecuteReaderAsync(ct);
        while (await r.ReadAsync(ct))
        {
            list.Add(new ApiKeyView(r.GetGuid(0), r.GetString(1), r.GetString(2), r.GetFieldValue<DateTimeOffset>(3),
                r.IsDBNull(4) ? null : r.GetFieldValue<DateTimeOffset>(4)));
        }
        return list;
    }

    public async Task<OrganizationView?> GetAsync(Guid tenantId, CancellationToken ct)
    {
        await using var cmd = dataSource.CreateCommand("SELECT id, name, tier, is_platform_admin, created_at FROM oos.organizations WHERE id = @id");
        cmd.Parameters.AddWithValue("id", tenantId);
        await using var r = await cmd.ExecuteReaderAsync(ct);
        return await r.ReadAsync(ct)
            ? new OrganizationView(r.GetGuid(0), r.GetString(1), Enum.Parse<Tier>(r.GetString(2), ignoreCase: true), r.GetBoolean(3), r.GetFieldValue<DateTimeOffset>(4))
            : null;
    }

    public async Task<bool> AnyOrganizationAsync(CancellationToken ct)
    {
        await using var cmd = dataSource.CreateCommand("SELECT EXISTS (SELECT 1 FROM oos.organizations)");
        return (bool)(await cmd.ExecuteScalarAsync(ct))!;
    }

    public async Task<AuthenticatedKey?> AuthenticateAsync(string presentedKey, CancellationToken ct)
    {
        // No cache on purpose: one primary-key lookup per request, and a revoked key stops working at commit on every host.
        var hash = ApiKeys.Hash(presentedKey);
        await using var cmd = dataSource.CreateCommand("""
            SELECT k.id, k.tenant_id, o.is_platform_admin FROM oos.api_keys k JOIN oos.organizations o ON o.id = k.tenant_id
            WHERE k.key_sha256 = @h AND k.revoked_at IS NULL
            """);
        cmd.Parameters.AddWithValue("h", hash);
        await using var r = await cmd.ExecuteReaderAsync(ct);
        return await r.ReadAsync(ct) ? new AuthenticatedKey(r.GetGuid(0), r.GetGuid(1), r.GetBoolean(2)) : null;
    }

    internal static Guid DeterministicKeyId(Guid orgId, string secret)
    {
        var bytes = System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes($"{orgId:N}:{secret}"));
        bytes[6] = (byte)((bytes[6] & 0x0F) | 0x80); // version 8 (custom), variant RFC 4122
        bytes[8] = (byte)((bytes[8] & 0x3F) | 0x80);
        return new Guid(bytes.AsSpan(0, 16), bigEndian: true);
    }
}
