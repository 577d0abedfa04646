namespace OutreachOS.Credits.Contracts;

/// <summary>
/// The <c>Credits</c> configuration section. Callers (Generation) read <see cref="CostPerVariant"/> and
/// <see cref="MaxRegenerationsPerRequest"/> from here so that pricing lives in one place.
/// </summary>
public sealed class CreditOptions
{
    public const string Section = "Credits";

    /// <summary>Credits per calendar month (UTC) by tier name (case-insensitive): FREE, PRO, ENTERPRISE.</summary>
    public Dictionary<string, int> Tiers { get; init; } = new(StringComparer.OrdinalIgnoreCase)
    {
        ["FREE"] = 100,
        ["PRO"] = 5_000,
        ["ENTERPRISE"] = 100_000,
    };

    /// <summary>Credits one generated variant costs.</summary>
    public int CostPerVariant { get; set; } = 1;

    /// <summary>How many times one personalization request may be regenerated.</summary>
    public int MaxRegenerationsPerRequest { get; set; } = 3;

    /// <summary>A reservation neither settled nor refunded after this long (the caller crashed) is released by the sweeper.</summary>
    public TimeSpan ReservationTimeout { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>How often the sweeper looks for expired reservations.</summary>
    public TimeSpan SweepInterval { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>Turns the sweeper off (e.g. in CLI runs); another host's sweeper then does the work.</summary>
    public bool SweeperEnabled { get; set; } = true;

    /// <summary>Available at or below this percentage of the allowance raises <see cref="CreditAlertLevel.Low"/>.</summary>
    public int LowAlertPercent { get; set; } = 20;

    /// <summary>Available at or below this percentage of the allowance raises <see cref="CreditAlertLevel.Critical"/>.</summary>
    public int CriticalAlertPercent { get; set; } = 5;

    /// <summary>The monthly allowance of <paramref name="tier"/>; an unconfigured tier is a configuration error.</summary>
    public int AllowanceFor(string tier)
    {
        // The configuration binder may replace the dictionary (and its comparer), so the lookup is case-insensitive by hand.
        foreach (var (name, credits) in Tiers)
        {
            if (string.Equals(name, tier, StringComparison.OrdinalIgnoreCase))
            {
                return credits;
            }
        }
        throw new InvalidOperationException($"No credit allowance is configured for tier '{tier}' (set Credits:Tiers:{tier}).");
    }
}
