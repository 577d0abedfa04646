using System.Globalization;
using OutreachOS.BuildingBlocks.EventStore;

namespace OutreachOS.Credits.Contracts;

/// <summary>
/// The organization's credit ledger (an event stream per organization and billing period).
/// Every operation is idempotent by <c>reservationId</c>: a retry after a crash or a bus redelivery never charges twice.
/// Flow: <see cref="ReserveAsync"/> before calling a model, then exactly one of <see cref="SettleAsync"/> (charge what was used,
/// release the rest) or <see cref="RefundAsync"/> (release everything) once the outcome is known.
/// </summary>
public interface ICreditLedger
{
    /// <summary>Holds <paramref name="credits"/> for a request. Throws <see cref="InsufficientCreditsException"/> (HTTP 402) when the
    /// organization cannot cover it. Re-reserving the same id returns the original reservation.</summary>
    Task<CreditReservation> ReserveAsync(Guid tenantId, Guid reservationId, int credits, string reason, CancellationToken ct);

    /// <summary>
    /// <see cref="ReserveAsync(Guid, Guid, int, string, CancellationToken)"/>, and in the same transaction the caller's own
    /// events built from the reservation: both are recorded or neither (one commit instead of two). A conflict on the
    /// caller's stream rolls the reservation back too. <paramref name="alsoAppend"/> may be called more than once (a group
    /// of commands whose transaction failed is retried command by command) and must have no other effect; the appends
    /// of its last call are the ones recorded.
    /// </summary>
    Task<CreditReservation> ReserveAsync(Guid tenantId, Guid reservationId, int credits, string reason,
        Func<CreditReservation, IReadOnlyList<StreamAppend>> alsoAppend, CancellationToken ct);

    /// <summary>
    /// As above, but the amount is decided by <paramref name="creditsFor"/> from the balance at the moment of the
    /// reservation (under the ledger's lock, after every earlier reservation), so a degradation rule ("fewer variants
    /// when the balance is low") sees the real balance even when many requests arrive at once. It must return a positive
    /// amount; a retry of the same id returns the original reservation without calling it.
    /// </summary>
    Task<CreditReservation> ReserveAsync(Guid tenantId, Guid reservationId, Func<CreditBalance, int> creditsFor, string reason,
        Func<CreditReservation, IReadOnlyList<StreamAppend>> alsoAppend, CancellationToken ct);

    /// <summary>Charges <paramref name="usedCredits"/> (≤ reserved) and releases the remainder. Idempotent.</summary>
    Task<CreditBalance> SettleAsync(Guid tenantId, Guid reservationId, int usedCredits, CancellationToken ct);

    /// <summary>Settles and appends the caller's events built from the new balance in the same transaction
    /// (<paramref name="alsoAppend"/> as for reservations: pure, possibly called more than once).</summary>
    Task<CreditBalance> SettleAsync(Guid tenantId, Guid reservationId, int usedCredits,
        Func<CreditBalance, IReadOnlyList<StreamAppend>> alsoAppend, CancellationToken ct);

    /// <summary>Releases the whole reservation (the call failed). Idempotent; a no-op after a settle.</summary>
    Task<CreditBalance> RefundAsync(Guid tenantId, Guid reservationId, string reason, CancellationToken ct);

    /// <summary>Refunds and appends the caller's events built from the new balance in the same transaction
    /// (<paramref name="alsoAppend"/> as for settlements). An unknown reservation appends nothing.</summary>
    Task<CreditBalance> RefundAsync(Guid tenantId, Guid reservationId, string reason,
        Func<CreditBalance, IReadOnlyList<StreamAppend>> alsoAppend, CancellationToken ct);

    /// <summary>
    /// Reserves and settles in one transaction, for work that spends nothing while it runs and is done before it is paid
    /// for (a local model's answer, ADR 0033): reserves what <paramref name="creditsFor"/> decides from the balance under
    /// the ledger's lock, exactly as <see cref="ReserveAsync(Guid, Guid, Func{CreditBalance, int}, string, Func{CreditReservation, IReadOnlyList{StreamAppend}}, CancellationToken)"/>
    /// would, and when that is <paramref name="expected"/> charges <paramref name="used"/> of it at once (the rest is
    /// released), appending the caller's events built from both outcomes in the same transaction. The ledger records
    /// the same events as a reservation followed by its settlement.
    /// <para>Returns null, having recorded nothing, when the balance decides another amount (a degradation the work was
    /// not done for) or the reservation id exists already (a retry): the caller then takes the two-step path. Throws
    /// <see cref="InsufficientCreditsException"/> as a reservation does.</para>
    /// </summary>
    Task<CreditCharge?> ChargeAsync(Guid tenantId, Guid reservationId, Func<CreditBalance, int> creditsFor, int expected, int used, string reason,
        Func<CreditReservation, CreditBalance, IReadOnlyList<StreamAppend>> alsoAppend, CancellationToken ct);

    Task<CreditBalance> GetBalanceAsync(Guid tenantId, CancellationToken ct);
}

/// <summary>A reservation and its settlement made in one transaction (<see cref="ICreditLedger.ChargeAsync"/>): the balance after each.</summary>
public sealed record CreditCharge(CreditReservation Reservation, CreditBalance Balance);

/// <summary>Where the ledger learns an organization's tier (FREE, PRO, ENTERPRISE...); implemented by the host.</summary>
public interface ICreditPlanSource
{
    /// <exception cref="CreditOrganizationNotFoundException">No organization has this id.</exception>
    ValueTask<string> GetTierAsync(Guid tenantId, CancellationToken ct);
}

public enum CreditAlertLevel
{
    None,
    /// <summary>Available credits at or below 20% of the allowance.</summary>
    Low,
    /// <summary>Available credits at or below 5% of the allowance: callers degrade (e.g. 1 variant instead of 3).</summary>
    Critical,
    Exhausted,
}

/// <summary>A balance snapshot. Available = Allowance − Consumed − Reserved.</summary>
public sealed record CreditBalance(string Tier, string Period, int Allowance, int Consumed, int Reserved, int Available, CreditAlertLevel Alert);

public sealed record CreditReservation(Guid ReservationId, int Reserved, CreditBalance Balance);

/// <summary>The organization cannot cover the request (maps to HTTP 402 Payment Required).</summary>
public sealed class InsufficientCreditsException(int requested, CreditBalance balance)
    : Exception($"This request needs {requested} credit(s) but only {balance.Available} of {balance.Allowance} remain for {balance.Period}.")
{
    public int Requested { get; } = requested;
    public CreditBalance Balance { get; } = balance;
}

/// <summary>One ledger stream per organization (tenant) and calendar month (UTC): <c>credits-2026-11</c>.</summary>
public static class CreditStreams
{
    public const string Type = "credit_ledger";
    private const string Prefix = "credits-";

    public static string For(string period) => Prefix + period;

    public static bool IsLedger(string streamId) => streamId.StartsWith(Prefix, StringComparison.Ordinal);

    public static string PeriodOf(string streamId) =>
        streamId.StartsWith(Prefix, StringComparison.Ordinal) ? streamId[Prefix.Length..] : throw new ArgumentException($"'{streamId}' is not a credit ledger stream.", nameof(streamId));

    /// <summary>The first day of a ledger stream's month (<c>credits-yyyy-MM</c>); false for any other stream id.</summary>
    public static bool TryFirstDayOf(string streamId, out DateOnly first)
    {
        first = default;
        return IsLedger(streamId) && streamId.Length == Prefix.Length + 7
            && DateOnly.TryParseExact(streamId.AsSpan(Prefix.Length), "yyyy-MM", CultureInfo.InvariantCulture, DateTimeStyles.None, out first);
    }
}
