using Npgsql;
using NpgsqlTypes;
using OutreachOS.Analytics.Contracts;
using OutreachOS.BuildingBlocks.EventStore;
using OutreachOS.BuildingBlocks.Projections;

namespace OutreachOS.Analytics.Projection;

/// <summary>
/// The KPI async projection: folds a batch in memory (<see cref="KpiBatch"/>) and adds the deltas to the daily tables with
/// one set-based upsert per table, all sent in one round trip in the subscription's transaction (the checkpoint moves with it, so each event counts
/// exactly once; a rebuild truncates and replays).
/// </summary>
internal sealed class KpiProjection : ISubscription
{
    private static readonly string[] InboundColumns =
        ["received", "filtered", "auto_sent", "drafted", "approved_unchanged", "approved_edited", "rejected", "human", "qa_sampled", "qa_verdicts", "qa_correct"];

    private static readonly string[] OutboundColumns =
        ["requests", "variants", "first_pass_passed", "first_pass_checked", "retries", "selections", "overrides", "sends", "replies", "meetings"];

    public string Name => KpiProjectionNames.Kpis;

    public int BatchSize => 5000;

    /// <summary>Dashboards read counters, not individual events: a fifth of a second of extra staleness makes one batch of a burst.</summary>
    public TimeSpan GatherDelay => TimeSpan.FromMilliseconds(200);

    public async Task HandleAsync(NpgsqlTransaction transaction, IReadOnlyList<StoredEvent> events, CancellationToken ct)
    {
        var relevant = events.Where(e => KpiBatch.Handles(e.EventType)).ToList();
        if (relevant.Count == 0)
        {
            return;
        }
        // A stream whose version 1 is in this batch starts here: it has no stored state yet, so only older streams are loaded.
        var keys = relevant.Where(e => KpiBatch.NeedsState(e.EventType))
            .GroupBy(e => (e.TenantId, e.StreamId))
            .Where(g => g.Min(e => e.Version) > 1)
            .Select(g => g.Key)
            .ToList();
        var batch = new KpiBatch(await LoadStatesAsync(transaction, keys, ct));
        foreach (var e in relevant)
        {
            batch.Apply(e);
        }
        // Every table's upsert in one round trip (they are independent): up to seven statements, one network wait.
        await using var writes = new NpgsqlBatch(transaction.Connection, transaction);
        AddCounters(writes, "analytics_inbound_daily", "intent", InboundColumns, batch.Inbound.Select(kv => (kv.Key.Tenant, kv.Key.Day, kv.Key.Intent, kv.Value)));
        AddCounters(writes, "analytics_outbound_daily", "channel", OutboundColumns, batch.Outbound.Select(kv => (kv.Key.Tenant, kv.Key.Day, kv.Key.Channel, kv.Value)));
        AddModels(writes, batch);
        AddLatency(writes, batch);
        AddCredits(writes, batch);
        AddStates(writes, [.. batch.DirtyStates]);
        if (writes.BatchCommands.Count > 0)
        {
            await writes.ExecuteNonQueryAsync(ct);
        }
    }

    public async Task ResetAsync(NpgsqlTransaction transaction, CancellationToken ct)
    {
        await using var cmd = new NpgsqlCommand(AnalyticsSchema.Truncate, transaction.Connection, transaction);
        await cmd.ExecuteNonQueryAsync(ct);
    }

    private static async Task<Dictionary<(Guid, string), StreamState>> LoadStatesAsync(NpgsqlTransaction tx, List<(Guid Tenant, string Stream)> keys, CancellationToken ct)
    {
        var states = new Dictionary<(Guid, string), StreamState>();
        if (keys.Count == 0)
        {
            return states;
        }
        await using var cmd = new NpgsqlCommand("""
            SELECT s.tenant_id, s.stream_id, s.intent, s.channel, s.received_day, s.received_at, s.classified_at, s.decided_at,
                   s.drafted_at, s.draft_path, s.requested_at, s.sent, s.returned, s.replied_sends
            FROM oos.analytics_stream_state s
            JOIN unnest(@t, @s) AS k(tenant_id, stream_id) USING (tenant_id, stream_id)
            """, tx.Connection, tx);
        cmd.Parameters.Add(new NpgsqlParameter("t", NpgsqlDbType.Array | NpgsqlDbType.Uuid) { Value = keys.Select(k => k.Tenant).ToArray() });
        cmd.Parameters.Add(new NpgsqlParameter("s", NpgsqlDbType.Array | NpgsqlDbType.Text) { Value = keys.Select(k => k.Stream).ToArray() });
        await using var r = await cmd.ExecuteReaderAsync(ct);
        while (await r.ReadAsync(ct))
        {
            var s = new StreamState(r.GetGuid(0), r.GetString(1))
            {
                Intent = r.IsDBNull(2) ? null : r.GetString(2),
                Channel = r.IsDBNull(3) ? null : r.GetString(3),
                ReceivedDay = r.IsDBNull(4) ? null : r.GetFieldValue<DateOnly>(4),
                ReceivedAt = Time(r, 5),
                ClassifiedAt = Time(r, 6),
                DecidedAt = Time(r, 7),
                DraftedAt = Time(r, 8),
                DraftPath = r.IsDBNull(9) ? null : r.GetString(9),
                RequestedAt = Time(r, 10),
                Sent = r.GetBoolean(11),
                Returned = r.GetBoolean(12),
                RepliedSends = new HashSet<string>(r.GetFieldValue<string[]>(13), StringComparer.Ordinal),
            };
            states[(s.TenantId, s.StreamId)] = s;
        }
        return states;
    }

    private static DateTimeOffset? Time(NpgsqlDataReader r, int i) => r.IsDBNull(i) ? null : r.GetFieldValue<DateTimeOffset>(i);

    private static DateTime?[] Times(IReadOnlyList<StreamState> states, Func<StreamState, DateTimeOffset?> pick) =>
        [.. states.Select(s => pick(s)?.UtcDateTime)];

    private static void AddStates(NpgsqlBatch writes, IReadOnlyList<StreamState> states)
    {
        if (states.Count == 0)
        {
            return;
        }
        var cmd = new NpgsqlBatchCommand("""
            INSERT INTO oos.analytics_stream_state AS s (tenant_id, stream_id, intent, channel, received_day, received_at, classified_at,
                decided_at, drafted_at, draft_path, requested_at, sent, returned, replied_sends)
            SELECT u.tenant, u.stream, u.intent, u.channel, u.received_day, u.received_at, u.classified_at, u.decided_at,
                u.drafted_at, u.draft_path, u.requested_at, u.sent, u.returned,
                CASE WHEN u.replied = '' THEN '{}'::text[] ELSE string_to_array(u.replied, E'\n') END
            FROM unnest(@tenant, @stream, @intent, @channel, @received_day, @received_at, @classified_at, @decided_at,
                @drafted_at, @draft_path, @requested_at, @sent, @returned, @replied)
                AS u(tenant, stream, intent, channel, received_day, received_at, classified_at, decided_at, drafted_at, draft_path,
                     requested_at, sent, returned, replied)
            ON CONFLICT (tenant_id, stream_id) DO UPDATE SET intent = excluded.intent, channel = excluded.channel,
                received_day = excluded.received_day, received_at = excluded.received_at, classified_at = excluded.classified_at,
                decided_at = excluded.decided_at, drafted_at = excluded.drafted_at, draft_path = excluded.draft_path,
                requested_at = excluded.requested_at, sent = excluded.sent, returned = excluded.returned,
                replied_sends = excluded.replied_sends
            """);
        cmd.Parameters.Add(Array("tenant", NpgsqlDbType.Uuid, states.Select(s => s.TenantId).ToArray()));
        cmd.Parameters.Add(Array("stream", NpgsqlDbType.Text, states.Select(s => s.StreamId).ToArray()));
        cmd.Parameters.Add(Array("intent", NpgsqlDbType.Text, states.Select(s => s.Intent).ToArray()));
        cmd.Parameters.Add(Array("channel", NpgsqlDbType.Text, states.Select(s => s.Channel).ToArray()));
        cmd.Parameters.Add(Array("received_day", NpgsqlDbType.Date, states.Select(s => s.ReceivedDay).ToArray()));
        cmd.Parameters.Add(Array("received_at", NpgsqlDbType.TimestampTz, Times(states, s => s.ReceivedAt)));
        cmd.Parameters.Add(Array("classified_at", NpgsqlDbType.TimestampTz, Times(states, s => s.ClassifiedAt)));
        cmd.Parameters.Add(Array("decided_at", NpgsqlDbType.TimestampTz, Times(states, s => s.DecidedAt)));
        cmd.Parameters.Add(Array("drafted_at", NpgsqlDbType.TimestampTz, Times(states, s => s.DraftedAt)));
        cmd.Parameters.Add(Array("draft_path", NpgsqlDbType.Text, states.Select(s => s.DraftPath).ToArray()));
        cmd.Parameters.Add(Array("requested_at", NpgsqlDbType.TimestampTz, Times(states, s => s.RequestedAt)));
        cmd.Parameters.Add(Array("sent", NpgsqlDbType.Boolean, states.Select(s => s.Sent).ToArray()));
        cmd.Parameters.Add(Array("returned", NpgsqlDbType.Boolean, states.Select(s => s.Returned).ToArray()));
        // One text per stream (an array of arrays would have to be rectangular); Message-IDs hold no line break.
        cmd.Parameters.Add(Array("replied", NpgsqlDbType.Text, states.Select(s => string.Join('\n', s.RepliedSends)).ToArray()));
        writes.BatchCommands.Add(cmd);
    }

    private static NpgsqlParameter Array(string name, NpgsqlDbType type, object value) => new(name, NpgsqlDbType.Array | type) { Value = value };

    private static void AddCounters(NpgsqlBatch writes, string table, string keyColumn, string[] columns,
        IEnumerable<(Guid Tenant, DateOnly Day, string Key, Counters Counters)> rows)
    {
        var list = rows.ToList();
        if (list.Count == 0)
        {
            return;
        }
        var names = string.Join(", ", columns);
        var arrays = string.Join(", ", columns.Select((_, i) => $"@c{i}"));
        var sets = string.Join(", ", columns.Select(c => $"{c} = t.{c} + excluded.{c}"));
        var cmd = new NpgsqlBatchCommand($"""
            INSERT INTO oos.{table} AS t (tenant_id, day, {keyColumn}, {names}, cost_usd)
            SELECT * FROM unnest(@tenant, @day, @key, {arrays}, @cost)
            ON CONFLICT (tenant_id, day, {keyColumn}) DO UPDATE SET {sets}, cost_usd = t.cost_usd + excluded.cost_usd
            """);
        cmd.Parameters.Add(Array("tenant", NpgsqlDbType.Uuid, list.Select(r => r.Tenant).ToArray()));
        cmd.Parameters.Add(Array("day", NpgsqlDbType.Date, list.Select(r => r.Day).ToArray()));
        cmd.Parameters.Add(Array("key", NpgsqlDbType.Text, list.Select(r => r.Key).ToArray()));
        for (var i = 0; i < columns.Length; i++)
        {
            var column = i;
            cmd.Parameters.Add(Array($"c{i}", NpgsqlDbType.Integer, list.Select(r => r.Counters.Values[column]).ToArray()));
        }
        cmd.Parameters.Add(Array("cost", NpgsqlDbType.Numeric, list.Select(r => r.Counters.CostUsd).ToArray()));
        writes.BatchCommands.Add(cmd);
    }

    private static void AddModels(NpgsqlBatch writes, KpiBatch batch)
    {
        if (batch.Models.Count == 0)
        {
            return;
        }
        var list = batch.Models.ToList();
        var cmd = new NpgsqlBatchCommand("""
            INSERT INTO oos.analytics_model_daily AS t (tenant_id, day, module, model, calls, cost_usd)
            SELECT * FROM unnest(@tenant, @day, @module, @model, @calls, @cost)
            ON CONFLICT (tenant_id, day, module, model) DO UPDATE SET calls = t.calls + excluded.calls, cost_usd = t.cost_usd + excluded.cost_usd
            """);
        cmd.Parameters.Add(Array("tenant", NpgsqlDbType.Uuid, list.Select(r => r.Key.Tenant).ToArray()));
        cmd.Parameters.Add(Array("day", NpgsqlDbType.Date, list.Select(r => r.Key.Day).ToArray()));
        cmd.Parameters.Add(Array("module", NpgsqlDbType.Text, list.Select(r => r.Key.Module).ToArray()));
        cmd.Parameters.Add(Array("model", NpgsqlDbType.Text, list.Select(r => r.Key.Model).ToArray()));
        cmd.Parameters.Add(Array("calls", NpgsqlDbType.Integer, list.Select(r => r.Value.Calls).ToArray()));
        cmd.Parameters.Add(Array("cost", NpgsqlDbType.Numeric, list.Select(r => r.Value.Cost).ToArray()));
        writes.BatchCommands.Add(cmd);
    }

    private static void AddLatency(NpgsqlBatch writes, KpiBatch batch)
    {
        if (batch.Latency.Count == 0)
        {
            return;
        }
        var list = batch.Latency.ToList();
        var cmd = new NpgsqlBatchCommand("""
            INSERT INTO oos.analytics_latency_daily AS t (tenant_id, day, series, bucket, n)
            SELECT * FROM unnest(@tenant, @day, @series, @bucket, @n)
            ON CONFLICT (tenant_id, day, series, bucket) DO UPDATE SET n = t.n + excluded.n
            """);
        cmd.Parameters.Add(Array("tenant", NpgsqlDbType.Uuid, list.Select(r => r.Key.Tenant).ToArray()));
        cmd.Parameters.Add(Array("day", NpgsqlDbType.Date, list.Select(r => r.Key.Day).ToArray()));
        cmd.Parameters.Add(Array("series", NpgsqlDbType.Text, list.Select(r => r.Key.Series).ToArray()));
        cmd.Parameters.Add(Array("bucket", NpgsqlDbType.Smallint, list.Select(r => r.Key.Bucket).ToArray()));
        cmd.Parameters.Add(Array("n", NpgsqlDbType.Integer, list.Select(r => r.Value).ToArray()));
        writes.BatchCommands.Add(cmd);

        var months = batch.Latency
            .GroupBy(kv => (kv.Key.Tenant, Month: new DateOnly(kv.Key.Day.Year, kv.Key.Day.Month, 1), kv.Key.Series, kv.Key.Bucket), kv => kv.Value)
            .Select(g => (g.Key, N: g.Sum()))
            .ToList();
        var monthly = new NpgsqlBatchCommand("""
            INSERT INTO oos.analytics_latency_monthly AS t (tenant_id, month, series, bucket, n)
            SELECT * FROM unnest(@tenant, @month, @series, @bucket, @n)
            ON CONFLICT (tenant_id, series, month, bucket) DO UPDATE SET n = t.n + excluded.n
            """);
        monthly.Parameters.Add(Array("tenant", NpgsqlDbType.Uuid, months.Select(r => r.Key.Tenant).ToArray()));
        monthly.Parameters.Add(Array("month", NpgsqlDbType.Date, months.Select(r => r.Key.Month).ToArray()));
        monthly.Parameters.Add(Array("series", NpgsqlDbType.Text, months.Select(r => r.Key.Series).ToArray()));
        monthly.Parameters.Add(Array("bucket", NpgsqlDbType.Smallint, months.Select(r => r.Key.Bucket).ToArray()));
        monthly.Parameters.Add(Array("n", NpgsqlDbType.Integer, months.Select(r => r.N).ToArray()));
        writes.BatchCommands.Add(monthly);
    }

    private static void AddCredits(NpgsqlBatch writes, KpiBatch batch)
    {
        foreach (var ((tenant, day), delta) in batch.Credits)
        {
            var cmd = new NpgsqlBatchCommand("""
                INSERT INTO oos.analytics_credits_daily AS t (tenant_id, day, consumed, allowance, alerts)
                VALUES (@tenant, @day, @consumed, @allowance, @alerts)
                ON CONFLICT (tenant_id, day) DO UPDATE SET consumed = t.consumed + excluded.consumed,
                    allowance = coalesce(excluded.allowance, t.allowance), alerts = t.alerts || excluded.alerts
                """);
            cmd.Parameters.AddWithValue("tenant", tenant);
            cmd.Parameters.AddWithValue("day", day);
            cmd.Parameters.AddWithValue("consumed", delta.Consumed);
            cmd.Parameters.Add(new NpgsqlParameter("allowance", NpgsqlDbType.Integer) { Value = (object?)delta.Allowance ?? DBNull.Value });
            cmd.Parameters.Add(Array("alerts", NpgsqlDbType.Text, delta.Alerts.ToArray()));
            writes.BatchCommands.Add(cmd);
        }
    }
}
