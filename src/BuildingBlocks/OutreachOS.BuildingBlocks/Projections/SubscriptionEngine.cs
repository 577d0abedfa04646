using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;
using NpgsqlTypes;
using OutreachOS.BuildingBlocks.EventStore;
using OutreachOS.BuildingBlocks.Postgres;

namespace OutreachOS.BuildingBlocks.Projections;

public sealed class SubscriptionOptions
{
    /// <summary>Run the background runners in this process (a CLI verb or a read-only replica may turn them off).</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>Fallback poll when no NOTIFY arrives (events held back by an open transaction need a re-check).</summary>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromMilliseconds(500);

    /// <summary>
    /// Longest re-check interval while committed events are held back behind an older open transaction (the re-check
    /// starts at 1 ms and doubles). Lower: less latency behind short transactions, more probes behind long ones.
    /// </summary>
    public TimeSpan HeldBackMaxWait { get; set; } = TimeSpan.FromMilliseconds(50);

    /// <summary>
    /// When committed events have been held back this long behind an older open transaction, a warning names the
    /// transaction (process id, database, user, application, state, age) so an operator can end it; at most one warning
    /// per this interval per process. The transaction may be in another database of the cluster: transaction ids are
    /// cluster-wide. Zero: never warn.
    /// </summary>
    public TimeSpan HeldBackWarnAfter { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>How often a standby host retries to take over a subscription.</summary>
    public TimeSpan StandbyRetry { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>
    /// Most events of the recent global log kept in memory and served to every runner of this process, so that the log is
    /// read (and deserialised) once rather than once per subscription. 0: no sharing, each runner reads the database.
    /// </summary>
    public int LogTailEvents { get; set; } = 10_000;

    /// <summary>Approximate memory bound of the same window (JSON text and deserialised payloads, estimated).</summary>
    public long LogTailBytes { get; set; } = 64L * 1024 * 1024;

    /// <summary>
    /// A projection that fails on the same event this many times in a row (not a transient database error) parks it in
    /// oos.parked_events and goes on, instead of retrying it forever while its read model falls behind for every
    /// organization. 0: never park. Parked events are listed by <c>projections parked</c> and replayed by a rebuild.
    /// </summary>
    public int ParkAfterFailures { get; set; } = 5;
}

/// <summary>Processes subscriptions: the daemon's loop, rebuilds and catch-up waits share this code.</summary>
public sealed class SubscriptionEngine
{
    internal static readonly Meter Meter = new("OutreachOS.Projections");
    private static readonly Counter<long> Processed = Meter.CreateCounter<long>("outreachos.subscription.events", "events");
    private static readonly Counter<long> ParkedCounter = Meter.CreateCounter<long>("outreachos.subscription.parked", "events",
        "Events a projection failed on repeatedly and stepped over (oos.parked_events).");

    /// <summary>Time a runner waited with committed events held back behind an older open transaction, per wait.</summary>
    internal static readonly Histogram<double> HeldBack = Meter.CreateHistogram<double>("outreachos.subscription.held_back", "ms",
        "A runner's wait for committed events held back behind an older open transaction (one measurement per wait).");
    private static readonly ActivitySource Activity = new("OutreachOS.Projections");
    private readonly NpgsqlDataSource _dataSource;
    private readonly IEventStore _store;
    private readonly ILogger<SubscriptionEngine> _logger;
    private readonly LogTail? _tail;
    private readonly Dictionary<string, ISubscription> _byName;
    private readonly int _parkAfterFailures;

    /// <summary>How often a rebuild reads again while the rest of the log is held back behind an older open transaction.</summary>
    private static readonly TimeSpan HeldBackRecheck = TimeSpan.FromMilliseconds(20);

    // The event each subscription last failed on alone, and how many times in a row as this process last knew it. The count
    // that decides the parking is kept in the checkpoint row (RecordFailureAsync), so a takeover goes on counting; this
    // copy sends the next batch straight to one by one, and stands in for the row while the database cannot be written.
    private readonly ConcurrentDictionary<string, (GlobalPosition Position, int Failures)> _failing = new(StringComparer.Ordinal);

    /// <param name="tail">The recent log shared by this process's runners; null: each batch reads the store itself.</param>
    /// <param name="parkAfterFailures"><see cref="SubscriptionOptions.ParkAfterFailures"/>.</param>
    internal SubscriptionEngine(NpgsqlDataSource dataSource, IEventStore store, IEnumerable<ISubscription> subscriptions, ILogger<SubscriptionEngine> logger,
        LogTail? tail, int parkAfterFailures = 5)
    {
        _dataSource = dataSource;
        _store = store;
        _logger = logger;
        _tail = tail;
        _parkAfterFailures = parkAfterFailures;
        _byName = subscriptions.ToDictionary(s => s.Name, StringComparer.Ordinal);
    }

    public IReadOnlyCollection<string> Names => _byName.Keys;

    public ISubscription Get(string name) =>
        _byName.TryGetValue(name, out var s) ? s : throw new KeyNotFoundException($"Unknown projection or subscription '{name}'. Known: {string.Join(", ", _byName.Keys.Order())}");

    internal static long LockKey(string name) => AdvisoryLocks.Key("oos-subscription:" + name);

    internal static async Task<bool> TryLockAsync(NpgsqlConnection conn, string name, CancellationToken ct)
    {
        await using var cmd = new NpgsqlCommand("SELECT pg_try_advisory_lock(@k)", conn);
        cmd.Parameters.AddWithValue("k", LockKey(name));
        return (bool)(await cmd.ExecuteScalarAsync(ct))!;
    }

    internal static async Task UnlockAsync(NpgsqlConnection conn, string name, CancellationToken ct)
    {
        await using var cmd = new NpgsqlCommand("SELECT pg_advisory_unlock(@k)", conn);
        cmd.Parameters.AddWithValue("k", LockKey(name));
        await cmd.ExecuteScalarAsync(ct);
    }

    public async Task<GlobalPosition> GetCheckpointAsync(string name, CancellationToken ct = default)
    {
        await using var cmd = _dataSource.CreateCommand("SELECT tx, seq FROM oos.checkpoints WHERE name = @n");
        cmd.Parameters.AddWithValue("n", name);
        await using var r = await cmd.ExecuteReaderAsync(ct);
        return await r.ReadAsync(ct) ? new GlobalPosition(r.GetFieldValue<ulong>(0), r.GetInt64(1)) : GlobalPosition.Start;
    }

    /// <summary>
    /// A mark in the shared log reads (<see cref="LogTail.Mark"/>): a runner takes it when it learns of something to read
    /// (a NOTIFY, a poll or re-check due) and passes it to <see cref="ProcessBatchAsync"/>.
    /// </summary>
    internal long ReadMark => _tail?.Mark ?? 0;

    /// <summary>
    /// Processes one batch after <paramref name="known"/> (read from the table when null). <paramref name="stored"/> is the
    /// checkpoint as the table holds it (the optimistic move's expected value; null: same as the position read). A batch
    /// with nothing for the subscription (or any batch of an <see cref="IExternalEffectSubscription"/>) is handled without a
    /// transaction when <paramref name="deferIdle"/> is set, leaving
    /// the table behind the position; the caller writes it later with <see cref="PersistCheckpointAsync"/>.
    /// <paramref name="readMark"/>: the caller knows of nothing committed after this <see cref="ReadMark"/> (null: now), so
    /// a shared read of the log's end started after it may answer for the caller.
    /// </summary>
    internal async Task<BatchOutcome> ProcessBatchAsync(ISubscription subscription, GlobalPosition? known, GlobalPosition? stored, bool deferIdle,
        long? readMark, CancellationToken ct)
    {
        var checkpoint = known ?? await GetCheckpointAsync(subscription.Name, ct);
        var table = known is null ? checkpoint : stored ?? checkpoint;
        var (events, heldBack) = await ReadBatchAsync(checkpoint, subscription.BatchSize, readMark, ct);
        if (events.Count == 0)
        {
            return new BatchOutcome(0, checkpoint, table, heldBack);
        }
        var last = events[^1].Position;
        var more = heldBack || events.Count >= subscription.BatchSize;
        if (deferIdle && !events.Any(subscription.Handles))
        {
            return new BatchOutcome(events.Count, last, table, more);
        }
        using var activity = Activity.StartActivity("subscription.batch");
        activity?.SetTag("outreachos.subscription", subscription.Name);
        activity?.SetTag("outreachos.events", events.Count);
        if (deferIdle && subscription is IExternalEffectSubscription external)
        {
            // No transaction: the table stays behind the position, and the caller writes it lazily (or at stop).
            await external.HandleAsync(events, ct);
            Processed.Add(events.Count, new KeyValuePair<string, object?>("subscription", subscription.Name));
            return new BatchOutcome(events.Count, last, table, more);
        }

        if (_failing.TryGetValue(subscription.Name, out var failing) && failing.Position == events[0].Position)
        {
            // The batch starts with the event that failed alone last time: straight to one by one, so that each retry runs
            // the handler on it once.
            return await IsolateAsync(subscription, events, table, more, ct);
        }

        await using (var conn = await _dataSource.OpenConnectionAsync(ct))
        await using (var tx = await conn.BeginTransactionAsync(ct))
        {
            try
            {
                await subscription.HandleAsync(tx, events, ct);
            }
            catch (Exception e) when (MayPark(subscription, e, ct))
            {
                // Which event? Each alone, in its own transaction, up to the one that fails (see IsolateAsync).
                _logger.LogWarning(e, "Subscription {Subscription} failed on a batch of {Count} events; handling them one by one", subscription.Name, events.Count);
                await tx.RollbackAsync(CancellationToken.None);
                return await IsolateAsync(subscription, events, table, more, ct);
            }
            if (!await MoveCheckpointAndCommitAsync(tx, subscription.Name, table, last, ct))
            {
                _logger.LogWarning("Subscription {Subscription} checkpoint moved by another runner; batch discarded", subscription.Name);
                return new BatchOutcome(0, null, null, false);
            }
        }
        _failing.TryRemove(subscription.Name, out _);
        Processed.Add(events.Count, new KeyValuePair<string, object?>("subscription", subscription.Name));
        return new BatchOutcome(events.Count, last, last, more);
    }

    /// <summary>
    /// A failure worth isolating: not a cancellation, not a transient database error (the database down, a deadlock, a
    /// serialization failure, a lost checkpoint race), from a subscription that may park.
    /// </summary>
    private bool MayPark(ISubscription subscription, Exception e, CancellationToken ct) =>
        _parkAfterFailures > 0 && subscription.MayPark && !ct.IsCancellationRequested && e is not OperationCanceledException
        && e is not TimeoutException
        && e is not NpgsqlException { IsTransient: true }
        && !(e is PostgresException p && (PostgresErrors.IsTransient(p) || p.SqlState == CommitGuards.CheckpointMoved))
        && e is not NpgsqlException { InnerException: IOException or System.Net.Sockets.SocketException or TimeoutException };

    /// <summary>
    /// Handles the batch one event per transaction. The events before the failing one commit (progress is kept); the
    /// failing one is retried by the runner's backoff, and once it has failed <see cref="_parkAfterFailures"/> times in a
    /// row it is parked: recorded in oos.parked_events with the error, and the checkpoint steps over it in the same
    /// transaction. Events after it are then handled as usual.
    /// </summary>
    private async Task<BatchOutcome> IsolateAsync(ISubscription subscription, IReadOnlyList<StoredEvent> events, GlobalPosition table, bool more,
        CancellationToken ct)
    {
        var stored = table;
        var handled = 0;
        foreach (var e in events)
        {
            Exception? failed = null;
            await using (var conn = await _dataSource.OpenConnectionAsync(ct))
            await using (var tx = await conn.BeginTransactionAsync(ct))
            {
                try
                {
                    if (subscription.Handles(e))
                    {
                        await subscription.HandleAsync(tx, [e], ct);
                    }
                }
                catch (Exception error) when (MayPark(subscription, error, ct))
                {
                    await tx.RollbackAsync(CancellationToken.None);
                    failed = error;
                }
                if (failed is null)
                {
                    if (!await MoveCheckpointAndCommitAsync(tx, subscription.Name, stored, e.Position, ct))
                    {
                        return new BatchOutcome(0, null, null, false);
                    }
                    stored = e.Position;
                    handled++;
                    Processed.Add(1, new KeyValuePair<string, object?>("subscription", subscription.Name));
                    continue;
                }
            }

            var local = _failing.AddOrUpdate(subscription.Name, (e.Position, 1),
                (_, f) => f.Position == e.Position ? (f.Position, f.Failures + 1) : (e.Position, 1)).Failures;
            var failures = await RecordFailureAsync(subscription.Name, e.Position, stored, local, ct);
            _failing[subscription.Name] = (e.Position, failures);
            if (failures < _parkAfterFailures)
            {
                _logger.LogError(failed, "Subscription {Subscription} failed on event {EventId} ({EventType}, stream {StreamId}) at {Position}: attempt {Attempt} of {Limit} before it is parked",
                    subscription.Name, e.EventId, e.EventType, e.StreamId, e.Position, failures, _parkAfterFailures);
                throw new SubscriptionEventFailedException(subscription.Name, e, failures, handled, failed);
            }

            if (!await ParkAsync(subscription.Name, e, failed, failures, stored, ct))
            {
                return new BatchOutcome(0, null, null, false);
            }
            _failing.TryRemove(subscription.Name, out _);
            ParkedCounter.Add(1, new KeyValuePair<string, object?>("subscription", subscription.Name));
            _logger.LogError(failed, "Subscription {Subscription} parked event {EventId} ({EventType}, stream {StreamId}, organization {TenantId}) at {Position} after {Attempts} failed attempts and goes on with the next event. List: projections parked; retry: projections rebuild {Subscription}",
                subscription.Name, e.EventId, e.EventType, e.StreamId, e.TenantId, e.Position, failures, subscription.Name);
            stored = e.Position;
            handled++;
        }

        return new BatchOutcome(handled, stored, stored, more);
    }

    /// <summary>
    /// Counts one more failure on the event at <paramref name="position"/> in the subscription's checkpoint row and returns
    /// the count (1 when the row last counted another event). The row is created at <paramref name="checkpoint"/> when the
    /// subscription has none yet. Should the write fail (the database is what failed), this process's own count
    /// <paramref name="local"/> decides.
    /// </summary>
    private async Task<int> RecordFailureAsync(string name, GlobalPosition position, GlobalPosition checkpoint, int local, CancellationToken ct)
    {
        try
        {
            await using var cmd = _dataSource.CreateCommand("""
                INSERT INTO oos.checkpoints AS c (name, tx, seq, updated_at, failing_tx, failing_seq, failures)
                VALUES (@n, @ctx, @cseq, now(), @tx, @seq, 1)
                ON CONFLICT (name) DO UPDATE SET
                    failures = CASE WHEN c.failing_tx = excluded.failing_tx AND c.failing_seq = excluded.failing_seq THEN c.failures + 1 ELSE 1 END,
                    failing_tx = excluded.failing_tx, failing_seq = excluded.failing_seq
                RETURNING failures
                """);
            cmd.Parameters.AddWithValue("n", name);
            cmd.Parameters.Add(new NpgsqlParameter("ctx", NpgsqlDbType.Xid8) { Value = checkpoint.Transaction });
            cmd.Parameters.AddWithValue("cseq", checkpoint.Sequence);
            cmd.Parameters.Add(new NpgsqlParameter("tx", NpgsqlDbType.Xid8) { Value = position.Transaction });
            cmd.Parameters.AddWithValue("seq", position.Sequence);
            return (int)(await cmd.ExecuteScalarAsync(ct))!;
        }
        catch (Exception error) when (error is NpgsqlException or TimeoutException && !ct.IsCancellationRequested)
        {
            _logger.LogWarning(error, "Subscription {Subscription} could not record its failure count at {Position}; counting in this process ({Failures})",
                name, position, local);
            return local;
        }
    }

    /// <summary>Records the event as parked and moves the checkpoint over it, in one transaction (false: the checkpoint moved meanwhile).</summary>
    private async Task<bool> ParkAsync(string name, StoredEvent e, Exception error, int attempts, GlobalPosition from, CancellationToken ct)
    {
        await using var conn = await _dataSource.OpenConnectionAsync(ct);
        await using var tx = await conn.BeginTransactionAsync(ct);
        await using (var park = new NpgsqlCommand("""
            INSERT INTO oos.parked_events (subscription, tx, seq, event_id, tenant_id, stream_id, event_type, error, attempts, parked_at)
            VALUES (@n, @tx, @seq, @id, @t, @s, @type, @error, @attempts, now())
            ON CONFLICT (subscription, seq) DO UPDATE SET error = excluded.error, attempts = excluded.attempts, parked_at = excluded.parked_at
            """, conn, tx))
        {
            park.Parameters.AddWithValue("n", name);
            park.Parameters.Add(new NpgsqlParameter("tx", NpgsqlDbType.Xid8) { Value = e.Position.Transaction });
            park.Parameters.AddWithValue("seq", e.Position.Sequence);
            park.Parameters.AddWithValue("id", e.EventId);
            park.Parameters.AddWithValue("t", e.TenantId);
            park.Parameters.AddWithValue("s", e.StreamId);
            park.Parameters.AddWithValue("type", e.EventType);
            var text = $"{error.GetType().FullName}: {error.Message}";
            park.Parameters.AddWithValue("error", text.Length <= 4000 ? text : text[..4000]);
            park.Parameters.AddWithValue("attempts", attempts);
            await park.ExecuteNonQueryAsync(ct);
        }
        return await MoveCheckpointAndCommitAsync(tx, name, from, e.Position, ct);
    }

    /// <summary>The events a subscription parked (all subscriptions when <paramref name="name"/> is null), oldest first.</summary>
    public async Task<IReadOnlyList<ParkedEvent>> ParkedAsync(string? name, int limit = 1000, CancellationToken ct = default)
    {
        await using var cmd = _dataSource.CreateCommand("""
            SELECT subscription, tx, seq, event_id, tenant_id, stream_id, event_type, error, attempts, parked_at FROM oos.parked_events
            WHERE @n::text IS NULL OR subscription = @n ORDER BY parked_at, seq LIMIT @limit
            """);
        cmd.Parameters.Add(new NpgsqlParameter("n", NpgsqlDbType.Text) { Value = (object?)name ?? DBNull.Value });
        cmd.Parameters.AddWithValue("limit", limit);
        await using var r = await cmd.ExecuteReaderAsync(ct);
        var list = new List<ParkedEvent>();
        while (await r.ReadAsync(ct))
        {
            list.Add(new ParkedEvent(r.GetString(0), new GlobalPosition(r.GetFieldValue<ulong>(1), r.GetInt64(2)), r.GetGuid(3), r.GetGuid(4),
                r.GetString(5), r.GetString(6), r.GetString(7), r.GetInt32(8), r.GetFieldValue<DateTimeOffset>(9)));
        }
        return list;
    }

    /// <summary>Writes a position reached by skipped batches; false when another runner moved the checkpoint meanwhile.</summary>
    internal async Task<bool> PersistCheckpointAsync(string name, GlobalPosition stored, GlobalPosition position, CancellationToken ct)
    {
        await using var conn = await _dataSource.OpenConnectionAsync(ct);
        await using var tx = await conn.BeginTransactionAsync(ct);
        return await MoveCheckpointAndCommitAsync(tx, name, stored, position, ct);
    }

    // The store registered by AddOutreachEventStore is PostgresEventStore, read through the process's shared LogTail;
    // another IEventStore (a decorator) still works, without sharing and without the held-back probe: such a runner sees
    // held-back events at its next NOTIFY or poll.
    private async Task<(IReadOnlyList<StoredEvent> Events, bool HeldBack)> ReadBatchAsync(GlobalPosition after, int max, long? mark, CancellationToken ct) =>
        _tail is not null ? await _tail.ReadAsync(after, max, mark ?? _tail.Mark, ct) : (await _store.ReadAllAsync(after, max, ct), false);

    /// <summary>
    /// Optimistic move inside the handler's transaction, then the commit, in one round trip: if another runner advanced the
    /// checkpoint meanwhile (lock lost), the guard raises, the transaction aborts with the handler's writes, and the caller
    /// discards the batch (false).
    /// </summary>
    private static async Task<bool> MoveCheckpointAndCommitAsync(NpgsqlTransaction tx, string name, GlobalPosition from, GlobalPosition to,
        CancellationToken ct)
    {
        var move = new NpgsqlBatchCommand(CommitGuards.RequireRows("""
            INSERT INTO oos.checkpoints AS c (name, tx, seq, updated_at) VALUES (@n, @tx, @seq, now())
            ON CONFLICT (name) DO UPDATE SET tx = excluded.tx, seq = excluded.seq, updated_at = now(),
                failing_tx = NULL, failing_seq = NULL, failures = 0
            WHERE c.tx = @otx AND c.seq = @oseq
            """, CommitGuards.CheckpointMoved, "checkpoint moved by another runner"));
        move.Parameters.AddWithValue("n", name);
        move.Parameters.Add(new NpgsqlParameter("tx", NpgsqlDbType.Xid8) { Value = to.Transaction });
        move.Parameters.AddWithValue("seq", to.Sequence);
        move.Parameters.Add(new NpgsqlParameter("otx", NpgsqlDbType.Xid8) { Value = from.Transaction });
        move.Parameters.AddWithValue("oseq", from.Sequence);
        await using var batch = new NpgsqlBatch(tx.Connection, tx)
        {
            BatchCommands =
            {
                // Safe without a synchronous flush: the handler's writes and the checkpoint are lost or kept together on
                // a server crash, and lost batches are simply processed again.
                new NpgsqlBatchCommand("SET LOCAL synchronous_commit = off"),
                move,
                // Delivered at commit, when this transaction stops holding back other writers' events: a runner waiting
                // on held-back events re-reads at once instead of at its next re-check.
                new NpgsqlBatchCommand($"SELECT pg_notify('{PostgresEventStore.ReleasedChannel}', '')"),
                // Npgsql sees the transaction end in the reply and marks the NpgsqlTransaction completed.
                new NpgsqlBatchCommand("COMMIT"),
            },
        };
        try
        {
            await batch.ExecuteNonQueryAsync(ct);
            return true;
        }
        catch (PostgresException e) when (e.SqlState == CommitGuards.CheckpointMoved)
        {
            return false; // the transaction is aborted; disposing it rolls it back
        }
    }

    /// <summary>Resets a projection and replays the whole log into it, holding its lock (waits up to <paramref name="lockTimeout"/>).</summary>
    public async Task<long> RebuildAsync(string name, IProgress<RebuildProgress>? progress, TimeSpan lockTimeout, CancellationToken ct = default)
    {
        var subscription = Get(name);
        await using var lockConn = await _dataSource.OpenConnectionAsync(ct);
        var deadline = DateTime.UtcNow + lockTimeout;
        while (!await TryLockAsync(lockConn, name, ct))
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new InvalidOperationException($"Projection '{name}' is being run by another process; stop it (or wait) and retry the rebuild.");
            }
            await Task.Delay(200, ct);
        }
        try
        {
            long total;
            await using (var count = _dataSource.CreateCommand("SELECT count(*) FROM oos.events"))
            {
                total = (long)(await count.ExecuteScalarAsync(ct))!;
            }
            // Everything committed now is replayed, even what readers must still hold back behind an older open transaction
            // (any database's: the snapshot's xmin is the cluster's): an empty read before it means wait, not done.
            var target = await NewestCommittedAsync(ct);
            await using (var conn = await _dataSource.OpenConnectionAsync(ct))
            await using (var tx = await conn.BeginTransactionAsync(ct))
            {
                await subscription.ResetAsync(tx, ct);
                // A rebuild replays the parked events too: a fixed handler takes them, a still failing one parks them again.
                await using (var unpark = new NpgsqlCommand("DELETE FROM oos.parked_events WHERE subscription = @n", conn, tx))
                {
                    unpark.Parameters.AddWithValue("n", name);
                    await unpark.ExecuteNonQueryAsync(ct);
                }
                await using var reset = new NpgsqlCommand(
                    "INSERT INTO oos.checkpoints (name, tx, seq, updated_at) VALUES (@n, '0', 0, now()) ON CONFLICT (name) DO UPDATE SET tx = '0', seq = 0, updated_at = now(), failing_tx = NULL, failing_seq = NULL, failures = 0",
                    conn, tx);
                reset.Parameters.AddWithValue("n", name);
                await reset.ExecuteNonQueryAsync(ct);
                await tx.CommitAsync(ct);
            }
            _logger.LogInformation("Rebuilding {Subscription} from the start of the log ({Total} events)", name, total);
            long processed = 0;
            GlobalPosition? position = GlobalPosition.Start;
            while (true)
            {
                BatchOutcome outcome;
                try
                {
                    outcome = await ProcessBatchAsync(subscription, position, position, deferIdle: false, readMark: null, ct);
                }
                catch (SubscriptionEventFailedException failed)
                {
                    // Failed alone, below the parking limit: again from where the events before it left the checkpoint,
                    // until the event goes through or is parked.
                    processed += failed.HandledBefore;
                    position = await GetCheckpointAsync(name, ct);
                    continue;
                }
                if (outcome.Count == 0)
                {
                    if ((position ?? GlobalPosition.Start) < target)
                    {
                        await Task.Delay(HeldBackRecheck, ct);
                        continue;
                    }
                    break;
                }
                position = outcome.Position;
                processed += outcome.Count;
                progress?.Report(new RebuildProgress(name, processed, Math.Max(total, processed)));
            }
            progress?.Report(new RebuildProgress(name, processed, processed));
            return processed;
        }
        finally
        {
            await UnlockAsync(lockConn, name, CancellationToken.None);
        }
    }

    /// <summary>The newest committed event now, even if readers must still hold it back behind an older open transaction.</summary>
    private async Task<GlobalPosition> NewestCommittedAsync(CancellationToken ct)
    {
        await using var cmd = _dataSource.CreateCommand("SELECT tx, seq FROM oos.events ORDER BY tx DESC, seq DESC LIMIT 1");
        await using var r = await cmd.ExecuteReaderAsync(ct);
        return await r.ReadAsync(ct) ? new GlobalPosition(r.GetFieldValue<ulong>(0), r.GetInt64(1)) : GlobalPosition.Start;
    }

    /// <summary>Waits until the subscription has handled everything visible when the call started.</summary>
    public async Task WaitForCatchUpAsync(string name, TimeSpan timeout, CancellationToken ct = default)
    {
        var target = await NewestCommittedAsync(ct);
        if (!await WaitForAsync([name], target, timeout, ct))
        {
            throw new TimeoutException($"Subscription '{name}' did not reach {target} within {timeout}.");
        }
    }

    /// <summary>Whether every registered subscription's checkpoint reaches <paramref name="target"/> within <paramref name="timeout"/>.</summary>
    public Task<bool> WaitForAllAsync(GlobalPosition target, TimeSpan timeout, CancellationToken ct = default) =>
        WaitForAsync([.. _byName.Keys], target, timeout, ct);

    private async Task<bool> WaitForAsync(IReadOnlyList<string> names, GlobalPosition target, TimeSpan timeout, CancellationToken ct)
    {
        var deadline = DateTime.UtcNow + timeout;
        foreach (var name in names)
        {
            while (await GetCheckpointAsync(name, ct) < target)
            {
                if (DateTime.UtcNow > deadline)
                {
                    return false;
                }
                await Task.Delay(20, ct);
            }
        }
        return true;
    }

    public async Task<IReadOnlyList<SubscriptionStatus>> StatusAsync(CancellationToken ct = default)
    {
        var list = new List<SubscriptionStatus>();
        foreach (var name in _byName.Keys.Order(StringComparer.Ordinal))
        {
            await using var cmd = _dataSource.CreateCommand("""
                SELECT c.tx, c.seq, c.updated_at,
                       (SELECT count(*) FROM oos.events e WHERE (e.tx, e.seq) > (coalesce(c.tx, '0'::xid8), coalesce(c.seq, 0))),
                       (SELECT count(*) FROM oos.parked_events p WHERE p.subscription = @n)
                FROM (SELECT 1) one LEFT JOIN oos.checkpoints c ON c.name = @n
                """);
            cmd.Parameters.AddWithValue("n", name);
            await using var r = await cmd.ExecuteReaderAsync(ct);
            await r.ReadAsync(ct);
            list.Add(r.IsDBNull(0)
                ? new SubscriptionStatus(name, GlobalPosition.Start, null, r.GetInt64(3), r.GetInt64(4))
                : new SubscriptionStatus(name, new GlobalPosition(r.GetFieldValue<ulong>(0), r.GetInt64(1)), r.GetFieldValue<DateTimeOffset>(2), r.GetInt64(3), r.GetInt64(4)));
        }
        return list;
    }
}

/// <summary>A projection failed on one event (handled alone); the runner retries it after its backoff, and parks it at the limit.</summary>
public sealed class SubscriptionEventFailedException(string subscription, StoredEvent e, int attempt, int handledBefore, Exception inner)
    : Exception($"Subscription '{subscription}' failed on event {e.EventId} ({e.EventType}) at {e.Position} (attempt {attempt}).", inner)
{
    /// <summary>Events of the batch before the failing one, handled and committed one by one.</summary>
    public int HandledBefore => handledBefore;
}

/// <summary>One batch's result: events read, the position reached (null: another runner moved the checkpoint), the
/// checkpoint as stored, and whether more events are readable now or soon (a full batch, or events held back).</summary>
internal readonly record struct BatchOutcome(int Count, GlobalPosition? Position, GlobalPosition? Stored, bool More);

/// <summary>
/// Runs every registered subscription in the background. Each runner holds a session advisory lock on a dedicated
/// connection (so only one host runs it); one LISTEN connection per process wakes them all (<see cref="LogNotifications"/>),
/// and each polls as a fallback.
/// </summary>
internal sealed class SubscriptionDaemon(SubscriptionEngine engine, IEnumerable<ISubscription> subscriptions, NpgsqlDataSource dataSource,
    IOptions<SubscriptionOptions> options, ILogger<SubscriptionDaemon> logger) : BackgroundService
{
    /// <summary>How long a position reached only by skipped batches may stay unwritten.</summary>
    private static readonly TimeSpan LazyCheckpointDelay = TimeSpan.FromSeconds(1);

    // When a held-back warning was last logged by any runner of this process (ticks of DateTime.UtcNow).
    private long _lastHeldBackWarning;

    protected override Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!options.Value.Enabled)
        {
            return Task.CompletedTask;
        }
        var notifications = new LogNotifications(dataSource, () => engine.ReadMark, logger);
        return Task.WhenAll(subscriptions.Select(s => Task.Run(() => RunAsync(s, notifications, stoppingToken), stoppingToken))
            .Append(Task.Run(() => notifications.RunAsync(stoppingToken), stoppingToken)));
    }

    /// <summary>How often an active runner proves that its lock connection (which nothing else reads) is alive.</summary>
    private static readonly TimeSpan LockCheckInterval = TimeSpan.FromSeconds(1);

    /// <summary>
    /// After <see cref="SubscriptionOptions.HeldBackWarnAfter"/> of held-back events, names the oldest transaction with an
    /// id that this role can see (the usual cause: a session idle in transaction, possibly in another database of the
    /// cluster), at most once per interval for the whole process. Uses the runner's lock connection, idle between checks.
    /// </summary>
    private async Task WarnIfHeldBackTooLongAsync(NpgsqlConnection conn, string subscription, DateTime since, CancellationToken ct)
    {
        var after = options.Value.HeldBackWarnAfter;
        var now = DateTime.UtcNow;
        var last = Interlocked.Read(ref _lastHeldBackWarning);
        if (after <= TimeSpan.Zero || now - since < after || now.Ticks - last < after.Ticks
            || Interlocked.CompareExchange(ref _lastHeldBackWarning, now.Ticks, last) != last)
        {
            return;
        }
        var seconds = Math.Round((now - since).TotalSeconds, 1);
        try
        {
            await using var cmd = new NpgsqlCommand(HeldBackBlockerSql, conn);
            await using var r = await cmd.ExecuteReaderAsync(ct);
            if (await r.ReadAsync(ct))
            {
                logger.LogWarning(
                    "Subscription {Subscription}: committed events held back for {Seconds} s behind open transaction {Xid}: pid {Pid}, database {Database}, " +
                    "user {User}, application {Application}, state {State}, open for {OpenSeconds} s. Events are delivered once it ends; a session idle in " +
                    "transaction can be bounded with idle_in_transaction_session_timeout",
                    subscription, seconds, r.GetString(0), r.GetInt32(1), r.IsDBNull(2) ? "?" : r.GetString(2), r.IsDBNull(3) ? "?" : r.GetString(3),
                    r.IsDBNull(4) ? "" : r.GetString(4), r.IsDBNull(5) ? "?" : r.GetString(5), r.IsDBNull(6) ? null : Math.Round(r.GetDouble(6), 1));
            }
            else
            {
                logger.LogWarning(
                    "Subscription {Subscription}: committed events held back for {Seconds} s behind an open transaction this role cannot see " +
                    "(a prepared transaction, or another role's session: grant pg_read_all_stats to have it named)", subscription, seconds);
            }
        }
        catch (Exception e) when (e is NpgsqlException or InvalidOperationException && !ct.IsCancellationRequested)
        {
            logger.LogWarning(e, "Subscription {Subscription}: committed events held back for {Seconds} s; the blocking transaction could not be looked up",
                subscription, seconds);
        }
    }

    /// <summary>The visible session whose transaction id is the oldest: what holds back every reader of the log.</summary>
    internal const string HeldBackBlockerSql = """
        SELECT backend_xid::text, pid, datname, usename, application_name, state, extract(epoch FROM now() - xact_start)::float8
        FROM pg_stat_activity
        WHERE backend_xid IS NOT NULL
        ORDER BY age(backend_xid) DESC
        LIMIT 1
        """;

    private async Task RunAsync(ISubscription subscription, LogNotifications notifications, CancellationToken ct)
    {
        var backoff = TimeSpan.FromMilliseconds(200);
        while (!ct.IsCancellationRequested)
        {
            NpgsqlConnection? conn = null;
            var locked = false;
            LogNotifications.Wake? wake = null;
            GlobalPosition? checkpoint = null;
            GlobalPosition? stored = null;
            try
            {
                conn = await dataSource.OpenConnectionAsync(ct);
                if (!await SubscriptionEngine.TryLockAsync(conn, subscription.Name, ct))
                {
                    await Task.Delay(options.Value.StandbyRetry, ct);
                    continue;
                }
                locked = true;
                logger.LogInformation("Subscription {Subscription} is active in this process", subscription.Name);
                subscription.OnActiveChanged(true);
                wake = notifications.Register();
                // The wake's marks: the shared log's read mark when the last notification (of new events / of either
                // kind) arrived: what it announced is committed by then, so a read of the log's end started after the
                // mark includes it.
                await notifications.Listening.WaitAsync(ct);
                var mark = engine.ReadMark; // after LISTEN: everything committed before is to be read
                var lockChecked = DateTime.UtcNow;
                backoff = TimeSpan.FromMilliseconds(200);
                DateTime? behindSince = null; // the table is behind the position reached by skipped batches
                DateTime? heldBackSince = null; // events have been held back since
                var heldBackWait = TimeSpan.Zero;
                while (!ct.IsCancellationRequested)
                {
                    var outcome = await engine.ProcessBatchAsync(subscription, checkpoint, stored, deferIdle: true, mark, ct);
                    if (outcome.Position is null)
                    {
                        checkpoint = stored = null; // another runner moved it: re-read
                        behindSince = null;
                        continue;
                    }
                    checkpoint = outcome.Position;
                    stored = outcome.Stored;
                    behindSince = checkpoint == stored ? null : behindSince ?? DateTime.UtcNow;

                    TimeSpan wait;
                    if (outcome.Count >= subscription.BatchSize)
                    {
                        continue; // a full batch: more is readable now
                    }
                    if (outcome.More)
                    {
                        // Committed events that an older, still-open transaction holds back send no further NOTIFY:
                        // re-check soon instead of sleeping a whole poll interval. The re-check starts at 1 ms and
                        // doubles up to HeldBackMaxWait while the older transaction stays open.
                        // The doubling stops at the cap: doubled on, it overflowed TimeSpan after about 50 re-checks (2.5 s
                        // at the default cap) and threw, and the runner crash-looped instead of waiting and warning.
                        var cap = TimeSpan.FromMilliseconds(Math.Min(options.Value.HeldBackMaxWait.TotalMilliseconds, options.Value.PollInterval.TotalMilliseconds));
                        heldBackWait = heldBackWait == TimeSpan.Zero ? TimeSpan.FromMilliseconds(1) : heldBackWait * 2;
                        heldBackWait = heldBackWait > cap ? cap : heldBackWait;
                        wait = heldBackWait;
                        heldBackSince ??= DateTime.UtcNow;
                        await WarnIfHeldBackTooLongAsync(conn, subscription.Name, heldBackSince.Value, ct);
                    }
                    else
                    {
                        heldBackWait = TimeSpan.Zero;
                        wait = options.Value.PollInterval;
                        heldBackSince = null;
                    }
                    var recheckAt = DateTime.UtcNow + wait; // the poll or held-back re-check, before the checkpoint shortens the wait
                    if (behindSince is { } since)
                    {
                        var due = since + LazyCheckpointDelay - DateTime.UtcNow;
                        wait = due < wait ? (due > TimeSpan.Zero ? due : TimeSpan.Zero) : wait;
                    }
                    // Waiting on held-back events, any notification is worth a re-read (an append, or a subscription's
                    // transaction ending); otherwise only new events are, and a release just continues the wait.
                    // A notification that arrived while the batch ran is pending and ends the wait at once.
                    var waitStarted = Stopwatch.GetTimestamp();
                    var until = DateTime.UtcNow + wait;
                    var notified = false;
                    while (await wake.WaitAsync(Remaining(until), ct))
                    {
                        notified = true;
                        if (outcome.More || wake.Appended || DateTime.UtcNow >= until)
                        {
                            break;
                        }
                    }
                    // Woken by a notification: a shared read started after it answers for this runner too. Woken by the
                    // clock for a poll or held-back re-check: only a read started from now on, or the runner would be
                    // handed the same stale answer again. Woken early only to write the lazy checkpoint: nothing new
                    // was announced, the mark stays.
                    var appended = wake.TakeAppended(); // a later announcement sets it again, and signals
                    mark = outcome.More && notified ? wake.AnyMark
                        : !outcome.More && appended ? wake.AppendMark
                        : outcome.More || DateTime.UtcNow >= recheckAt ? engine.ReadMark
                        : mark;
                    if (appended && !outcome.More && subscription.GatherDelay > TimeSpan.Zero)
                    {
                        // Let the burst this append belongs to arrive: one batch for all of it. Whatever is announced
                        // meanwhile is covered by a read started after the latest announcement's mark.
                        await Task.Delay(subscription.GatherDelay, ct);
                        if (wake.TakeAppended())
                        {
                            mark = wake.AppendMark;
                        }
                    }
                    if (DateTime.UtcNow - lockChecked >= LockCheckInterval)
                    {
                        // Nothing reads the lock connection otherwise: a broken one throws here and the lock is re-taken.
                        await using var check = new NpgsqlCommand("SELECT 1", conn);
                        await check.ExecuteScalarAsync(ct);
                        lockChecked = DateTime.UtcNow;
                    }
                    if (outcome.More)
                    {
                        SubscriptionEngine.HeldBack.Record(Stopwatch.GetElapsedTime(waitStarted).TotalMilliseconds,
                            new KeyValuePair<string, object?>("subscription", subscription.Name));
                    }
                    if (behindSince is { } behind && DateTime.UtcNow - behind >= LazyCheckpointDelay && stored is { } s && checkpoint is { } c)
                    {
                        // An external effect not durable yet (an in-memory delivery some consumer has not finished) keeps
                        // the stored position behind it; the rest is written now, and the position looked at again later.
                        var settled = Settled(subscription, c, s);
                        if (settled == s)
                        {
                            behindSince = settled == c ? null : DateTime.UtcNow;
                        }
                        else if (await engine.PersistCheckpointAsync(subscription.Name, s, settled, ct))
                        {
                            stored = settled;
                            behindSince = settled == c ? null : DateTime.UtcNow;
                        }
                        else
                        {
                            checkpoint = stored = null;
                            behindSince = null;
                        }
                    }
                }
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                if (locked && checkpoint is { } reached && stored is { } table && Settled(subscription, reached, table) is var settled && settled != table)
                {
                    // The bus stops before this daemon (hosted services stop in reverse order) and drains its in-memory
                    // queues, so every delivery is normally finished by now and the whole position is written.
                    await PersistOnStopAsync(subscription.Name, table, settled);
                }
                return;
            }
            catch (Exception ex)
            {
                logger.LogError(ex, "Subscription {Subscription} failed; retrying in {Backoff}", subscription.Name, backoff);
                try
                {
                    await Task.Delay(backoff, ct);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
                backoff = TimeSpan.FromTicks(Math.Min(backoff.Ticks * 2, TimeSpan.FromSeconds(30).Ticks));
            }
            finally
            {
                if (wake is not null)
                {
                    notifications.Unregister(wake);
                }
                if (locked)
                {
                    subscription.OnActiveChanged(false);
                }
                await ReleaseAsync(conn, locked, subscription.Name);
            }
        }
    }

    private static GlobalPosition Settled(ISubscription subscription, GlobalPosition reached, GlobalPosition stored) =>
        subscription is IExternalEffectSubscription external ? external.SettledUpTo(reached, stored) : reached;

    /// <summary>A position reached by batches handled without a transaction, written at a graceful stop (best effort).</summary>
    private async Task PersistOnStopAsync(string name, GlobalPosition stored, GlobalPosition reached)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        try
        {
            await engine.PersistCheckpointAsync(name, stored, reached, timeout.Token);
        }
        catch (Exception ex) when (ex is NpgsqlException or OperationCanceledException or TimeoutException)
        {
            logger.LogWarning(ex, "Subscription {Subscription} could not write its position at stop; up to a second of it is handled again", name);
        }
    }

    private static TimeSpan Remaining(DateTime until)
    {
        var left = until - DateTime.UtcNow;
        return left > TimeSpan.FromMilliseconds(1) ? left : TimeSpan.FromMilliseconds(1);
    }

    // A pooled connection keeps session advisory locks until it is reused: release explicitly before returning it.
    private async Task ReleaseAsync(NpgsqlConnection? conn, bool locked, string name)
    {
        if (conn is null)
        {
            return;
        }
        try
        {
            if (locked && conn.FullState == System.Data.ConnectionState.Open)
            {
                await SubscriptionEngine.UnlockAsync(conn, name, CancellationToken.None);
            }
        }
        catch (Exception ex) when (ex is NpgsqlException or InvalidOperationException or TimeoutException)
        {
            logger.LogWarning(ex, "Could not release subscription {Subscription} cleanly; the connection is dropped instead", name);
            NpgsqlConnection.ClearPool(conn);
        }
        finally
        {
            await conn.DisposeAsync();
        }
    }
}
