using OutreachOS.BuildingBlocks.EventStore;
using OutreachOS.BuildingBlocks.Messaging;

namespace OutreachOS.UnitTests.Messaging;

/// <summary>
/// The embedded transport's delivery bookkeeping: the relay may store a position only when every event up to it is
/// finished by every endpoint it reached (ADR 0003, addendum 2026-12-03).
/// </summary>
public sealed class DeliveryLedgerTests
{
    private static readonly GlobalPosition Stored = new(1, 0);

    private static GlobalPosition At(long seq) => new(10, seq);

    /// <summary>Covers the event at <paramref name="seq"/>, publishes it and routes it to <paramref name="endpoints"/>.</summary>
    private static Guid Relay(DeliveryLedger ledger, long seq, params string[] endpoints)
    {
        var id = Guid.NewGuid();
        ledger.Cover(At(seq), id, "thing_happened.v1", now: seq);
        ledger.Publishing(id, "thing_happened.v1");
        ledger.Routed(id, endpoints);
        return id;
    }

    [Fact]
    public void Events_finished_out_of_order_move_the_position_only_up_to_the_oldest_unfinished_one()
    {
        var ledger = new DeliveryLedger();
        var first = Relay(ledger, 1, "a");
        var second = Relay(ledger, 2, "a");
        var third = Relay(ledger, 3, "a");

        ledger.Finished(third, "a");
        ledger.Finished(second, "a");
        Assert.Equal(Stored, ledger.SettledUpTo(At(3), Stored)); // the first still holds everything back
        Assert.Equal(3, ledger.Unsettled);

        ledger.Finished(first, "a");
        Assert.Equal(At(3), ledger.SettledUpTo(At(3), Stored));
        Assert.Equal(0, ledger.Unsettled);
        Assert.Equal(0, ledger.Tracked);
    }

    [Fact]
    public void The_position_moves_to_the_last_finished_event_before_an_unfinished_one()
    {
        var ledger = new DeliveryLedger();
        var first = Relay(ledger, 1, "a");
        Relay(ledger, 2, "a");
        ledger.Finished(first, "a");

        Assert.Equal(At(1), ledger.SettledUpTo(At(2), Stored));
        var oldest = Assert.IsType<UnsettledDelivery>(ledger.Oldest());
        Assert.Equal(At(2), oldest.Position);
        Assert.Equal(["a"], oldest.WaitingFor);
        Assert.False(oldest.Publishing);
    }

    [Fact]
    public void An_event_delivered_to_several_endpoints_waits_for_each_of_them_and_counts_a_repeated_report_once()
    {
        var ledger = new DeliveryLedger();
        var id = Relay(ledger, 1, "triage", "analytics", "crm");

        ledger.Finished(id, "triage");
        ledger.Finished(id, "TRIAGE"); // queue names compare like the fabric's: case-insensitively
        ledger.Finished(id, "crm");
        Assert.Equal(Stored, ledger.SettledUpTo(At(1), Stored));
        Assert.Equal(["analytics"], ledger.Oldest()!.WaitingFor);

        ledger.Finished(id, "analytics");
        Assert.Equal(At(1), ledger.SettledUpTo(At(1), Stored));
    }

    [Fact]
    public void An_event_no_endpoint_consumes_is_finished_as_soon_as_its_publish_returns()
    {
        var ledger = new DeliveryLedger();
        var id = Guid.NewGuid();
        ledger.Cover(At(1), id, "nobody_listens.v1", now: 0);
        ledger.Publishing(id, "nobody_listens.v1");
        Assert.Equal(Stored, ledger.SettledUpTo(At(1), Stored)); // published, not yet returned: routes unknown
        Assert.True(ledger.Oldest()!.Publishing);

        ledger.Routed(id, []);
        Assert.Equal(At(1), ledger.SettledUpTo(At(1), Stored));
    }

    [Fact]
    public void A_consumer_that_finishes_before_the_publish_returns_or_before_the_relay_covers_the_event_is_counted()
    {
        var ledger = new DeliveryLedger();
        // Published on commit: the consumer is done before the relay even reads the event.
        var onCommit = Guid.NewGuid();
        ledger.Publishing(onCommit, "x");
        ledger.Finished(onCommit, "a");
        ledger.Routed(onCommit, ["a"]);
        Assert.Equal(1, ledger.Tracked);
        Assert.Equal(0, ledger.Unsettled); // not covered yet: holds nothing back

        ledger.Cover(At(1), onCommit, "x", now: 0); // the relay collects it: finished already
        Assert.Equal(At(1), ledger.SettledUpTo(At(1), Stored));

        // Published by the relay: the consumer finishes between the publish and its return.
        var relayed = Guid.NewGuid();
        ledger.Cover(At(2), relayed, "x", now: 0);
        ledger.Publishing(relayed, "x");
        ledger.Finished(relayed, "a");
        Assert.Equal(1, ledger.Unsettled); // its publish has not returned: where else it went is not known yet
        Assert.Equal(At(1), ledger.SettledUpTo(At(2), Stored));

        ledger.Routed(relayed, ["a"]);
        Assert.Equal(At(2), ledger.SettledUpTo(At(2), Stored));
        Assert.Equal(0, ledger.Tracked);
    }

    [Fact]
    public void A_failed_publish_keeps_the_event_unfinished_until_a_later_publish_routes_it()
    {
        var ledger = new DeliveryLedger();
        var id = Guid.NewGuid();
        ledger.Cover(At(1), id, "x", now: 0);
        ledger.Publishing(id, "x");
        ledger.PublishFailed(id);
        Assert.Equal(Stored, ledger.SettledUpTo(At(1), Stored));

        ledger.Publishing(id, "x"); // the retried batch
        ledger.Cover(At(1), id, "x", now: 1); // covered again: keeps its place
        ledger.Routed(id, ["a"]);
        ledger.Finished(id, "a");
        Assert.Equal(At(1), ledger.SettledUpTo(At(1), Stored));
    }

    [Fact]
    public void A_republished_message_counts_every_endpoint_either_copy_reached()
    {
        var ledger = new DeliveryLedger();
        var id = Relay(ledger, 1, "a");
        ledger.Publishing(id, "x"); // published again (an expired hand-over): an endpoint bound meanwhile receives it too
        ledger.Routed(id, ["a", "b"]);
        ledger.Finished(id, "a");
        Assert.Equal(Stored, ledger.SettledUpTo(At(1), Stored));
        ledger.Finished(id, "b");
        Assert.Equal(At(1), ledger.SettledUpTo(At(1), Stored));
    }

    [Fact]
    public void Reports_for_messages_the_ledger_does_not_know_are_ignored()
    {
        var ledger = new DeliveryLedger();
        ledger.Finished(Guid.NewGuid(), "a"); // a command, a fault, a redriven dead letter
        ledger.Routed(Guid.NewGuid(), ["a"]);
        ledger.PublishFailed(Guid.NewGuid());
        Assert.Equal(0, ledger.Tracked);
        Assert.Equal(At(5), ledger.SettledUpTo(At(5), Stored));
    }

    [Fact]
    public void A_clear_forgets_unfinished_events_so_that_a_reset_or_a_move_to_another_host_never_blocks_the_position()
    {
        var ledger = new DeliveryLedger();
        var stuck = Relay(ledger, 1, "a");
        Relay(ledger, 2, "b");
        Assert.Equal(Stored, ledger.SettledUpTo(At(2), Stored));

        ledger.Clear();
        Assert.Equal(0, ledger.Unsettled);
        Assert.Equal(0, ledger.Tracked);
        Assert.Null(ledger.Oldest());
        ledger.Finished(stuck, "a"); // a late report of a forgotten delivery
        var next = Relay(ledger, 3, "a");
        ledger.Finished(next, "a");
        Assert.Equal(At(3), ledger.SettledUpTo(At(3), Stored));
    }

    [Fact]
    public void The_settled_position_is_never_behind_the_stored_one_nor_past_the_reached_one()
    {
        var ledger = new DeliveryLedger();
        var first = Relay(ledger, 5, "a");
        Relay(ledger, 6, "a");
        ledger.Finished(first, "a");

        Assert.Equal(At(7), ledger.SettledUpTo(At(8), At(7))); // stored already further
        Assert.Equal(At(4), ledger.SettledUpTo(At(4), Stored)); // reached less far (a batch retried from an older position)
    }

    private static StoredEvent Event(long seq) =>
        new(seq, 10, Guid.NewGuid(), Guid.Empty, $"s-{seq}", 1, "thing_happened.v1", "{}", new Dictionary<string, string>(),
            DateTimeOffset.UnixEpoch, [], data: null);

    /// <summary>The publication on commit of <paramref name="e"/>, admitted under <paramref name="max"/>, routed to "a".</summary>
    private static void PublishOnCommit(DeliveryLedger ledger, StoredEvent e, int max)
    {
        Assert.True(ledger.TryAdmit(e.EventId, e.EventType, max));
        ledger.Publishing(e.EventId, e.EventType);
        ledger.Routed(e.EventId, ["a"]);
    }

    /// <summary>
    /// The bound holds across both publishers. The case CI met: the relay covered e0 and e1 (held by a consumer), the
    /// publication on commit had left e2 to the relay and then took e3 (another stream). The relay's room counted only what
    /// it had covered, so it published e2 too: four events in the queues with a bound of three.
    /// </summary>
    [Fact]
    public void Events_published_on_commit_and_not_yet_covered_count_against_the_bound_of_the_relay()
    {
        const int max = 3;
        var ledger = new DeliveryLedger();
        var e = Enumerable.Range(0, 5).Select(i => Event(i)).ToList();
        Assert.Equal(2, ledger.CoverFitting(e[..2], 0, max, now: 0));
        foreach (var covered in e[..2])
        {
            ledger.Publishing(covered.EventId, covered.EventType);
            ledger.Routed(covered.EventId, ["a"]);
        }
        PublishOnCommit(ledger, e[3], max);
        Assert.Equal(3, ledger.Occupied);
        Assert.False(ledger.TryAdmit(e[4].EventId, e[4].EventType, max)); // the publication on commit leaves e4 to the relay

        Assert.Equal(0, ledger.CoverFitting(e, 2, max, now: 0)); // e2 would be the fourth: the relay waits
        ledger.Finished(e[0].EventId, "a");
        Assert.Equal(2, ledger.Occupied);
        Assert.Equal(2, ledger.CoverFitting(e, 2, max, now: 0)); // e2 fits, e3 is out already: covered without room
        Assert.Equal(3, ledger.Occupied);
        Assert.Equal(0, ledger.CoverFitting(e, 4, max, now: 0));
    }

    /// <summary>
    /// An event published on commit and finished before the relay reaches it sits in no queue: it does not count, so the
    /// relay is never kept waiting by events that only it can move past (they leave the ledger only once covered).
    /// </summary>
    [Fact]
    public void An_event_finished_before_the_relay_covers_it_takes_no_room_and_the_relay_is_not_kept_waiting()
    {
        const int max = 2;
        var ledger = new DeliveryLedger();
        var e = Enumerable.Range(0, 4).Select(i => Event(i)).ToList();
        foreach (var early in e[1..])
        {
            PublishOnCommit(ledger, early, max: 10);
            ledger.Finished(early.EventId, "a");
        }
        Assert.Equal(0, ledger.Occupied);
        Assert.Equal(3, ledger.Tracked);

        Assert.Equal(4, ledger.CoverFitting(e, 0, max, now: 0)); // e0 needs room, e1-e3 are known
        ledger.Publishing(e[0].EventId, e[0].EventType);
        ledger.Routed(e[0].EventId, ["a"]);
        ledger.Finished(e[0].EventId, "a");
        Assert.Equal(At(3), ledger.SettledUpTo(At(3), Stored));
        Assert.Equal(0, ledger.Tracked);
    }

    [Fact]
    public void An_admission_whose_publication_on_commit_does_not_happen_is_released_but_not_once_a_publish_routed_it()
    {
        var ledger = new DeliveryLedger();
        var rolledBack = Event(1);
        Assert.True(ledger.TryAdmit(rolledBack.EventId, rolledBack.EventType, max: 1));
        Assert.Equal(1, ledger.Occupied);
        ledger.Release(rolledBack.EventId);
        Assert.Equal(0, ledger.Occupied);
        Assert.Equal(0, ledger.Tracked);

        // Admitted, then abandoned (timed out before its publish) or failed: its room goes back, so the relay is not kept
        // waiting in front of an earlier event by one that nobody publishes until the relay reaches it.
        var earlier = Event(0);
        var abandoned = Event(3);
        Assert.True(ledger.TryAdmit(abandoned.EventId, abandoned.EventType, max: 1));
        Assert.Equal(0, ledger.CoverFitting([earlier], 0, max: 1, now: 0));
        ledger.Release(abandoned.EventId);
        var failed = Event(4);
        Assert.True(ledger.TryAdmit(failed.EventId, failed.EventType, max: 1));
        ledger.Publishing(failed.EventId, failed.EventType);
        ledger.PublishFailed(failed.EventId);
        ledger.Release(failed.EventId);
        Assert.Equal(0, ledger.Occupied);
        Assert.Equal(1, ledger.CoverFitting([earlier], 0, max: 1, now: 0));
        ledger.Clear();

        var published = Event(2);
        PublishOnCommit(ledger, published, max: 1);
        ledger.Release(published.EventId); // out already: it stays counted until finished
        Assert.Equal(1, ledger.Occupied);
        ledger.Finished(published.EventId, "a");
        Assert.Equal(0, ledger.Occupied);
        ledger.Clear();
        Assert.Equal(0, ledger.Tracked);
    }
}
