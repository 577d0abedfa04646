using Npgsql;
using OutreachOS.BuildingBlocks.EventStore;

namespace OutreachOS.Host.Organizations;

internal sealed record OrganizationView(Guid Id, string Name, Tier Tier, bool IsPlatformAdmin, DateTimeOffset CreatedAt);

internal sealed record ApiKeyView(Guid Id, string Name, string Prefix, ApiKeyRole Role, DateTimeOffset CreatedAt, DateTimeOffset? RevokedAt);

internal sealed record AuthenticatedKey(Guid KeyId, Guid TenantId, bool IsPlatformAdmin, ApiKeyRole Role);

/// <summary>Why a key was not revoked.</summary>
internal enum RevokeOutcome
{
    Revoked,
    NotFound,
    LastAdmin,
}

internal sealed record IssuedKey(ApiKeyView Key, string Secret);

/// <summary>Organizations and their API keys: commands append events, reads use the inline-projected tables.</summary>
internal sealed class OrganizationService(IEventStore store, NpgsqlDataSource dataSource, TimeProvider clock, ApiKeyVerifier verifier, ApiKeyCache cache)
{
    public async Task<(OrganizationView Organization, IssuedKey Key)> CreateAsync(string name, Tier tier, bool platformAdmin, CancellationToken ct,
        Guid? id = null, string? keySecret = null)
    {
        var orgId = id ?? Guid.CreateVersion7();
        var now = clock.GetUtcNow();
        var secret = keySecret ?? ApiKeys.Generate();
        var issued = await IssuedAsync(orgId, "default", secret, ApiKeyRole.Admin, now, ct);
        await store.AppendAsync(orgId, OrganizationStreams.For(orgId), OrganizationStreams.Type, ExpectedVersion.NoStream,
        [
            EventToAppend.Create(new OrganizationCreated(orgId, name, tier, platformAdmin, now)),
            new EventToAppend(issued.KeyId, issued),
        ], ct);
        return (new OrganizationView(orgId, name, tier, platformAdmin, now),
            new IssuedKey(new ApiKeyView(issued.KeyId, issued.Name, issued.Prefix, ApiKeyRole.Admin, now, null), secret));
    }

    public async Task<IssuedKey> IssueKeyAsync(Guid tenantId, string name, ApiKeyRole role, CancellationToken ct, string? secret = null)
    {
        secret ??= ApiKeys.Generate();
        var now = clock.GetUtcNow();
        var issued = await IssuedAsync(tenantId, name, secret, role, now, ct);
        await store.AppendAsync(tenantId, OrganizationStreams.For(tenantId), OrganizationStreams.Type, ExpectedVersion.Any,
            [new EventToAppend(issued.KeyId, issued)], ct);
        return new IssuedKey(new ApiKeyView(issued.KeyId, name, issued.Prefix, role, now, null), secret);
    }

    /// <summary>The event id is the key id, derived from the key, so that re-issuing the same bootstrap key is an idempotent no-op.</summary>
    private async Task<ApiKeyIssuedV2> IssuedAsync(Guid tenantId, string name, string secret, ApiKeyRole role, DateTimeOffset now, CancellationToken ct) =>
        new(await verifier.KeyIdAsync(tenantId, secret, ct), tenantId, name, ApiKeys.Prefix(secret), await verifier.VerifierAsync(secret, ct), now, role);

    /// <summary>
    /// The organization's key that <paramref name="secret"/> is, revoked or not, whichever way it was stored, and whether it
    /// was stored as v1's unsalted SHA-256.
    /// </summary>
    public async Task<(ApiKeyView Key, bool Legacy)?> FindKeyAsync(Guid tenantId, string secret, CancellationToken ct)
    {
        await using var cmd = dataSource.CreateCommand(
            "SELECT id, name, prefix, role, created_at, revoked_at, verifier FROM oos.api_keys WHERE tenant_id = @t AND verifier = ANY(@h)");
        cmd.Parameters.AddWithValue("t", tenantId);
        cmd.Parameters.AddWithValue("h", await verifier.CandidatesAsync(secret, ct));
        await using var r = await cmd.ExecuteReaderAsync(ct);
        return await r.ReadAsync(ct)
            ? (new ApiKeyView(r.GetGuid(0), r.GetString(1), r.GetString(2), ApiKeyRoles.Parse(r.GetString(3)), r.GetFieldValue<DateTimeOffset>(4),
                r.IsDBNull(5) ? null : r.GetFieldValue<DateTimeOffset>(5)), !r.GetString(6).StartsWith(ApiKeyVerifier.Scheme, StringComparison.Ordinal))
            : null;
    }

    /// <summary>
    /// Revokes a key of the organization, unless it is its last active ADMIN key (the organization could then never change
    /// its settings or keys again). The check and the revocation hold against concurrent revocations: the append expects
    /// the organization stream's version read before the keys, so two revocations of the last two ADMIN keys cannot both pass.
    /// </summary>
    public async Task<RevokeOutcome> RevokeKeyAsync(Guid tenantId, Guid keyId, CancellationToken ct)
    {
        var stream = OrganizationStreams.For(tenantId);
        for (var attempt = 1; ; attempt++)
        {
            var version = (await store.GetStreamAsync(tenantId, stream, ct))?.Version;
            var keys = await ListKeysAsync(tenantId, ct);
            var key = keys.FirstOrDefault(k => k.Id == keyId);
            if (key is null || version is null)
            {
                return RevokeOutcome.NotFound; // another organization's key looks exactly like a missing one
            }
            if (key.RevokedAt is not null)
            {
                return RevokeOutcome.Revoked;
            }
            if (key.Role == ApiKeyRole.Admin && !keys.Any(k => k.Id != keyId && k.Role == ApiKeyRole.Admin && k.RevokedAt is null))
            {
                return RevokeOutcome.LastAdmin;
            }
            try
            {
                await store.AppendAsync(tenantId, stream, OrganizationStreams.Type, ExpectedVersion.Exactly(version.Value),
                    [EventToAppend.Create(new ApiKeyRevoked(keyId, tenantId, clock.GetUtcNow()))], ct);
                // This host forgets before it answers; the trigger's notification tells the others (and this one, again).
                cache.Invalidate();
                return RevokeOutcome.Revoked;
            }
            catch (ConcurrencyException) when (attempt < 5)
            {
                // The organization changed in between (a key issued or revoked): decide again on what it is now.
            }
        }
    }

    public async Task<IReadOnlyList<ApiKeyView>> ListKeysAsync(Guid tenantId, CancellationToken ct)
    {
        await using var cmd = dataSource.CreateCommand(
            "SELECT id, name, prefix, role, created_at, revoked_at FROM oos.api_keys WHERE tenant_id = @t ORDER BY created_at, id");
        cmd.Parameters.AddWithValue("t", tenantId);
        var list = new List<ApiKeyView>();
        await using var r = await cmd.ExecuteReaderAsync(ct);
        while (await r.ReadAsync(ct))
        {
            list.Add(new ApiKeyView(r.GetGuid(0), r.GetString(1), r.GetString(2), ApiKeyRoles.Parse(r.GetString(3)), r.GetFieldValue<DateTimeOffset>(4),
                r.IsDBNull(5) ? null : r.GetFieldValue<DateTimeOffset>(5)));
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
        // A key authenticated a moment ago is answered from the cache, which forgets at every change of the key table
        // committed on any host (ApiKeyCache). Otherwise one primary-key lookup; keys issued before keyed hashes
        // (api_key_issued.v1) are found by their SHA-256: two primary-key probes.
        var keyed = await verifier.VerifierAsync(presentedKey, ct);
        if (cache.TryGet(keyed, out var cached))
        {
            return cached;
        }
        var generation = cache.Generation;
        await using var cmd = dataSource.CreateCommand("""
            SELECT k.id, k.tenant_id, o.is_platform_admin, k.role FROM oos.api_keys k JOIN oos.organizations o ON o.id = k.tenant_id
            WHERE k.verifier = ANY(@h) AND k.revoked_at IS NULL
            """);
        cmd.Parameters.AddWithValue("h", ApiKeyVerifier.Candidates(keyed, presentedKey));
        await using var r = await cmd.ExecuteReaderAsync(ct);
        if (!await r.ReadAsync(ct))
        {
            return null;
        }
        var found = new AuthenticatedKey(r.GetGuid(0), r.GetGuid(1), r.GetBoolean(2), ApiKeyRoles.Parse(r.GetString(3)));
        cache.Add(keyed, found, generation);
        return found;
    }
}
