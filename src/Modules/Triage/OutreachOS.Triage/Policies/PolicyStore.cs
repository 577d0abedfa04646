using Npgsql;
using OutreachOS.BuildingBlocks.Documents;
using OutreachOS.BuildingBlocks.EventStore;

namespace OutreachOS.Triage.Policies;

/// <summary>A new policy version; the whole document is in the event (the latest event wins).</summary>
[EventName("triage_policy_updated.v1")]
internal sealed record TriagePolicyUpdated(int Version, TriagePolicy Policy, string UpdatedBy, DateTimeOffset At);

[DocumentName("triage_policy")]
internal sealed record TriagePolicyView(int Version, TriagePolicy Policy, DateTimeOffset UpdatedAt);

internal static class TriagePolicyStream
{
    public const string Id = "triage-policy";
    public const string Type = "triage_policy";
    public const string DocumentId = "current";
}

/// <summary>Keeps the current policy as a document in the append's transaction: the next message routes by the new version.</summary>
internal sealed class TriagePolicyProjection : IInlineProjection
{
    public IReadOnlyCollection<Type> EventTypes { get; } = [typeof(TriagePolicyUpdated)];

    public async Task ApplyAsync(NpgsqlTransaction transaction, IReadOnlyList<StoredEvent> events, CancellationToken ct)
    {
        foreach (var e in events)
        {
            var updated = (TriagePolicyUpdated)e.Data!;
            await DocumentStore.UpsertAsync(transaction, e.TenantId, TriagePolicyStream.DocumentId,
                new TriagePolicyView((int)e.Version, updated.Policy, updated.At), ct);
        }
    }
}

/// <summary>The policy in force for an organization: version 0 = the built-in default.</summary>
internal sealed class TriagePolicySource(DocumentStore documents)
{
    public async Task<(TriagePolicy Policy, int Version)> GetAsync(Guid tenantId, CancellationToken ct)
    {
        var doc = await documents.GetAsync<TriagePolicyView>(tenantId, TriagePolicyStream.DocumentId, ct);
        return doc is null ? (TriagePolicy.Default, 0) : (doc.Data.Policy, doc.Data.Version);
    }

    public static async Task<(TriagePolicy Policy, int Version)> GetAsync(NpgsqlTransaction tx, Guid tenantId, CancellationToken ct)
    {
        var doc = await DocumentStore.GetAsync<TriagePolicyView>(tx, tenantId, TriagePolicyStream.DocumentId, forUpdate: false, ct);
        return doc is null ? (TriagePolicy.Default, 0) : (doc.Data.Policy, doc.Data.Version);
    }
}
