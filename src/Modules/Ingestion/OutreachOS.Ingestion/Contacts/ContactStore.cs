using Npgsql;
using OutreachOS.Ingestion.Contracts;
using OutreachOS.Ingestion.Normalizing;

namespace OutreachOS.Ingestion.Contacts;

internal sealed record ImportResult(int Imported, int Updated, IReadOnlyList<CsvError> Errors);

/// <summary>
/// The built-in contact store (organization-scoped table) and <see cref="IContactDirectory"/>: the local record merged with
/// the CRM's (local fields win: the organization curated them; the CRM adds its id and history).
/// </summary>
internal sealed class ContactStore(NpgsqlDataSource dataSource, ICrmAdapter crm, TimeProvider clock) : IContactDirectory
{
    public async Task<ImportResult> ImportAsync(Guid tenant, ContactCsvResult parsed, CancellationToken ct)
    {
        int imported = 0, updated = 0;
        await using var conn = await dataSource.OpenConnectionAsync(ct);
        await using var tx = await conn.BeginTransactionAsync(ct);
        var now = clock.GetUtcNow();
        foreach (var chunk in parsed.Rows.Chunk(500))
        {
            await using var batch = new NpgsqlBatch(conn, tx);
            foreach (var row in chunk)
            {
                var cmd = new NpgsqlBatchCommand("""
                    INSERT INTO oos.ingestion_contacts AS c (tenant_id, email, name, company, vip, tags, updated_at)
                    VALUES (@t, @e, NULLIF(@n, ''), NULLIF(@co, ''), coalesce(@v, false), coalesce(@tags, '{}'::text[]), @now)
                    ON CONFLICT (tenant_id, email) DO UPDATE SET
                        name = CASE WHEN @n IS NULL THEN c.name ELSE NULLIF(@n, '') END,
                        company = CASE WHEN @co IS NULL THEN c.company ELSE NULLIF(@co, '') END,
                        vip = coalesce(@v, c.vip),
                        tags = coalesce(@tags, c.tags),
                        updated_at = @now
                    RETURNING (xmax = 0)
                    """);
                cmd.Parameters.AddWithValue("t", tenant);
                cmd.Parameters.AddWithValue("e", row.Email);
                cmd.Parameters.Add(new NpgsqlParameter<string?>("n", NpgsqlTypes.NpgsqlDbType.Text) { TypedValue = row.Name });
                cmd.Parameters.Add(new NpgsqlParameter<string?>("co", NpgsqlTypes.NpgsqlDbType.Text) { TypedValue = row.Company });
                cmd.Parameters.Add(new NpgsqlParameter<bool?>("v", NpgsqlTypes.NpgsqlDbType.Boolean) { TypedValue = row.Vip });
                cmd.Parameters.Add(new NpgsqlParameter<string[]?>("tags", NpgsqlTypes.NpgsqlDbType.Array | NpgsqlTypes.NpgsqlDbType.Text) { TypedValue = row.Tags?.ToArray() });
                cmd.Parameters.AddWithValue("now", now);
                batch.BatchCommands.Add(cmd);
            }
            await using var r = await batch.ExecuteReaderAsync(ct);
            do
            {
                while (await r.ReadAsync(ct))
                {
                    if (r.GetBoolean(0))
                    {
                        imported++;
                    }
                    else
                    {
                        updated++;
                    }
                }
            }
            while (await r.NextResultAsync(ct));
        }
        await tx.CommitAsync(ct);
        return new ImportResult(imported, updated, parsed.Errors);
    }

    public async Task<ContactRecord?> FindLocalAsync(Guid tenant, string email, CancellationToken ct)
    {
        await using var cmd = dataSource.CreateCommand(
            "SELECT email, name, company, vip, tags FROM oos.ingestion_contacts WHERE tenant_id = @t AND email = @e");
        cmd.Parameters.AddWithValue("t", tenant);
        cmd.Parameters.AddWithValue("e", EmailAddresses.Canonical(email));
        await using var r = await cmd.ExecuteReaderAsync(ct);
        if (!await r.ReadAsync(ct))
        {
            return null;
        }
        return new ContactRecord(r.GetString(0), r.IsDBNull(1) ? null : r.GetString(1), r.IsDBNull(2) ? null : r.GetString(2),
            r.GetBoolean(3), r.GetFieldValue<string[]>(4), [], null);
    }

    public async Task<ContactRecord?> FindAsync(Guid organizationId, string email, CancellationToken ct = default)
    {
        if (!EmailAddresses.IsValid(email))
        {
            return null;
        }
        var local = await FindLocalAsync(organizationId, email, ct);
        var remote = await crm.FindContactAsync(organizationId, EmailAddresses.Canonical(email), ct);
        if (local is null)
        {
            return remote;
        }
        if (remote is null)
        {
            return local;
        }
        return local with
        {
            Name = local.Name ?? remote.Name,
            Company = local.Company ?? remote.Company,
            Vip = local.Vip || remote.Vip,
            Tags = local.Tags.Concat(remote.Tags).Distinct(StringComparer.OrdinalIgnoreCase).ToList(),
            History = remote.History,
            CrmId = remote.CrmId,
        };
    }
}
