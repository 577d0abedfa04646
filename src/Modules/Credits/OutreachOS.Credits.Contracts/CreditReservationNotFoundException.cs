namespace OutreachOS.Credits.Contracts;

/// <summary>Settling a reservation id the ledger never saw is a caller bug (HTTP 404 on the ledger API).</summary>
public sealed class CreditReservationNotFoundException(Guid reservationId) : Exception($"Credit reservation {reservationId} does not exist.")
{
    public Guid ReservationId { get; } = reservationId;
}
