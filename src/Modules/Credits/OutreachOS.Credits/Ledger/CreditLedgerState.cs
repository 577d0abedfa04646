using System.Collections.Immutable;
using OutreachOS.Credits.Contracts;

namespace OutreachOS.Credits.Ledger;

internal enum ReservationStatus
{
    Open,
    Settled,
    Refunded,
}

internal sealed record ReservationState(Guid Id, int Credits, ReservationStatus Status, int Used, DateTimeOffset ExpiresAt);

/// <summary>
/// One period of an organization's ledger. <see cref="Reservations"/> holds the reservations a decision needs: all of
/// them when folded from events (tests, rebuilds), only the one a command names when loaded from the account row.
/// </summary>
internal sealed record CreditLedgerState(int Consumed, int Reserved, ImmutableHashSet<CreditAlertLevel> AlertsRaised,
    ImmutableDictionary<Guid, ReservationState> Reservations)
{
    public static CreditLedgerState Empty { get; } = new(0, 0, [], ImmutableDictionary<Guid, ReservationState>.Empty);

    public int Available(int allowance) => allowance - Consumed - Reserved;

    public static CreditLedgerState Evolve(CreditLedgerState s, object e) => e switch
    {
        CreditsReserved r => s with
        {
            Reserved = s.Reserved + r.Credits,
            Reservations = s.Reservations.SetItem(r.ReservationId, new ReservationState(r.ReservationId, r.Credits, ReservationStatus.Open, 0, r.ExpiresAt)),
        },
        CreditsSettled x when s.Reservations.TryGetValue(x.ReservationId, out var open) => s with
        {
            Reserved = s.Reserved - x.Reserved,
            Consumed = s.Consumed + x.Used,
            Reservations = s.Reservations.SetItem(x.ReservationId, open with { Status = ReservationStatus.Settled, Used = x.Used }),
        },
        CreditsRefunded x when s.Reservations.TryGetValue(x.ReservationId, out var open) => s with
        {
            Reserved = s.Reserved - x.Credits,
            Reservations = s.Reservations.SetItem(x.ReservationId, open with { Status = ReservationStatus.Refunded }),
        },
        CreditAlertRaised a => s with { AlertsRaised = s.AlertsRaised.Add(a.Level) },
        _ => s,
    };

    public static CreditLedgerState Fold(IEnumerable<object> events) => events.Aggregate(Empty, Evolve);
}

/// <summary>Alert thresholds as a pure function of available credits and the allowance.</summary>
internal sealed record AlertThresholds(int LowPercent, int CriticalPercent)
{
    public static AlertThresholds Default { get; } = new(20, 5);

    public CreditAlertLevel LevelFor(int available, int allowance)
    {
        if (available <= 0)
        {
            return CreditAlertLevel.Exhausted;
        }
        // Integer arithmetic: available / allowance ≤ p / 100 without rounding surprises.
        if ((long)available * 100 <= (long)allowance * CriticalPercent)
        {
            return CreditAlertLevel.Critical;
        }
        return (long)available * 100 <= (long)allowance * LowPercent ? CreditAlertLevel.Low : CreditAlertLevel.None;
    }

    /// <summary>
    /// The alerts that consumption has earned and that were not raised this period: every level crossed by
    /// <paramref name="consumed"/> of <paramref name="allowance"/>, mildest first, with the credits left (never below 0).
    /// </summary>
    public CreditAlertRaised[] NotYetRaised(CreditLedgerState s, int consumed, int allowance, DateTimeOffset at)
    {
        var left = allowance - consumed;
        return [.. Reached(LevelFor(left, allowance)).Where(l => !s.AlertsRaised.Contains(l))
            .Select(l => new CreditAlertRaised(l, Math.Max(left, 0), allowance, at))];
    }

    /// <summary>Every level at or below the current one, mildest first (jumping to 0 crosses all three).</summary>
    public static IEnumerable<CreditAlertLevel> Reached(CreditAlertLevel level)
    {
        for (var l = CreditAlertLevel.Low; l <= level; l++)
        {
            yield return l;
        }
    }
}
