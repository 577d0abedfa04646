namespace OutreachOS.Analytics.Contracts;

/// <summary>
/// Read side of the analytics projections (ADR 0014). Every query is scoped to one organization and a range
/// [from, to) of at most <see cref="KpiRange.MaxDays"/> days, applied to whole UTC days: a day counts when its start is
/// in [floor(from), to). Rates are null when their denominator is 0.
/// </summary>
public interface IKpiQueries
{
    Task<InboundKpis> InboundAsync(Guid organizationId, KpiRange range, string? intent, CancellationToken ct = default);

    Task<OutboundKpis> OutboundAsync(Guid organizationId, KpiRange range, string? channel, CancellationToken ct = default);

    Task<IReadOnlyList<CreditsDay>> CreditsTrendAsync(Guid organizationId, KpiRange range, CancellationToken ct = default);

    Task<IReadOnlyList<ModelCost>> CostByModelAsync(Guid organizationId, KpiRange range, CancellationToken ct = default);

    Task<IReadOnlyList<StageLatency>> StageLatencyAsync(Guid organizationId, KpiRange range, CancellationToken ct = default);
}

/// <summary>A validated time range: <c>to &gt; from</c> and at most 366 days.</summary>
public sealed record KpiRange
{
    public const int MaxDays = 366;

    /// <summary>The latest <c>to</c> accepted: the queries step to the day (and month) after the range, which must exist
    /// (<c>to</c> inside 9999-12-31 used to throw in <see cref="DateOnly.AddDays"/> and answer "Unexpected error.").</summary>
    public static readonly DateTimeOffset MaxTo = new(9999, 1, 1, 0, 0, 0, TimeSpan.Zero);

    private KpiRange(DateTimeOffset from, DateTimeOffset to)
    {
        From = from;
        To = to;
    }

    public DateTimeOffset From { get; }

    public DateTimeOffset To { get; }

    /// <summary>First UTC day in the range.</summary>
    public DateOnly FirstDay => DateOnly.FromDateTime(From.UtcDateTime);

    /// <summary>The first UTC day after the range (exclusive bound): the day of <c>to</c>, or the next one when <c>to</c> is inside a day.</summary>
    public DateOnly EndDay
    {
        get
        {
            var day = DateOnly.FromDateTime(To.UtcDateTime);
            return To.UtcDateTime.TimeOfDay == TimeSpan.Zero ? day : day.AddDays(1);
        }
    }

    /// <summary>Throws <see cref="KpiRangeException"/> naming the offending argument.</summary>
    public static KpiRange Create(DateTimeOffset from, DateTimeOffset to)
    {
        if (to <= from)
        {
            throw new KpiRangeException("to", $"'to' ({to:O}) must be after 'from' ({from:O}).");
        }
        if (to > MaxTo)
        {
            throw new KpiRangeException("to", $"'to' ({to:O}) must not be later than {MaxTo:O}.");
        }
        if (to - from > TimeSpan.FromDays(MaxDays))
        {
            throw new KpiRangeException("to", $"The range from {from:O} to {to:O} spans {(to - from).TotalDays:F1} days; at most {MaxDays} are allowed.");
        }
        return new KpiRange(from, to);
    }

    public IEnumerable<DateOnly> Days()
    {
        for (var d = FirstDay; d < EndDay; d = d.AddDays(1))
        {
            yield return d;
        }
    }
}

/// <summary>An invalid KPI range; <see cref="Field"/> names the argument to fix.</summary>
public sealed class KpiRangeException(string field, string message) : ArgumentException(message, field)
{
    public string Field { get; } = field;
}

/// <summary>The KPI projection stages whose latency is measured (end-event day buckets).</summary>
public static class KpiStages
{
    public const string IngestToClassified = "ingest_to_classified";
    public const string ClassifiedToDecided = "classified_to_decided";
    public const string DecidedToSent = "decided_to_sent";
    public const string DraftedToApproved = "drafted_to_approved";
    public const string PersonalizeTotal = "personalize_total";

    public static IReadOnlyList<string> All { get; } = [IngestToClassified, ClassifiedToDecided, DecidedToSent, DraftedToApproved, PersonalizeTotal];
}

/// <summary>The async projection's subscription name (for <c>projections rebuild</c>).</summary>
public static class KpiProjectionNames
{
    public const string Kpis = "analytics-kpis";
}

public sealed record InboundKpis(
    int Received,
    int Filtered,
    int AutoSent,
    int Drafted,
    int ApprovedUnchanged,
    int ApprovedEdited,
    int Rejected,
    int Human,
    double? AutoRate,
    double? ApproveRate,
    double? RevertRate,
    double? HumanCorrectionRate,
    int QaSampled,
    int QaVerdicts,
    int QaCorrect,
    double? AutoSendPrecision,
    decimal CostUsd,
    IReadOnlyList<InboundDay> Days);

public sealed record InboundDay(string Day, int Received, int Filtered, int AutoSent, int Drafted, int Human, int Approved, int Rejected);

public sealed record OutboundKpis(
    int Requests,
    int Variants,
    double? FirstPassRate,
    int Retries,
    int Selections,
    int Overrides,
    int Sends,
    int Replies,
    double? ReplyRate,
    int MeetingsBooked,
    decimal CostUsd,
    IReadOnlyList<OutboundDay> Days);

public sealed record OutboundDay(string Day, int Requests, int Variants, int FirstPassPassed, int FirstPassChecked, int Sends, int Replies);

public sealed record CreditsDay(string Day, int Consumed, int Balance, int Allowance, IReadOnlyList<string> Alerts);

public sealed record ModelCost(string Day, string Module, string Model, int Calls, decimal CostUsd, double? LatencyP50Ms, double? LatencyP95Ms);

public sealed record StageLatency(string Stage, int Count, double? P50Ms, double? P95Ms);
