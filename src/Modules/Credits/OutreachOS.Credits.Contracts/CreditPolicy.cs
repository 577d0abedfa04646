namespace OutreachOS.Credits.Contracts;

/// <summary>Pure rules that callers apply before reserving credits.</summary>
public static class CreditPolicy
{
    /// <summary>
    /// How many variants a caller may generate: never more than the balance covers, and only one once the balance is
    /// <see cref="CreditAlertLevel.Critical"/> (≤ 5% left) so that the last credits serve more requests. 0 means "cannot
    /// afford even one": the caller answers 402 (or lets <see cref="ICreditLedger.ReserveAsync"/> throw it).
    /// </summary>
    public static int AllowedVariants(int requested, CreditBalance balance, int costPerVariant)
    {
        ArgumentNullException.ThrowIfNull(balance);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(requested);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(costPerVariant);
        var affordable = Math.Max(0, balance.Available) / costPerVariant;
        var cap = balance.Alert >= CreditAlertLevel.Critical ? 1 : requested;
        return Math.Min(Math.Min(requested, cap), affordable);
    }
}
