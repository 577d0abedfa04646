using OutreachOS.Credits.Ledger;

namespace OutreachOS.IntegrationTests.Credits;

public sealed class ReservationSweeperTests
{
    private static readonly Guid Org = Guid.Parse("0000000d-0000-0000-0000-000000000000");

    [Fact]
    public async Task The_sweeper_releases_reservations_older_than_the_timeout_and_leaves_fresh_and_closed_ones()
    {
        await using var h = await CreditsHarness.CreateAsync();
        var crashed = Guid.NewGuid();
        var settled = Guid.NewGuid();
        await h.Ledger.ReserveAsync(Org, crashed, 3, "process died", default);
        await h.Ledger.ReserveAsync(Org, settled, 2, "finished", default);
        await h.Ledger.SettleAsync(Org, settled, 2, default);
        h.Clock.Advance(TimeSpan.FromMinutes(9));
        var fresh = Guid.NewGuid();
        await h.Ledger.ReserveAsync(Org, fresh, 4, "in flight", default);

        Assert.Equal(0, await h.Sweeper.SweepOnceAsync(default)); // 9 minutes: nothing is stale yet
        h.Clock.Advance(TimeSpan.FromMinutes(1));
        Assert.Equal(1, await h.Sweeper.SweepOnceAsync(default));
        Assert.Equal(0, await h.Sweeper.SweepOnceAsync(default));

        var balance = await h.Ledger.GetBalanceAsync(Org, default);
        Assert.Equal((2, 4, 94), (balance.Consumed, balance.Reserved, balance.Available));
        var refund = Assert.Single((await h.EventsAsync(Org, "2026-11")).OfType<CreditsRefunded>());
        Assert.Equal((crashed, 3, "expired"), (refund.ReservationId, refund.Credits, refund.Reason));

        // The crashed caller comes back and settles: too late, the credits were released and are not charged.
        Assert.Equal(balance, await h.Ledger.SettleAsync(Org, crashed, 3, default));
    }

    [Fact]
    public async Task The_background_service_sweeps_on_its_own()
    {
        await using var h = await CreditsHarness.CreateAsync(new Dictionary<string, string?> { ["Credits:SweepInterval"] = "00:00:00.100" });
        var crashed = Guid.NewGuid();
        await h.Ledger.ReserveAsync(Org, crashed, 5, "process died", default);
        await h.Sweeper.StartAsync(default);
        try
        {
            await Task.Delay(300);
            Assert.Equal(5, (await h.Ledger.GetBalanceAsync(Org, default)).Reserved); // not expired yet: untouched

            h.Clock.Advance(TimeSpan.FromMinutes(11));
            var deadline = DateTime.UtcNow.AddSeconds(15);
            while ((await h.Ledger.GetBalanceAsync(Org, default)).Reserved != 0 && DateTime.UtcNow < deadline)
            {
                await Task.Delay(50);
            }
            Assert.Equal(0, (await h.Ledger.GetBalanceAsync(Org, default)).Reserved);
        }
        finally
        {
            await h.Sweeper.StopAsync(default);
        }
    }
}
