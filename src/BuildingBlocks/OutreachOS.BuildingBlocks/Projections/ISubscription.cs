using Npgsql;
using OutreachOS.BuildingBlocks.EventStore;

namespace OutreachOS.BuildingBlocks.Projections;

/// <summary>
/// A consumer of the global event log with a durable checkpoint: an async projection or the integration-event relay.
/// One runner per name is active across all hosts (advisory lock); <see cref="HandleAsync"/> and the checkpoint move
/// commit in the same transaction, so a projection applies each event exactly once.
/// </summary>
public interface ISubscription
{
    string Name { get; }

    int BatchSize => 1000;

    /// <summary>
    /// Whether the subscription does anything with <paramref name="e"/>. A batch with no such event is not handed over and
    /// its checkpoint is written lazily (within about a second), which spares a transaction per batch to a subscriber that
    /// ignores most of the log (the relay publishes integration events only).
    /// </summary>
    bool Handles(StoredEvent e) => true;

    /// <summary>
    /// How long the runner lets further appends accumulate after one is announced before it reads, so that one batch (one
    /// transaction, one set of writes) covers a burst instead of one batch per append. Zero (the default): read at once. A
    /// read model that tolerates this much extra staleness (the KPI counters) trades it for far fewer round trips under load.
    /// Held-back re-checks, polls and catch-up batches are not delayed.
    /// </summary>
    TimeSpan GatherDelay => TimeSpan.Zero;

    /// <summary>
    /// Applies a batch in the subscription's transaction. The events (and their <see cref="StoredEvent.Data"/>) are shared
    /// with the process's other runners through the in-memory log tail: read them, never mutate them.
    /// </summary>
    Task HandleAsync(NpgsqlTransaction transaction, IReadOnlyList<StoredEvent> events, CancellationToken ct);

    /// <summary>The daemon of this process started (true) or stopped (false) running the subscription (it holds its lock).</summary>
    void OnActiveChanged(bool active)
    {
    }

    /// <summary>
    /// Whether an event this subscription fails on every time (a bug, data it cannot take) may be parked after
    /// <see cref="SubscriptionOptions.ParkAfterFailures"/> attempts, so that one event does not stop the read model for
    /// everyone. True for projections; the relay keeps retrying (skipping would lose a message).
    /// </summary>
    bool MayPark => true;

    /// <summary>Drops the subscription's own state before a rebuild from the start of the log.</summary>
    Task ResetAsync(NpgsqlTransaction transaction, CancellationToken ct);
}

/// <summary>
/// A subscription whose effects are outside PostgreSQL and idempotent downstream (the integration-event relay: consumers
/// drop repeats by message id). The daemon runs its batches without a transaction and writes its checkpoint lazily, within
/// about a second (as for batches it skips) and when it stops: a crash or a takeover repeats at most that second of effects.
/// A rebuild still goes through <see cref="ISubscription.HandleAsync"/> with a transaction per batch.
/// </summary>
public interface IExternalEffectSubscription : ISubscription
{
    bool ISubscription.MayPark => false;

    Task HandleAsync(IReadOnlyList<StoredEvent> events, CancellationToken ct);

    /// <summary>
    /// The furthest position the daemon may store, given the position its handled batches <paramref name="reached"/> and
    /// the one <paramref name="stored"/>: all of it (the default) unless an effect behind it is not durable yet — the relay on
    /// the in-memory transport, whose consumers may not have finished. Never behind <paramref name="stored"/>. Called
    /// between batches, when the daemon writes its position lazily or at stop; must be cheap (no I/O).
    /// </summary>
    GlobalPosition SettledUpTo(GlobalPosition reached, GlobalPosition stored) => reached;
}

/// <summary>A subscription's position, how far behind the log it is, and how many events it parked (see <see cref="ParkedEvent"/>).</summary>
public sealed record SubscriptionStatus(string Name, GlobalPosition Checkpoint, DateTimeOffset? UpdatedAt, long EventsBehind, long Parked = 0);

/// <summary>An event a subscription failed on <c>Attempts</c> times in a row and stepped over (oos.parked_events).</summary>
public sealed record ParkedEvent(string Subscription, GlobalPosition Position, Guid EventId, Guid TenantId, string StreamId, string EventType,
    string Error, int Attempts, DateTimeOffset ParkedAt);

public sealed record RebuildProgress(string Name, long Processed, long Total);
