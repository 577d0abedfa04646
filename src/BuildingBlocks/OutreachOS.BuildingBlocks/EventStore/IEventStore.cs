using Npgsql;

namespace OutreachOS.BuildingBlocks.EventStore;

/// <summary>
/// The event log. Every read and write names the tenant (organization) except the global read, which only
/// background subscriptions (projections, the relay) use.
/// </summary>
public interface IEventStore
{
    Task<AppendResult> AppendAsync(Guid tenantId, string streamId, string streamType, ExpectedVersion expected,
        IReadOnlyList<EventToAppend> events, CancellationToken ct = default);

    /// <summary>Appends to several streams atomically in one transaction of its own.</summary>
    Task<IReadOnlyList<AppendResult>> AppendManyAsync(IReadOnlyList<StreamAppend> appends, CancellationToken ct = default);

    /// <summary>Appends inside the caller's transaction (a consumer's inbox row, a projection's documents...).</summary>
    Task<IReadOnlyList<AppendResult>> AppendManyAsync(NpgsqlTransaction transaction, IReadOnlyList<StreamAppend> appends, CancellationToken ct = default);

    /// <summary>
    /// Appends inside the caller's transaction and commits it, with the <c>COMMIT</c> in the round trip of the last write
    /// when no inline projection has to run after it. When it throws, the transaction is aborted or rolled back (dispose
    /// it). Observers are not told, as for any append in a caller's transaction.
    /// </summary>
    /// <param name="locked">Stream locks the caller took in this transaction (<see cref="LockStreams"/>): when they cover
    /// every stream of the append, the append does not lock again and does not look up existing event ids (see
    /// <see cref="StreamLocks"/>).</param>
    Task<IReadOnlyList<AppendResult>> AppendManyAndCommitAsync(NpgsqlTransaction transaction, IReadOnlyList<StreamAppend> appends, StreamLocks? locked = null,
        CancellationToken ct = default);

    /// <summary>
    /// The statement that locks these streams (creating absent ones at version 0) in a caller's transaction and returns
    /// their heads, in the order every append locks streams (organization, then stream id), for a caller that sends it
    /// with locks of its own.
    /// </summary>
    StreamLocks LockStreams(IReadOnlyCollection<(Guid TenantId, string StreamId, string StreamType)> streams);

    Task<IReadOnlyList<StoredEvent>> ReadStreamAsync(Guid tenantId, string streamId, long? toVersion = null,
        DateTimeOffset? until = null, CancellationToken ct = default);

    /// <summary>
    /// One page of a stream, unverified: the events after <paramref name="afterVersion"/> up to <paramref name="toVersion"/>,
    /// at most <paramref name="limit"/>. For a caller that has just verified the chain up to <paramref name="toVersion"/>
    /// (the GraphQL audit view: the stream's fields verify, its <c>events</c> page reads).
    /// </summary>
    Task<IReadOnlyList<StoredEvent>> ReadStreamPageAsync(Guid tenantId, string streamId, long afterVersion, long toVersion, int limit,
        CancellationToken ct = default);

    /// <summary>The stream as the caller's transaction sees it, its own uncommitted appends included.</summary>
    Task<IReadOnlyList<StoredEvent>> ReadStreamAsync(NpgsqlTransaction transaction, Guid tenantId, string streamId, long? toVersion = null,
        CancellationToken ct = default);

    Task<StreamInfo?> GetStreamAsync(Guid tenantId, string streamId, CancellationToken ct = default);

    /// <summary>The tenant's streams, newest first (ties by id), at most <paramref name="limit"/> (1-1000).</summary>
    Task<IReadOnlyList<StreamInfo>> ListStreamsAsync(Guid tenantId, string? streamType, DateTimeOffset? from, DateTimeOffset? to,
        int limit, CancellationToken ct = default);

    /// <summary>
    /// A page of <see cref="ListStreamsAsync(Guid, string?, DateTimeOffset?, DateTimeOffset?, int, CancellationToken)"/>'s order
    /// between two keys, neither included: the streams listed after <paramref name="after"/> and before
    /// <paramref name="before"/>, at most <paramref name="limit"/> (0-1000) of them — the first ones, or the last ones when
    /// <paramref name="fromEnd"/> — returned in list order. Keys rather than offsets, so a stream created (or archived)
    /// between two pages neither repeats nor hides one.
    /// </summary>
    Task<IReadOnlyList<StreamInfo>> ListStreamsPageAsync(Guid tenantId, string? streamType, DateTimeOffset? from, DateTimeOffset? to,
        StreamListKey? after, StreamListKey? before, int limit, bool fromEnd, CancellationToken ct = default);

    /// <summary>How many streams the same filter lists in all (a connection's <c>totalCount</c>).</summary>
    Task<int> CountStreamsAsync(Guid tenantId, string? streamType, DateTimeOffset? from, DateTimeOffset? to, CancellationToken ct = default);

    /// <summary>
    /// Reads the global log after <paramref name="after"/>, in (transaction, sequence) order, delivering only events of
    /// transactions that are older than every transaction still running: a late commit is waited for, never skipped.
    /// </summary>
    Task<IReadOnlyList<StoredEvent>> ReadAllAsync(GlobalPosition after, int maxCount, CancellationToken ct = default);

    /// <summary>Re-computes the stream's hash chain and reports the first broken link.</summary>
    Task<ChainVerification> VerifyAsync(Guid tenantId, string streamId, CancellationToken ct = default);

    /// <summary>The audit view: a stream's header and events, verified from that same read. Null when the stream does not exist.</summary>
    Task<VerifiedStream?> ReadVerifiedAsync(Guid tenantId, string streamId, CancellationToken ct = default);

    /// <summary>
    /// One page of the audit view: the whole chain verified from the same read, one event in memory at a time, and of the
    /// events only those after <paramref name="afterVersion"/>, at most <paramref name="limit"/>. Null when the stream does
    /// not exist.
    /// </summary>
    Task<VerifiedStream?> ReadVerifiedAsync(Guid tenantId, string streamId, long afterVersion, int limit, CancellationToken ct = default);
}

/// <summary>Runs in the append's transaction: a read model that must be consistent with the write.</summary>
public interface IInlineProjection
{
    /// <summary>Event types (CLR) this projection handles; others are not passed in.</summary>
    IReadOnlyCollection<Type> EventTypes { get; }

    Task ApplyAsync(NpgsqlTransaction transaction, IReadOnlyList<StoredEvent> events, CancellationToken ct);
}

/// <summary>
/// An inline projection whose writes depend only on the events (no reads, no positions): its statements travel in the
/// round trip that inserts the events, instead of one of their own after it. The events it is given carry no log position
/// (<see cref="StoredEvent.Sequence"/> and <see cref="StoredEvent.Transaction"/> are 0); a failing statement aborts the
/// append's transaction. Run on its own, it sends the same statements as one batch.
/// </summary>
public interface IBatchedInlineProjection : IInlineProjection
{
    void AddStatements(ICollection<NpgsqlBatchCommand> batch, IReadOnlyList<StoredEvent> events);

    async Task IInlineProjection.ApplyAsync(NpgsqlTransaction transaction, IReadOnlyList<StoredEvent> events, CancellationToken ct)
    {
        await using var batch = new NpgsqlBatch(transaction.Connection, transaction);
        AddStatements(batch.BatchCommands, events);
        if (batch.BatchCommands.Count > 0)
        {
            await batch.ExecuteNonQueryAsync(ct);
        }
    }
}

/// <summary>
/// Told about every append the store commits itself (<see cref="IEventStore.AppendManyAsync(IReadOnlyList{StreamAppend}, CancellationToken)"/>;
/// not appends in a caller's transaction, whose commit the store does not see). <see cref="BeforeCommit"/> runs once the
/// events are written and before the commit; <see cref="AfterCommit"/> always follows it, with whether the commit succeeded
/// (false also when its outcome is unknown). Both run on the appender's path: keep them short and never throw.
/// </summary>
internal interface IAppendCommitObserver
{
    /// <summary>Returns state handed to <see cref="AfterCommit"/>, or null when the append does not interest the observer.</summary>
    object? BeforeCommit(IReadOnlyList<StoredEvent> events);

    void AfterCommit(object state, bool committed);
}
