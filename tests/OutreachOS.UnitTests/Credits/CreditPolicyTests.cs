using Microsoft.Extensions.Configuration;
using OutreachOS.Credits.Contracts;

namespace OutreachOS.UnitTests.Credits;

public sealed class CreditPolicyTests
{
    private static CreditBalance Balance(int available, int allowance = 100, CreditAlertLevel? alert = null) =>
        new("FREE", "2026-11", allowance, allowance - available, 0, available, alert ?? Level(available, allowance));

    private static CreditAlertLevel Level(int available, int allowance) =>
        available <= 0 ? CreditAlertLevel.Exhausted
        : available * 100 <= allowance * 5 ? CreditAlertLevel.Critical
        : available * 100 <= allowance * 20 ? CreditAlertLevel.Low
        : CreditAlertLevel.None;

    [Theory]
    [InlineData(3, 100, 1, 3)]  // plenty
    [InlineData(3, 20, 1, 3)]   // Low still gets every variant
    [InlineData(3, 6, 1, 3)]
    [InlineData(3, 5, 1, 1)]    // Critical: one variant
    [InlineData(3, 1, 1, 1)]
    [InlineData(3, 0, 1, 0)]    // Exhausted: nothing
    [InlineData(3, 50, 20, 2)]  // only two affordable at 20 credits each
    [InlineData(1, 100, 1, 1)]
    [InlineData(3, 4, 5, 0)]    // cannot afford one
    public void Allowed_variants_degrade_below_the_critical_threshold_and_never_exceed_the_balance(int requested, int available, int cost, int expected) =>
        Assert.Equal(expected, CreditPolicy.AllowedVariants(requested, Balance(available), cost));

    [Fact]
    public void Allowed_variants_rejects_nonsense_input()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => CreditPolicy.AllowedVariants(0, Balance(10), 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => CreditPolicy.AllowedVariants(3, Balance(10), 0));
    }

    [Fact]
    public void Defaults_match_the_published_tiers()
    {
        var o = new CreditOptions();
        Assert.Equal((100, 5000, 100_000), (o.AllowanceFor("FREE"), o.AllowanceFor("pro"), o.AllowanceFor("Enterprise")));
        Assert.Equal((1, 3, TimeSpan.FromMinutes(10)), (o.CostPerVariant, o.MaxRegenerationsPerRequest, o.ReservationTimeout));
        Assert.Throws<InvalidOperationException>(() => o.AllowanceFor("PLATINUM"));
    }

    [Fact]
    public void Configuration_overrides_one_tier_and_keeps_the_others()
    {
        var config = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Credits:Tiers:FREE"] = "7",
            ["Credits:CostPerVariant"] = "2",
            ["Credits:ReservationTimeout"] = "00:00:30",
        }).Build();
        var o = config.GetSection(CreditOptions.Section).Get<CreditOptions>()!;
        Assert.Equal((7, 5000, 2, TimeSpan.FromSeconds(30)), (o.AllowanceFor("FREE"), o.AllowanceFor("PRO"), o.CostPerVariant, o.ReservationTimeout));
    }
}
