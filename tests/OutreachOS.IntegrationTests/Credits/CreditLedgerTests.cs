using OutreachOS.BuildingBlocks.EventStore;
using OutreachOS.Credits.Contracts;
using OutreachOS.IntegrationTests.EventStore;
using OutreachOS.IntegrationTests.Infrastructure;
using OutreachOS.Credits.Ledger;

namespace OutreachOS.IntegrationTests.Credits;

/// <summary>The ledger on real PostgreSQL: idempotency, settlement, refusal, alerts, rollover and tenant isolation.</summary>
public sealed class CreditLedgerTests
{
    private static readonly Guid OrgA = Guid.Parse("0000000a-0000-0000-0000-000000000000");
    private static readonly Guid OrgB = Guid.Parse("0000000b-0000-0000-0000-000000000000");

    [Fact]
    public async Task Reserve_settle_and_refund_replayed_with_the_same_id_change_nothing_and_return_the_same_result()
    {
        await using var h = await CreditsHarness.CreateAsync();
        var id = Guid.NewGuid();

        var first = await h.Ledger.ReserveAsync(OrgA, id, 3, "generation", default);
        var again = await h.Ledger.ReserveAsync(OrgA, id, 3, "generation", default);
        Assert.Equal(first, again);
        Assert.Equal((3, 97), (first.Balance.Reserved, first.Balance.Available));

        var settled = await h.Ledger.SettleAsync(OrgA, id, 3, default);
        Assert.Equal(settled, await h.Ledger.SettleAsync(OrgA, id, 3, default));
        Assert.Equal(settled, await h.Ledger.SettleAsync(OrgA, id, 0, default)); // a different amount on retry is ignored
        Assert.Equal(settled, await h.Ledger.RefundAsync(OrgA, id, "late failure", default)); // refund after settle: no-op
        var replayedReserve = await h.Ledger.ReserveAsync(OrgA, id, 3, "generation", default);
        Assert.Equal((3, 3, 0, 97), (replayedReserve.Reserved, replayedReserve.Balance.Consumed, replayedReserve.Balance.Reserved, replayedReserve.Balance.Available));

        var events = await h.EventsAsync(OrgA, "2026-11");
        Assert.Equal([typeof(CreditsReserved), typeof(CreditsSettled)], events.Select(e => e.GetType()));
        Assert.True((await h.Store.VerifyAsync(OrgA, "credits-2026-11")).Valid);
    }

    [Fact]
    public async Task A_settlement_with_a_callers_events_locks_accounts_and_streams_in_one_round_trip_and_commits_with_the_insert()
    {
        await using var h = await CreditsHarness.CreateAsync();
        await h.Store.AppendAsync(OrgA, "caller-1", "caller", ExpectedVersion.NoStream, [EventToAppend.Create(new TestDeposited("a", 1, "opened"))]);
        var id = Guid.NewGuid();
        await h.Ledger.ReserveAsync(OrgA, id, 3, "generation", default);

        int roundTrips;
        using (var commands = new CommandCounter())
        {
            await h.Ledger.SettleAsync(OrgA, id, 2, _ =>
                [new StreamAppend(OrgA, "caller-1", "caller", ExpectedVersion.Exactly(1), [EventToAppend.Create(new TestDeposited("a", 2, "settled"))])], default);
            roundTrips = commands.Count;
        }

        // Accounts, reservations, alerts and both streams (ledger and caller) locked in one round trip; the events, the
        // account rows and COMMIT in the other.
        Assert.Equal(2, roundTrips);
        Assert.Equal(2, (await h.Store.GetStreamAsync(OrgA, "caller-1"))!.Version);
        Assert.Equal([typeof(CreditsReserved), typeof(CreditsSettled)], (await h.EventsAsync(OrgA, "2026-11")).Select(e => e.GetType()));
        Assert.Equal(2, await h.ScalarAsync("SELECT consumed FROM oos.credit_accounts WHERE tenant_id = @t", ("t", OrgA)));
    }

    [Fact]
    public async Task A_charge_reserves_and_settles_with_the_callers_events_in_one_transaction_and_two_round_trips()
    {
        await using var h = await CreditsHarness.CreateAsync();
        var id = Guid.NewGuid();

        CreditCharge? charge;
        int roundTrips;
        using (var commands = new CommandCounter())
        {
            charge = await h.Ledger.ChargeAsync(OrgA, id, _ => 3, 3, 2, "generation", (r, b) =>
                [new StreamAppend(OrgA, "caller-1", "caller", ExpectedVersion.NoStream,
                    [EventToAppend.Create(new TestDeposited("a", r.Reserved, $"held, {r.Balance.Available} left")), EventToAppend.Create(new TestDeposited("a", b.Consumed, $"charged, {b.Available} left"))])],
                default);
            roundTrips = commands.Count;
        }

        Assert.NotNull(charge);
        Assert.Equal((3, 3, 97), (charge.Reservation.Reserved, charge.Reservation.Balance.Reserved, charge.Reservation.Balance.Available));
        Assert.Equal((2, 0, 98), (charge.Balance.Consumed, charge.Balance.Reserved, charge.Balance.Available));
        Assert.Equal(2, roundTrips); // locks and reads, then events, account rows and COMMIT: as one settlement
        // The ledger records what a reservation and its settlement record; the caller's events commit with them.
        var ledger = await h.EventsAsync(OrgA, "2026-11");
        Assert.Equal([typeof(CreditsReserved), typeof(CreditsSettled)], ledger.Select(e => e.GetType()));
        Assert.Equal((3, 2, 1), (((CreditsSettled)ledger[1]).Reserved, ((CreditsSettled)ledger[1]).Used, ((CreditsSettled)ledger[1]).Released));
        Assert.Equal(["held, 97 left", "charged, 98 left"],
            (await h.Store.ReadStreamAsync(OrgA, "caller-1")).Select(e => ((TestDeposited)e.Data!).Note));
        Assert.Equal(1, await h.ScalarAsync("SELECT count(DISTINCT tx) FROM oos.events WHERE tenant_id = @t", ("t", OrgA)));
        Assert.Equal(2, await h.ScalarAsync("SELECT consumed FROM oos.credit_accounts WHERE tenant_id = @t AND reserved = 0", ("t", OrgA)));
        Assert.Equal(2, await h.ScalarAsync("SELECT used FROM oos.credit_reservations WHERE tenant_id = @t AND id = @id AND status = 'SETTLED'", ("t", OrgA), ("id", id)));
        Assert.Equal(2, await h.ScalarAsync("SELECT sum(consumed) FROM oos.credit_usage_daily WHERE tenant_id = @t", ("t", OrgA)));

        // The same id again is a retry: declined, nothing recorded; a reservation with it returns the original.
        Assert.Null(await h.Ledger.ChargeAsync(OrgA, id, _ => 3, 3, 3, "generation", (_, _) => [], default));
        Assert.Equal(2, (await h.EventsAsync(OrgA, "2026-11")).Count);
        var again = await h.Ledger.ReserveAsync(OrgA, id, 3, "generation", default);
        Assert.Equal((3, 2, 0), (again.Reserved, again.Balance.Consumed, again.Balance.Reserved));
        Assert.True((await h.Store.VerifyAsync(OrgA, "credits-2026-11")).Valid);
    }

    [Fact]
    public async Task A_charge_the_balance_decides_differently_for_records_nothing_and_one_it_cannot_cover_is_refused()
    {
        await using var h = await CreditsHarness.CreateAsync();
        await h.Ledger.ReserveAsync(OrgA, Guid.NewGuid(), 95, "earlier", default);
        var id = Guid.NewGuid();
        var asked = new List<int>();

        // The work was done for 9; at 5 left the balance decides 3 (a degradation): declined before anything is written,
        // the caller's stream included.
        var declined = await h.Ledger.ChargeAsync(OrgA, id, b => { asked.Add(b.Available); return b.Available >= 9 ? 9 : 3; }, 9, 9, "generation",
            (_, _) => [new StreamAppend(OrgA, "caller-2", "caller", ExpectedVersion.NoStream, [EventToAppend.Create(new TestDeposited("a", 1, "never"))])], default);

        Assert.Null(declined);
        Assert.Equal([5], asked);
        Assert.Null(await h.Store.GetStreamAsync(OrgA, "caller-2"));
        Assert.Single(await h.EventsAsync(OrgA, "2026-11"));
        Assert.Equal((0, 95), ((int)await h.ScalarAsync("SELECT consumed FROM oos.credit_accounts WHERE tenant_id = @t", ("t", OrgA)),
            (int)await h.ScalarAsync("SELECT reserved FROM oos.credit_accounts WHERE tenant_id = @t", ("t", OrgA))));

        // The amount it decides but cannot cover: refused as a reservation is.
        var refused = await Assert.ThrowsAsync<InsufficientCreditsException>(() =>
            h.Ledger.ChargeAsync(OrgA, id, _ => 9, 9, 9, "generation", (_, _) => [], default));
        Assert.Equal((9, 5), (refused.Requested, refused.Balance.Available));
        Assert.Single(await h.EventsAsync(OrgA, "2026-11"));
    }

    [Fact]
    public async Task A_charge_raises_the_alerts_its_consumption_crosses_once()
    {
        await using var h = await CreditsHarness.CreateAsync();

        var low = await h.Ledger.ChargeAsync(OrgA, Guid.NewGuid(), _ => 85, 85, 81, "generation", (_, _) => [], default);
        var critical = await h.Ledger.ChargeAsync(OrgA, Guid.NewGuid(), _ => 15, 15, 15, "generation", (_, _) => [], default);

        Assert.Equal((CreditAlertLevel.Low, 19), (low!.Balance.Alert, low.Balance.Available));
        Assert.Equal((CreditAlertLevel.Critical, 4), (critical!.Balance.Alert, critical.Balance.Available));
        Assert.Equal([CreditAlertLevel.Low, CreditAlertLevel.Critical],
            (await h.EventsAsync(OrgA, "2026-11")).OfType<CreditAlertRaised>().Select(a => a.Level));
    }

    [Fact]
    public async Task A_callers_append_that_was_made_before_is_recognised_as_a_retry_when_the_group_is_run_again_alone()
    {
        await using var h = await CreditsHarness.CreateAsync();
        var opened = EventToAppend.Create(new TestDeposited("a", 1, "opened"));
        var settledBefore = EventToAppend.Create(new TestDeposited("a", 2, "settled"));
        await h.Store.AppendAsync(OrgA, "caller-1", "caller", ExpectedVersion.NoStream, [opened, settledBefore]);
        var id = Guid.NewGuid();
        await h.Ledger.ReserveAsync(OrgA, id, 3, "generation", default);

        // The caller's events were appended before (same ids): with the streams locked ahead the insert hits the unique
        // event id and the group's transaction aborts; run again alone, the store sees a retry and the settlement lands.
        var balance = await h.Ledger.SettleAsync(OrgA, id, 2, _ => [new StreamAppend(OrgA, "caller-1", "caller", ExpectedVersion.Any, [settledBefore])], default);

        Assert.Equal((2, 0), (balance.Consumed, balance.Reserved));
        Assert.Equal(2, (await h.Store.GetStreamAsync(OrgA, "caller-1"))!.Version);
        Assert.True((await h.Store.VerifyAsync(OrgA, "caller-1")).Valid);
    }

    [Fact]
    public async Task Settle_after_refund_is_a_no_op_and_refund_of_an_unknown_id_changes_nothing()
    {
        await using var h = await CreditsHarness.CreateAsync();
        var id = Guid.NewGuid();
        await h.Ledger.ReserveAsync(OrgA, id, 2, "generation", default);

        var refunded = await h.Ledger.RefundAsync(OrgA, id, "model failed", default);
        Assert.Equal((0, 0, 100), (refunded.Consumed, refunded.Reserved, refunded.Available));
        Assert.Equal(refunded, await h.Ledger.SettleAsync(OrgA, id, 2, default));
        Assert.Equal(refunded, await h.Ledger.RefundAsync(OrgA, id, "model failed", default));
        Assert.Equal(refunded, await h.Ledger.RefundAsync(OrgA, Guid.NewGuid(), "reserve failed", default));
        await Assert.ThrowsAsync<CreditReservationNotFoundException>(() => h.Ledger.SettleAsync(OrgA, Guid.NewGuid(), 1, default));

        Assert.Equal([typeof(CreditsReserved), typeof(CreditsRefunded)], (await h.EventsAsync(OrgA, "2026-11")).Select(e => e.GetType()));
    }

    [Fact]
    public async Task Settling_less_than_reserved_charges_the_used_part_and_releases_the_rest()
    {
        await using var h = await CreditsHarness.CreateAsync();
        var id = Guid.NewGuid();
        await h.Ledger.ReserveAsync(OrgA, id, 3, "3 variants", default);

        var balance = await h.Ledger.SettleAsync(OrgA, id, 1, default);

        Assert.Equal((1, 0, 99), (balance.Consumed, balance.Reserved, balance.Available));
        Assert.Equal(balance, await h.Ledger.GetBalanceAsync(OrgA, default));
        var settled = Assert.IsType<CreditsSettled>((await h.EventsAsync(OrgA, "2026-11"))[1]);
        Assert.Equal((3, 1, 2), (settled.Reserved, settled.Used, settled.Released));

        var other = Guid.NewGuid();
        await h.Ledger.ReserveAsync(OrgA, other, 2, "2 variants", default);
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => h.Ledger.SettleAsync(OrgA, other, 3, default));
    }

    [Fact]
    public async Task At_zero_the_ledger_refuses_with_the_balance_and_records_nothing()
    {
        await using var h = await CreditsHarness.CreateAsync(new Dictionary<string, string?> { ["Credits:Tiers:FREE"] = "5" });
        await h.Ledger.ReserveAsync(OrgA, Guid.NewGuid(), 5, "generation", default);
        var versionBefore = (await h.Store.GetStreamAsync(OrgA, "credits-2026-11"))!.Version;

        var refused = await Assert.ThrowsAsync<InsufficientCreditsException>(() => h.Ledger.ReserveAsync(OrgA, Guid.NewGuid(), 1, "generation", default));

        Assert.Equal(1, refused.Requested);
        Assert.Equal((0, 5, CreditAlertLevel.Exhausted), (refused.Balance.Available, refused.Balance.Allowance, refused.Balance.Alert));
        Assert.Equal(versionBefore, (await h.Store.GetStreamAsync(OrgA, "credits-2026-11"))!.Version);
    }

    [Fact]
    public async Task Alerts_are_raised_once_per_level_and_period_at_twenty_and_five_percent_and_zero_of_what_is_consumed()
    {
        await using var h = await CreditsHarness.CreateAsync();
        async Task<CreditBalance> Use(int credits)
        {
            var id = Guid.NewGuid();
            await h.Ledger.ReserveAsync(OrgA, id, credits, "generation", default);
            return await h.Ledger.SettleAsync(OrgA, id, credits, default);
        }
        async Task<List<CreditAlertRaised>> Alerts() => (await h.EventsAsync(OrgA, "2026-11")).OfType<CreditAlertRaised>().ToList();

        Assert.Equal(CreditAlertLevel.None, (await Use(79)).Alert);
        Assert.Empty(await Alerts());

        // A reservation that takes the balance to 0 and is then refunded consumed nothing: the live level shows it while it
        // is held, but no alert is recorded, so the real crossing below is not hidden by a false one.
        var refundable = Guid.NewGuid();
        Assert.Equal(CreditAlertLevel.Exhausted, (await h.Ledger.ReserveAsync(OrgA, refundable, 21, "generation", default)).Balance.Alert);
        await h.Ledger.RefundAsync(OrgA, refundable, "failed", default);
        Assert.Empty(await Alerts());

        Assert.Equal(CreditAlertLevel.Low, (await Use(1)).Alert); // 20 left = 20%
        Assert.Equal([CreditAlertLevel.Low], (await Alerts()).Select(a => a.Level));
        await Use(1);                                              // 19: Low again, not raised again
        Assert.Single(await Alerts());

        Assert.Equal(CreditAlertLevel.Critical, (await Use(14)).Alert); // 5 left = 5%
        Assert.Equal(CreditAlertLevel.Exhausted, (await Use(5)).Alert);
        var alerts = await Alerts();
        Assert.Equal([CreditAlertLevel.Low, CreditAlertLevel.Critical, CreditAlertLevel.Exhausted], alerts.Select(a => a.Level));
        Assert.Equal([20, 5, 0], alerts.Select(a => a.Available));
        Assert.Equal(3, await h.ScalarAsync("SELECT count(*) FROM oos.credit_alerts WHERE tenant_id = @t", ("t", OrgA)));
    }

    [Fact]
    public async Task A_new_calendar_month_starts_a_new_stream_with_the_full_allowance_and_old_reservations_settle_into_their_month()
    {
        await using var h = await CreditsHarness.CreateAsync();
        h.Clock.Set(new DateTimeOffset(2026, 11, 30, 23, 59, 0, TimeSpan.Zero));
        var november = Guid.NewGuid();
        await h.Ledger.ReserveAsync(OrgA, november, 90, "big batch", default);
        Assert.Equal(CreditAlertLevel.Low, (await h.Ledger.GetBalanceAsync(OrgA, default)).Alert);

        h.Clock.Set(new DateTimeOffset(2026, 12, 1, 0, 0, 1, TimeSpan.Zero));
        var december = await h.Ledger.GetBalanceAsync(OrgA, default);
        Assert.Equal(("2026-12", 100, 0, CreditAlertLevel.None), (december.Period, december.Available, december.Consumed, december.Alert));

        var settledIntoNovember = await h.Ledger.SettleAsync(OrgA, november, 90, default);
        Assert.Equal(("2026-11", 90, 10), (settledIntoNovember.Period, settledIntoNovember.Consumed, settledIntoNovember.Available));
        var decemberReservation = await h.Ledger.ReserveAsync(OrgA, Guid.NewGuid(), 50, "generation", default);
        Assert.Equal(("2026-12", 50), (decemberReservation.Balance.Period, decemberReservation.Balance.Available));

        Assert.Equal(3, (await h.EventsAsync(OrgA, "2026-11")).Count); // reserved, low alert, settled
        Assert.Single(await h.EventsAsync(OrgA, "2026-12"));
    }

    [Fact]
    public async Task A_tier_upgrade_changes_the_allowance_immediately()
    {
        await using var h = await CreditsHarness.CreateAsync();
        await h.Ledger.ReserveAsync(OrgA, Guid.NewGuid(), 100, "all of it", default);
        await Assert.ThrowsAsync<InsufficientCreditsException>(() => h.Ledger.ReserveAsync(OrgA, Guid.NewGuid(), 1, "more", default));

        h.Plans.Tiers[OrgA] = "PRO";
        var after = await h.Ledger.ReserveAsync(OrgA, Guid.NewGuid(), 1, "more", default);
        Assert.Equal(("PRO", 5000, 4899), (after.Balance.Tier, after.Balance.Allowance, after.Balance.Available));
    }

    [Fact]
    public async Task A_tier_downgrade_below_what_is_consumed_raises_the_alerts_at_the_first_refusal_once()
    {
        await using var h = await CreditsHarness.CreateAsync();
        h.Plans.Tiers[OrgA] = "PRO";
        var big = Guid.NewGuid();
        await h.Ledger.ReserveAsync(OrgA, big, 300, "batch", default);
        await h.Ledger.SettleAsync(OrgA, big, 300, default); // 4,700 of 5,000 left: no alert
        async Task<List<CreditAlertRaised>> Alerts() => (await h.EventsAsync(OrgA, "2026-11")).OfType<CreditAlertRaised>().ToList();
        Assert.Empty(await Alerts());

        // Downgraded to FREE (100): 300 consumed, nothing can be reserved, and no settlement will come to say so.
        h.Plans.Tiers[OrgA] = "FREE";
        var refused = await Assert.ThrowsAsync<InsufficientCreditsException>(() => h.Ledger.ReserveAsync(OrgA, Guid.NewGuid(), 1, "more", default));
        Assert.Equal((-200, CreditAlertLevel.Exhausted), (refused.Balance.Available, refused.Balance.Alert)); // the balance shows the overdraft
        var alerts = await Alerts();
        Assert.Equal([CreditAlertLevel.Low, CreditAlertLevel.Critical, CreditAlertLevel.Exhausted], alerts.Select(a => a.Level));
        Assert.All(alerts, a => Assert.Equal((0, 100), (a.Available, a.Allowance)));
        Assert.DoesNotContain((await h.EventsAsync(OrgA, "2026-11")).OfType<CreditsReserved>(), r => r.Reason == "more");

        // Later refusals record nothing more.
        var version = (await h.Store.GetStreamAsync(OrgA, "credits-2026-11"))!.Version;
        await Assert.ThrowsAsync<InsufficientCreditsException>(() => h.Ledger.ReserveAsync(OrgA, Guid.NewGuid(), 1, "more", default));
        Assert.Equal(version, (await h.Store.GetStreamAsync(OrgA, "credits-2026-11"))!.Version);
    }

    [Fact]
    public async Task Organizations_see_only_their_own_reservations_even_with_the_same_reservation_id()
    {
        await using var h = await CreditsHarness.CreateAsync();
        h.Plans.Tiers[OrgB] = "PRO";
        var shared = Guid.NewGuid();
        await h.Ledger.ReserveAsync(OrgA, shared, 40, "A's request", default);

        // B's identical id is a new reservation of B's, not a replay of A's.
        var b = await h.Ledger.ReserveAsync(OrgB, shared, 7, "B's request", default);
        Assert.Equal((7, 7, 4993), (b.Reserved, b.Balance.Reserved, b.Balance.Available));

        // B settling or refunding that id touches only B's reservation; a settle of an id only A has is "not found" for B.
        await h.Ledger.RefundAsync(OrgB, shared, "B failed", default);
        Assert.Equal((40, 60), ((await h.Ledger.GetBalanceAsync(OrgA, default)).Reserved, (await h.Ledger.GetBalanceAsync(OrgA, default)).Available));
        var onlyA = Guid.NewGuid();
        await h.Ledger.ReserveAsync(OrgA, onlyA, 1, "A again", default);
        await Assert.ThrowsAsync<CreditReservationNotFoundException>(() => h.Ledger.SettleAsync(OrgB, onlyA, 1, default));
        Assert.Equal(0, (await h.Ledger.GetBalanceAsync(OrgB, default)).Reserved);

        Assert.Equal([40, 1], (await h.EventsAsync(OrgA, "2026-11")).Cast<CreditsReserved>().Select(r => r.Credits));
        Assert.All(await h.EventsAsync(OrgB, "2026-11"), e => Assert.True(e is CreditsReserved { Credits: 7 } or CreditsRefunded { Credits: 7 }));
    }
}
