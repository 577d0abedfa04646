using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Npgsql;
using NpgsqlTypes;
using OutreachOS.BuildingBlocks.EventStore;
using OutreachOS.BuildingBlocks.Json;

namespace OutreachOS.Benchmarks.Suites;

/// <summary>A row as the store writes it, serialised before timing: the baseline measures the database only.</summary>
internal sealed record RawRow(Guid Id, Guid TenantId, string StreamId, long Version, string Type, string Data, string Metadata, DateTimeOffset CreatedAt, byte[] Hash);

/// <summary>
/// <c>bench_raw_events</c>: the same columns, defaults, constraints and indexes as <c>oos.events</c> (LIKE … INCLUDING ALL),
/// written with plain Npgsql: the floor the event store is compared with.
/// </summary>
internal static class RawEvents
{
    public const string Table = "bench_raw_events";

    public static async Task CreateTableAsync(NpgsqlDataSource db)
    {
        await using (var cmd = db.CreateCommand($"DROP TABLE IF EXISTS {Table}; CREATE TABLE {Table} (LIKE oos.events INCLUDING ALL)"))
        {
            await cmd.ExecuteNonQueryAsync();
        }
        // Prove the shapes match rather than trust LIKE: same index definitions modulo the names.
        await using var check = db.CreateCommand("""
            SELECT (SELECT count(*) FROM pg_indexes WHERE schemaname = 'oos' AND tablename = 'events'),
                   (SELECT count(*) FROM pg_indexes WHERE schemaname = 'public' AND tablename = 'bench_raw_events'),
                   (SELECT count(*) FROM pg_constraint WHERE conrelid = 'oos.events'::regclass),
                   (SELECT count(*) FROM pg_constraint WHERE conrelid = 'bench_raw_events'::regclass)
            """);
        await using var r = await check.ExecuteReaderAsync();
        await r.ReadAsync();
        if (r.GetInt64(0) != r.GetInt64(1) || r.GetInt64(2) != r.GetInt64(3))
        {
            throw new InvalidOperationException($"{Table} does not mirror oos.events: indexes {r.GetInt64(1)} vs {r.GetInt64(0)}, constraints {r.GetInt64(3)} vs {r.GetInt64(2)}");
        }
    }

    /// <summary>Serialises like the store (snake_case JSON, canonical form) so both write byte-identical payloads.</summary>
    public static RawRow Serialize(Guid tenantId, string streamId, long version, EventToAppend e, DateTimeOffset now)
    {
        var data = CanonicalJson.Serialize(e.Data, e.Data.GetType(), OutreachJson.Options);
        return new RawRow(e.EventId, tenantId, streamId, version, e.Data.GetType().Name, Encoding.UTF8.GetString(data), "{}", now, SHA256.HashData(data));
    }

    public static async Task CopyAsync(NpgsqlDataSource db, IReadOnlyList<RawRow> rows)
    {
        await using var conn = await db.OpenConnectionAsync();
        await using var importer = await conn.BeginBinaryImportAsync(
            $"COPY {Table} (id, tenant_id, stream_id, version, type, data, metadata, created_at, hash) FROM STDIN (FORMAT BINARY)");
        foreach (var row in rows)
        {
            await importer.StartRowAsync();
            await importer.WriteAsync(row.Id, NpgsqlDbType.Uuid);
            await importer.WriteAsync(row.TenantId, NpgsqlDbType.Uuid);
            await importer.WriteAsync(row.StreamId, NpgsqlDbType.Text);
            await importer.WriteAsync(row.Version, NpgsqlDbType.Bigint);
            await importer.WriteAsync(row.Type, NpgsqlDbType.Text);
            await importer.WriteAsync(row.Data, NpgsqlDbType.Jsonb);
            await importer.WriteAsync(row.Metadata, NpgsqlDbType.Jsonb);
            await importer.WriteAsync(row.CreatedAt, NpgsqlDbType.TimestampTz);
            await importer.WriteAsync(row.Hash, NpgsqlDbType.Bytea);
        }
        await importer.CompleteAsync();
    }

    /// <summary>One autocommitted single-row INSERT: one round trip, the floor of a single append.</summary>
    public static async Task InsertAsync(NpgsqlDataSource db, RawRow row)
    {
        await using var cmd = db.CreateCommand($"""
            INSERT INTO {Table} (id, tenant_id, stream_id, version, type, data, metadata, created_at, hash)
            VALUES (@id, @t, @s, @v, @type, @data, @meta, @created, @hash)
            """);
        cmd.Parameters.AddWithValue("id", row.Id);
        cmd.Parameters.AddWithValue("t", row.TenantId);
        cmd.Parameters.AddWithValue("s", row.StreamId);
        cmd.Parameters.AddWithValue("v", row.Version);
        cmd.Parameters.AddWithValue("type", row.Type);
        cmd.Parameters.Add(new NpgsqlParameter("data", NpgsqlDbType.Jsonb) { Value = row.Data });
        cmd.Parameters.Add(new NpgsqlParameter("meta", NpgsqlDbType.Jsonb) { Value = row.Metadata });
        cmd.Parameters.AddWithValue("created", row.CreatedAt);
        cmd.Parameters.AddWithValue("hash", row.Hash);
        await cmd.ExecuteNonQueryAsync();
    }

    public static async Task ExecAsync(NpgsqlDataSource db, string sql)
    {
        await using var cmd = db.CreateCommand(sql);
        cmd.CommandTimeout = 600;
        await cmd.ExecuteNonQueryAsync();
    }
}
