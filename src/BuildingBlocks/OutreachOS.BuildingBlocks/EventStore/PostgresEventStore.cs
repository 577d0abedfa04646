using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Npgsql;
using NpgsqlTypes;
using OutreachOS.BuildingBlocks.Json;

namespace OutreachOS.BuildingBlocks.EventStore;

/// <summary>Marten-like event store on Npgsql. See ADR 0002 for the design and its guarantees.</summary>
internal sealed class PostgresEventStore(
    NpgsqlDataSource dataSource,
    EventTypeRegistry types,
    IEnumerable<IInlineProjection> inlineProjections,
    TimeProvider clock) : IEventStore
{
    internal const string NotifyChannel = "oos_events";
    private static readonly ActivitySource Activity = new("OutreachOS.EventStore");
    private readonly IInlineProjection[] _inline = inlineProjections.ToArray();

    public async Task<AppendResult> AppendAsync(Guid tenantId, string streamId, string streamType, ExpectedVersion expected,
        IReadOnlyList<EventToAppend> events, CancellationToken ct = default) =>
        (await AppendManyAsync([new StreamAppend(tenantId, streamId, streamType, expected, events)], ct))[0];

    public async Task<IReadOnlyList<AppendResult>> AppendManyAsync(IReadOnlyList<StreamAppend> appends, CancellationToken ct = default)
    {
        await using var conn = await dataSource.OpenConnectionAsync(ct);
        await using var tx = await conn.BeginTransactionAsync(ct);
        var results = await AppendManyAsync(tx, appends, ct);
        await tx.CommitAsync(ct);
        return results;
    }

    public async Task<IReadOnlyList<AppendResult>> AppendManyAsync(NpgsqlTransaction transaction, IReadOnlyList<StreamAppend> appends, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(transaction);
        ArgumentNullException.ThrowIfNull(appends);
        using var activity = Activity.StartActivity("eventstore.append");
        activity?.SetTag("db.system", "postgresql");
        activity?.SetTag("outreachos.streams", appends.Count);
        var conn = transaction.Connection ?? throw new InvalidOperationException("The transaction has no connection.");

        // Deterministic lock order across streams prevents deadlocks between two multi-stream appends.
        var ordered = appends.Select((a, i) => (a, i))
            .OrderBy(x => x.a.TenantId).ThenBy(x => x.a.StreamId, StringComparer.Ordinal).ToList();
        var results = new AppendResult[appends.Count];
        var rows = new List<PendingRow>();
        var now = TruncateToMicroseconds(clock.GetUtcNow());

        foreach (var (append, index) in ordered)
        {
            Validate(append);
            var (currentVersion, lastHash) = await LockStreamAsync(conn, transaction, append, now, ct);

            // Idempotency is checked under the stream lock so that two concurrent retries cannot both pass it.
            var already = await ExistingEventsAsync(conn, transaction, append, ct);
            if (already == append.Events.Count && already > 0)
            {
                results[index] = new AppendResult(append.StreamId, currentVersion, AlreadyAppended: true);
                continue;
            }
            if (already > 0)
            {
                throw new DuplicateEventException(append.Events[0].EventId, "some of these event ids were appended before, but not all: a retry must resend the same batch");
            }
            // The version is checked before any sequence number is drawn: a conflicting append leaves no gap.
            if (!append.Expected.Matches(currentVersion))
            {
                throw new ConcurrencyException(append.StreamId, append.Expected, currentVersion);
            }

            var version = currentVersion;
            var previous = lastHash;
            foreach (var e in append.Events)
            {
                version++;
                var typeName = types.NameFor(e.Data.GetType());
                var data = CanonicalJson.Canonicalize(JsonSerializer.SerializeToUtf8Bytes(e.Data, e.Data.GetType(), OutreachJson.Options));
                var metadata = CanonicalJson.Canonicalize(JsonSerializer.SerializeToUtf8Bytes(WithTrace(e.Metadata), OutreachJson.Options));
                var hash = EventHash.Compute(previous, append.TenantId, append.StreamId, version, typeName, e.EventId, now, data, metadata);
                rows.Add(new PendingRow(e, append.TenantId, append.StreamId, version, typeName, data, metadata, hash));
                previous = hash;
            }
            await UpdateStreamAsync(conn, transaction, append, version, previous!, now, ct);
            results[index] = new AppendResult(append.StreamId, version, AlreadyAppended: false);
        }

        if (rows.Count == 0)
        {
            return results;
        }

        var stored = await InsertAsync(conn, transaction, rows, now, ct);
        await using (var notify = new NpgsqlCommand($"SELECT pg_notify('{NotifyChannel}', '')", conn, transaction))
        {
            await notify.ExecuteNonQueryAsync(ct);
        }
        foreach (var projection in _inline)
        {
            var relevant = stored.Where(s => s.Data is not null && projection.EventTypes.Contains(s.Data.GetType())).ToList();
            if (relevant.Count > 0)
            {
                await projection.ApplyAsync(transaction, relevant, ct);
            }
        }
        return results;
    }

    private static void Validate(StreamAppend a)
    {
        if (string.IsNullOrWhiteSpace(a.StreamId) || a.StreamId.Length > 200)
        {
            throw new ArgumentException("Stream id must be 1-200 characters.", nameof(a));
        }
        if (string.IsNullOrWhiteSpace(a.StreamType))
        {
            throw new ArgumentException("Stream type is required.", nameof(a));
        }
        if (a.Events.Count == 0)
        {
            throw new ArgumentException("An append needs at least one event.", nameof(a));
        }
        if (a.Events.Select(e => e.EventId).Distinct().Count() != a.Events.Count)
        {
            throw new ArgumentException("Event ids within one append must be unique.", nameof(a));
        }
    }

    private static async Task<(long Version, byte[]? LastHash)> LockStreamAsync(NpgsqlConnection conn, NpgsqlTransaction tx, StreamAppend a, DateTimeOffset now, CancellationToken ct)
    {
        // Upsert-then-lock in one round trip: ON CONFLICT DO UPDATE takes the row lock and returns the current row.
        const string sql = """
            INSERT INTO oos.streams (tenant_id, id, type, version, created_at, updated_at)
            VALUES (@t, @s, @type, 0, @now, @now)
            ON CONFLICT (tenant_id, id) DO UPDATE SET updated_at = oos.streams.updated_at
            RETURNING version, last_hash
            """;
        await using var cmd = new NpgsqlCommand(sql, conn, tx);
        cmd.Parameters.AddWithValue("t", a.TenantId);
        cmd.Parameters.AddWithValue("s", a.StreamId);
        cmd.Parameters.AddWithValue("type", a.StreamType);
        cmd.Parameters.AddWithValue("now", now);
        await using var r = await cmd.ExecuteReaderAsync(ct);
        await r.ReadAsync(ct);
        return (r.GetInt64(0), r.IsDBNull(1) ? null : (byte[])r[1]);
    }

    private static async Task<int> ExistingEventsAsync(NpgsqlConnection conn, NpgsqlTransaction tx, StreamAppend a, CancellationToken ct)
    {
        await using var cmd = new NpgsqlCommand("SELECT tenant_id, stream_id FROM oos.events WHERE id = ANY(@ids)", conn, tx);
        cmd.Parameters.AddWithValue("ids", a.Events.Select(e => e.EventId).ToArray());
        await using var r = await cmd.ExecuteReaderAsync(ct);
        var count = 0;
        while (await r.ReadAsync(ct))
        {
            if (r.GetGuid(0) != a.TenantId || r.GetString(1) != a.StreamId)
            {
                throw new DuplicateEventException(a.Events[0].EventId, "an event with this id already exists in another stream");
            }
            count++;
        }
        return count;
    }

    private static async Task UpdateStreamAsync(NpgsqlConnection conn, NpgsqlTransaction tx, StreamAppend a, long version, byte[] lastHash, DateTimeOffset now, CancellationToken ct)
    {
        await using var cmd = new NpgsqlCommand(
            "UPDATE oos.streams SET version = @v, last_hash = @h, updated_at = @now WHERE tenant_id = @t AND id = @s", conn, tx);
        cmd.Parameters.AddWithValue("v", version);
        cmd.Parameters.AddWithValue("h", lastHash);
        cmd.Parameters.AddWithValue("now", now);
        cmd.Parameters.AddWithValue("t", a.TenantId);
        cmd.Parameters.AddWithValue("s", a.StreamId);
        await cmd.ExecuteNonQueryAsync(ct);
    }

    private async Task<List<StoredEvent>> InsertAsync(NpgsqlConnection conn, NpgsqlTransaction tx, List<PendingRow> rows, DateTimeOffset now, CancellationToken ct)
    {
        var stored = new List<StoredEvent>(rows.Count);
        if (rows.Count >= CopyThreshold)
        {
            // Large batches: binary COPY (tx and seq come from column defaults), then one query for the positions.
            await using (var importer = await conn.BeginBinaryImportAsync(
                "COPY oos.events (id, tenant_id, stream_id, version, type, data, metadata, created_at, hash) FROM STDIN (FORMAT BINARY)", ct))
            {
                foreach (var row in rows)
                {
                    await importer.StartRowAsync(ct);
                    await importer.WriteAsync(row.Event.EventId, NpgsqlDbType.Uuid, ct);
                    await importer.WriteAsync(row.TenantId, NpgsqlDbType.Uuid, ct);
                    await importer.WriteAsync(row.StreamId, NpgsqlDbType.Text, ct);
                    await importer.WriteAsync(row.Version, NpgsqlDbType.Bigint, ct);
                    await importer.WriteAsync(row.TypeName, NpgsqlDbType.Text, ct);
                    await importer.WriteAsync(Encoding.UTF8.GetString(row.Data), NpgsqlDbType.Jsonb, ct);
                    await importer.WriteAsync(Encoding.UTF8.GetString(row.Metadata), NpgsqlDbType.Jsonb, ct);
                    await importer.WriteAsync(now, NpgsqlDbType.TimestampTz, ct);
                    await importer.WriteAsync(row.Hash, NpgsqlDbType.Bytea, ct);
                }
                await importer.CompleteAsync(ct);
            }
            var positions = new Dictionary<Guid, (long Seq, ulong Tx)>(rows.Count);
            if (_inline.Length > 0)
            {
                await using var q = new NpgsqlCommand("SELECT id, seq, tx FROM oos.events WHERE id = ANY(@ids)", conn, tx);
                q.Parameters.AddWithValue("ids", rows.Select(r => r.Event.EventId).ToArray());
                await using var r = await q.ExecuteReaderAsync(ct);
                while (await r.ReadAsync(ct))
                {
                    positions[r.GetGuid(0)] = (r.GetInt64(1), r.GetFieldValue<ulong>(2));
                }
            }
            foreach (var row in rows)
            {
                var p = positions.GetValueOrDefault(row.Event.EventId);
                stored.Add(ToStored(row, p.Seq, p.Tx, now));
            }
            return stored;
        }

        const string sql = """
            INSERT INTO oos.events (id, tenant_id, stream_id, version, type, data, metadata, created_at, hash)
            SELECT * FROM unnest(@ids, @tenants, @streams, @versions, @types, @datas::jsonb[], @metas::jsonb[], @created, @hashes)
            RETURNING seq, tx
            """;
        await using var cmd = new NpgsqlCommand(sql, conn, tx);
        cmd.Parameters.AddWithValue("ids", rows.Select(r => r.Event.EventId).ToArray());
        cmd.Parameters.AddWithValue("tenants", rows.Select(r => r.TenantId).ToArray());
        cmd.Parameters.AddWithValue("streams", rows.Select(r => r.StreamId).ToArray());
        cmd.Parameters.AddWithValue("versions", rows.Select(r => r.Version).ToArray());
        cmd.Parameters.AddWithValue("types", rows.Select(r => r.TypeName).ToArray());
        cmd.Parameters.AddWithValue("datas", rows.Select(r => Encoding.UTF8.GetString(r.Data)).ToArray());
        cmd.Parameters.AddWithValue("metas", rows.Select(r => Encoding.UTF8.GetString(r.Metadata)).ToArray());
        cmd.Parameters.AddWithValue("created", rows.Select(_ => now).ToArray());
        cmd.Parameters.AddWithValue("hashes", rows.Select(r => r.Hash).ToArray());
        await using (var reader = await cmd.ExecuteReaderAsync(ct))
        {
            var i = 0;
            while (await reader.ReadAsync(ct))
            {
                stored.Add(ToStored(rows[i++], reader.GetInt64(0), reader.GetFieldValue<ulong>(1), now));
            }
        }
        return stored;
    }

    private const int CopyThreshold = 64;

    private StoredEvent ToStored(PendingRow row, long seq, ulong tx, DateTimeOffset now)
    {
        var metadata = row.Event.Metadata ?? new Dictionary<string, string>();
        return new StoredEvent(seq, tx, row.Event.EventId, row.TenantId, row.StreamId, row.Version, row.TypeName,
            Encoding.UTF8.GetString(row.Data), metadata, now, row.Hash, row.Event.Data);
    }

    public async Task<IReadOnlyList<StoredEvent>> ReadStreamAsync(Guid tenantId, string streamId, long? toVersion = null,
        DateTimeOffset? until = null, CancellationToken ct = default)
    {
        await using var cmd = dataSource.CreateCommand($"""
            SELECT {Columns} FROM oos.events
            WHERE tenant_id = @t AND stream_id = @s AND (@v::bigint IS NULL OR version <= @v) AND (@u::timestamptz IS NULL OR created_at <= @u)
            ORDER BY version
            """);
        cmd.Parameters.AddWithValue("t", tenantId);
        cmd.Parameters.AddWithValue("s", streamId);
        cmd.Parameters.Add(new NpgsqlParameter("v", NpgsqlDbType.Bigint) { Value = (object?)toVersion ?? DBNull.Value });
        cmd.Parameters.Add(new NpgsqlParameter("u", NpgsqlDbType.TimestampTz) { Value = (object?)until ?? DBNull.Value });
        return await ReadEventsAsync(cmd, ct);
    }

    public async Task<StreamInfo?> GetStreamAsync(Guid tenantId, string streamId, CancellationToken ct = default)
    {
        await using var cmd = dataSource.CreateCommand(
            "SELECT tenant_id, id, type, version, created_at, updated_at, archived FROM oos.streams WHERE tenant_id = @t AND id = @s AND version > 0");
        cmd.Parameters.AddWithValue("t", tenantId);
        cmd.Parameters.AddWithValue("s", streamId);
        var list = await ReadStreamsAsync(cmd, ct);
        return list.Count == 0 ? null : list[0];
    }

    public async Task<IReadOnlyList<StreamInfo>> ListStreamsAsync(Guid tenantId, string? streamType, DateTimeOffset? from, DateTimeOffset? to,
        int limit, CancellationToken ct = default)
    {
        await using var cmd = dataSource.CreateCommand("""
            SELECT tenant_id, id, type, version, created_at, updated_at, archived FROM oos.streams
            WHERE tenant_id = @t AND version > 0 AND (@type::text IS NULL OR type = @type)
              AND (@from::timestamptz IS NULL OR created_at >= @from) AND (@to::timestamptz IS NULL OR created_at < @to)
            ORDER BY created_at DESC, id LIMIT @limit
            """);
        cmd.Parameters.AddWithValue("t", tenantId);
        cmd.Parameters.Add(new NpgsqlParameter("type", NpgsqlDbType.Text) { Value = (object?)streamType ?? DBNull.Value });
        cmd.Parameters.Add(new NpgsqlParameter("from", NpgsqlDbType.TimestampTz) { Value = (object?)from ?? DBNull.Value });
        cmd.Parameters.Add(new NpgsqlParameter("to", NpgsqlDbType.TimestampTz) { Value = (object?)to ?? DBNull.Value });
        cmd.Parameters.AddWithValue("limit", Math.Clamp(limit, 1, 1000));
        return await ReadStreamsAsync(cmd, ct);
    }

    public async Task<IReadOnlyList<StoredEvent>> ReadAllAsync(GlobalPosition after, int maxCount, CancellationToken ct = default)
    {
        await using var cmd = dataSource.CreateCommand($"""
            SELECT {Columns} FROM oos.events
            WHERE (tx, seq) > (@tx, @seq) AND tx < pg_snapshot_xmin(pg_current_snapshot())
            ORDER BY tx, seq
            LIMIT @max
            """);
        cmd.Parameters.Add(new NpgsqlParameter("tx", NpgsqlDbType.Xid8) { Value = after.Transaction });
        cmd.Parameters.AddWithValue("seq", after.Sequence);
        cmd.Parameters.AddWithValue("max", Math.Clamp(maxCount, 1, 100_000));
        return await ReadEventsAsync(cmd, ct);
    }

    public async Task<ChainVerification> VerifyAsync(Guid tenantId, string streamId, CancellationToken ct = default)
    {
        var events = await ReadStreamAsync(tenantId, streamId, ct: ct);
        byte[]? previous = null;
        long expectedVersion = 0;
        foreach (var e in events)
        {
            expectedVersion++;
            if (e.Version != expectedVersion)
            {
                return new ChainVerification(streamId, false, expectedVersion - 1, expectedVersion, null, $"version {expectedVersion} is missing (found {e.Version})");
            }
            byte[] data, metadata;
            try
            {
                data = CanonicalJson.Canonicalize(e.Json);
                metadata = CanonicalJson.Canonicalize(JsonSerializer.SerializeToUtf8Bytes(e.Metadata, OutreachJson.Options));
            }
            catch (JsonException ex)
            {
                return new ChainVerification(streamId, false, expectedVersion - 1, e.Version, e.EventId, $"payload is not valid JSON: {ex.Message}");
            }
            var hash = EventHash.Compute(previous, e.TenantId, e.StreamId, e.Version, e.EventType, e.EventId, e.CreatedAt, data, metadata);
            if (!CryptographicOperations.FixedTimeEquals(hash, e.Hash))
            {
                return new ChainVerification(streamId, false, expectedVersion - 1, e.Version, e.EventId,
                    $"hash mismatch at version {e.Version}: stored {e.HashHex}, computed {Convert.ToHexStringLower(hash)}");
            }
            previous = hash;
        }
        var info = await GetStreamAsync(tenantId, streamId, ct);
        if (info is not null && info.Version != expectedVersion)
        {
            return new ChainVerification(streamId, false, expectedVersion, expectedVersion + 1, null,
                $"stream header says version {info.Version} but {expectedVersion} events exist (events deleted?)");
        }
        return ChainVerification.Ok(streamId, expectedVersion);
    }

    private const string Columns = "seq, tx, id, tenant_id, stream_id, version, type, data::text, metadata::text, created_at, hash";

    private async Task<IReadOnlyList<StoredEvent>> ReadEventsAsync(NpgsqlCommand cmd, CancellationToken ct)
    {
        var list = new List<StoredEvent>();
        await using var r = await cmd.ExecuteReaderAsync(ct);
        while (await r.ReadAsync(ct))
        {
            var type = r.GetString(6);
            var json = r.GetString(7);
            object? data;
            try
            {
                data = types.Deserialize(type, json);
            }
            catch (JsonException)
            {
                data = null; // tampered or legacy payload: keep the raw JSON, verification reports it
            }
            list.Add(new StoredEvent(
                r.GetInt64(0), r.GetFieldValue<ulong>(1), r.GetGuid(2), r.GetGuid(3), r.GetString(4), r.GetInt64(5), type, json,
                JsonSerializer.Deserialize<Dictionary<string, string>>(r.GetString(8), OutreachJson.Options) ?? [],
                r.GetFieldValue<DateTimeOffset>(9), (byte[])r[10], data));
        }
        return list;
    }

    private static async Task<IReadOnlyList<StreamInfo>> ReadStreamsAsync(NpgsqlCommand cmd, CancellationToken ct)
    {
        var list = new List<StreamInfo>();
        await using var r = await cmd.ExecuteReaderAsync(ct);
        while (await r.ReadAsync(ct))
        {
            list.Add(new StreamInfo(r.GetGuid(0), r.GetString(1), r.GetString(2), r.GetInt64(3),
                r.GetFieldValue<DateTimeOffset>(4), r.GetFieldValue<DateTimeOffset>(5), r.GetBoolean(6)));
        }
        return list;
    }

    private static IReadOnlyDictionary<string, string> WithTrace(IReadOnlyDictionary<string, string>? metadata)
    {
        var current = System.Diagnostics.Activity.Current;
        if (current is null || (metadata?.ContainsKey("trace_id") ?? false))
        {
            return metadata ?? new Dictionary<string, string>();
        }
        var copy = metadata is null ? new Dictionary<string, string>() : new Dictionary<string, string>(metadata);
        copy["trace_id"] = current.TraceId.ToHexString();
        return copy;
    }

    internal static DateTimeOffset TruncateToMicroseconds(DateTimeOffset t) =>
        new(t.UtcTicks - (t.UtcTicks % 10), TimeSpan.Zero);

    private sealed record PendingRow(EventToAppend Event, Guid TenantId, string StreamId, long Version, string TypeName, byte[] Data, byte[] Metadata, byte[] Hash);
}

/// <summary>hash = SHA-256(previous hash ‖ canonical bytes of the event envelope).</summary>
internal static class EventHash
{
    public static byte[] Compute(byte[]? previous, Guid tenantId, string streamId, long version, string type, Guid eventId,
        DateTimeOffset createdAt, byte[] canonicalData, byte[] canonicalMetadata)
    {
        // The envelope is itself canonical JSON (keys in ordinal order), so any reader can re-derive it.
        var buffer = new System.Buffers.ArrayBufferWriter<byte>(canonicalData.Length + canonicalMetadata.Length + 256);
        using (var w = new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            w.WriteStartObject();
            w.WriteString("created_at", createdAt.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'", System.Globalization.CultureInfo.InvariantCulture));
            w.WritePropertyName("data");
            w.WriteRawValue(canonicalData, skipInputValidation: true);
            w.WriteString("id", eventId.ToString("D"));
            w.WritePropertyName("metadata");
            w.WriteRawValue(canonicalMetadata, skipInputValidation: true);
            w.WriteString("stream_id", streamId);
            w.WriteString("tenant_id", tenantId.ToString("D"));
            w.WriteString("type", type);
            w.WriteNumber("version", version);
            w.WriteEndObject();
        }
        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        if (previous is not null)
        {
            sha.AppendData(previous);
        }
        sha.AppendData(buffer.WrittenSpan);
        return sha.GetHashAndReset();
    }
}
