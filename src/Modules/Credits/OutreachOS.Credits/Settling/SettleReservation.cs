using OutreachOS.Credits.Contracts;
using OutreachOS.Credits.Ledger;

namespace OutreachOS.Credits.Settling;

/// <summary>Charge what the call used and release the rest of the reservation.</summary>
internal sealed record SettleReservation(Guid ReservationId, int UsedCredits, DateTimeOffset At);

internal static class SettleReservationDecider
{
    public static object[] Decide(SettleReservation c, CreditLedgerState s)
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
        return [new CreditsSettled(r.Id, r.Credits, c.UsedCredits, r.Credits - c.UsedCredits, c.At)];
    }
}
