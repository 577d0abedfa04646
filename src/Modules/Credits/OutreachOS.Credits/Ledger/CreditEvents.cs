using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using OutreachOS.BuildingBlocks.EventStore;
using OutreachOS.Credits.Contracts;

namespace OutreachOS.Credits.Ledger;

/// <summary>Credits held for one request until it is settled or refunded.</summary>
[EventName("credits_reserved.v1")]
internal sealed record CreditsReserved(Guid ReservationId, int Credits, string Reason, DateTimeOffset At, DateTimeOffset ExpiresAt);

/// <summary><paramref name="Used"/> credits are charged; <paramref name="Released"/> (= Reserved − Used) go back to the balance.</summary>
[EventName("credits_settled.v1")]
internal sealed record CreditsSettled(Guid ReservationId, int Reserved, int Used, int Released, DateTimeOffset At);

/// <summary>The whole reservation goes back to the balance (the call failed, or the sweeper found it expired).</summary>
[EventName("credits_refunded.v1")]
internal sealed record CreditsRefunded(Guid ReservationId, int Credits, string Reason, DateTimeOffset At);

/// <summary>Available credits crossed a threshold; raised once per level and period.</summary>
[EventName("credit_alert_raised.v1")]
internal sealed record CreditAlertRaised(CreditAlertLevel Level, int Available, int Allowance, DateTimeOffset At);

internal static class CreditEventTypes
{
    public static readonly Type[] All = [typeof(CreditsReserved), typeof(CreditsSettled), typeof(CreditsRefunded), typeof(CreditAlertRaised)];
}

internal static class CreditPeriod
{
    public static string Of(DateTimeOffset at) => at.UtcDateTime.ToString("yyyy-MM", CultureInfo.InvariantCulture);
}

/// <summary>
/// Event ids derived from what the event means (tenant, reservation, step): even if two attempts of the same command
/// slipped past the state check, the store's id-idempotency would keep one of them.
/// </summary>
internal static class CreditEventIds
{
    public static Guid For(Guid tenantId, string kind, string key)
    {
        var bytes = SHA256.HashData(Encoding.UTF8.GetBytes($"outreachos.credits|{tenantId:N}|{kind}|{key}"));
        var id = bytes.AsSpan(0, 16).ToArray();
        id[6] = (byte)((id[6] & 0x0F) | 0x80); // version 8: custom, name-based
        id[8] = (byte)((id[8] & 0x3F) | 0x80); // RFC 4122 variant
        return new Guid(id, bigEndian: true);
    }

    public static Guid For(Guid tenantId, object e, string period) => e switch
    {
        CreditsReserved r => For(tenantId, "reserved", r.ReservationId.ToString("N")),
        CreditsSettled s => For(tenantId, "closed", s.ReservationId.ToString("N")),
        CreditsRefunded f => For(tenantId, "closed", f.ReservationId.ToString("N")),
        CreditAlertRaised a => For(tenantId, "alert", $"{period}|{a.Level}"),
        _ => throw new ArgumentException($"Unknown credit event {e.GetType().Name}.", nameof(e)),
    };
}
