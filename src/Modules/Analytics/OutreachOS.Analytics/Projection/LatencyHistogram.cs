namespace OutreachOS.Analytics.Projection;

/// <summary>
/// Fixed log-scale latency buckets (ADR 0014): 8 buckets per doubling, so a bucket's upper bound is 2^(1/8) ≈ 1.0905 times its
/// lower bound. Bucket counts per day simply add up over a range, and a percentile is read from the summed buckets. The value
/// reported for a bucket is its geometric midpoint, so a reported percentile is within 2^(1/16) − 1 ≈ 4.4% of the exact
/// nearest-rank percentile for latencies between <see cref="MinMs"/> and <see cref="MaxMs"/>; outside that span the edge
/// buckets clamp (reported as the edge value).
/// </summary>
internal static class LatencyHistogram
{
    public const int PerDoubling = 8;
    private const int LowestExponent = -10; // 2^-10 ms ≈ 1 µs
    private const int HighestExponent = 32; // 2^32 ms ≈ 49.7 days

    public const int BucketCount = (HighestExponent - LowestExponent) * PerDoubling;

    public static double MinMs { get; } = Math.Pow(2, LowestExponent);

    public static double MaxMs { get; } = Math.Pow(2, HighestExponent);

    public static short BucketOf(double ms)
    {
        if (double.IsNaN(ms) || ms <= MinMs)
        {
            return 0;
        }
        var index = (int)Math.Floor((Math.Log2(ms) - LowestExponent) * PerDoubling);
        return (short)Math.Clamp(index, 0, BucketCount - 1);
    }

    /// <summary>The value that stands for bucket <paramref name="bucket"/>: the geometric midpoint of its bounds.</summary>
    public static double ValueOf(int bucket) => Math.Pow(2, LowestExponent + (bucket + 0.5) / PerDoubling);

    /// <summary>Nearest-rank percentile (<paramref name="p"/> in (0, 1]) over bucket counts; null when there are no samples.</summary>
    public static double? Percentile(IReadOnlyDictionary<int, long> buckets, double p)
    {
        var total = buckets.Values.Sum();
        if (total == 0)
        {
            return null;
        }
        var rank = (long)Math.Max(1, Math.Ceiling(p * total));
        long seen = 0;
        foreach (var (bucket, n) in buckets.OrderBy(kv => kv.Key))
        {
            seen += n;
            if (seen >= rank)
            {
                return Math.Round(ValueOf(bucket), 3);
            }
        }
        return Math.Round(ValueOf(buckets.Keys.Max()), 3);
    }
}
