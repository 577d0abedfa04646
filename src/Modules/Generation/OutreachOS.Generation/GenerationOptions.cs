using Microsoft.Extensions.Configuration;
using OutreachOS.Credits.Contracts;

namespace OutreachOS.Generation;

/// <summary>
/// <c>Generation</c> configuration section. <c>CreditsPerVariant</c> and <c>MaxRegenerations</c> fall back to
/// <c>Credits:CostPerVariant</c> and <c>Credits:MaxRegenerationsPerRequest</c> (pricing lives with Credits).
/// Low-credit degradation: when the ledger's alert is Critical (≤ 5% of the allowance left), a request is served with
/// one variant instead of the number asked for (recorded as <c>degraded</c>).
/// </summary>
internal sealed record GenerationOptions(
    int CreditsPerVariant,
    int MaxRegenerations,
    string? Model,
    double Temperature,
    int MaxOutputTokens,
    bool DegradeWhenCritical)
{
    /// <summary>
    /// A call named by an <c>Idempotency-Key</c> that has not answered after this long was abandoned (its process stopped;
    /// the credit sweeper releases its reservation): a repeat is told so instead of "in progress". Credits:ReservationTimeout.
    /// </summary>
    public TimeSpan AbandonedAfter { get; init; } = new CreditOptions().ReservationTimeout;

    public static GenerationOptions From(IConfiguration configuration)
    {
        var s = configuration.GetSection("Generation");
        var cost = s.GetValue<int?>("CreditsPerVariant") ?? configuration.GetValue<int?>("Credits:CostPerVariant") ?? 1;
        var options = new GenerationOptions(
            cost,
            s.GetValue<int?>("MaxRegenerations") ?? configuration.GetValue<int?>("Credits:MaxRegenerationsPerRequest") ?? 3,
            string.IsNullOrWhiteSpace(s["Model"]) ? null : s["Model"],
            s.GetValue("Temperature", 0.7),
            s.GetValue("MaxOutputTokens", 1200),
            s.GetValue("DegradeWhenCritical", true))
        {
            AbandonedAfter = configuration.GetValue<TimeSpan?>("Credits:ReservationTimeout") ?? new CreditOptions().ReservationTimeout,
        };
        if (options.CreditsPerVariant < 0)
        {
            throw new InvalidOperationException("Generation:CreditsPerVariant must be 0 or more.");
        }

        if (options.MaxRegenerations < 0)
        {
            throw new InvalidOperationException("Generation:MaxRegenerations must be 0 or more.");
        }

        return options;
    }
}
