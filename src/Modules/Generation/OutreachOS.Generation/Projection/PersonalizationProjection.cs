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

    /// <summary>Every request in the append (a credit group commits several) in two round trips: one read, one write.</summary>
    public async Task ApplyAsync(NpgsqlTransaction transaction, IReadOnlyList<StoredEvent> events, CancellationToken ct)
    {
        var streams = events.GroupBy(e => (e.TenantId, Id: IdOf(e.StreamId))).ToList();
        // A stream that starts in this append has no record yet: only the others are read.
        var existing = await DocumentStore.GetManyAsync<PersonalizationRecord>(transaction,
            streams.Where(g => g.Min(e => e.Version) > 1).Select(g => g.Key).ToList(), forUpdate: true, ct);
        var updated = new List<(Guid, string, PersonalizationRecord)>(streams.Count);
        foreach (var group in streams)
        {
            var current = existing.GetValueOrDefault(group.Key);
            foreach (var e in group.OrderBy(e => e.Version))
            {
                current = PersonalizationEvolve.Evolve(current, e.Data!, e.Version);
            }

            if (current is not null)
            {
                updated.Add((group.Key.TenantId, group.Key.Id, current));
            }
        }
        await DocumentStore.UpsertManyAsync(transaction, updated, ct);
    }

    public static string IdOf(string streamId) => streamId["personalization-".Length..];

    public static string IdOf(Guid requestId) => requestId.ToString("N");
}
