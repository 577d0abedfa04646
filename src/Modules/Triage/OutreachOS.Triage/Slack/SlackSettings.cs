using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Npgsql;
using OutreachOS.BuildingBlocks.EventStore;
using OutreachOS.BuildingBlocks.Security;

namespace OutreachOS.Triage.Slack;

// Per-organization Slack settings (ADR 0017). The facts go to the organization's `triage-slack-settings` stream; the two
// values that grant power (the webhook URL, whose path is Slack's bearer token, and the signing secret) live only in
// oos.triage_slack_credentials, written in the same transaction. The event log is immutable, hash-chained and served by
// the audit endpoints and `audit export`, so nothing secret may ever enter it, not even encrypted. In the table both
// values are encrypted with the deployment's key when one is configured (SecretProtector, ADR 0023).

/// <summary>An organization set (or replaced) its Slack settings. Only the webhook's host and whether the secret changed.</summary>
[EventName("triage_slack_settings_set.v1")]
internal sealed record TriageSlackSettingsSet(string WebhookHost, bool SigningSecretChanged, string SetBy, DateTimeOffset At);

/// <summary>An organization removed its Slack settings: its notifications and interactions fall back to the deployment's.</summary>
[EventName("triage_slack_settings_removed.v1")]
internal sealed record TriageSlackSettingsRemoved(string RemovedBy, DateTimeOffset At);

internal static class SlackSettingsStreams
{
    public const string StreamId = "triage-slack-settings";
    public const string StreamType = "triage_slack_settings";
    public static readonly Type[] EventTypes = [typeof(TriageSlackSettingsSet), typeof(TriageSlackSettingsRemoved)];
}

/// <summary>An organization's own Slack settings as stored (secret included: never serialized to a client).</summary>
internal sealed record OrganizationSlackSettings(Uri WebhookUrl, string SigningSecret, string UpdatedBy, DateTimeOffset UpdatedAt);

/// <summary>The settings in force for an organization: its own, else the deployment's (either value may be missing).</summary>
internal sealed record EffectiveSlackSettings(Uri? WebhookUrl, string? SigningSecret, string Source)
{
    public const string Organization = "ORGANIZATION";
    public const string Deployment = "DEPLOYMENT";
}

/// <summary>
/// <c>oos.triage_slack_credentials</c>: one row per organization, every query keyed by the tenant. Writes go through
/// <see cref="SetAsync"/>/<see cref="RemoveAsync"/>, which append the matching event in the same transaction. The webhook
/// URL and the signing secret are stored through <see cref="SecretProtector"/>, bound to the organization and the column.
/// </summary>
internal sealed class SlackSettingsStore(NpgsqlDataSource dataSource, IEventStore store, SlackOptions deployment, SecretProtector secrets) : IProtectedSecretsTable
{
    /// <summary>Whether the values are encrypted at rest (a key is configured).</summary>
    public bool EncryptedAtRest => secrets.Enabled;

    private static string UrlContext(Guid tenantId) => $"triage_slack_credentials.webhook_url:{tenantId:D}";

    private static string SecretContext(Guid tenantId) => $"triage_slack_credentials.signing_secret:{tenantId:D}";

    public static readonly Migration Migration = new(430, "triage per-organization slack credentials", """
        CREATE TABLE oos.triage_slack_credentials (
            tenant_id      uuid        PRIMARY KEY,
            webhook_url    text        NOT NULL,
            signing_secret text        NOT NULL,
            updated_by     text        NOT NULL,
            updated_at     timestamptz NOT NULL
        );
        """);

    public async Task<OrganizationSlackSettings?> GetAsync(Guid tenantId, CancellationToken ct)
    {
        await using var cmd = dataSource.CreateCommand(SelectQuery);
        cmd.Parameters.AddWithValue("t", tenantId);
        return await ReadAsync(cmd, tenantId, ct);
    }

    public async Task<EffectiveSlackSettings> ResolveAsync(Guid tenantId, CancellationToken ct) =>
        await GetAsync(tenantId, ct) is { } own
            ? new EffectiveSlackSettings(own.WebhookUrl, own.SigningSecret, EffectiveSlackSettings.Organization)
            : new EffectiveSlackSettings(deployment.WebhookUrl, deployment.SigningSecret, EffectiveSlackSettings.Deployment);

    /// <summary>Sets the organization's settings; a null secret keeps the stored one (the caller checked there is one).</summary>
    public async Task<OrganizationSlackSettings?> SetAsync(Guid tenantId, Uri webhookUrl, string? signingSecret, string by, DateTimeOffset now, CancellationToken ct)
    {
        await using var conn = await dataSource.OpenConnectionAsync(ct);
        await using var tx = await conn.BeginTransactionAsync(ct);
        var current = await LockAsync(tx, tenantId, ct);
        var secret = signingSecret ?? current?.SigningSecret;
        if (secret is null)
        {
            return null;
        }

        await using (var upsert = new NpgsqlCommand("""
            INSERT INTO oos.triage_slack_credentials (tenant_id, webhook_url, signing_secret, updated_by, updated_at)
            VALUES (@t, @u, @s, @b, @a)
            ON CONFLICT (tenant_id) DO UPDATE SET webhook_url = EXCLUDED.webhook_url, signing_secret = EXCLUDED.signing_secret,
                updated_by = EXCLUDED.updated_by, updated_at = EXCLUDED.updated_at
            """, conn, tx))
        {
            upsert.Parameters.AddWithValue("t", tenantId);
            upsert.Parameters.AddWithValue("u", secrets.Protect(webhookUrl.AbsoluteUri, UrlContext(tenantId)));
            upsert.Parameters.AddWithValue("s", secrets.Protect(secret, SecretContext(tenantId)));
            upsert.Parameters.AddWithValue("b", by);
            upsert.Parameters.AddWithValue("a", now);
            await upsert.ExecuteNonQueryAsync(ct);
        }

        await AppendAsync(tx, tenantId, new TriageSlackSettingsSet(webhookUrl.Host, secret != current?.SigningSecret, by, now), ct);
        await tx.CommitAsync(CancellationToken.None);
        return new OrganizationSlackSettings(webhookUrl, secret, by, now);
    }

    /// <summary>Removes the organization's settings; false when it had none (nothing is appended then).</summary>
    public async Task<bool> RemoveAsync(Guid tenantId, string by, DateTimeOffset now, CancellationToken ct)
    {
        await using var conn = await dataSource.OpenConnectionAsync(ct);
        await using var tx = await conn.BeginTransactionAsync(ct);
        await using (var delete = new NpgsqlCommand("DELETE FROM oos.triage_slack_credentials WHERE tenant_id = @t", conn, tx))
        {
            delete.Parameters.AddWithValue("t", tenantId);
            if (await delete.ExecuteNonQueryAsync(ct) == 0)
            {
                return false;
            }
        }

        await AppendAsync(tx, tenantId, new TriageSlackSettingsRemoved(by, now), ct);
        await tx.CommitAsync(CancellationToken.None);
        return true;
    }

    /// <summary>
    /// Rewrites the rows stored before a key was configured, or under a key that is no longer the active one, with the
    /// active key. Each row is replaced only if it still holds what was read (another host may be doing the same).
    /// Rows whose key is missing are left as they are and reported. Returns the number of rows rewritten.
    /// </summary>
    public string Holds => "organizations' Slack signing secrets and webhook URLs";

    public async Task<int> ReencryptAsync(ILogger logger, CancellationToken ct)
    {
        if (!secrets.Enabled)
        {
            return 0;
        }
        var stale = new List<(Guid Tenant, string Url, string Secret)>();
        await using (var select = dataSource.CreateCommand("SELECT tenant_id, webhook_url, signing_secret FROM oos.triage_slack_credentials"))
        await using (var reader = await select.ExecuteReaderAsync(ct))
        {
            while (await reader.ReadAsync(ct))
            {
                var row = (reader.GetGuid(0), reader.GetString(1), reader.GetString(2));
                if (secrets.NeedsRewrite(row.Item2) || secrets.NeedsRewrite(row.Item3))
                {
                    stale.Add(row);
                }
            }
        }
        // Every rewrite in one round trip (only after a key is first configured or rotated is there anything to rewrite).
        await using var updates = dataSource.CreateBatch();
        foreach (var (tenant, url, secret) in stale)
        {
            string plainUrl, plainSecret;
            try
            {
                plainUrl = secrets.Unprotect(url, UrlContext(tenant));
                plainSecret = secrets.Unprotect(secret, SecretContext(tenant));
            }
            catch (SecretUnreadableException ex)
            {
                logger.LogError("Slack settings of organization {OrganizationId} cannot be re-encrypted: {Reason}", tenant, ex.Message);
                continue;
            }
            var update = new NpgsqlBatchCommand("""
                UPDATE oos.triage_slack_credentials SET webhook_url = @nu, signing_secret = @ns
                WHERE tenant_id = @t AND webhook_url = @ou AND signing_secret = @os
                """);
            update.Parameters.AddWithValue("t", tenant);
            update.Parameters.AddWithValue("ou", url);
            update.Parameters.AddWithValue("os", secret);
            update.Parameters.AddWithValue("nu", secrets.Protect(plainUrl, UrlContext(tenant)));
            update.Parameters.AddWithValue("ns", secrets.Protect(plainSecret, SecretContext(tenant)));
            updates.BatchCommands.Add(update);
        }
        return updates.BatchCommands.Count == 0 ? 0 : await updates.ExecuteNonQueryAsync(ct);
    }

    private async Task<OrganizationSlackSettings?> LockAsync(NpgsqlTransaction tx, Guid tenantId, CancellationToken ct)
    {
        await using var cmd = new NpgsqlCommand(SelectQuery + " FOR UPDATE", tx.Connection, tx);
        cmd.Parameters.AddWithValue("t", tenantId);
        return await ReadAsync(cmd, tenantId, ct);
    }

    private const string SelectQuery = "SELECT webhook_url, signing_secret, updated_by, updated_at FROM oos.triage_slack_credentials WHERE tenant_id = @t";

    private async Task<OrganizationSlackSettings?> ReadAsync(NpgsqlCommand cmd, Guid tenantId, CancellationToken ct)
    {
        await using var reader = await cmd.ExecuteReaderAsync(ct);
        return await reader.ReadAsync(ct)
            ? new OrganizationSlackSettings(new Uri(secrets.Unprotect(reader.GetString(0), UrlContext(tenantId)), UriKind.Absolute),
                secrets.Unprotect(reader.GetString(1), SecretContext(tenantId)), reader.GetString(2), reader.GetFieldValue<DateTimeOffset>(3))
            : null;
    }

    private Task AppendAsync(NpgsqlTransaction tx, Guid tenantId, object e, CancellationToken ct) =>
        store.AppendManyAsync(tx, [new StreamAppend(tenantId, SlackSettingsStreams.StreamId, SlackSettingsStreams.StreamType, ExpectedVersion.Any,
            [EventToAppend.Create(e)])], ct);
}
