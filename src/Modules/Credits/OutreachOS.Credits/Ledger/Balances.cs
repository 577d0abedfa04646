using OutreachOS.Credits.Contracts;

namespace OutreachOS.Credits.Ledger;

internal static class Balances
{
    public static CreditBalance Of(string tier, string period, int allowance, CreditLedgerState s, AlertThresholds thresholds) =>
        Of(tier, period, allowance, s.Consumed, s.Reserved, thresholds);

    public static CreditBalance Of(string tier, string period, int allowance, int consumed, int reserved, AlertThresholds thresholds)
    {
        var available = allowance - consumed - reserved;
        return new CreditBalance(tier, period, allowance, consumed, reserved, available, thresholds.LevelFor(available, allowance));
    }
}
