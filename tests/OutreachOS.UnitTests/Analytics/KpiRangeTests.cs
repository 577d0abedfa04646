using OutreachOS.Analytics.Contracts;

namespace OutreachOS.UnitTests.Analytics;

public sealed class KpiRangeTests
{
    private static readonly DateTimeOffset Start = new(2026, 3, 1, 0, 0, 0, TimeSpan.Zero);

    [Fact]
    public void A_range_covers_whole_utc_days_from_the_day_of_from_to_the_day_containing_the_end()
    {
        Assert.Equal([new DateOnly(2026, 3, 1), new DateOnly(2026, 3, 2)], KpiRange.Create(Start, Start.AddDays(2)).Days());
        Assert.Equal(3, KpiRange.Create(Start.AddHours(5), Start.AddDays(2).AddHours(1)).Days().Count());
        // A non-UTC offset is read in UTC: 2026-03-01T01:00+02:00 is still 2026-02-28 UTC.
        Assert.Equal(new DateOnly(2026, 2, 28), KpiRange.Create(new DateTimeOffset(2026, 3, 1, 1, 0, 0, TimeSpan.FromHours(2)), Start.AddDays(1)).FirstDay);
    }

    [Fact]
    public void An_empty_reversed_or_too_long_range_is_refused_naming_the_to_argument()
    {
        Assert.Equal("to", Assert.Throws<KpiRangeException>(() => KpiRange.Create(Start, Start)).Field);
        Assert.Throws<KpiRangeException>(() => KpiRange.Create(Start, Start.AddSeconds(-1)));
        Assert.Throws<KpiRangeException>(() => KpiRange.Create(Start, Start.AddDays(366).AddSeconds(1)));
        Assert.Equal(366, KpiRange.Create(Start, Start.AddDays(366)).Days().Count());
    }
}
