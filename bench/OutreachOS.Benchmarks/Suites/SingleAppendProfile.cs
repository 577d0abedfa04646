using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Npgsql;
using NpgsqlTypes;
using OutreachOS.BuildingBlocks.EventStore;
using OutreachOS.BuildingBlocks.Json;

namespace OutreachOS.Benchmarks.Suites;

/// <summary>
/// A single-event append re-done statement by statement (the same SQL as PostgresEventStore.AppendManyAsync for one
/// stream below the COPY threshold) with a stopwatch per step: where a single append's latency goes.
/// </summary>
internal static class SingleAppendProfile
{
    public static async Task RunAsync(NpgsqlDataSource db, Report report, string suite, int count)
    {
        var tenant = Guid.NewGuid();
        var steps = new SortedDictionary<string, TimeSpan>(StringComparer.Ordinal);
        void Add(string step, long t0) => steps[step] = steps.GetValueOrDefault(step) + Stopwatch.GetElapsedTime(t0);
        var all = Stopwatch.StartNew();
        for (var i = 0; i < count; i++)
        {
            var streamId = "profile-" + (i % 50).ToString(CultureInfo.InvariantCulture);
            var e = EventToAppend.Create(BenchDeposited.Sample("acc", i));
            var now = DateTimeOffset.UtcNow;
            now = new DateTimeOffset(now.UtcTicks - (now.UtcTicks % 10), TimeSpan.Zero);

            var t0 = Stopwatch.GetTimestamp();
            await using var conn = await db.OpenConnectionAsync();
            await using var tx = await conn.BeginTransactionAsync();
            Add("1 open + begin", t0);

            t0 = Stopwatch.GetTimestamp();
            long version;
            byte[]? lastHash;
            await using (var cmd = new NpgsqlCommand("""
                INSERT INTO oos.streams (tenant_id, id, type, version, created_at, updated_at)
                VALUES (@t, @s, @type, 0, @now, @now)
                ON CONFLICT (tenant_id, id) DO UPDATE SET updated_at = oos.streams.updated_at
                RETURNING version, last_hash
                """, conn, tx))
            {
                cmd.Parameters.AddWithValue("t", tenant);
                cmd.Parameters.AddWithValue("s", streamId);
                cmd.Parameters.AddWithValue("type", "bench");
                cmd.Parameters.AddWithValue("now", now);
                await using var r = await cmd.ExecuteReaderAsync();
                await r.ReadAsync();
                version = r.GetInt64(0);
                lastHash = r.IsDBNull(1) ? null : (byte[])r[1];
            }
            Add("2 lock stream (upsert returning)", t0);

            t0 = Stopwatch.GetTimestamp();
            await using (var cmd = new NpgsqlCommand("SELECT tenant_id, stream_id FROM oos.events WHERE id = ANY(@ids)", conn, tx))
            {
                cmd.Parameters.AddWithValue("ids", new[] { e.EventId });
                await using var r = await cmd.ExecuteReaderAsync();
                while (await r.ReadAsync())
                {
                }
            }
            Add("3 idempotency check", t0);

            t0 = Stopwatch.GetTimestamp();
            version++;
            var data = CanonicalJson.Serialize(e.Data, e.Data.GetType(), OutreachJson.Options);
            var metadata = CanonicalJson.Serialize(new Dictionary<string, string>(), typeof(Dictionary<string, string>), OutreachJson.Options);
            var hash = EventHash.Compute(lastHash, tenant, streamId, version, "BenchDeposited", e.EventId, now, data, metadata);
            Add("4 CPU: serialise, canonicalise, hash", t0);

            t0 = Stopwatch.GetTimestamp();
            await using (var cmd = new NpgsqlCommand(
                "UPDATE oos.streams SET version = @v, last_hash = @h, updated_at = @now WHERE tenant_id = @t AND id = @s", conn, tx))
            {
                cmd.Parameters.AddWithValue("v", version);
                cmd.Parameters.AddWithValue("h", hash);
                cmd.Parameters.AddWithValue("now", now);
                cmd.Parameters.AddWithValue("t", tenant);
                cmd.Parameters.AddWithValue("s", streamId);
                await cmd.ExecuteNonQueryAsync();
            }
            Add("5 update stream", t0);

            t0 = Stopwatch.GetTimestamp();
            await using (var cmd = new NpgsqlCommand("""
                INSERT INTO oos.events (id, tenant_id, stream_id, version, type, data, metadata, created_at, hash)
                SELECT * FROM unnest(@ids, @tenants, @streams, @versions, @types, @datas::jsonb[], @metas::jsonb[], @created, @hashes)
                RETURNING seq, tx
                """, conn, tx))
            {
                cmd.Parameters.AddWithValue("ids", new[] { e.EventId });
                cmd.Parameters.AddWithValue("tenants", new[] { tenant });
                cmd.Parameters.AddWithValue("streams", new[] { streamId });
                cmd.Parameters.AddWithValue("versions", new[] { version });
                cmd.Parameters.AddWithValue("types", new[] { "BenchDeposited" });
                cmd.Parameters.AddWithValue("datas", new[] { Encoding.UTF8.GetString(data) });
                cmd.Parameters.AddWithValue("metas", new[] { Encoding.UTF8.GetString(metadata) });
                cmd.Parameters.AddWithValue("created", new[] { now });
                cmd.Parameters.AddWithValue("hashes", new[] { hash });
                await using var r = await cmd.ExecuteReaderAsync();
                while (await r.ReadAsync())
                {
                }
            }
            Add("6 insert event (unnest, returning)", t0);

            t0 = Stopwatch.GetTimestamp();
            await using (var notify = new NpgsqlCommand("SELECT pg_notify('oos_events', '')", conn, tx))
            {
                await notify.ExecuteNonQueryAsync();
            }
            Add("7 pg_notify", t0);

            t0 = Stopwatch.GetTimestamp();
            await tx.CommitAsync();
            Add("8 commit", t0);
        }
        all.Stop();
        foreach (var (step, time) in steps)
        {
            report.Figure(suite, "single append step " + step, time.TotalMicroseconds / count, "us",
                string.Create(CultureInfo.InvariantCulture, $"{time.TotalMilliseconds / all.Elapsed.TotalMilliseconds:P0} of the time, n={count}"));
        }
    }
}
