namespace OutreachOS.Ingestion.OAuth;

/// <summary>
/// How long a fresh token is used: its <c>expires_in</c> minus a safety margin of 5 minutes, or 10 % of the lifetime for
/// short tokens (a 10-minute token is used for 9), so a request never leaves with a token that expires on the way and
/// clock skew between us and the provider does not matter.
/// </summary>
internal static class TokenLifetime
{
    public static readonly TimeSpan MaxMargin = TimeSpan.FromMinutes(5);

    /// <summary>Providers that omit <c>expires_in</c> are assumed to issue the usual one-hour token.</summary>
    public static readonly TimeSpan DefaultLifetime = TimeSpan.FromHours(1);

    public static TimeSpan Margin(TimeSpan lifetime) =>
        lifetime <= TimeSpan.Zero ? TimeSpan.Zero : TimeSpan.FromTicks(Math.Min(MaxMargin.Ticks, lifetime.Ticks / 10));

    public static DateTimeOffset UsableUntil(DateTimeOffset issuedAt, TimeSpan lifetime) => issuedAt + lifetime - Margin(lifetime);
}
