using Npgsql;
using OutreachOS.BuildingBlocks.Documents;
using OutreachOS.BuildingBlocks.EventStore;
using OutreachOS.BuildingBlocks.Projections;

namespace OutreachOS.Benchmarks.Suites;

public sealed record BenchTotals(long Events, decimal Amount, long LastN);

public sealed record BenchStreamView(string StreamId, long Version, decimal LastBatchAmount, long LastBatchEvents);

/// <summary>Handles nothing: what the engine costs by itself (read, transaction, checkpoint move).</summary>
internal sealed class NoopProjection : ISubscription
{
    public string Name => "bench-noop";

    public Task HandleAsync(NpgsqlTransaction transaction, IReadOnlyList<StoredEvent> events, CancellationToken ct) => Task.CompletedTask;

    public Task ResetAsync(NpgsqlTransaction transaction, CancellationToken ct) => Task.CompletedTask;
}

/// <summary>Per-event work in memory, one document upsert per batch.</summary>
internal sealed class TotalsProjection : ISubscription
{
    private static readonly Guid Global = Guid.Empty;
    private BenchTotals _totals = new(0, 0, 0);

    public string Name => "bench-totals";

    public async Task HandleAsync(NpgsqlTransaction transaction, IReadOnlyList<StoredEvent> events, CancellationToken ct)
    {
        var t = _totals;
        foreach (var e in events)
        {
            if (e.Data is BenchDeposited d)
            {
                t = new BenchTotals(t.Events + 1, t.Amount + d.Amount, d.N);
            }
        }
        await DocumentStore.UpsertAsync(transaction, Global, "totals", t, ct);
        _totals = t; // only after the write: a failed batch is re-applied to the old totals
    }

    public async Task ResetAsync(NpgsqlTransaction transaction, CancellationToken ct)
    {
        _totals = new BenchTotals(0, 0, 0);
        await DocumentStore.DeleteAllAsync(transaction, DocumentStore.TypeName<BenchTotals>(), ct);
    }
}

/// <summary>One document upsert per stream present in the batch (the usual shape of a list view).</summary>
internal sealed class PerStreamProjection : ISubscription
{
    public string Name => "bench-per-stream";

    public async Task HandleAsync(NpgsqlTransaction transaction, IReadOnlyList<StoredEvent> events, CancellationToken ct)
    {
        foreach (var group in events.GroupBy(e => (e.TenantId, e.StreamId)))
        {
            var last = group.Last();
            var amount = group.Sum(e => e.Data is BenchDeposited d ? d.Amount : 0);
            await DocumentStore.UpsertAsync(transaction, group.Key.TenantId, group.Key.StreamId,
                new BenchStreamView(group.Key.StreamId, last.Version, amount, group.Count()), ct);
        }
    }

    public Task ResetAsync(NpgsqlTransaction transaction, CancellationToken ct) =>
        DocumentStore.DeleteAllAsync(transaction, DocumentStore.TypeName<BenchStreamView>(), ct);
}
