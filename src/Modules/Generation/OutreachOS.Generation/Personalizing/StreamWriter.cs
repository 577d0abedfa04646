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

    public long Version { get; private set; } = version;

    public Guid RequestId => requestId;

    public Guid TenantId => tenantId;

    public void Add(object e) => _pending.Add(EventToAppend.Create(e));

    /// <summary>
    /// The buffered events as one append for another component's transaction (the credit ledger's). Call
    /// <see cref="Committed"/> once that transaction committed; until then the buffer is kept.
    /// </summary>
    public IReadOnlyList<StreamAppend> PendingAppend()
    {
        if (_pending.Count == 0)
        {
            return [];
        }

        var expected = Version == 0 ? ExpectedVersion.NoStream : ExpectedVersion.Exactly(Version);
        return [new StreamAppend(tenantId, PersonalizationStreams.For(requestId), PersonalizationStreams.Type, expected, [.. _pending])];
    }

    /// <summary>The append handed out by <see cref="PendingAppend"/> was committed (with an exact expected version).</summary>
    public void Committed()
    {
        Version += _pending.Count;
        _pending.Clear();
    }

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
