using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Npgsql;
using NpgsqlTypes;
using OutreachOS.BuildingBlocks.Json;
using OutreachOS.BuildingBlocks.Postgres;

namespace OutreachOS.BuildingBlocks.EventStore;

/// <summary>Marten-like event store on Npgsql. See ADR 0002 for the design and its guarantees.</summary>
internal sealed class PostgresEventStore(
    NpgsqlDataSource dataSource,
    EventTypeRegistry types,
    IEnumerable<IInlineProjection> inlineProjections,
    IEnumerable<IAppendCommitObserver> commitObservers,
    TimeProvider clock) : IEventStore
{
    internal const string NotifyChannel = "oos_events";

    /// <summary>
    /// Sent when a subscription's batch transaction commits: it had a transaction id, so committed events may have been
    /// held back behind it and are now readable (appends announce themselves on <see cref="NotifyChannel"/>).
    /// </summary>
    internal const string ReleasedChannel = "oos_released";
    private static readonly ActivitySource Activity = new("OutreachOS.EventStore");
    private readonly IInlineProjection[] _inline = inlineProjections.ToArray();
    private readonly IAppendCommitObserver[] _observers = commitObservers.ToArray();
    private Func<string, byte[], object?>? _payloadReader;

    /// <summary>One delegate for every event read (not one allocation per event).</summary>
    private Func<string, byte[], object?> PayloadReader => _payloadReader ??= DeserializePayload;

    public async Task<AppendResult> AppendAsync(Guid tenantId, string streamId, string streamType, ExpectedVersion expected,
        IReadOnlyList<EventToAppend> events, CancellationToken ct = default) =>
        (await AppendManyAsync([new StreamAppend(tenantId, streamId, streamType, expected, events)], ct))[0];

    public async Task<IReadOnlyList<AppendResult>> AppendManyAsync(IReadOnlyList<StreamAppend> appends, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(appends);
        if (appends.Count == 1 && appends[0].Expected == ExpectedVersion.NoStream && appends[0].Events.Count < CopyThreshold && !InlineInterest(appends[0])
            && await TryOpenStreamAsync(appends[0], ct) is { } opened)
        {
            return [opened];
        }
        await using var conn = await dataSource.OpenConnectionAsync(ct);
        await using var tx = await conn.BeginTransactionAsync(ct);
        var (results, stored, _) = await AppendCoreAsync(tx, appends, ct);
        var told = stored.Count == 0 ? [] : Prepare(stored);
        var committed = false;
        try
        {
            await tx.CommitAsync(ct);
            committed = true;
        }
        finally
        {
            Told(told, committed);
        }
        return results;
    }

    private bool InlineInterest(StreamAppend append)
    {
        foreach (var projection in _inline)
        {
            foreach (var e in append.Events)
            {
                if (projection.EventTypes.Contains(e.Data.GetType()))
                {
                    return true;
                }
            }
        }
        return false;
    }

    /// <summary>
    /// An append that opens a stream (expected <see cref="ExpectedVersion.NoStream"/>, no inline projection involved) in one
    /// round trip and one implicit transaction: a new stream has version 0 and no previous hash, so nothing needs reading
    /// first. The stream row is inserted only if absent, and the events only if it was inserted. Null when the stream
    /// exists already: the caller then takes the general path, which reports a retry (same event ids) as already appended
    /// and anything else as a version conflict.
    /// </summary>
    private async Task<AppendResult?> TryOpenStreamAsync(StreamAppend append, CancellationToken ct)
    {
        Validate(append);
        using var activity = Activity.StartActivity("eventstore.append");
        activity?.SetTag("db.system", "postgresql");
        activity?.SetTag("outreachos.streams", 1);
        var now = TruncateToMicroseconds(clock.GetUtcNow());
        var rows = Chain(append, 0, null, now);
        var version = rows[^1].Version;

        var open = HeadThenEvents("""
            INSERT INTO oos.streams (tenant_id, id, type, version, last_hash, created_at, updated_at, last_tx)
            VALUES (@tenant, @stream, @type, @version, @hash, @now, @now, pg_current_xact_id())
            ON CONFLICT (tenant_id, id) DO NOTHING
            """, append, rows, now);
        open.Parameters.AddWithValue("type", append.StreamType);

        // Positions are not known before the insert; observers get the events without them (PublishOnCommit needs none).
        var told = Prepare([.. rows.Select(r => ToStored(r, 0, 0, now))]);
        var inserted = 0;
        try
        {
            await using var conn = await dataSource.OpenConnectionAsync(ct);
            // No explicit transaction: the statements of one batch run in one implicit transaction, committed at its end.
            await using var batch = new NpgsqlBatch(conn) { BatchCommands = { open, Notify() } };
            inserted = (await InsertConditionallyAsync(batch, append, rows, now, ct)).Count;
        }
        finally
        {
            Told(told, committed: inserted > 0);
        }
        return inserted > 0 ? new AppendResult(append.StreamId, version, AlreadyAppended: false) : null;
    }

    /// <summary>
    /// An append to a stream whose head the caller read (<see cref="StreamAppend.KnownHead"/>): the head moves only if
    /// it is still that event (version and hash), and the events are inserted only if it moved — one round trip instead of
    /// lock-then-insert. Null when the head has moved: nothing was written, and the caller takes the general path.
    /// </summary>
    private async Task<(AppendResult Result, IReadOnlyList<StoredEvent> Stored)?> TryAppendAtKnownHeadAsync(NpgsqlConnection conn,
        NpgsqlTransaction tx, StreamAppend append, (long Version, byte[] Hash) head, CancellationToken ct)
    {
        Validate(append);
        var now = TruncateToMicroseconds(clock.GetUtcNow());
        var rows = Chain(append, head.Version, head.Hash, now);
        var append1 = HeadThenEvents($"""
            UPDATE oos.streams AS s SET version = @version, last_hash = @hash, updated_at = @now, last_tx = {NextLastTx}
            WHERE tenant_id = @tenant AND id = @stream AND version = @expected AND last_hash = @previous
            """, append, rows, now);
        append1.Parameters.AddWithValue("expected", head.Version);
        append1.Parameters.AddWithValue("previous", head.Hash);
        await using var batch = new NpgsqlBatch(conn, tx) { BatchCommands = { OrderLocks(append.TenantId, [append.StreamId]), append1, Notify() } };
        AddRiders(batch, tx);
        var stored = await InsertConditionallyAsync(batch, append, rows, now, ct, leading: 1);
        return stored.Count == 0 ? null : (new AppendResult(append.StreamId, rows[^1].Version, AlreadyAppended: false), stored);
    }

    /// <summary>
    /// One statement: <paramref name="headWrite"/> (an insert or update of the stream row, which may touch no row) and the
    /// events, inserted only if it touched the row. Binds @tenant, @stream, @version and @hash (the new head) and @now.
    /// </summary>
    private static NpgsqlBatchCommand HeadThenEvents(string headWrite, StreamAppend append, List<PendingRow> rows, DateTimeOffset now)
    {
        var cmd = new NpgsqlBatchCommand($"""
            WITH s AS ({headWrite} RETURNING 1)
            INSERT INTO oos.events (id, tenant_id, stream_id, version, type, data, metadata, created_at, hash)
            SELECT * FROM unnest(@ids, @tenants, @streams, @versions, @types, @datas::jsonb[], @metas::jsonb[], @created, @hashes)
            WHERE EXISTS (SELECT 1 FROM s)
            RETURNING seq, tx
            """);
        cmd.Parameters.AddWithValue("tenant", append.TenantId);
        cmd.Parameters.AddWithValue("stream", append.StreamId);
        cmd.Parameters.AddWithValue("version", rows[^1].Version);
        cmd.Parameters.AddWithValue("hash", rows[^1].Hash);
        cmd.Parameters.AddWithValue("now", now);
        AddRowParameters(cmd, rows, now);
        return cmd;
    }

    /// <summary>
    /// Runs a <see cref="HeadThenEvents"/> batch. Its statement skips the duplicate-id lookup of the general path, so an
    /// event id taken by another stream surfaces as the unique index's violation, reported as the general path reports it.
    /// </summary>
    private async Task<List<StoredEvent>> InsertConditionallyAsync(NpgsqlBatch batch, StreamAppend append, List<PendingRow> rows,
        DateTimeOffset now, CancellationToken ct, int leading = 0)
    {
        try
        {
            return await ExecuteInsertAsync(batch, rows, now, ct, leading);
        }
        catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.UniqueViolation && e.ConstraintName == "events_id")
        {
            throw new DuplicateEventException(append.Events[0].EventId, "an event with this id already exists in another stream");
        }
    }

    /// <summary>
    /// Runs a batch whose statement after the <paramref name="leading"/> first ones (locks, their results skipped) inserts
    /// <paramref name="rows"/> (<c>RETURNING seq, tx</c>, possibly none) and drains the other statements, so that an error
    /// in any of them surfaces here.
    /// </summary>
    private async Task<List<StoredEvent>> ExecuteInsertAsync(NpgsqlBatch batch, List<PendingRow> rows, DateTimeOffset now, CancellationToken ct,
        int leading = 0)
    {
        var stored = new List<StoredEvent>(rows.Count);
        await using var reader = await batch.ExecuteReaderAsync(ct);
        for (var i = 0; i < leading; i++)
        {
            await reader.NextResultAsync(ct);
        }
        while (await reader.ReadAsync(ct))
        {
            stored.Add(ToStored(rows[stored.Count], reader.GetInt64(0), reader.GetFieldValue<ulong>(1), now));
        }
        while (await reader.NextResultAsync(ct))
        {
        }
        return stored;
    }

    /// <summary>
    /// The rows of one stream's events after <paramref name="version"/>, chained from <paramref name="previous"/>. The
    /// payloads are serialised once per event (<see cref="EventToAppend.CanonicalPayload"/> keeps them), so a caller may
    /// have done it already, before taking its locks.
    /// </summary>
    private List<PendingRow> Chain(StreamAppend append, long version, byte[]? previous, DateTimeOffset now)
    {
        var rows = new List<PendingRow>(append.Events.Count);
        foreach (var e in append.Events)
        {
            var data = e.CanonicalPayload();
            version++;
            var typeName = types.NameFor(e.Data.GetType());
            var metadata = CanonicalMetadata(e.Metadata);
            var hash = EventHash.Compute(previous, append.TenantId, append.StreamId, version, typeName, e.EventId, now, data, metadata);
            rows.Add(new PendingRow(e, append.TenantId, append.StreamId, version, typeName, data, metadata, hash));
            previous = hash;
        }
        return rows;
    }

    private (IAppendCommitObserver Observer, object State)[] Prepare(IReadOnlyList<StoredEvent> stored)
    {
        if (_observers.Length == 0)
        {
            return [];
        }
        var told = new List<(IAppendCommitObserver, object)>(_observers.Length);
        foreach (var observer in _observers)
        {
            if (observer.BeforeCommit(stored) is { } state)
            {
                told.Add((observer, state));
            }
        }
        return [.. told];
    }

    private static void Told((IAppendCommitObserver Observer, object State)[] told, bool committed)
    {
        foreach (var (observer, state) in told)
        {
            observer.AfterCommit(state, committed);
        }
    }

    public async Task<IReadOnlyList<AppendResult>> AppendManyAsync(NpgsqlTransaction transaction, IReadOnlyList<StreamAppend> appends, CancellationToken ct = default) =>
        (await AppendCoreAsync(transaction, appends, ct)).Results;

    public async Task<IReadOnlyList<AppendResult>> AppendManyAndCommitAsync(NpgsqlTransaction transaction, IReadOnlyList<StreamAppend> appends,
        StreamLocks? locked = null, CancellationToken ct = default)
    {
        var (results, _, committed) = await AppendCoreAsync(transaction, appends, ct, commit: true, locked);
        if (!committed)
        {
            await transaction.CommitAsync(ct);
        }
        return results;
    }

    private static readonly IReadOnlyList<StoredEvent> NoneStored = [];
    private static readonly Dictionary<Guid, (Guid, string)> NoneExisting = [];

    /// <summary>
    /// The append in <paramref name="transaction"/>. With <paramref name="commit"/>, a <c>COMMIT</c> rides in the round trip
    /// that inserts the events when nothing has to run after it (Committed: true); otherwise the caller commits.
    /// </summary>
    private async Task<(IReadOnlyList<AppendResult> Results, IReadOnlyList<StoredEvent> Stored, bool Committed)> AppendCoreAsync(NpgsqlTransaction transaction,
        IReadOnlyList<StreamAppend> appends, CancellationToken ct, bool commit = false, StreamLocks? locked = null)
    {
        ArgumentNullException.ThrowIfNull(transaction);
        ArgumentNullException.ThrowIfNull(appends);
        using var activity = Activity.StartActivity("eventstore.append");
        activity?.SetTag("db.system", "postgresql");
        activity?.SetTag("outreachos.streams", appends.Count);
        var conn = transaction.Connection ?? throw new InvalidOperationException("The transaction has no connection.");
        if (appends.Count == 1 && appends[0] is { KnownHead: { } head } known && known.Events.Count < CopyThreshold
            && !InlineInterest(known) && await TryAppendAtKnownHeadAsync(conn, transaction, known, head, ct) is { } appended)
        {
            return ([appended.Result], appended.Stored, false);
        }

        // Deterministic lock order across streams prevents deadlocks between two multi-stream appends.
        var ordered = appends.Select((a, i) => (a, i))
            .OrderBy(x => x.a.TenantId).ThenBy(x => x.a.StreamId, StringComparer.Ordinal).ToList();
        foreach (var (append, _) in ordered)
        {
            Validate(append);
        }
        for (var i = 1; i < ordered.Count; i++)
        {
            if (ordered[i].a.TenantId == ordered[i - 1].a.TenantId && ordered[i].a.StreamId == ordered[i - 1].a.StreamId)
            {
                throw new ArgumentException($"Stream '{ordered[i].a.StreamId}' appears twice in one append; merge its events into one StreamAppend.", nameof(appends));
            }
        }
        var results = new AppendResult[appends.Count];
        var rows = new List<PendingRow>();
        var now = TruncateToMicroseconds(clock.GetUtcNow());

        // Serialise and canonicalise before taking any lock (shorter lock hold); large batches use both cores.
        // (Each event keeps its payload: Chain below reuses it.)
        var all = ordered.SelectMany(x => x.a.Events).ToArray();
        if (all.Length >= CopyThreshold)
        {
            Parallel.ForEach(all, e => e.CanonicalPayload());
        }
        else
        {
            Array.ForEach(all, e => e.CanonicalPayload());
        }

        // Round trip 1: lock every stream (sorted: no deadlock between multi-stream appends) and, under those locks,
        // look up which event ids exist already, so two concurrent retries cannot both pass the idempotency check.
        // (Skipped when the caller locked every stream in this transaction already: no id look-up then, see StreamLocks.)
        var lockedAhead = locked is not null && locked.Cover(appends);
        var (heads, existing) = lockedAhead
            ? (locked!.Heads, NoneExisting)
            : await LockStreamsAsync(conn, transaction, ordered.Select(x => x.a).ToList(), now, ct);
        // Streams locked ahead, created by that lock (version 0) and then not appended to (the caller's command was
        // refused) are removed again in this transaction: a stream without events is no stream.
        var unused = lockedAhead ? locked!.Unused(appends) : [];

        var updates = new List<(StreamAppend Append, long Version, byte[] Hash)>();
        foreach (var (append, index) in ordered)
        {
            var (currentVersion, lastHash) = heads[(append.TenantId, append.StreamId)];
            var already = 0;
            foreach (var e in append.Events)
            {
                if (existing.TryGetValue(e.EventId, out var owner))
                {
                    if (owner != (append.TenantId, append.StreamId))
                    {
                        throw new DuplicateEventException(e.EventId, "an event with this id already exists in another stream");
                    }
                    already++;
                }
            }
            if (already == append.Events.Count)
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

            var chained = Chain(append, currentVersion, lastHash, now);
            rows.AddRange(chained);
            updates.Add((append, chained[^1].Version, chained[^1].Hash));
            results[index] = new AppendResult(append.StreamId, chained[^1].Version, AlreadyAppended: false);
        }

        if (rows.Count == 0)
        {
            if (unused.Count > 0)
            {
                await using var remove = new NpgsqlBatch(conn, transaction);
                unused.ForEach(remove.BatchCommands.Add);
                await remove.ExecuteNonQueryAsync(ct);
            }
            return (results, NoneStored, false);
        }

        // Inline projections that only write (IBatchedInlineProjection) add their statements to the insert's round trip;
        // the others run after it, with the events' positions.
        var riding = new List<NpgsqlBatchCommand>(unused);
        var after = new List<IInlineProjection>();
        foreach (var projection in _inline)
        {
            var handled = rows.Where(r => projection.EventTypes.Contains(r.Event.Data.GetType())).ToList();
            if (handled.Count == 0)
            {
                continue;
            }
            if (projection is IBatchedInlineProjection batched)
            {
                // Only the rows it handles become (unpositioned) stored events: a group's other payloads are not decoded twice.
                batched.AddStatements(riding, [.. handled.Select(r => ToStored(r, 0, 0, now))]);
            }
            else
            {
                after.Add(projection);
            }
        }
        var committed = commit && after.Count == 0 && rows.Count < CopyThreshold;
        if (committed)
        {
            // Npgsql sees the transaction end in the reply and marks the NpgsqlTransaction completed.
            riding.Add(new NpgsqlBatchCommand("COMMIT"));
        }

        // Round trip 2 (3 with COPY for large batches): stream heads, events, the wake-up for subscriptions, and the
        // statements riding with them.
        var stored = await InsertAsync(conn, transaction, updates, rows, now, riding, ct);
        foreach (var projection in after)
        {
            var relevant = stored.Where(s => s.Data is not null && projection.EventTypes.Contains(s.Data.GetType())).ToList();
            if (relevant.Count > 0)
            {
                await projection.ApplyAsync(transaction, relevant, ct);
            }
        }
        return (results, stored, committed);
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

    private static async Task<(Dictionary<(Guid, string), (long Version, byte[]? LastHash)> Heads, Dictionary<Guid, (Guid, string)> Existing)> LockStreamsAsync(
        NpgsqlConnection conn, NpgsqlTransaction tx, List<StreamAppend> appends, DateTimeOffset now, CancellationToken ct)
    {
        // The same lock a caller can take ahead (StreamLocks), with the id look-up in the same round trip.
        var locks = new StreamLocks(LockStatement([.. appends.Select(a => (a.TenantId, a.StreamId, a.StreamType))], now));
        var lookup = new NpgsqlBatchCommand("SELECT id, tenant_id, stream_id FROM oos.events WHERE id = ANY(@ids)");
        lookup.Parameters.AddWithValue("ids", appends.SelectMany(a => a.Events).Select(e => e.EventId).ToArray());
        await using var batch = new NpgsqlBatch(conn, tx) { BatchCommands = { locks.Command, lookup } };

        var existing = new Dictionary<Guid, (Guid, string)>();
        await using var r = await batch.ExecuteReaderAsync(ct);
        await locks.ReadAsync(r, ct);
        await r.NextResultAsync(ct);
        while (await r.ReadAsync(ct))
        {
            existing[r.GetGuid(0)] = (r.GetGuid(1), r.GetString(2));
        }
        return (locks.Heads, existing);
    }

    public StreamLocks LockStreams(IReadOnlyCollection<(Guid TenantId, string StreamId, string StreamType)> streams)
    {
        ArgumentNullException.ThrowIfNull(streams);
        var ordered = streams.DistinctBy(s => (s.TenantId, s.StreamId)).OrderBy(s => s.TenantId).ThenBy(s => s.StreamId, StringComparer.Ordinal).ToList();
        return new StreamLocks(LockStatement(ordered, TruncateToMicroseconds(clock.GetUtcNow())));
    }

    /// <summary>
    /// Upsert-then-lock in one statement, in the order given (callers sort: no deadlock between multi-stream appends):
    /// ON CONFLICT DO UPDATE takes the row lock and returns the current head. Every stream's order lock
    /// (<see cref="OrderLockKey"/>) is taken first, before the statement writes anything: the CTE's aggregate consumes
    /// all the locks before the join yields a row, and the sort before the insert consumes the join.
    /// </summary>
    private static NpgsqlBatchCommand LockStatement(List<(Guid TenantId, string StreamId, string StreamType)> streams, DateTimeOffset now)
    {
        var upsert = new NpgsqlBatchCommand($"""
            WITH ordered AS MATERIALIZED ({TakeOrderLocks})
            INSERT INTO oos.streams (tenant_id, id, type, version, created_at, updated_at)
            SELECT x.t, x.s, x.ty, 0, @now, @now FROM ordered, unnest(@t, @s, @ty) WITH ORDINALITY AS x(t, s, ty, n) ORDER BY x.n
            ON CONFLICT (tenant_id, id) DO UPDATE SET updated_at = oos.streams.updated_at
            RETURNING tenant_id, id, version, last_hash
            """);
        upsert.Parameters.AddWithValue("keys", streams.Count <= MaxOrderLocks ? streams.Select(s => OrderLockKey(s.TenantId, s.StreamId)).ToArray() : Array.Empty<long>());
        upsert.Parameters.AddWithValue("t", streams.Select(s => s.TenantId).ToArray());
        upsert.Parameters.AddWithValue("s", streams.Select(s => s.StreamId).ToArray());
        upsert.Parameters.AddWithValue("ty", streams.Select(s => s.StreamType).ToArray());
        upsert.Parameters.AddWithValue("now", now);
        return upsert;
    }

    /// <summary>
    /// The advisory lock that orders a stream's appenders: taken before the append's first write. A transaction gets its
    /// id at its first write, and a row lock is such a write: two appenders that waited on the stream row could hold ids in
    /// the opposite order to the one they were granted the row in, and the later-granted, older transaction was then
    /// refused by the stream-order check (<see cref="NextLastTx"/>) although nothing had appended before it took its id.
    /// An advisory lock takes no id, so a transaction that had none gets one only once it holds the stream, after every
    /// earlier appender committed. (A transaction that wrote before the append already has an older id: that refusal stands.)
    /// Anything else that locks a stream's row takes this lock first (<see cref="OrderLocks"/>): a row lock held without it
    /// deadlocks with an appender that holds it and waits for the row.
    /// </summary>
    internal static long OrderLockKey(Guid tenantId, string streamId) => AdvisoryLocks.Key($"oos-stream:{tenantId:N}:{streamId}");

    /// <summary>
    /// Appends of more streams than this in one statement (bulk loads: a suppression import's chunk of 1,000) take no order
    /// locks: each advisory lock is an entry of PostgreSQL's shared lock table (max_locks_per_transaction × connections,
    /// 6,400 with the defaults), which a few concurrent bulk loads would exhaust. Their streams are rarely contended; a
    /// refusal there is retried like any other. Such an append holds its streams' rows without their order locks, so it
    /// should be the last append of its transaction (a later one waiting for an order lock could deadlock).
    /// </summary>
    internal const int MaxOrderLocks = 256;

    /// <summary>
    /// The order locks of one organization's streams, in the order appends take them (ordinal stream id), for a caller
    /// that locks the streams' rows itself (an erasure, a writer checking for one) before it appends.
    /// </summary>
    internal static NpgsqlBatchCommand OrderLocks(Guid tenantId, IEnumerable<string> streamIds)
    {
        var keys = streamIds.Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).Select(s => OrderLockKey(tenantId, s)).ToArray();
        var command = new NpgsqlBatchCommand(TakeOrderLocks);
        command.Parameters.AddWithValue("keys", keys);
        return command;
    }

    /// <summary>Takes the order locks of <c>@keys</c> (bigint[]), in the array's order; one row, the count.</summary>
    private const string TakeOrderLocks =
        "SELECT count(*) AS n FROM unnest(@keys::bigint[]) AS k(key) CROSS JOIN LATERAL pg_advisory_xact_lock(k.key)";

    private static readonly byte[] EmptyMetadata = "{}"u8.ToArray();

    private static byte[] CanonicalMetadata(IReadOnlyDictionary<string, string>? metadata)
    {
        var withTrace = WithTrace(metadata);
        return withTrace.Count == 0
            ? EmptyMetadata
            : CanonicalJson.Serialize(withTrace, typeof(IReadOnlyDictionary<string, string>), OutreachJson.Options);
    }

    /// <summary>
    /// The new heads of the appended streams. The rows exist (the append locked or created them first), so this only ever
    /// takes the DO UPDATE branch; written as an upsert because its arbiter is always the primary key. As
    /// <c>UPDATE … FROM unnest</c> the planner hashed a sequential scan of every stream whenever it guessed the table small.
    /// </summary>
    internal const string UpdateHeadsSql = $"""
        INSERT INTO oos.streams AS s (tenant_id, id, type, version, last_hash, created_at, updated_at)
        SELECT x.t, x.s, x.ty, x.v, x.h, @now, @now FROM unnest(@t, @s, @ty, @v, @h) AS x(t, s, ty, v, h)
        ON CONFLICT (tenant_id, id) DO UPDATE SET version = excluded.version, last_hash = excluded.last_hash, updated_at = excluded.updated_at,
            last_tx = {NextLastTx}
        """;

    /// <summary>
    /// The stream row's new <c>last_tx</c> (core migration 7; the row aliased <c>s</c>): this transaction's id, unless a newer
    /// transaction appended first, which <c>oos.stream_order_refused</c> refuses (40001). Compared in SQL, so the PL/pgSQL
    /// function runs only to refuse.
    /// </summary>
    private const string NextLastTx =
        "CASE WHEN s.last_tx > pg_current_xact_id() THEN oos.stream_order_refused(s.last_tx) ELSE pg_current_xact_id() END";

    private static NpgsqlBatchCommand UpdateHeads(List<(StreamAppend Append, long Version, byte[] Hash)> updates, DateTimeOffset now)
    {
        var cmd = new NpgsqlBatchCommand(UpdateHeadsSql);
        cmd.Parameters.AddWithValue("t", updates.Select(u => u.Append.TenantId).ToArray());
        cmd.Parameters.AddWithValue("s", updates.Select(u => u.Append.StreamId).ToArray());
        cmd.Parameters.AddWithValue("ty", updates.Select(u => u.Append.StreamType).ToArray());
        cmd.Parameters.AddWithValue("v", updates.Select(u => u.Version).ToArray());
        cmd.Parameters.AddWithValue("h", updates.Select(u => u.Hash).ToArray());
        cmd.Parameters.AddWithValue("now", now);
        return cmd;
    }

    private static NpgsqlBatchCommand Notify() => new($"SELECT pg_notify('{NotifyChannel}', '')");

    private async Task<List<StoredEvent>> InsertAsync(NpgsqlConnection conn, NpgsqlTransaction tx,
        List<(StreamAppend Append, long Version, byte[] Hash)> updates, List<PendingRow> rows, DateTimeOffset now,
        List<NpgsqlBatchCommand> riding, CancellationToken ct)
    {
        if (rows.Count >= CopyThreshold)
        {
            await using (var heads = new NpgsqlBatch(conn, tx) { BatchCommands = { UpdateHeads(updates, now), Notify() } })
            {
                AddRiders(heads, tx, riding);
                await heads.ExecuteNonQueryAsync(ct);
            }
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
                    await importer.WriteAsync(row.Data, NpgsqlDbType.Jsonb, ct);
                    await importer.WriteAsync(row.Metadata, NpgsqlDbType.Jsonb, ct);
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
            var stored = new List<StoredEvent>(rows.Count);
            foreach (var row in rows)
            {
                var p = positions.GetValueOrDefault(row.Event.EventId);
                stored.Add(ToStored(row, p.Seq, p.Tx, now));
            }
            return stored;
        }

        var insert = new NpgsqlBatchCommand("""
            INSERT INTO oos.events (id, tenant_id, stream_id, version, type, data, metadata, created_at, hash)
            SELECT * FROM unnest(@ids, @tenants, @streams, @versions, @types, @datas::jsonb[], @metas::jsonb[], @created, @hashes)
            RETURNING seq, tx
            """);
        AddRowParameters(insert, rows, now);
        await using var batch = new NpgsqlBatch(conn, tx) { BatchCommands = { insert, UpdateHeads(updates, now), Notify() } };
        AddRiders(batch, tx, riding);
        return await ExecuteInsertAsync(batch, rows, now, ct);
    }

    private const int CopyThreshold = 64;

    private static void AddRowParameters(NpgsqlBatchCommand insert, List<PendingRow> rows, DateTimeOffset now)
    {
        insert.Parameters.AddWithValue("ids", rows.Select(r => r.Event.EventId).ToArray());
        insert.Parameters.AddWithValue("tenants", rows.Select(r => r.TenantId).ToArray());
        insert.Parameters.AddWithValue("streams", rows.Select(r => r.StreamId).ToArray());
        insert.Parameters.AddWithValue("versions", rows.Select(r => r.Version).ToArray());
        insert.Parameters.AddWithValue("types", rows.Select(r => r.TypeName).ToArray());
        // jsonb from the canonical UTF-8 bytes as they are (no .NET strings in between).
        insert.Parameters.Add(new NpgsqlParameter("datas", NpgsqlDbType.Array | NpgsqlDbType.Jsonb) { Value = rows.Select(r => r.Data).ToArray() });
        insert.Parameters.Add(new NpgsqlParameter("metas", NpgsqlDbType.Array | NpgsqlDbType.Jsonb) { Value = rows.Select(r => r.Metadata).ToArray() });
        insert.Parameters.AddWithValue("created", rows.Select(_ => now).ToArray());
        insert.Parameters.AddWithValue("hashes", rows.Select(r => r.Hash).ToArray());
    }

    /// <summary>Statements waiting to commit with this transaction's first write (a consumer's inbox row) ride along.</summary>
    /// <summary>The statements riding with the insert: those queued on the transaction, then the append's own.</summary>
    private static void AddRiders(NpgsqlBatch batch, NpgsqlTransaction tx, IEnumerable<NpgsqlBatchCommand>? own = null)
    {
        foreach (var rider in RidingStatements.TakeUnsent(tx).Concat(own ?? []))
        {
            batch.BatchCommands.Add(rider);
        }
    }

    private StoredEvent ToStored(PendingRow row, long seq, ulong tx, DateTimeOffset now)
    {
        var metadata = row.Event.Metadata ?? new Dictionary<string, string>();
        return new StoredEvent(seq, tx, row.Event.EventId, row.TenantId, row.StreamId, row.Version, row.TypeName,
            row.Data, metadata, now, row.Hash, row.Event.Data, deserialize: null);
    }

    public Task<IReadOnlyList<StoredEvent>> ReadStreamAsync(Guid tenantId, string streamId, long? toVersion = null,
        DateTimeOffset? until = null, CancellationToken ct = default) =>
        ReadStreamAsync(dataSource.CreateCommand(), tenantId, streamId, afterVersion: 0, toVersion, until, limit: null, ct);

    public Task<IReadOnlyList<StoredEvent>> ReadStreamAsync(NpgsqlTransaction transaction, Guid tenantId, string streamId, long? toVersion = null,
        CancellationToken ct = default) =>
        ReadStreamAsync(new NpgsqlCommand(null, transaction.Connection, transaction), tenantId, streamId, afterVersion: 0, toVersion, until: null, limit: null, ct);

    public Task<IReadOnlyList<StoredEvent>> ReadStreamPageAsync(Guid tenantId, string streamId, long afterVersion, long toVersion, int limit,
        CancellationToken ct = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(afterVersion);
        ArgumentOutOfRangeException.ThrowIfNegative(limit);
        return ReadStreamAsync(dataSource.CreateCommand(), tenantId, streamId, afterVersion, toVersion, until: null, limit, ct);
    }

    /// <summary>
    /// One stream's events after a version, up to a version and/or a time, at most <paramref name="limit"/> (null: all), on
    /// <paramref name="cmd"/>'s connection (disposed here).
    /// </summary>
    private async Task<IReadOnlyList<StoredEvent>> ReadStreamAsync(NpgsqlCommand cmd, Guid tenantId, string streamId, long afterVersion, long? toVersion,
        DateTimeOffset? until, int? limit, CancellationToken ct)
    {
        await using (cmd)
        {
            cmd.CommandText = $"""
                SELECT {Columns} FROM oos.events
                WHERE tenant_id = @t AND stream_id = @s AND version > @a AND (@v::bigint IS NULL OR version <= @v)
                  AND (@u::timestamptz IS NULL OR created_at <= @u)
                ORDER BY version
                LIMIT @l
                """;
            cmd.Parameters.AddWithValue("t", tenantId);
            cmd.Parameters.AddWithValue("s", streamId);
            cmd.Parameters.AddWithValue("a", afterVersion);
            cmd.Parameters.Add(new NpgsqlParameter("v", NpgsqlDbType.Bigint) { Value = (object?)toVersion ?? DBNull.Value });
            cmd.Parameters.Add(new NpgsqlParameter("u", NpgsqlDbType.TimestampTz) { Value = (object?)until ?? DBNull.Value });
            cmd.Parameters.Add(new NpgsqlParameter("l", NpgsqlDbType.Integer) { Value = (object?)limit ?? DBNull.Value }); // NULL: no limit
            return await ReadEventsAsync(cmd, ct);
        }
    }

    public async Task<StreamInfo?> GetStreamAsync(Guid tenantId, string streamId, CancellationToken ct = default)
    {
        await using var cmd = dataSource.CreateCommand(StreamHeaderQuery);
        cmd.Parameters.Add(new NpgsqlParameter { Value = tenantId });
        cmd.Parameters.Add(new NpgsqlParameter { Value = streamId });
        var list = await ReadStreamsAsync(cmd, ct);
        return list.Count == 0 ? null : list[0];
    }

    public Task<IReadOnlyList<StreamInfo>> ListStreamsAsync(Guid tenantId, string? streamType, DateTimeOffset? from, DateTimeOffset? to,
        int limit, CancellationToken ct = default) =>
        ListStreamsPageAsync(tenantId, streamType, from, to, null, null, Math.Clamp(limit, 1, 1000), fromEnd: false, ct);

    public async Task<IReadOnlyList<StreamInfo>> ListStreamsPageAsync(Guid tenantId, string? streamType, DateTimeOffset? from, DateTimeOffset? to,
        StreamListKey? after, StreamListKey? before, int limit, bool fromEnd, CancellationToken ct = default)
    {
        if (limit <= 0)
        {
            return [];
        }

        // The list runs newest first with ties by id ascending; "after" a key is older (or as old with a greater id). The
        // last streams of a window are read in the reverse order and turned back.
        await using var cmd = dataSource.CreateCommand($"""
            SELECT tenant_id, id, type, version, created_at, updated_at, archived FROM oos.streams
            WHERE {StreamFilter}
              AND (@after_at::timestamptz IS NULL OR created_at < @after_at OR (created_at = @after_at AND id > @after_id))
              AND (@before_at::timestamptz IS NULL OR created_at > @before_at OR (created_at = @before_at AND id < @before_id))
            ORDER BY {(fromEnd ? "created_at, id DESC" : "created_at DESC, id")} LIMIT @limit
            """);
        AddStreamFilter(cmd, tenantId, streamType, from, to);
        cmd.Parameters.Add(new NpgsqlParameter("after_at", NpgsqlDbType.TimestampTz) { Value = (object?)after?.CreatedAt ?? DBNull.Value });
        cmd.Parameters.Add(new NpgsqlParameter("after_id", NpgsqlDbType.Text) { Value = (object?)after?.StreamId ?? DBNull.Value });
        cmd.Parameters.Add(new NpgsqlParameter("before_at", NpgsqlDbType.TimestampTz) { Value = (object?)before?.CreatedAt ?? DBNull.Value });
        cmd.Parameters.Add(new NpgsqlParameter("before_id", NpgsqlDbType.Text) { Value = (object?)before?.StreamId ?? DBNull.Value });
        cmd.Parameters.AddWithValue("limit", Math.Min(limit, 1000));
        var streams = await ReadStreamsAsync(cmd, ct);
        if (fromEnd)
        {
            streams.Reverse();
        }

        return streams;
    }

    public async Task<int> CountStreamsAsync(Guid tenantId, string? streamType, DateTimeOffset? from, DateTimeOffset? to, CancellationToken ct = default)
    {
        await using var cmd = dataSource.CreateCommand($"SELECT count(*) FROM oos.streams WHERE {StreamFilter}");
        AddStreamFilter(cmd, tenantId, streamType, from, to);
        return (int)Math.Min(int.MaxValue, (long)(await cmd.ExecuteScalarAsync(ct))!);
    }

    // Streams at version 0 are locks taken for an append that has not written yet (LockStreams): not listed, not counted.
    private const string StreamFilter = """
        tenant_id = @t AND version > 0 AND (@type::text IS NULL OR type = @type)
          AND (@from::timestamptz IS NULL OR created_at >= @from) AND (@to::timestamptz IS NULL OR created_at < @to)
        """;

    private static void AddStreamFilter(NpgsqlCommand cmd, Guid tenantId, string? streamType, DateTimeOffset? from, DateTimeOffset? to)
    {
        cmd.Parameters.AddWithValue("t", tenantId);
        cmd.Parameters.Add(new NpgsqlParameter("type", NpgsqlDbType.Text) { Value = (object?)streamType ?? DBNull.Value });
        cmd.Parameters.Add(new NpgsqlParameter("from", NpgsqlDbType.TimestampTz) { Value = (object?)from ?? DBNull.Value });
        cmd.Parameters.Add(new NpgsqlParameter("to", NpgsqlDbType.TimestampTz) { Value = (object?)to ?? DBNull.Value });
    }

    public async Task<IReadOnlyList<StoredEvent>> ReadAllAsync(GlobalPosition after, int maxCount, CancellationToken ct = default)
    {
        await using var batch = dataSource.CreateBatch();
        batch.BatchCommands.Add(ReadAllCommand(after, maxCount));
        await using var r = await batch.ExecuteReaderAsync(ct);
        return await ReadEventsAsync(r, ct);
    }

    private static readonly string ReadAllSql = $"""
        SELECT {Columns} FROM oos.events
        WHERE (tx, seq) > (@tx, @seq) AND tx < pg_snapshot_xmin(pg_current_snapshot())
        ORDER BY tx, seq
        LIMIT @max
        """;

    private static NpgsqlBatchCommand ReadAllCommand(GlobalPosition after, int maxCount, string? sql = null)
    {
        var read = new NpgsqlBatchCommand(sql ?? ReadAllSql);
        read.Parameters.Add(new NpgsqlParameter("tx", NpgsqlDbType.Xid8) { Value = after.Transaction });
        read.Parameters.AddWithValue("seq", after.Sequence);
        read.Parameters.AddWithValue("max", Math.Clamp(maxCount, 1, 100_000));
        return read;
    }

    /// <summary>
    /// Whether a committed event after (@tx, @seq) is held back (tx at or above the snapshot's xmin). The usual answer is
    /// no, so the plan must not depend on finding a match early: as <c>EXISTS (…)</c> the planner costs a sequential scan
    /// as "stop at the first of the many matching rows" whenever it guesses a range selectivity (a young table without
    /// statistics, say), and then reads the whole table because nothing matches (15 ms per probe at 3,000 events in the
    /// personalize benchmark, most of PostgreSQL's CPU). <c>ORDER BY tx LIMIT 1</c> has no such plan: anything but the
    /// index must read and sort every row. (tx, seq) &gt; (a, b) is split into tx &gt; a OR (tx = a AND seq &gt; b): with the
    /// row comparison as the index's start key the lower bound tx &gt;= xmin was only checked per entry, so the probe walked
    /// every visible event after the runner's position; scalar bounds on tx let the index start at the tighter one.
    /// </summary>
    private const string HeldBackProbe = """
        (SELECT tx FROM oos.events WHERE tx > @tx AND tx >= pg_snapshot_xmin(pg_current_snapshot()) ORDER BY tx LIMIT 1) IS NOT NULL
            OR (SELECT seq FROM oos.events WHERE tx = @tx AND seq > @seq AND tx >= pg_snapshot_xmin(pg_current_snapshot()) ORDER BY tx, seq LIMIT 1) IS NOT NULL
        """;

    /// <summary>
    /// The subscriber's read: the events after (@tx, @seq) that no open transaction holds back (at most @max), each row with
    /// the held-back flag; one row of nulls and the flag when there are none. One statement, so one snapshot answers both:
    /// every event that snapshot sees after the position is either returned or flagged. As two statements the flag came
    /// from a later snapshot, and an event held back in the first by a transaction that ended in between (one that sends no
    /// NOTIFY: another database's, or one that appended nothing) was neither returned nor flagged, so a runner slept a whole
    /// poll interval with the event unread.
    /// </summary>
    internal static readonly string ReadForSubscriberSql = $"""
        SELECT e.*, h.held
        FROM (SELECT {HeldBackProbe} AS held) h
        LEFT JOIN LATERAL ({ReadAllSql}) e ON true
        """;

    /// <summary>
    /// <see cref="ReadAllAsync"/> plus whether committed events after <paramref name="after"/> are held back behind an older
    /// open transaction (they will be readable without another NOTIFY, so a subscriber re-checks soon), both from one snapshot.
    /// </summary>
    internal async Task<(IReadOnlyList<StoredEvent> Events, bool HeldBack)> ReadAllForSubscriberAsync(GlobalPosition after, int maxCount, CancellationToken ct = default)
    {
        await using var batch = dataSource.CreateBatch();
        batch.BatchCommands.Add(ReadAllCommand(after, maxCount, ReadForSubscriberSql));
        await using var r = await batch.ExecuteReaderAsync(ct);
        var events = new List<StoredEvent>();
        var heldBack = false;
        var ordered = true;
        var flag = r.FieldCount - 1;
        while (await r.ReadAsync(ct))
        {
            heldBack = r.GetBoolean(flag);
            if (!r.IsDBNull(0))
            {
                var e = ReadEvent(r);
                ordered &= events.Count == 0 || events[^1].Position < e.Position;
                events.Add(e);
            }
        }
        if (!ordered)
        {
            events.Sort((a, b) => a.Position.CompareTo(b.Position)); // the lateral page is ordered; the join's output is not promised to be
        }
        return (events, heldBack);
    }

    public async Task<ChainVerification> VerifyAsync(Guid tenantId, string streamId, CancellationToken ct = default) =>
        (await ReadSnapshotAsync(tenantId, streamId, 0, 0, ct)).Verification;

    public Task<VerifiedStream?> ReadVerifiedAsync(Guid tenantId, string streamId, CancellationToken ct = default) =>
        ReadVerifiedAsync(tenantId, streamId, 0, int.MaxValue, ct);

    public async Task<VerifiedStream?> ReadVerifiedAsync(Guid tenantId, string streamId, long afterVersion, int limit, CancellationToken ct = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(afterVersion);
        ArgumentOutOfRangeException.ThrowIfNegative(limit);
        var (info, page, verification) = await ReadSnapshotAsync(tenantId, streamId, afterVersion, limit, ct);
        return info is null ? null : new VerifiedStream(info, page, verification);
    }

    /// <summary>
    /// The stream header, the ids of its erased events and its events from one snapshot (REPEATABLE READ, one round trip):
    /// read separately, an append committing in between showed as events beyond the header, i.e. a chain wrongly reported
    /// broken under load. The chain is verified as the rows arrive, so a stream of any length holds one event in memory
    /// at a time; only the page asked for (after <paramref name="afterVersion"/>, at most <paramref name="limit"/>) is kept.
    /// </summary>
    private async Task<(StreamInfo? Info, IReadOnlyList<StoredEvent> Page, ChainVerification Verification)> ReadSnapshotAsync(
        Guid tenantId, string streamId, long afterVersion, int limit, CancellationToken ct)
    {
        await using var conn = await dataSource.OpenConnectionAsync(ct);
        await using var tx = await conn.BeginTransactionAsync(System.Data.IsolationLevel.RepeatableRead, ct);
        var header = new NpgsqlBatchCommand(StreamHeaderQuery)
        {
            Parameters = { new NpgsqlParameter { Value = tenantId }, new NpgsqlParameter { Value = streamId } },
        };
        var erasures = new NpgsqlBatchCommand($"""
            SELECT x.event_id, x.erasure_id, x.version, EXISTS (
                SELECT 1 FROM oos.events r
                WHERE r.tenant_id = x.tenant_id AND r.stream_id = '{EventErasure.RecordStreamPrefix}' || replace(x.erasure_id::text, '-', '')
                  AND r.type = ANY($3) AND r.data ->> 'erasure_id' = x.erasure_id::text
                  AND (r.data -> 'streams' @> jsonb_build_array(x.stream_id)
                       OR r.data -> 'streams' @> jsonb_build_array(jsonb_build_object('stream_id', x.stream_id))
                       OR (r.type = $4 AND EXISTS (
                            SELECT 1 FROM oos.events p
                            WHERE p.tenant_id = x.tenant_id AND p.type = $4 AND p.stream_id LIKE '{EventErasure.RecordStreamPrefix}%'
                              AND p.data ->> 'subject_sha256' = r.data ->> 'subject_sha256'
                              AND p.data -> 'streams' @> jsonb_build_array(jsonb_build_object('stream_id', x.stream_id))))))
            FROM oos.event_erasures x WHERE x.tenant_id = $1 AND x.stream_id = $2
            """)
        {
            Parameters =
            {
                new NpgsqlParameter { Value = tenantId },
                new NpgsqlParameter { Value = streamId },
                new NpgsqlParameter { Value = new[] { EventErasure.PerformedRecordType, EventErasure.RetentionRecordType } },
                new NpgsqlParameter { Value = EventErasure.PerformedRecordType },
            },
        };
        var events = new NpgsqlBatchCommand($"SELECT {Columns} FROM oos.events WHERE tenant_id = $1 AND stream_id = $2 ORDER BY version")
        {
            Parameters = { new NpgsqlParameter { Value = tenantId }, new NpgsqlParameter { Value = streamId } },
        };
        // The erasures before the events: the verifier needs them as each event arrives.
        await using var batch = new NpgsqlBatch(conn, tx) { BatchCommands = { header, erasures, events } };
        StreamInfo? info = null;
        var page = new List<StoredEvent>(Math.Min(limit, 1000));
        ChainVerifier verifier;
        await using (var r = await batch.ExecuteReaderAsync(ct))
        {
            if (await r.ReadAsync(ct))
            {
                info = ReadStreamInfo(r);
            }
            await r.NextResultAsync(ct);
            var erased = new Dictionary<Guid, RecordedErasure>();
            while (await r.ReadAsync(ct))
            {
                erased[r.GetGuid(0)] = new RecordedErasure(r.GetGuid(1), r.GetInt64(2), r.GetBoolean(3));
            }
            await r.NextResultAsync(ct);
            verifier = new ChainVerifier(streamId, erased);
            while (await r.ReadAsync(ct))
            {
                var e = ReadEvent(r);
                verifier.Add(e);
                if (e.Version > afterVersion && page.Count < limit)
                {
                    page.Add(e);
                }
            }
        }
        await tx.CommitAsync(ct);
        return (info, page, verifier.Finish(info?.Version));
    }

    /// <summary>Re-computes the chain over events already read (<see cref="ChainVerifier"/>).</summary>
    internal static ChainVerification Verify(string streamId, IReadOnlyList<StoredEvent> events, long? headerVersion,
        IReadOnlyDictionary<Guid, RecordedErasure> erased)
    {
        var verifier = new ChainVerifier(streamId, erased);
        foreach (var e in events)
        {
            verifier.Add(e);
        }
        return verifier.Finish(headerVersion);
    }

    /// <summary>
    /// Re-computes a stream's chain one event at a time, in version order; the header's version, given at the end, catches a
    /// deleted tail. An erased event (ADR 0030) cannot be re-computed: its stored hash is taken as its link when the
    /// erasures record it (same erasure id in the payload, same version, and the erasure's own record exists), and the chain
    /// goes on from it; an event marked erased without such a record breaks the chain. The first broken link is the
    /// answer: events after it are not checked.
    /// </summary>
    internal sealed class ChainVerifier(string streamId, IReadOnlyDictionary<Guid, RecordedErasure> erased)
    {
        private byte[]? _previous;
        private long _expectedVersion;
        private long _erasedCount;
        private ChainVerification? _broken;

        public void Add(StoredEvent e)
        {
            if (_broken is null)
            {
                _broken = Check(e);
            }
        }

        public ChainVerification Finish(long? headerVersion)
        {
            if (_broken is not null)
            {
                return _broken;
            }
            if (headerVersion is { } header && header != _expectedVersion)
            {
                return new ChainVerification(streamId, false, _expectedVersion, _expectedVersion + 1, null,
                    $"stream header says version {header} but {_expectedVersion} events exist (events deleted?)");
            }
            return ChainVerification.Ok(streamId, _expectedVersion) with { EventsErased = _erasedCount };
        }

        private ChainVerification? Check(StoredEvent e)
        {
            _expectedVersion++;
            if (e.Version != _expectedVersion)
            {
                return new ChainVerification(streamId, false, _expectedVersion - 1, _expectedVersion, null, $"version {_expectedVersion} is missing (found {e.Version})");
            }
            if (e.EventType == EventErasure.ErasedType)
            {
                if (!erased.TryGetValue(e.EventId, out var erasure) || !erasure.Backs(e))
                {
                    return new ChainVerification(streamId, false, _expectedVersion - 1, e.Version, e.EventId,
                        $"the event at version {e.Version} is marked erased, but no erasure of it is recorded");
                }
                _previous = e.Hash;
                _erasedCount++;
                return null;
            }
            byte[] data, metadata;
            try
            {
                data = CanonicalJson.Canonicalize(e.Utf8Payload);
                metadata = CanonicalJson.Serialize(e.Metadata, typeof(IReadOnlyDictionary<string, string>), OutreachJson.Options);
            }
            catch (JsonException ex)
            {
                return new ChainVerification(streamId, false, _expectedVersion - 1, e.Version, e.EventId, $"payload is not valid JSON: {ex.Message}");
            }
            var hash = EventHash.Compute(_previous, e.TenantId, e.StreamId, e.Version, e.EventType, e.EventId, e.CreatedAt, data, metadata);
            if (!CryptographicOperations.FixedTimeEquals(hash, e.Hash))
            {
                return new ChainVerification(streamId, false, _expectedVersion - 1, e.Version, e.EventId,
                    $"hash mismatch at version {e.Version}: stored {e.HashHex}, computed {Convert.ToHexStringLower(hash)}");
            }
            _previous = hash;
            return null;
        }
    }

    private const string Columns = "seq, tx, id, tenant_id, stream_id, version, type, data::text, metadata::text, created_at, hash";

    private async Task<IReadOnlyList<StoredEvent>> ReadEventsAsync(NpgsqlCommand cmd, CancellationToken ct)
    {
        await using var r = await cmd.ExecuteReaderAsync(ct);
        return await ReadEventsAsync(r, ct);
    }

    private async Task<IReadOnlyList<StoredEvent>> ReadEventsAsync(NpgsqlDataReader r, CancellationToken ct)
    {
        var list = new List<StoredEvent>();
        while (await r.ReadAsync(ct))
        {
            list.Add(ReadEvent(r));
        }
        return list;
    }

    /// <summary>The event in the current row (<see cref="Columns"/> first, in order).</summary>
    private StoredEvent ReadEvent(NpgsqlDataReader r)
    {
        // The payload stays UTF-8 until someone asks for its text or its typed value (StoredEvent makes both on demand).
        return new StoredEvent(
            r.GetInt64(0), r.GetFieldValue<ulong>(1), r.GetGuid(2), r.GetGuid(3), r.GetString(4), r.GetInt64(5), r.GetString(6),
            r.GetFieldValue<byte[]>(7),
            ReadMetadata(r.GetFieldValue<byte[]>(8)),
            r.GetFieldValue<DateTimeOffset>(9), (byte[])r[10], data: null, PayloadReader);
    }

    /// <summary>
    /// Metadata is a map of strings. A row altered outside the store may hold something else (a number, an object): it is
    /// read anyway, each value as its JSON text (a whole non-object as one entry), so that the stream stays readable and
    /// verification reports the altered event as a broken link instead of the read failing.
    /// </summary>
    internal static Dictionary<string, string> ReadMetadata(byte[] utf8Json)
    {
        try
        {
            return JsonSerializer.Deserialize<Dictionary<string, string>>(utf8Json, OutreachJson.Options) ?? [];
        }
        catch (JsonException)
        {
            using var doc = JsonDocument.Parse(utf8Json);
            if (doc.RootElement.ValueKind != JsonValueKind.Object)
            {
                return new Dictionary<string, string> { [""] = doc.RootElement.GetRawText() };
            }
            var map = new Dictionary<string, string>();
            foreach (var p in doc.RootElement.EnumerateObject())
            {
                map[p.Name] = p.Value.ValueKind == JsonValueKind.String ? p.Value.GetString()! : p.Value.GetRawText();
            }
            return map;
        }
    }

    private object? DeserializePayload(string type, byte[] utf8Json)
    {
        try
        {
            return types.Deserialize(type, utf8Json);
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException or ArgumentException)
        {
            // Tampered, legacy or not valid UTF-8 (STJ throws InvalidOperationException when it cannot transcode a
            // string): keep the raw JSON, verification reports it.
            return null;
        }
    }

    /// <summary>One stream's header ($1 tenant, $2 stream id); a stream whose appends all rolled back (version 0) does not exist.</summary>
    private const string StreamHeaderQuery =
        "SELECT tenant_id, id, type, version, created_at, updated_at, archived FROM oos.streams WHERE tenant_id = $1 AND id = $2 AND version > 0";

    private static StreamInfo ReadStreamInfo(NpgsqlDataReader r) => new(r.GetGuid(0), r.GetString(1), r.GetString(2), r.GetInt64(3),
        r.GetFieldValue<DateTimeOffset>(4), r.GetFieldValue<DateTimeOffset>(5), r.GetBoolean(6));

    private static async Task<List<StreamInfo>> ReadStreamsAsync(NpgsqlCommand cmd, CancellationToken ct)
    {
        var list = new List<StreamInfo>();
        await using var r = await cmd.ExecuteReaderAsync(ct);
        while (await r.ReadAsync(ct))
        {
            list.Add(ReadStreamInfo(r));
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

/// <summary>An erased event's row in <c>oos.event_erasures</c>, and whether the erasure's record backs it (ADR 0030).</summary>
internal readonly record struct RecordedErasure(Guid ErasureId, long Version, bool Recorded)
{
    /// <summary>Whether this erasure accounts for <paramref name="e"/>: its version, and the erasure its payload names.</summary>
    public bool Backs(StoredEvent e)
    {
        if (!Recorded || Version != e.Version)
        {
            return false;
        }
        try
        {
            using var payload = JsonDocument.Parse(e.Utf8Payload);
            return payload.RootElement.ValueKind == JsonValueKind.Object
                && payload.RootElement.TryGetProperty("erasure_id", out var id) && id.TryGetGuid(out var named) && named == ErasureId;
        }
        catch (JsonException)
        {
            return false;
        }
    }
}

/// <summary>hash = SHA-256(previous hash ‖ canonical bytes of the event envelope).</summary>
internal static class EventHash
{
    public static byte[] Compute(byte[]? previous, Guid tenantId, string streamId, long version, string type, Guid eventId,
        DateTimeOffset createdAt, byte[] canonicalData, byte[] canonicalMetadata)
    {
        // The canonical writer and its buffer (this thread's, see CanonicalJson): the previous hash, then the envelope,
        // hashed in one call.
        var buffers = CanonicalJson.Rent();
        try
        {
            var buffer = buffers.Output;
            var w = buffers.CanonicalWriter;
            buffer.ResetWrittenCount();
            System.Buffers.BuffersExtensions.Write(buffer, (previous ?? []).AsSpan());
            w.Reset(buffer);
            // The envelope is itself canonical JSON (keys in ordinal order), so any reader can re-derive it.
            w.WriteStartObject();
            Span<char> created = stackalloc char[32];
            createdAt.UtcDateTime.TryFormat(created, out var n, "yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'", System.Globalization.CultureInfo.InvariantCulture);
            w.WriteString("created_at"u8, created[..n]);
            w.WritePropertyName("data"u8);
            w.WriteRawValue(canonicalData, skipInputValidation: true);
            Span<char> guid = stackalloc char[36];
            eventId.TryFormat(guid, out _, "D");
            w.WriteString("id"u8, guid);
            w.WritePropertyName("metadata"u8);
            w.WriteRawValue(canonicalMetadata, skipInputValidation: true);
            w.WriteString("stream_id"u8, streamId);
            tenantId.TryFormat(guid, out _, "D");
            w.WriteString("tenant_id"u8, guid);
            w.WriteString("type"u8, type);
            w.WriteNumber("version"u8, version);
            w.WriteEndObject();
            w.Flush();
            return SHA256.HashData(buffer.WrittenSpan);
        }
        finally
        {
            CanonicalJson.Return(buffers);
        }
    }
}
