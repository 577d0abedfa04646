using OutreachOS.Credits.Ledger;

namespace OutreachOS.Credits.Refunding;

/// <summary>Release a whole reservation: the call failed, or the reservation expired (the caller crashed).</summary>
internal sealed record RefundReservation(Guid ReservationId, string Reason, DateTimeOffset At);

internal static class RefundReservationDecider
{
    public static object[] Decide(RefundReservation c, CreditLedgerState s) =>
        s.Reservations.TryGetValue(c.ReservationId, out var r) && r.Status == ReservationStatus.Open
            ? [new CreditsRefunded(r.Id, r.Credits, c.Reason, c.At)]
            : []; // unknown (the reserve itself failed), already settled or already refunded: nothing to release
}
