using Npgsql;
using OutreachOS.BuildingBlocks.Documents;
using OutreachOS.BuildingBlocks.EventStore;
using OutreachOS.Generation.Contracts;
using OutreachOS.Generation.Events;

namespace OutreachOS.Generation.Projection;

/// <summary>
/// Inline projection: the request's read model is updated in the append's transaction, so a GET right after a POST
/// sees everything the POST wrote, without replaying the stream.
/// </summary>
internal sealed class PersonalizationProjection : IInlineProjection
{
    public IReadOnlyCollection<Type> EventTypes { get; } = PersonalizationStreams.EventTypes;

    public async Task ApplyAsync(NpgsqlTransaction transaction, IReadOnlyList<StoredEvent> events, CancellationToken ct)
    {
        foreach (var group in events.GroupBy(e => (e.TenantId, e.StreamId)))
        {
            var id = IdOf(group.Key.StreamId);
            var current = (await DocumentStore.GetAsync<PersonalizationRecord>(transaction, group.Key.TenantId, id, forUpdate: true, ct))?.Data;
            foreach (var e in group.OrderBy(e => e.Version))
            {
                current = PersonalizationEvolve.Evolve(current, e.Data!, e.Version);
            }

            if (current is not null)
            {
                await DocumentStore.UpsertAsync(transaction, group.Key.TenantId, id, current, ct);
            }
        }
    }

    public static string IdOf(string streamId) => streamId["personalization-".Length..];

    public static string IdOf(Guid requestId) => requestId.ToString("N");
}
