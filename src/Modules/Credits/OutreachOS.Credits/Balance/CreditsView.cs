using Npgsql;
using OutreachOS.Credits.Contracts;
using OutreachOS.Credits.Ledger;

namespace OutreachOS.Credits.Balance;

internal sealed record DailyUsage(DateOnly Date, int Consumed);

internal sealed record RaisedAlert(CreditAlertLevel Level, int Available, int Allowance, DateTimeOffset At);

/// <summary>The <c>GET /credits</c> body: the balance of the current period plus its daily usage and raised alerts.</summary>
internal sealed record CreditsView(string Tier, string Period, int Allowance, int Consumed, int Reserved, int Available,
    CreditAlertLevel Alert, IReadOnlyList<DailyUsage> UsageByDay, IReadOnlyList<RaisedAlert> Alerts);

/// <summary>Reads the inline-projected tables; never the streams.</summary>
internal sealed class CreditsReadModel(ICreditLedger ledger, NpgsqlDataSource dataSource)
{
    public async Task<CreditsView> GetAsync(Guid tenantId, CancellationToken ct)
    {
        var b = await ledger.GetBalanceAsync(tenantId, ct);
        var usage = new List<DailyUsage>();
        await using (var cmd = dataSource.CreateCommand(
            "SELECT day, consumed FROM oos.credit_usage_daily WHERE tenant_id = @t AND period = @p ORDER BY day"))
        {
            cmd.Parameters.AddWithValue("t", tenantId);
            cmd.Parameters.AddWithValue("p", b.Period);
            await using var r = await cmd.ExecuteReaderAsync(ct);
            while (await r.ReadAsync(ct))
            {
                usage.Add(new DailyUsage(r.GetFieldValue<DateOnly>(0), r.GetInt32(1)));
            }
        }
        var alerts = new List<RaisedAlert>();
        await using (var cmd = dataSource.CreateCommand(
            "SELECT level, available, allowance, raised_at FROM oos.credit_alerts WHERE tenant_id = @t AND period = @p ORDER BY raised_at, available DESC"))
        {
            cmd.Parameters.AddWithValue("t", tenantId);
            cmd.Parameters.AddWithValue("p", b.Period);
            await using var r = await cmd.ExecuteReaderAsync(ct);
            while (await r.ReadAsync(ct))
            {
                alerts.Add(new RaisedAlert(Enum.Parse<CreditAlertLevel>(r.GetString(0), ignoreCase: true), r.GetInt32(1), r.GetInt32(2),
                    r.GetFieldValue<DateTimeOffset>(3)));
            }
        }
        // Alerts raised together share a timestamp; order them mildest first.
        alerts.Sort((x, y) => x.At != y.At ? x.At.CompareTo(y.At) : x.Level.CompareTo(y.Level));
        return new CreditsView(b.Tier, b.Period, b.Allowance, b.Consumed, b.Reserved, b.Available, b.Alert, usage, alerts);
    }

    public static string HeaderValue(CreditAlertLevel level) => CreditAccountProjection.LevelName(level);
}
