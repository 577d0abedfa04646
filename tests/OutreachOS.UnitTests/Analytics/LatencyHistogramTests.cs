using OutreachOS.Analytics.Projection;

namespace OutreachOS.UnitTests.Analytics;

public sealed class LatencyHistogramTests
{
    private static Dictionary<int, long> Buckets(IEnumerable<double> samples) =>
        samples.GroupBy(s => (int)LatencyHistogram.BucketOf(s)).ToDictionary(g => g.Key, g => (long)g.Count());

    private static double Exact(double[] sorted, double p) => sorted[(int)Math.Max(1, Math.Ceiling(p * sorted.Length)) - 1];

    [Fact]
    public void Percentiles_from_buckets_stay_within_the_documented_error_bound_of_the_exact_nearest_rank()
    {
        var random = new Random(42);
        // Log-normal-ish latencies from ~1 ms to hours, the spread the stages really have.
        var samples = Enumerable.Range(0, 5000).Select(_ => Math.Exp(random.NextDouble() * 16)).ToArray();
        var sorted = samples.Order().ToArray();
        var bound = Math.Pow(2, 1.0 / 16) - 1; // ≈ 4.4%
        foreach (var p in new[] { 0.5, 0.9, 0.95, 0.99 })
        {
            var exact = Exact(sorted, p);
            var estimate = LatencyHistogram.Percentile(Buckets(samples), p)!.Value;
            Assert.True(Math.Abs(estimate - exact) / exact <= bound + 1e-3, $"p{p * 100}: exact {exact}, estimate {estimate}");
        }
    }

    [Fact]
    public void Buckets_of_several_days_add_up_to_the_buckets_of_the_whole_range()
    {
        double[] day1 = [10, 20, 30], day2 = [1000, 2000];
        var summed = Buckets(day1);
        foreach (var (bucket, n) in Buckets(day2))
        {
            summed[bucket] = summed.GetValueOrDefault(bucket) + n;
        }
        Assert.Equal(LatencyHistogram.Percentile(Buckets([.. day1, .. day2]), 0.5), LatencyHistogram.Percentile(summed, 0.5));
        Assert.True(Math.Abs(LatencyHistogram.Percentile(summed, 0.5)!.Value - 30) <= 30 * 0.045);
    }

    [Fact]
    public void No_samples_means_no_percentile_and_extremes_clamp_to_the_edge_buckets()
    {
        Assert.Null(LatencyHistogram.Percentile(new Dictionary<int, long>(), 0.5));
        Assert.Equal(0, LatencyHistogram.BucketOf(0));
        Assert.Equal(0, LatencyHistogram.BucketOf(-5));
        Assert.Equal(LatencyHistogram.BucketCount - 1, LatencyHistogram.BucketOf(1e15));
        Assert.True(LatencyHistogram.BucketOf(1.0) < LatencyHistogram.BucketOf(1.1));
    }
}
