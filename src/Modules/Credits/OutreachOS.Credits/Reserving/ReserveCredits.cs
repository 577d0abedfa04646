using OutreachOS.Credits.Contracts;
using OutreachOS.Credits.Ledger;

namespace OutreachOS.Credits.Reserving;

/// <summary>Hold credits before calling a model. Tier, allowance and time come in so that the decision is pure.</summary>
internal sealed record ReserveCredits(Guid ReservationId, int Credits, string Reason, string Tier, string Period, int Allowance,
    DateTimeOffset At, DateTimeOffset ExpiresAt);

internal static class ReserveCreditsDecider
{
    public static object[] Decide(ReserveCredits c, CreditLedgerState s, AlertThresholds thresholds)
    {
        if (s.Reservations.ContainsKey(c.ReservationId))
        {
            return []; // a retry: the original reservation stands, whatever happened to it since
        }
        var available = s.Available(c.Allowance);
        if (c.Credits > available)
        {
            throw new InsufficientCreditsException(c.Credits, Balances.Of(c.Tier, c.Period, c.Allowance, s, thresholds));
        }
        // No alert here: a reservation may yet be refunded. Alerts follow what is consumed (SettleReservationDecider).
        return [new CreditsReserved(c.ReservationId, c.Credits, c.Reason, c.At, c.ExpiresAt)];
    }

    /// <summary>
    /// What a refused reservation records: nothing, unless the allowance fell below the alert levels of what is already
    /// consumed without a settlement crossing them (a tier downgrade mid-month). No settlement would ever report that
    /// exhaustion, since nothing more can be reserved; the refusal that meets it raises those levels, once.
    /// </summary>
    public static object[] OnRefusal(ReserveCredits c, CreditLedgerState s, AlertThresholds thresholds) =>
        thresholds.NotYetRaised(s, s.Consumed, c.Allowance, c.At);
}
