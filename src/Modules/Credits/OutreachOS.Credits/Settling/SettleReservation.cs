using OutreachOS.Credits.Contracts;
using OutreachOS.Credits.Ledger;

namespace OutreachOS.Credits.Settling;

/// <summary>Charge what the call used and release the rest of the reservation. Allowance (the tier's, now) comes in so that
/// the decision is pure.</summary>
internal sealed record SettleReservation(Guid ReservationId, int UsedCredits, int Allowance, DateTimeOffset At);

internal static class SettleReservationDecider
{
    public static object[] Decide(SettleReservation c, CreditLedgerState s, AlertThresholds thresholds)
    {
        if (!s.Reservations.TryGetValue(c.ReservationId, out var r))
        {
            throw new CreditReservationNotFoundException(c.ReservationId);
        }
        if (r.Status != ReservationStatus.Open)
        {
            return []; // settled already (a retry), or refunded (failed or expired): never charge twice
        }
        if (c.UsedCredits < 0 || c.UsedCredits > r.Credits)
        {
            throw new ArgumentOutOfRangeException(nameof(c), c.UsedCredits, $"Used credits must be between 0 and the {r.Credits} reserved.");
        }
        // Alerts follow consumption, not reservations: a reservation that is refunded never consumed anything, and an alert
        // raised for it would be false (and, raised once per month, would hide the real crossing later). Every level
        // crossed and not yet raised this month is raised once (a jump straight to 0 raises all three).
        return [new CreditsSettled(r.Id, r.Credits, c.UsedCredits, r.Credits - c.UsedCredits, c.At),
            .. thresholds.NotYetRaised(s, s.Consumed + c.UsedCredits, c.Allowance, c.At)];
    }
}
