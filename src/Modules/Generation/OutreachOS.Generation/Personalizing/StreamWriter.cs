using System.Runtime.ExceptionServices;
using OutreachOS.BuildingBlocks.EventStore;
using OutreachOS.Generation.Events;

namespace OutreachOS.Generation.Personalizing;

/// <summary>
/// Buffers a request's events and appends them with the expected version, so a concurrent regenerate/select on the
/// same request fails with a conflict (409) instead of interleaving. A writer told which events may interleave
/// (<see cref="MayInterleave"/>: an attempt set's runner) catches up with them instead: after a conflict it reads what
/// was appended since its version and, when every event is one it allows, appends again at the stream's version.
/// </summary>
internal sealed class StreamWriter(IEventStore store, Guid tenantId, Guid requestId, long version)
{
    /// <summary>Catch-ups per append before the conflict stands (each one means another call appended meanwhile).</summary>
    private const int MaxCatchUps = 20;

    private readonly List<EventToAppend> _pending = [];
    private List<EventToAppend> _handedOut = [];

    public long Version { get; private set; } = version;

    /// <summary>
    /// Events other calls may append between this writer's appends without changing what its pending events mean; null:
    /// none may (a conflict is a conflict).
    /// </summary>
    public Func<object, bool>? MayInterleave { get; set; }

    public Guid RequestId => requestId;

    public Guid TenantId => tenantId;

    /// <summary>Buffers an event, serialised now: a group transaction of the credit ledger may append it with other callers'.</summary>
    public void Add(object e) => _pending.Add(EventToAppend.Create(e).Canonicalized());

    /// <summary>
    /// The buffered events and <paramref name="more"/> as one append for another component's transaction (the credit
    /// ledger's). Pure apart from remembering <paramref name="more"/>: the ledger may call it again when it retries, and
    /// the last call's events are the ones <see cref="Committed"/> accounts for. Until then the buffer is kept.
    /// </summary>
    public IReadOnlyList<StreamAppend> PendingAppend(params object[] more)
    {
        _handedOut = [.. more.Select(e => EventToAppend.Create(e))];
        if (_pending.Count + _handedOut.Count == 0)
        {
            return [];
        }

        var expected = Version == 0 ? ExpectedVersion.NoStream : ExpectedVersion.Exactly(Version);
        return [new StreamAppend(tenantId, PersonalizationStreams.For(requestId), PersonalizationStreams.Type, expected, [.. _pending, .. _handedOut])];
    }

    /// <summary>The append handed out last by <see cref="PendingAppend"/> was committed (with an exact expected version).</summary>
    public void Committed()
    {
        Version += _pending.Count + _handedOut.Count;
        _pending.Clear();
        _handedOut = [];
    }

    /// <summary>How many events are buffered: a mark for <see cref="DropPendingFrom"/>.</summary>
    public int PendingCount => _pending.Count;

    /// <summary>Drops the events buffered since <paramref name="mark"/> (<see cref="PendingCount"/> then): work that will be done again.</summary>
    public void DropPendingFrom(int mark)
    {
        _pending.RemoveRange(mark, _pending.Count - mark);
        _handedOut = [];
    }

    /// <summary>Drops buffered events of type <typeparamref name="T"/> (an outcome that did not commit must not be recorded).</summary>
    public void DropPending<T>() => _pending.RemoveAll(e => e.Data is T);

    public async Task FlushAsync(CancellationToken ct)
    {
        if (_pending.Count == 0)
        {
            return;
        }

        var result = await CatchingUpAsync(() =>
        {
            var expected = Version == 0 ? ExpectedVersion.NoStream : ExpectedVersion.Exactly(Version);
            return store.AppendAsync(tenantId, PersonalizationStreams.For(requestId), PersonalizationStreams.Type, expected, [.. _pending], ct);
        }, ct);
        _pending.Clear();
        Version = result.Version;
    }

    /// <summary>
    /// Runs <paramref name="append"/> (an append built from <see cref="PendingAppend"/> or the buffer at the current
    /// <see cref="Version"/>), and after a version conflict catches up and runs it again, while every event appended
    /// meanwhile is one that <see cref="MayInterleave"/> allows. Otherwise the conflict is thrown. The caller accounts for
    /// the commit (<see cref="Committed"/>).
    /// </summary>
    public async Task<T> CatchingUpAsync<T>(Func<Task<T>> append, CancellationToken ct)
    {
        for (var catchUps = 0; ; catchUps++)
        {
            ConcurrencyException conflict;
            try
            {
                return await append();
            }
            catch (ConcurrencyException e) when (MayInterleave is not null && catchUps < MaxCatchUps)
            {
                conflict = e;
            }
            if (!await CatchUpAsync(ct))
            {
                ExceptionDispatchInfo.Throw(conflict);
            }
        }
    }

    /// <summary>
    /// Moves <see cref="Version"/> to the stream's last event when every event after it is one <see cref="MayInterleave"/>
    /// allows; false (nothing changed) when any other event was appended, such as this set's own outcome or another set.
    /// </summary>
    private async Task<bool> CatchUpAsync(CancellationToken ct)
    {
        if (MayInterleave is not { } allowed || Version == 0)
        {
            return false;
        }
        var since = (await store.ReadStreamAsync(tenantId, PersonalizationStreams.For(requestId), ct: ct)).Where(e => e.Version > Version).ToList();
        if (since.Count == 0 || !since.All(e => e.Data is { } data && allowed(data)))
        {
            return false;
        }
        Version = since[^1].Version;
        return true;
    }
}
