using OutreachOS.BuildingBlocks.EventStore;
using OutreachOS.Credits.Contracts;
using OutreachOS.Credits.Ledger;

namespace OutreachOS.IntegrationTests.Credits;

/// <summary>Many callers at once against one organization's balance.</summary>
public sealed class CreditConcurrencyTests
{
    private static readonly Guid Org = Guid.Parse("0000000c-0000-0000-0000-000000000000");

    [Fact]
    public async Task One_hundred_concurrent_reservations_with_credits_for_K_exactly_K_succeed_and_the_ledger_balances()
    {
        const int k = 37;
        await using var h = await CreditsHarness.CreateAsync(new Dictionary<string, string?> { ["Credits:Tiers:FREE"] = k.ToString(System.Globalization.CultureInfo.InvariantCulture) });
        using var start = new SemaphoreSlim(0);
        var tasks = Enumerable.Range(0, 100).Select(_ => Task.Run(() => ReserveOneAfterAsync(start, h, Org))).ToList();
        start.Release(100);
        var outcomes = await Task.WhenAll(tasks);

        Assert.Equal(k, outcomes.Count(ok => ok));
        await AssertLedgerBalancesAsync(h, expectedReserved: k, expectedConsumed: 0);
        // Held, not consumed: no alert yet. Settling every reservation at once consumes the allowance and raises each
        // level exactly once, whichever settlements share a transaction.
        Assert.Empty((await h.EventsAsync(Org, "2026-11")).OfType<CreditAlertRaised>());
        var held = (await h.EventsAsync(Org, "2026-11")).OfType<CreditsReserved>().Select(r => r.ReservationId).ToList();
        await Task.WhenAll(held.Select(id => Task.Run(() => h.Ledger.SettleAsync(Org, id, 1, default))));
        await AssertLedgerBalancesAsync(h, expectedReserved: 0, expectedConsumed: k);
        Assert.Equal([CreditAlertLevel.Low, CreditAlertLevel.Critical, CreditAlertLevel.Exhausted],
            (await h.EventsAsync(Org, "2026-11")).OfType<CreditAlertRaised>().Select(a => a.Level).Order());
    }

    [Fact]
    public async Task Concurrent_reserves_settles_refunds_and_retries_of_mixed_sizes_never_overdraw_and_the_account_equals_the_events()
    {
        await using var h = await CreditsHarness.CreateAsync(new Dictionary<string, string?> { ["Credits:Tiers:FREE"] = "120" });
        var random = new Random(42);
        var plans = Enumerable.Range(0, 100).Select(i => (Id: Guid.NewGuid(), Credits: random.Next(1, 4), Used: random.Next(0, 4), Fail: i % 5 == 0)).ToList();
        var tasks = plans.Select(p => Task.Run(async () =>
        {
            try
            {
                await h.Ledger.ReserveAsync(Org, p.Id, p.Credits, "generation", default);
            }
            catch (InsufficientCreditsException)
            {
                return 0;
            }
            // Every step is sent twice, as a bus redelivery would.
            await h.Ledger.ReserveAsync(Org, p.Id, p.Credits, "generation", default);
            if (p.Fail)
            {
                await Task.WhenAll(h.Ledger.RefundAsync(Org, p.Id, "failed", default), h.Ledger.RefundAsync(Org, p.Id, "failed", default));
                return 0;
            }
            var used = Math.Min(p.Used, p.Credits);
            await Task.WhenAll(h.Ledger.SettleAsync(Org, p.Id, used, default), h.Ledger.SettleAsync(Org, p.Id, used, default));
            return used;
        })).ToList();
        var consumed = (await Task.WhenAll(tasks)).Sum();

        await AssertLedgerBalancesAsync(h, expectedReserved: 0, expectedConsumed: consumed);
        var balance = await h.Ledger.GetBalanceAsync(Org, default);
        Assert.True(balance.Available >= 0);
    }

    [Fact]
    public async Task A_conflict_on_one_callers_stream_fails_that_caller_only_and_the_others_commit_with_their_events_once()
    {
        await using var h = await CreditsHarness.CreateAsync();
        await h.Store.AppendAsync(Org, "caller-taken", "test", ExpectedVersion.NoStream, [EventToAppend.Create(Marker(0))]);
        var conflicting = Guid.NewGuid();
        var ids = Enumerable.Range(0, 29).Select(_ => Guid.NewGuid()).Append(conflicting).ToList();
        using var start = new SemaphoreSlim(0);
        // Each caller appends to its own stream in the reservation's transaction; one of them expects a stream that is
        // already there. Whether the commands share a transaction or not, only that one may fail.
        var tasks = ids.Select(id => Task.Run(async () =>
        {
            await start.WaitAsync();
            var stream = id == conflicting ? "caller-taken" : $"caller-{id:N}";
            await h.Ledger.ReserveAsync(Org, id, 1, "generation",
                r => [new StreamAppend(Org, stream, "test", ExpectedVersion.NoStream, [EventToAppend.Create(Marker(r.Balance.Available))])], default);
        })).ToList();
        start.Release(ids.Count);
        var failure = await Record.ExceptionAsync(() => tasks[^1]);
        await Task.WhenAll(tasks.Take(ids.Count - 1));

        Assert.IsType<ConcurrencyException>(failure);
        await AssertLedgerBalancesAsync(h, expectedReserved: ids.Count - 1, expectedConsumed: 0);
        var reserved = (await h.EventsAsync(Org, "2026-11")).OfType<CreditsReserved>().Select(r => r.ReservationId).ToHashSet();
        Assert.DoesNotContain(conflicting, reserved);
        foreach (var id in ids.Take(ids.Count - 1))
        {
            Assert.Contains(id, reserved);
            Assert.Single(await h.Store.ReadStreamAsync(Org, $"caller-{id:N}"));
        }
        Assert.Single(await h.Store.ReadStreamAsync(Org, "caller-taken"));
    }

    /// <summary>Waits for the start signal, then reserves 1 credit: true when held, false on 402.</summary>
    private static async Task<bool> ReserveOneAfterAsync(SemaphoreSlim start, CreditsHarness h, Guid org)
    {
        await start.WaitAsync();
        try
        {
            await h.Ledger.ReserveAsync(org, Guid.NewGuid(), 1, "generation", default);
            return true;
        }
        catch (InsufficientCreditsException)
        {
            return false;
        }
    }

    private static CreditAlertRaised Marker(int available) => new(CreditAlertLevel.Low, available, 100, CreditsHarness.Start);

    [Fact]
    public async Task Many_organizations_reserving_at_once_share_transactions_and_each_gets_exactly_its_own_balance()
    {
        const int k = 7;
        await using var h = await CreditsHarness.CreateAsync(new Dictionary<string, string?> { ["Credits:Tiers:FREE"] = k.ToString(System.Globalization.CultureInfo.InvariantCulture) });
        var orgs = Enumerable.Range(0, 6).Select(_ => Guid.NewGuid()).ToList();
        using var start = new SemaphoreSlim(0);
        // 6 organizations × 20 callers at once: groups mix organizations; each must still get exactly k.
        var tasks = orgs.SelectMany(org => Enumerable.Range(0, 20).Select(_ => (Org: org, Task: Task.Run(() => ReserveOneAfterAsync(start, h, org))))).ToList();
        start.Release(tasks.Count);
        await Task.WhenAll(tasks.Select(t => t.Task));

        foreach (var org in orgs)
        {
            Assert.Equal(k, tasks.Where(t => t.Org == org).Count(t => t.Task.Result));
            var events = (await h.Store.ReadStreamAsync(org, "credits-2026-11")).Select(e => e.Data!).ToList();
            var folded = CreditLedgerState.Fold(events);
            var balance = await h.Ledger.GetBalanceAsync(org, default);
            Assert.Equal((k, 0), (folded.Reserved, folded.Consumed));
            Assert.Equal((k, 0, 0), (balance.Reserved, balance.Consumed, balance.Available));
            Assert.True((await h.Store.VerifyAsync(org, "credits-2026-11")).Valid);
        }
    }

    [Fact]
    public async Task The_same_reservation_sent_twenty_times_at_once_is_held_once()
    {
        await using var h = await CreditsHarness.CreateAsync();
        var id = Guid.NewGuid();

        var results = await Task.WhenAll(Enumerable.Range(0, 20).Select(_ => Task.Run(() => h.Ledger.ReserveAsync(Org, id, 4, "generation", default))));

        Assert.All(results, r => Assert.Equal((id, 4), (r.ReservationId, r.Reserved)));
        await AssertLedgerBalancesAsync(h, expectedReserved: 4, expectedConsumed: 0);
        Assert.Single(await h.EventsAsync(Org, "2026-11"));
    }

    [Fact]
    public async Task A_sweeper_racing_late_settles_closes_each_expired_reservation_exactly_once()
    {
        await using var h = await CreditsHarness.CreateAsync();
        var ids = Enumerable.Range(0, 30).Select(_ => Guid.NewGuid()).ToList();
        foreach (var id in ids)
        {
            await h.Ledger.ReserveAsync(Org, id, 2, "generation", default);
        }
        h.Clock.Advance(TimeSpan.FromMinutes(11));

        var settles = ids.Select(id => Task.Run(() => h.Ledger.SettleAsync(Org, id, 2, default)));
        await Task.WhenAll([.. settles, Task.Run(() => h.Sweeper.SweepOnceAsync(default)), Task.Run(() => h.Sweeper.SweepOnceAsync(default))]);

        var events = await h.EventsAsync(Org, "2026-11");
        var settled = events.OfType<CreditsSettled>().Count();
        var refunded = events.OfType<CreditsRefunded>().Count();
        Assert.Equal(ids.Count, settled + refunded);
        await AssertLedgerBalancesAsync(h, expectedReserved: 0, expectedConsumed: settled * 2);
    }

    private static async Task AssertLedgerBalancesAsync(CreditsHarness h, int expectedReserved, int expectedConsumed)
    {
        var events = await h.EventsAsync(Org, "2026-11");
        var folded = CreditLedgerState.Fold(events);
        var balance = await h.Ledger.GetBalanceAsync(Org, default);
        Assert.Equal((expectedReserved, expectedConsumed), (folded.Reserved, folded.Consumed));
        Assert.Equal((folded.Reserved, folded.Consumed), (balance.Reserved, balance.Consumed));
        Assert.True(balance.Available >= 0, $"overdrawn: {balance}");
        Assert.Equal(events.OfType<CreditsReserved>().Count(), events.OfType<CreditsReserved>().Select(r => r.ReservationId).Distinct().Count());
        Assert.Equal(events.OfType<CreditsSettled>().Count() + events.OfType<CreditsRefunded>().Count(),
            events.OfType<CreditsSettled>().Select(s => s.ReservationId).Concat(events.OfType<CreditsRefunded>().Select(r => r.ReservationId)).Distinct().Count());
        var stream = await h.Store.GetStreamAsync(Org, "credits-2026-11");
        Assert.Equal(events.Count, stream!.Version);
        Assert.Equal(stream.Version, await h.ScalarAsync("SELECT version FROM oos.credit_accounts WHERE tenant_id = @t AND period = '2026-11'", ("t", Org)));
        Assert.True((await h.Store.VerifyAsync(Org, "credits-2026-11")).Valid);
    }
}
