using Npgsql;
using OutreachOS.BuildingBlocks.Privacy;
using OutreachOS.Ingestion.Contracts;
using OutreachOS.Ingestion.Normalizing;

namespace OutreachOS.Ingestion.Contacts;

internal sealed record ImportResult(int Imported, int Updated, IReadOnlyList<CsvError> Errors);

/// <summary>
/// The built-in contact store (organization-scoped table) and <see cref="IContactDirectory"/>: the local record merged with
/// the CRM's (local fields win: the organization curated them; the CRM adds its id), with the contact's history from the
/// import, the module's own mail and the CRM.
/// </summary>
internal sealed class ContactStore(NpgsqlDataSource dataSource, ICrmAdapter crm, TimeProvider clock) : IContactDirectory
{
    public const int MaxHistory = 20;

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
                    INSERT INTO oos.ingestion_contacts AS c (tenant_id, email, name, company, vip, tags, updated_at,
                                                             last_deal, last_deal_at, last_ticket, last_ticket_at)
                    VALUES (@t, @e, NULLIF(@n, ''), NULLIF(@co, ''), coalesce(@v, false), coalesce(@tags, '{}'::text[]), @now,
                            NULLIF(@ld, ''), NULLIF(@lda, '')::timestamptz, NULLIF(@lt, ''), NULLIF(@lta, '')::timestamptz)
                    ON CONFLICT (tenant_id, email) DO UPDATE SET
                        name = CASE WHEN @n IS NULL THEN c.name ELSE NULLIF(@n, '') END,
                        company = CASE WHEN @co IS NULL THEN c.company ELSE NULLIF(@co, '') END,
                        vip = coalesce(@v, c.vip),
                        tags = coalesce(@tags, c.tags),
                        last_deal = CASE WHEN @ld IS NULL THEN c.last_deal ELSE NULLIF(@ld, '') END,
                        last_deal_at = CASE WHEN @lda IS NULL THEN c.last_deal_at ELSE NULLIF(@lda, '')::timestamptz END,
                        last_ticket = CASE WHEN @lt IS NULL THEN c.last_ticket ELSE NULLIF(@lt, '') END,
                        last_ticket_at = CASE WHEN @lta IS NULL THEN c.last_ticket_at ELSE NULLIF(@lta, '')::timestamptz END,
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
                foreach (var (name, value) in new[] { ("ld", row.LastDeal), ("lda", row.LastDealAt), ("lt", row.LastTicket), ("lta", row.LastTicketAt) })
                {
                    cmd.Parameters.Add(new NpgsqlParameter<string?>(name, NpgsqlTypes.NpgsqlDbType.Text) { TypedValue = value });
                }
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

    /// <summary>
    /// The local contact (null when not imported) and the contact's history: the CSV's last deal and last ticket plus the
    /// <see cref="ContactHistoryProjection"/>'s messages, most recent first, at most <see cref="MaxHistory"/>. One round trip.
    /// </summary>
    public async Task<(ContactRecord? Contact, IReadOnlyList<ContactHistoryItem> History)> FindLocalAsync(Guid tenant, string email, CancellationToken ct)
    {
        var canonical = EmailAddresses.Canonical(email);
        await using var batch = dataSource.CreateBatch();
        var contact = new NpgsqlBatchCommand("""
            SELECT email, name, company, vip, tags, last_deal, last_deal_at, last_ticket, last_ticket_at
            FROM oos.ingestion_contacts WHERE tenant_id = @t AND email = @e
            """);
        var history = new NpgsqlBatchCommand("""
            SELECT kind, summary, at FROM oos.ingestion_contact_history
            WHERE tenant_id = @t AND email = @e ORDER BY at DESC, ref LIMIT @n
            """);
        foreach (var c in new[] { contact, history })
        {
            c.Parameters.AddWithValue("t", tenant);
            c.Parameters.AddWithValue("e", canonical);
            batch.BatchCommands.Add(c);
        }
        history.Parameters.AddWithValue("n", MaxHistory);
        await using var r = await batch.ExecuteReaderAsync(ct);
        ContactRecord? local = null;
        var items = new List<ContactHistoryItem>();
        if (await r.ReadAsync(ct))
        {
            local = new ContactRecord(r.GetString(0), r.IsDBNull(1) ? null : r.GetString(1), r.IsDBNull(2) ? null : r.GetString(2),
                r.GetBoolean(3), r.GetFieldValue<string[]>(4), [], null);
            if (!r.IsDBNull(5))
            {
                items.Add(new ContactHistoryItem("DEAL", r.GetString(5), r.IsDBNull(6) ? null : r.GetFieldValue<DateTimeOffset>(6)));
            }
            if (!r.IsDBNull(7))
            {
                items.Add(new ContactHistoryItem("TICKET", r.GetString(7), r.IsDBNull(8) ? null : r.GetFieldValue<DateTimeOffset>(8)));
            }
        }
        await r.NextResultAsync(ct);
        while (await r.ReadAsync(ct))
        {
            items.Add(new ContactHistoryItem(r.GetString(0), r.GetString(1), r.GetFieldValue<DateTimeOffset>(2)));
        }
        return (local, items);
    }

    public async Task<ContactRecord?> FindAsync(Guid organizationId, string email, CancellationToken ct = default)
    {
        if (!EmailAddresses.IsValid(email))
        {
            return null;
        }
        var (local, history) = await FindLocalAsync(organizationId, email, ct);
        var remote = await crm.FindContactAsync(organizationId, EmailAddresses.Canonical(email), ct);
        var merged = History([.. history, .. remote?.History ?? []]);
        if (local is null && remote is null)
        {
            // Not imported and unknown to the CRM, but OutreachOS has exchanged mail with the address: that is worth knowing.
            return merged.Count == 0 ? null : new ContactRecord(EmailAddresses.Canonical(email), null, null, false, [], merged, null);
        }
        if (local is null)
        {
            return remote! with { History = merged };
        }
        if (remote is null)
        {
            return local with { History = merged };
        }
        return local with
        {
            Name = local.Name ?? remote.Name,
            Company = local.Company ?? remote.Company,
            Vip = local.Vip || remote.Vip,
            Tags = local.Tags.Concat(remote.Tags).Distinct(StringComparer.OrdinalIgnoreCase).ToList(),
            History = merged,
            CrmId = remote.CrmId,
        };
    }

    /// <summary>Most recent first (undated items last, in their given order), at most <see cref="MaxHistory"/>.</summary>
    internal static IReadOnlyList<ContactHistoryItem> History(IEnumerable<ContactHistoryItem> items) =>
        [.. items.Select((item, i) => (item, i)).OrderByDescending(x => x.item.At.HasValue).ThenByDescending(x => x.item.At).ThenBy(x => x.i)
            .Select(x => x.item).Take(MaxHistory)];
}
