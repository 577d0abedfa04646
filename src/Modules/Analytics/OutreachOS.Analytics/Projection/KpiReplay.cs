using OutreachOS.BuildingBlocks.EventStore;

namespace OutreachOS.Analytics.Projection;

/// <summary>What one stream contributes to the KPI projection, for a compliance export (the live projection's own fold).</summary>
internal sealed record KpiStreamReplay(
    StreamState? State,
    IReadOnlyList<KpiReplayRow> Inbound,
    IReadOnlyList<KpiReplayRow> Outbound,
    IReadOnlyList<KpiReplayModel> Models,
    IReadOnlyList<KpiReplayLatency> Latency,
    IReadOnlyList<KpiReplayCredits> Credits);

internal sealed record KpiReplayRow(string Day, string Key, IReadOnlyDictionary<string, int> Counters, decimal CostUsd);

internal sealed record KpiReplayModel(string Day, string Module, string Model, int Calls, decimal CostUsd);

internal sealed record KpiReplayLatency(string Day, string Series, int Bucket, double BucketValueMs, int Count);

internal sealed record KpiReplayCredits(string Day, int Consumed, int? Allowance, IReadOnlyList<string> Alerts);

internal static class KpiReplay
{
    /// <summary>Folds one stream's events from an empty state; null when no KPI reads any of them.</summary>
    public static KpiStreamReplay? Of(IReadOnlyList<StoredEvent> events)
    {
        if (!events.Any(e => KpiBatch.Handles(e.EventType)))
        {
            return null;
        }
        var batch = new KpiBatch(new Dictionary<(Guid, string), StreamState>());
        foreach (var e in events)
        {
            batch.Apply(e);
        }
        static string D(DateOnly d) => d.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);
        static Dictionary<string, int> Named<TEnum>(Counters c) where TEnum : struct, Enum =>
            Enum.GetValues<TEnum>().Select((v, i) => (Name: v.ToString(), Value: c.Values[i])).Where(x => x.Value != 0).ToDictionary(x => x.Name, x => x.Value);
        return new KpiStreamReplay(
            batch.DirtyStates.FirstOrDefault(),
            [.. batch.Inbound.OrderBy(kv => kv.Key.Day).ThenBy(kv => kv.Key.Intent, StringComparer.Ordinal)
                .Select(kv => new KpiReplayRow(D(kv.Key.Day), kv.Key.Intent, Named<InboundCounter>(kv.Value), kv.Value.CostUsd))],
            [.. batch.Outbound.OrderBy(kv => kv.Key.Day).ThenBy(kv => kv.Key.Channel, StringComparer.Ordinal)
                .Select(kv => new KpiReplayRow(D(kv.Key.Day), kv.Key.Channel, Named<OutboundCounter>(kv.Value), kv.Value.CostUsd))],
            [.. batch.Models.OrderBy(kv => kv.Key.Day).ThenBy(kv => kv.Key.Module, StringComparer.Ordinal).ThenBy(kv => kv.Key.Model, StringComparer.Ordinal)
                .Select(kv => new KpiReplayModel(D(kv.Key.Day), kv.Key.Module, kv.Key.Model, kv.Value.Calls, kv.Value.Cost))],
            [.. batch.Latency.OrderBy(kv => kv.Key.Day).ThenBy(kv => kv.Key.Series, StringComparer.Ordinal).ThenBy(kv => kv.Key.Bucket)
                .Select(kv => new KpiReplayLatency(D(kv.Key.Day), kv.Key.Series, kv.Key.Bucket, Math.Round(LatencyHistogram.ValueOf(kv.Key.Bucket), 3), kv.Value))],
            [.. batch.Credits.OrderBy(kv => kv.Key.Day).Select(kv => new KpiReplayCredits(D(kv.Key.Day), kv.Value.Consumed, kv.Value.Allowance, kv.Value.Alerts))]);
    }
}
