using OutreachOS.BuildingBlocks.EventStore;
using OutreachOS.Generation.Events;

namespace OutreachOS.Generation.Personalizing;

/// <summary>
/// Buffers a request's events and appends them with the expected version, so a concurrent regenerate/select on the
/// same request fails with a conflict (409) instead of interleaving.
/// </summary>
internal sealed class StreamWriter(IEventStore store, Guid tenantId, Guid requestId, long version)
{
    private readonly List<EventToAppend> _pending = [];
    private List<EventToAppend> _handedOut = [];

    public long Version { get; private set; } = version;

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

    /// <summary>Drops buffered events of type <typeparamref name="T"/> (an outcome that did not commit must not be recorded).</summary>
    public void DropPending<T>() => _pending.RemoveAll(e => e.Data is T);

    public async Task FlushAsync(CancellationToken ct)
    {
        if (_pending.Count == 0)
        {
            return;
        }

        var expected = Version == 0 ? ExpectedVersion.NoStream : ExpectedVersion.Exactly(Version);
        var result = await store.AppendAsync(tenantId, PersonalizationStreams.For(requestId), PersonalizationStreams.Type, expected, [.. _pending], ct);
        _pending.Clear();
        Version = result.Version;
    }
}
