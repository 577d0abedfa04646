using System.Reflection;
using System.Text.Json;
using Npgsql;
using NpgsqlTypes;
using OutreachOS.BuildingBlocks.Json;

namespace OutreachOS.BuildingBlocks.Documents;

/// <summary>Names a read-model document type in storage (rename-safe). Defaults to the CLR type name.</summary>
[AttributeUsage(AttributeTargets.Class, Inherited = false)]
public sealed class DocumentNameAttribute(string name) : Attribute
{
    public string Name { get; } = name;
}

/// <summary>A stored read model with its version (incremented on every write).</summary>
public sealed record Document<T>(string Id, T Data, long Version, DateTimeOffset UpdatedAt);

/// <summary>One page of documents and the cursor that continues after it (null: nothing comes after this page).</summary>
public sealed record DocumentPage<T>(IReadOnlyList<Document<T>> Items, string? Next);

/// <summary>
/// A small tenant-scoped jsonb document store for read models. Writes take the caller's transaction so that a projection
/// updates its documents and its checkpoint (or an inline projection its documents and the events) atomically.
/// </summary>
public sealed class DocumentStore(NpgsqlDataSource dataSource)
{
    public static string TypeName<T>() => TypeName(typeof(T));

    public static string TypeName(Type t) => t.GetCustomAttribute<DocumentNameAttribute>()?.Name ?? t.Name;

    public async Task<Document<T>?> GetAsync<T>(Guid tenantId, string id, CancellationToken ct = default)
    {
        await using var cmd = dataSource.CreateCommand(
            "SELECT id, data::text, version, updated_at FROM oos.documents WHERE tenant_id = @t AND type = @type AND id = @id");
        Bind(cmd, tenantId, TypeName<T>(), id);
        var list = await ReadAsync<T>(cmd, ct);
        return list.Count == 0 ? null : list[0];
    }

    public static async Task<Document<T>?> GetAsync<T>(NpgsqlTransaction tx, Guid tenantId, string id, bool forUpdate, CancellationToken ct = default)
    {
        await using var cmd = new NpgsqlCommand(
            "SELECT id, data::text, version, updated_at FROM oos.documents WHERE tenant_id = @t AND type = @type AND id = @id" + (forUpdate ? " FOR UPDATE" : ""),
            tx.Connection, tx);
        Bind(cmd, tenantId, TypeName<T>(), id);
        var list = await ReadAsync<T>(cmd, ct);
        return list.Count == 0 ? null : list[0];
    }

    /// <summary>
    /// Lists a tenant's documents of a type, optionally only those whose top-level <c>status</c> equals
    /// <paramref name="status"/> (serialised as the documents are, so an enum compares by its JSON name). Served by the
    /// partial (tenant, type, status) index of core migration 3, whose predicate the query repeats.
    /// </summary>
    public async Task<IReadOnlyList<Document<T>>> ListAsync<T>(Guid tenantId, object? status = null, int limit = 100, int offset = 0, CancellationToken ct = default)
    {
        await using var cmd = dataSource.CreateCommand(ListSql(byStatus: status is not null));
        cmd.Parameters.AddWithValue("t", tenantId);
        cmd.Parameters.AddWithValue("type", TypeName<T>());
        if (status is not null)
        {
            cmd.Parameters.Add(new NpgsqlParameter("status", NpgsqlDbType.Jsonb) { Value = JsonSerializer.Serialize(status, OutreachJson.Options) });
        }
        cmd.Parameters.AddWithValue("limit", Math.Clamp(limit, 1, 10_000));
        cmd.Parameters.AddWithValue("offset", Math.Max(0, offset));
        return await ReadAsync<T>(cmd, ct);
    }

    internal static string ListSql(bool byStatus) => $"""
        SELECT id, data::text, version, updated_at FROM oos.documents
        WHERE tenant_id = @t AND type = @type{(byStatus ? StatusFilter : "")}
        ORDER BY id LIMIT @limit OFFSET @offset
        """;

    /// <summary>
    /// One page of a tenant's documents of a type (optionally by <c>status</c>, as <see cref="ListAsync{T}"/>), oldest
    /// first by the timestamp in the top-level property <paramref name="orderBy"/>, then by id; sorted in the database, so
    /// a page is the oldest <paramref name="limit"/> and not a cut by id (ids are hashes: that cut is random). The cursor is
    /// the (timestamp, id) of the page's last document rather than an offset, so a queue whose older entries are decided
    /// between two pages neither skips nor repeats the rest. <paramref name="after"/> must satisfy
    /// <see cref="KeysetCursor.TryParse"/>. No index holds the order (a text-to-timestamptz cast cannot be indexed): each page
    /// sorts the documents the filter matches, which the status index finds.
    /// </summary>
    public async Task<DocumentPage<T>> ListPageAsync<T>(Guid tenantId, string orderBy, object? status, string? after, int limit,
        CancellationToken ct = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(limit, 1);
        var cursor = (At: default(DateTimeOffset), Id: "");
        if (after is not null && !KeysetCursor.TryParse(after, out cursor.At, out cursor.Id))
        {
            throw new ArgumentException("Not a cursor of ListPageAsync.", nameof(after));
        }

        await using var cmd = dataSource.CreateCommand(ListPageSql(byStatus: status is not null, after: after is not null));
        cmd.Parameters.AddWithValue("t", tenantId);
        cmd.Parameters.AddWithValue("type", TypeName<T>());
        cmd.Parameters.AddWithValue("key", orderBy);
        if (status is not null)
        {
            cmd.Parameters.Add(new NpgsqlParameter("status", NpgsqlDbType.Jsonb) { Value = JsonSerializer.Serialize(status, OutreachJson.Options) });
        }
        if (after is not null)
        {
            cmd.Parameters.Add(new NpgsqlParameter("after_at", NpgsqlDbType.TimestampTz) { Value = cursor.At });
            cmd.Parameters.AddWithValue("after_id", cursor.Id);
        }
        cmd.Parameters.AddWithValue("limit", limit + 1); // one more than asked: whether a next page exists, without a count

        var items = new List<Document<T>>(Math.Min(limit, 1000));
        var lastKey = default(DateTimeOffset);
        await using var r = await cmd.ExecuteReaderAsync(ct);
        while (await r.ReadAsync(ct))
        {
            if (items.Count == limit)
            {
                return new DocumentPage<T>(items, KeysetCursor.Format(lastKey, items[^1].Id));
            }
            items.Add(new Document<T>(r.GetString(0), JsonSerializer.Deserialize<T>(r.GetString(1), OutreachJson.Options)!,
                r.GetInt64(2), r.GetFieldValue<DateTimeOffset>(3)));
            lastKey = r.GetFieldValue<DateTimeOffset>(4);
        }
        return new DocumentPage<T>(items, null);
    }

    /// <summary>
    /// The sort key: the property cast as the JSON writes it (ISO 8601 with an offset, so the session's time zone does not
    /// matter). A document without it sorts as of 1970, before any real entry, rather than last with a NULL that no cursor
    /// comparison passes; not at year 1, which Npgsql writes back as -infinity (DateTime.MinValue).
    /// </summary>
    private const string SortKey = "COALESCE((data ->> @key)::timestamptz, '1970-01-01T00:00:00Z')";

    /// <summary>The status predicate repeats the partial index's (<c>data ? 'status'</c>) so that the planner can use it.</summary>
    private const string StatusFilter = " AND data ? 'status' AND data -> 'status' = @status";

    internal static string ListPageSql(bool byStatus, bool after) => $"""
        SELECT id, data::text, version, updated_at, {SortKey} AS k FROM oos.documents
        WHERE tenant_id = @t AND type = @type{(byStatus ? StatusFilter : "")}{(after ? $" AND ({SortKey}, id) > (@after_at, @after_id)" : "")}
        ORDER BY k, id LIMIT @limit
        """;

    /// <summary>Row-locks the document for the caller's transaction without reading it; false when it does not exist.</summary>
    public static async Task<bool> LockAsync<T>(NpgsqlTransaction tx, Guid tenantId, string id, CancellationToken ct = default)
    {
        await using var cmd = new NpgsqlCommand(
            "SELECT 1 FROM oos.documents WHERE tenant_id = @t AND type = @type AND id = @id FOR UPDATE", tx.Connection, tx);
        Bind(cmd, tenantId, TypeName<T>(), id);
        return await cmd.ExecuteScalarAsync(ct) is not null;
    }

    public static async Task UpsertAsync<T>(NpgsqlTransaction tx, Guid tenantId, string id, T document, CancellationToken ct = default)
    {
        await using var cmd = new NpgsqlCommand("""
            INSERT INTO oos.documents (tenant_id, type, id, data, version, updated_at) VALUES (@t, @type, @id, @data, 1, now())
            ON CONFLICT (tenant_id, type, id) DO UPDATE SET data = excluded.data, version = oos.documents.version + 1, updated_at = now()
            """, tx.Connection, tx);
        Bind(cmd, tenantId, TypeName<T>(), id);
        cmd.Parameters.Add(new NpgsqlParameter("data", NpgsqlDbType.Jsonb) { Value = JsonSerializer.Serialize(document, OutreachJson.Options) });
        await cmd.ExecuteNonQueryAsync(ct);
    }

    /// <summary>
    /// Several documents of one type by (tenant, id) in one round trip; with <paramref name="forUpdate"/> they stay locked
    /// for the transaction (taken in key order, so two such reads cannot deadlock each other).
    /// </summary>
    public static async Task<Dictionary<(Guid TenantId, string Id), T>> GetManyAsync<T>(NpgsqlTransaction tx,
        IReadOnlyCollection<(Guid TenantId, string Id)> keys, bool forUpdate, CancellationToken ct = default)
    {
        var found = new Dictionary<(Guid, string), T>(keys.Count);
        if (keys.Count == 0)
        {
            return found;
        }
        await using var cmd = new NpgsqlCommand(GetManySql(forUpdate), tx.Connection, tx);
        cmd.Parameters.AddWithValue("t", keys.Select(k => k.TenantId).ToArray());
        cmd.Parameters.AddWithValue("ids", keys.Select(k => k.Id).ToArray());
        cmd.Parameters.AddWithValue("type", TypeName<T>());
        await using var r = await cmd.ExecuteReaderAsync(ct);
        while (await r.ReadAsync(ct))
        {
            found[(r.GetGuid(0), r.GetString(1))] = JsonSerializer.Deserialize<T>(r.GetString(2), OutreachJson.Options)!;
        }
        return found;
    }

    /// <summary>
    /// One primary-key lookup per key, in key order (a LATERAL … LIMIT 1 is never flattened into a join: as one, the
    /// planner hashed a sequential scan of every document whenever it guessed the table small, ~800 pages a call).
    /// </summary>
    internal static string GetManySql(bool forUpdate) => $"""
        SELECT d.tenant_id, d.id, d.data::text FROM (SELECT * FROM unnest(@t, @ids) AS u(t, id) ORDER BY t, id) k
        CROSS JOIN LATERAL (SELECT * FROM oos.documents d WHERE d.tenant_id = k.t AND d.type = @type AND d.id = k.id LIMIT 1{(forUpdate ? " FOR UPDATE" : "")}) d
        """;

    /// <summary>Inserts or replaces several documents of one type (distinct keys) in one round trip.</summary>
    public static async Task UpsertManyAsync<T>(NpgsqlTransaction tx, IReadOnlyCollection<(Guid TenantId, string Id, T Document)> documents,
        CancellationToken ct = default)
    {
        if (documents.Count == 0)
        {
            return;
        }
        await using var cmd = new NpgsqlCommand("""
            INSERT INTO oos.documents (tenant_id, type, id, data, version, updated_at)
            SELECT k.t, @type, k.id, k.data, 1, now() FROM unnest(@t, @ids, @datas::jsonb[]) AS k(t, id, data)
            ON CONFLICT (tenant_id, type, id) DO UPDATE SET data = excluded.data, version = oos.documents.version + 1, updated_at = now()
            """, tx.Connection, tx);
        cmd.Parameters.AddWithValue("t", documents.Select(d => d.TenantId).ToArray());
        cmd.Parameters.AddWithValue("ids", documents.Select(d => d.Id).ToArray());
        cmd.Parameters.AddWithValue("datas", documents.Select(d => JsonSerializer.Serialize(d.Document, OutreachJson.Options)).ToArray());
        cmd.Parameters.AddWithValue("type", TypeName<T>());
        await cmd.ExecuteNonQueryAsync(ct);
    }

    public static async Task DeleteAsync<T>(NpgsqlTransaction tx, Guid tenantId, string id, CancellationToken ct = default)
    {
        await using var cmd = new NpgsqlCommand("DELETE FROM oos.documents WHERE tenant_id = @t AND type = @type AND id = @id", tx.Connection, tx);
        Bind(cmd, tenantId, TypeName<T>(), id);
        await cmd.ExecuteNonQueryAsync(ct);
    }

    /// <summary>Deletes every document of a type in every tenant (projection rebuild).</summary>
    public static async Task DeleteAllAsync(NpgsqlTransaction tx, string typeName, CancellationToken ct = default)
    {
        await using var cmd = new NpgsqlCommand("DELETE FROM oos.documents WHERE type = @type", tx.Connection, tx);
        cmd.Parameters.AddWithValue("type", typeName);
        await cmd.ExecuteNonQueryAsync(ct);
    }

    private static void Bind(NpgsqlCommand cmd, Guid tenantId, string type, string id)
    {
        cmd.Parameters.AddWithValue("t", tenantId);
        cmd.Parameters.AddWithValue("type", type);
        cmd.Parameters.AddWithValue("id", id);
    }

    private static async Task<IReadOnlyList<Document<T>>> ReadAsync<T>(NpgsqlCommand cmd, CancellationToken ct)
    {
        var list = new List<Document<T>>();
        await using var r = await cmd.ExecuteReaderAsync(ct);
        while (await r.ReadAsync(ct))
        {
            list.Add(new Document<T>(r.GetString(0), JsonSerializer.Deserialize<T>(r.GetString(1), OutreachJson.Options)!,
                r.GetInt64(2), r.GetFieldValue<DateTimeOffset>(3)));
        }
        return list;
    }
}
