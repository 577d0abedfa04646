using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Npgsql;
using OutreachOS.BuildingBlocks.EventStore;
using OutreachOS.BuildingBlocks.Security;

namespace OutreachOS.Ingestion.Crm;

// Per-organization CRM settings (ADR 0032, on the model of ADR 0017). The facts go to the organization's `crm-settings`
// stream; the access token, which reads and writes the organization's whole CRM account, lives only in
// oos.ingestion_crm_credentials, written in the same transaction. The event log is immutable, hash-chained and served by the
// audit endpoints and `audit export`, so the token may never enter it, not even encrypted. In the table it is encrypted with
// the deployment's key when one is configured (SecretProtector, ADR 0023).

/// <summary>
/// An organization set (or replaced) its CRM settings: the provider, the API's host (null: the deployment's
/// <c>Crm:HubSpot:BaseUrl</c>) and whether the token changed. Never the token.
/// </summary>
[EventName("ingestion_crm_settings_set.v1")]
internal sealed record IngestionCrmSettingsSet(string Provider, string? BaseHost, bool AccessTokenChanged, string SetBy, DateTimeOffset At);

/// <summary>An organization removed its CRM settings: it has no CRM any more, unless the deployment's account applies to it.</summary>
[EventName("ingestion_crm_settings_removed.v1")]
internal sealed record IngestionCrmSettingsRemoved(string RemovedBy, DateTimeOffset At);

internal static class CrmSettingsStreams
{
    public const string StreamId = "crm-settings";
    public const string StreamType = "crm_settings";
    public const string HubSpot = "HUBSPOT";
    public static readonly Type[] EventTypes = [typeof(IngestionCrmSettingsSet), typeof(IngestionCrmSettingsRemoved)];
}

/// <summary>An organization's own CRM settings as stored (token included: never serialized to a client nor logged).</summary>
/// <param name="BaseUrl">The organization's API base URL; null = the deployment's <c>Crm:HubSpot:BaseUrl</c>.</param>
internal sealed record OrganizationCrmSettings(string Provider, Uri? BaseUrl, string AccessToken, string UpdatedBy, DateTimeOffset UpdatedAt)
{
    public override string ToString() => $"OrganizationCrmSettings {{ Provider = {Provider}, BaseUrl = {BaseUrl}, UpdatedBy = {UpdatedBy}, UpdatedAt = {UpdatedAt:O} }}";
}

/// <summary>
/// <c>oos.ingestion_crm_credentials</c>: one row per organization, every query keyed by the tenant. Writes go through
/// <see cref="SetAsync"/>/<see cref="RemoveAsync"/>, which append the matching event in the same transaction. The token is
/// stored through <see cref="SecretProtector"/>, bound to the organization and the column.
/// </summary>
internal sealed class CrmSettingsStore(NpgsqlDataSource dataSource, IEventStore store, SecretProtector secrets) : IProtectedSecretsTable
{
    /// <summary>Whether the token is encrypted at rest (a key is configured).</summary>
    public bool EncryptedAtRest => secrets.Enabled;

    private static string TokenContext(Guid tenantId) => $"ingestion_crm_credentials.access_token:{tenantId:D}";

    public static readonly Migration Migration = new(421, "ingestion per-organization crm credentials", """
        CREATE TABLE oos.ingestion_crm_credentials (
            tenant_id    uuid        PRIMARY KEY,
            provider     text        NOT NULL,
            base_url     text,
            access_token text        NOT NULL,
            updated_by   text        NOT NULL,
            updated_at   timestamptz NOT NULL
        );
        """);

    public async Task<OrganizationCrmSettings?> GetAsync(Guid tenantId, CancellationToken ct)
    {
        await using var cmd = dataSource.CreateCommand(SelectQuery);
        cmd.Parameters.AddWithValue("t", tenantId);
        return await ReadAsync(cmd, tenantId, ct);
    }

    /// <summary>Sets the organization's settings; a null token keeps the stored one (null when none is stored any more).</summary>
    public async Task<OrganizationCrmSettings?> SetAsync(Guid tenantId, string provider, Uri? baseUrl, string? accessToken, string by, DateTimeOffset now,
        CancellationToken ct)
    {
        await using var conn = await dataSource.OpenConnectionAsync(ct);
        await using var tx = await conn.BeginTransactionAsync(ct);
        var current = await LockAsync(tx, tenantId, ct);
        var token = accessToken ?? current?.AccessToken;
        if (token is null)
        {
            return null;
        }

        await using (var upsert = new NpgsqlCommand("""
            INSERT INTO oos.ingestion_crm_credentials (tenant_id, provider, base_url, access_token, updated_by, updated_at)
            VALUES (@t, @p, @u, @s, @b, @a)
            ON CONFLICT (tenant_id) DO UPDATE SET provider = EXCLUDED.provider, base_url = EXCLUDED.base_url,
                access_token = EXCLUDED.access_token, updated_by = EXCLUDED.updated_by, updated_at = EXCLUDED.updated_at
            """, conn, tx))
        {
            upsert.Parameters.AddWithValue("t", tenantId);
            upsert.Parameters.AddWithValue("p", provider);
            upsert.Parameters.Add(new NpgsqlParameter<string?>("u", NpgsqlTypes.NpgsqlDbType.Text) { TypedValue = baseUrl?.AbsoluteUri });
            upsert.Parameters.AddWithValue("s", secrets.Protect(token, TokenContext(tenantId)));
            upsert.Parameters.AddWithValue("b", by);
            upsert.Parameters.AddWithValue("a", now);
            await upsert.ExecuteNonQueryAsync(ct);
        }

        await AppendAsync(tx, tenantId, new IngestionCrmSettingsSet(provider, baseUrl?.Host, token != current?.AccessToken, by, now), ct);
        await tx.CommitAsync(CancellationToken.None);
        return new OrganizationCrmSettings(provider, baseUrl, token, by, now);
    }

    /// <summary>Removes the organization's settings; false when it had none (nothing is appended then).</summary>
    public async Task<bool> RemoveAsync(Guid tenantId, string by, DateTimeOffset now, CancellationToken ct)
    {
        await using var conn = await dataSource.OpenConnectionAsync(ct);
        await using var tx = await conn.BeginTransactionAsync(ct);
        await using (var delete = new NpgsqlCommand("DELETE FROM oos.ingestion_crm_credentials WHERE tenant_id = @t", conn, tx))
        {
            delete.Parameters.AddWithValue("t", tenantId);
            if (await delete.ExecuteNonQueryAsync(ct) == 0)
            {
                return false;
            }
        }

        await AppendAsync(tx, tenantId, new IngestionCrmSettingsRemoved(by, now), ct);
        await tx.CommitAsync(CancellationToken.None);
        return true;
    }

    /// <summary>
    /// Rewrites the tokens stored before a key was configured, or under a key that is no longer the active one, with the
    /// active key. Each row is replaced only if it still holds what was read (another host may be doing the same). Rows
    /// whose key is missing are left as they are and reported. Returns the number of rows rewritten.
    /// </summary>
    public string Holds => "organizations' CRM access tokens";

    public async Task<int> ReencryptAsync(ILogger logger, CancellationToken ct)
    {
        if (!secrets.Enabled)
        {
            return 0;
        }
        var stale = new List<(Guid Tenant, string Token)>();
        await using (var select = dataSource.CreateCommand("SELECT tenant_id, access_token FROM oos.ingestion_crm_credentials"))
        await using (var reader = await select.ExecuteReaderAsync(ct))
        {
            while (await reader.ReadAsync(ct))
            {
                if (secrets.NeedsRewrite(reader.GetString(1)))
                {
                    stale.Add((reader.GetGuid(0), reader.GetString(1)));
                }
            }
        }
        await using var updates = dataSource.CreateBatch();
        foreach (var (tenant, token) in stale)
        {
            string plain;
            try
            {
                plain = secrets.Unprotect(token, TokenContext(tenant));
            }
            catch (SecretUnreadableException ex)
            {
                logger.LogError("CRM settings of organization {OrganizationId} cannot be re-encrypted: {Reason}", tenant, ex.Message);
                continue;
            }
            var update = new NpgsqlBatchCommand("UPDATE oos.ingestion_crm_credentials SET access_token = @n WHERE tenant_id = @t AND access_token = @o");
            update.Parameters.AddWithValue("t", tenant);
            update.Parameters.AddWithValue("o", token);
            update.Parameters.AddWithValue("n", secrets.Protect(plain, TokenContext(tenant)));
            updates.BatchCommands.Add(update);
        }
        return updates.BatchCommands.Count == 0 ? 0 : await updates.ExecuteNonQueryAsync(ct);
    }

    private async Task<OrganizationCrmSettings?> LockAsync(NpgsqlTransaction tx, Guid tenantId, CancellationToken ct)
    {
        await using var cmd = new NpgsqlCommand(SelectQuery + " FOR UPDATE", tx.Connection, tx);
        cmd.Parameters.AddWithValue("t", tenantId);
        return await ReadAsync(cmd, tenantId, ct);
    }

    private const string SelectQuery = "SELECT provider, base_url, access_token, updated_by, updated_at FROM oos.ingestion_crm_credentials WHERE tenant_id = @t";

    private async Task<OrganizationCrmSettings?> ReadAsync(NpgsqlCommand cmd, Guid tenantId, CancellationToken ct)
    {
        await using var reader = await cmd.ExecuteReaderAsync(ct);
        return await reader.ReadAsync(ct)
            ? new OrganizationCrmSettings(reader.GetString(0), reader.IsDBNull(1) ? null : new Uri(reader.GetString(1), UriKind.Absolute),
                secrets.Unprotect(reader.GetString(2), TokenContext(tenantId)), reader.GetString(3), reader.GetFieldValue<DateTimeOffset>(4))
            : null;
    }

    private Task AppendAsync(NpgsqlTransaction tx, Guid tenantId, object e, CancellationToken ct) =>
        store.AppendManyAsync(tx, [new StreamAppend(tenantId, CrmSettingsStreams.StreamId, CrmSettingsStreams.StreamType, ExpectedVersion.Any,
            [EventToAppend.Create(e)])], ct);
}
