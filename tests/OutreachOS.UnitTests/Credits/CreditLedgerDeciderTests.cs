using OutreachOS.Credits.Contracts;
using OutreachOS.Credits.Ledger;
using OutreachOS.Credits.Refunding;
using OutreachOS.Credits.Reserving;
using OutreachOS.Credits.Settling;

namespace OutreachOS.UnitTests.Credits;

/// <summary>Given events, when a command, then events: the ledger's rules without a database.</summary>
public sealed class CreditLedgerDeciderTests
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 22, 9, 0, 0, TimeSpan.Zero);
    private static readonly Guid A = Guid.Parse("00000000-0000-0000-0000-00000000000a");
    private static readonly Guid B = Guid.Parse("00000000-0000-0000-0000-00000000000b");

    private static CreditLedgerState Given(params object[] events) => CreditLedgerState.Fold(events);

    private static ReserveCredits Reserve(Guid id, int credits, int allowance = 100) =>
        new(id, credits, "generation", "FREE", "2026-11", allowance, T0, T0.AddMinutes(10));

    private static CreditsReserved Reserved(Guid id, int credits) => new(id, credits, "generation", T0, T0.AddMinutes(10));

    private static object[] When(ReserveCredits c, CreditLedgerState s) => ReserveCreditsDecider.Decide(c, s, AlertThresholds.Default);

    [Fact]
    public void Reserving_within_the_balance_holds_the_credits()
    {
        var events = When(Reserve(A, 3), Given());
        Assert.Equal([Reserved(A, 3)], events);
    }

    [Fact]
    public void Reserving_more_than_available_is_refused_with_the_balance()
    {
        var e = Assert.Throws<InsufficientCreditsException>(() => When(Reserve(B, 11), Given(Reserved(A, 90))));
        Assert.Equal(11, e.Requested);
        Assert.Equal(10, e.Balance.Available);
        Assert.Equal(90, e.Balance.Reserved);
        Assert.Equal("2026-11", e.Balance.Period);
    }

    private static object[] Settle(Guid id, int used, CreditLedgerState s, int allowance = 100) =>
        SettleReservationDecider.Decide(new SettleReservation(id, used, allowance, T0), s, AlertThresholds.Default);

    [Fact]
    public void Reserving_exactly_what_is_left_succeeds_and_raises_nothing_yet()
    {
        Assert.Equal([Reserved(B, 10)], When(Reserve(B, 10), Given(Reserved(A, 90))));
    }

    [Fact]
    public void Consuming_exactly_what_is_left_raises_every_level_crossed_once()
    {
        var events = Settle(B, 10, Given(Reserved(A, 90), new CreditsSettled(A, 90, 90, 0, T0), Reserved(B, 10)));
        Assert.Equal(
        [
            new CreditsSettled(B, 10, 10, 0, T0),
            new CreditAlertRaised(CreditAlertLevel.Low, 0, 100, T0),
            new CreditAlertRaised(CreditAlertLevel.Critical, 0, 100, T0),
            new CreditAlertRaised(CreditAlertLevel.Exhausted, 0, 100, T0),
        ], events);
    }

    [Fact]
    public void Crossing_twenty_percent_by_consumption_raises_Low_only_and_only_the_first_time()
    {
        var history = new List<object> { Reserved(A, 80) };
        var first = Settle(A, 80, Given([.. history]));
        Assert.Equal([new CreditsSettled(A, 80, 80, 0, T0), new CreditAlertRaised(CreditAlertLevel.Low, 20, 100, T0)], first);

        history.AddRange(first);
        history.Add(Reserved(B, 1));
        Assert.Equal([new CreditsSettled(B, 1, 1, 0, T0)], Settle(B, 1, Given([.. history])));
    }

    [Fact]
    public void A_reservation_that_is_refunded_raises_nothing_and_the_real_crossing_later_does()
    {
        // 96 held, then released: nothing was consumed, so no alert. Later, consuming to 4 left raises Low and Critical.
        var history = new List<object> { Reserved(A, 96) };
        history.AddRange(RefundReservationDecider.Decide(new RefundReservation(A, "model failed", T0), Given([.. history])));
        Assert.DoesNotContain(history, e => e is CreditAlertRaised);

        var c = Guid.NewGuid();
        history.Add(Reserved(c, 96));
        Assert.Equal(
        [
            new CreditsSettled(c, 96, 96, 0, T0),
            new CreditAlertRaised(CreditAlertLevel.Low, 4, 100, T0),
            new CreditAlertRaised(CreditAlertLevel.Critical, 4, 100, T0),
        ], Settle(c, 96, Given([.. history])));
    }

    [Fact]
    public void Only_what_is_used_counts_towards_an_alert_not_what_a_settlement_releases()
    {
        // 90 reserved, 10 used: 90 left, no alert, whatever else is held meanwhile.
        Assert.Equal([new CreditsSettled(A, 90, 10, 80, T0)], Settle(A, 10, Given(Reserved(A, 90), Reserved(B, 5))));
    }

    [Fact]
    public void A_refusal_raises_only_what_consumption_has_crossed_and_not_yet_raised()
    {
        // Held, not consumed: a refusal raises nothing.
        Assert.Empty(ReserveCreditsDecider.OnRefusal(Reserve(B, 1), Given(Reserved(A, 100)), AlertThresholds.Default));
        // 300 consumed against an allowance now of 100 (a downgrade): all three, once.
        var consumed = Given(Reserved(A, 300), new CreditsSettled(A, 300, 300, 0, T0));
        Assert.Equal(
        [
            new CreditAlertRaised(CreditAlertLevel.Low, 0, 100, T0),
            new CreditAlertRaised(CreditAlertLevel.Critical, 0, 100, T0),
            new CreditAlertRaised(CreditAlertLevel.Exhausted, 0, 100, T0),
        ], ReserveCreditsDecider.OnRefusal(Reserve(B, 1), consumed, AlertThresholds.Default));
        var raised = CreditLedgerState.Fold([Reserved(A, 300), new CreditsSettled(A, 300, 300, 0, T0), .. ReserveCreditsDecider.OnRefusal(Reserve(B, 1), consumed, AlertThresholds.Default)]);
        Assert.Empty(ReserveCreditsDecider.OnRefusal(Reserve(B, 1), raised, AlertThresholds.Default));
    }

    [Fact]
    public void Just_above_twenty_percent_raises_nothing()
    {
        Assert.Equal([new CreditsSettled(A, 79, 79, 0, T0)], Settle(A, 79, Given(Reserved(A, 79))));
    }

    [Fact]
    public void Reserving_an_id_again_is_a_no_op_even_with_another_amount_or_after_it_closed()
    {
        Assert.Empty(When(Reserve(A, 5), Given(Reserved(A, 3))));
        Assert.Empty(When(Reserve(A, 3), Given(Reserved(A, 3), new CreditsRefunded(A, 3, "failed", T0))));
        // Even when the balance could no longer cover it: a retry must not turn into a 402.
        Assert.Empty(When(Reserve(A, 3, allowance: 3), Given(Reserved(A, 3))));
    }

    [Fact]
    public void Settling_charges_what_was_used_and_releases_the_rest()
    {
        var events = Settle(A, 1, Given(Reserved(A, 3)));
        Assert.Equal([new CreditsSettled(A, 3, 1, 2, T0)], events);
        var after = CreditLedgerState.Fold([Reserved(A, 3), .. events]);
        Assert.Equal((1, 0, 99), (after.Consumed, after.Reserved, after.Available(100)));
    }

    [Fact]
    public void Settling_twice_or_after_a_refund_changes_nothing()
    {
        Assert.Empty(Settle(A, 3, Given(Reserved(A, 3), new CreditsSettled(A, 3, 1, 2, T0))));
        Assert.Empty(Settle(A, 3, Given(Reserved(A, 3), new CreditsRefunded(A, 3, "expired", T0))));
    }

    [Fact]
    public void Settling_more_than_reserved_or_an_unknown_reservation_is_a_caller_error()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => Settle(A, 4, Given(Reserved(A, 3))));
        Assert.Throws<ArgumentOutOfRangeException>(() => Settle(A, -1, Given(Reserved(A, 3))));
        Assert.Throws<CreditReservationNotFoundException>(() => Settle(B, 1, Given(Reserved(A, 3))));
    }

    [Fact]
    public void Refunding_releases_the_whole_reservation_once()
    {
        var events = RefundReservationDecider.Decide(new RefundReservation(A, "model failed", T0), Given(Reserved(A, 3)));
        Assert.Equal([new CreditsRefunded(A, 3, "model failed", T0)], events);
        Assert.Empty(RefundReservationDecider.Decide(new RefundReservation(A, "model failed", T0), Given([Reserved(A, 3), .. events])));
    }

    [Fact]
    public void Refunding_after_a_settle_or_an_unknown_id_changes_nothing()
    {
        Assert.Empty(RefundReservationDecider.Decide(new RefundReservation(A, "late", T0), Given(Reserved(A, 3), new CreditsSettled(A, 3, 3, 0, T0))));
        Assert.Empty(RefundReservationDecider.Decide(new RefundReservation(B, "reserve failed", T0), Given(Reserved(A, 3))));
    }

    [Theory]
    [InlineData(100, 100, CreditAlertLevel.None)]
    [InlineData(21, 100, CreditAlertLevel.None)]
    [InlineData(20, 100, CreditAlertLevel.Low)]
    [InlineData(6, 100, CreditAlertLevel.Low)]
    [InlineData(5, 100, CreditAlertLevel.Critical)]
    [InlineData(1, 100, CreditAlertLevel.Critical)]
    [InlineData(0, 100, CreditAlertLevel.Exhausted)]
    [InlineData(-3, 100, CreditAlertLevel.Exhausted)]
    [InlineData(5000, 100_000, CreditAlertLevel.Critical)]
    [InlineData(5001, 100_000, CreditAlertLevel.Low)]
    [InlineData(0, 0, CreditAlertLevel.Exhausted)]
    public void Alert_level_follows_the_thresholds(int available, int allowance, CreditAlertLevel expected) =>
        Assert.Equal(expected, AlertThresholds.Default.LevelFor(available, allowance));

    [Fact]
    public void Event_ids_depend_on_tenant_reservation_and_step_so_retries_collide_and_tenants_do_not()
    {
        var t1 = Guid.NewGuid();
        var t2 = Guid.NewGuid();
        Assert.Equal(CreditEventIds.For(t1, Reserved(A, 3), "2026-11"), CreditEventIds.For(t1, Reserved(A, 5), "2026-11"));
        Assert.NotEqual(CreditEventIds.For(t1, Reserved(A, 3), "2026-11"), CreditEventIds.For(t2, Reserved(A, 3), "2026-11"));
        // Settle and refund share an id: a reservation closes once.
        Assert.Equal(CreditEventIds.For(t1, new CreditsSettled(A, 3, 1, 2, T0), "2026-11"), CreditEventIds.For(t1, new CreditsRefunded(A, 3, "x", T0), "2026-11"));
        var alert = new CreditAlertRaised(CreditAlertLevel.Low, 20, 100, T0);
        Assert.NotEqual(CreditEventIds.For(t1, alert, "2026-11"), CreditEventIds.For(t1, alert, "2026-12"));
    }

    [Fact]
    public void Periods_are_calendar_months_in_utc()
    {
        Assert.Equal("2026-11", CreditPeriod.Of(new DateTimeOffset(2026, 11, 30, 23, 59, 59, TimeSpan.Zero)));
        Assert.Equal("2026-12", CreditPeriod.Of(new DateTimeOffset(2026, 11, 30, 20, 0, 0, TimeSpan.FromHours(-5)))); // 01:00 UTC on Dec 1
        Assert.Equal("credits-2026-12", CreditStreams.For("2026-12"));
        Assert.Equal("2026-12", CreditStreams.PeriodOf("credits-2026-12"));
    }
}
