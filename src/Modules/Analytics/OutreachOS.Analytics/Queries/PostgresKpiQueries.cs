using System.Globalization;
using Microsoft.Extensions.Options;
using Npgsql;
using OutreachOS.Analytics.Contracts;
using OutreachOS.Analytics.Projection;
using OutreachOS.Credits.Contracts;

namespace OutreachOS.Analytics.Queries;

/// <summary>KPI reads over the projection's daily tables (never over the event log). Every statement filters by organization.</summary>
internal sealed class PostgresKpiQueries(NpgsqlDataSource dataSource, ICreditPlanSource plans, IOptions<CreditOptions> creditOptions) : IKpiQueries
{
    public async Task<InboundKpis> InboundAsync(Guid organizationId, KpiRange range, string? intent, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(range);
        await using var cmd = dataSource.CreateCommand("""
            SELECT day, sum(received)::int, sum(filtered)::int, sum(auto_sent)::int, sum(drafted)::int, sum(approved_unchanged)::int,
                   sum(approved_edited)::int, sum(rejected)::int, sum(human)::int, sum(qa_sampled)::int, sum(qa_verdicts)::int,
                   sum(qa_correct)::int, sum(cost_usd)
            FROM oos.analytics_inbound_daily
            WHERE tenant_id = @t AND day >= @from AND day < @to AND (@intent::text IS NULL OR intent = @intent)
            GROUP BY day
            """);
        AddRange(cmd, organizationId, range);
        cmd.Parameters.Add(new NpgsqlParameter<string?>("intent", NpgsqlTypes.NpgsqlDbType.Text) { TypedValue = intent });
        var byDay = new Dictionary<DateOnly, int[]>();
        decimal cost = 0;
        await using (var r = await cmd.ExecuteReaderAsync(ct))
        {
            while (await r.ReadAsync(ct))
            {
                var row = new int[11];
                for (var i = 0; i < row.Length; i++)
                {
                    row[i] = r.GetInt32(i + 1);
                }
                byDay[r.GetFieldValue<DateOnly>(0)] = row;
                cost += r.GetDecimal(12);
            }
        }
        var total = new int[11];
        var days = new List<InboundDay>();
        foreach (var day in range.Days())
        {
            var v = byDay.GetValueOrDefault(day) ?? new int[11];
            for (var i = 0; i < total.Length; i++)
            {
                total[i] += v[i];
            }
            days.Add(new InboundDay(Format(day), v[0], v[1], v[2], v[3], v[7], v[4] + v[5], v[6]));
        }
        int received = total[0], filtered = total[1], autoSent = total[2], drafted = total[3], unchanged = total[4], edited = total[5],
            rejected = total[6], human = total[7], qaSampled = total[8], qaVerdicts = total[9], qaCorrect = total[10];
        var approved = unchanged + edited;
        return new InboundKpis(received, filtered, autoSent, drafted, unchanged, edited, rejected, human,
            AutoRate: Rate(autoSent, received - filtered),
            ApproveRate: Rate(approved, approved + rejected),
            RevertRate: Rate(edited, approved),
            HumanCorrectionRate: Rate(edited + rejected, drafted),
            qaSampled, qaVerdicts, qaCorrect,
            AutoSendPrecision: Rate(qaCorrect, qaVerdicts),
            cost, days);
    }

    public async Task<OutboundKpis> OutboundAsync(Guid organizationId, KpiRange range, string? channel, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(range);
        await using var cmd = dataSource.CreateCommand("""
            SELECT day, sum(requests)::int, sum(variants)::int, sum(first_pass_passed)::int, sum(first_pass_checked)::int, sum(retries)::int,
                   sum(selections)::int, sum(overrides)::int, sum(sends)::int, sum(replies)::int, sum(meetings)::int, sum(cost_usd)
            FROM oos.analytics_outbound_daily
            WHERE tenant_id = @t AND day >= @from AND day < @to AND (@channel::text IS NULL OR channel = @channel)
            GROUP BY day
            """);
        AddRange(cmd, organizationId, range);
        cmd.Parameters.Add(new NpgsqlParameter<string?>("channel", NpgsqlTypes.NpgsqlDbType.Text) { TypedValue = channel?.ToUpperInvariant() });
        var byDay = new Dictionary<DateOnly, int[]>();
        decimal cost = 0;
        await using (var r = await cmd.ExecuteReaderAsync(ct))
        {
            while (await r.ReadAsync(ct))
            {
                var row = new int[10];
                for (var i = 0; i < row.Length; i++)
                {
                    row[i] = r.GetInt32(i + 1);
                }
                byDay[r.GetFieldValue<DateOnly>(0)] = row;
                cost += r.GetDecimal(11);
            }
        }
        var total = new int[10];
        var days = new List<OutboundDay>();
        foreach (var day in range.Days())
        {
            var v = byDay.GetValueOrDefault(day) ?? new int[10];
            for (var i = 0; i < total.Length; i++)
            {
                total[i] += v[i];
            }
            days.Add(new OutboundDay(Format(day), v[0], v[1], v[2], v[3], v[7], v[8]));
        }
        return new OutboundKpis(total[0], total[1], Rate(total[2], total[3]), total[4], total[5], total[6], total[7], total[8],
            Rate(total[8], total[7]), total[9], cost, days);
    }

    public async Task<IReadOnlyList<CreditsDay>> CreditsTrendAsync(Guid organizationId, KpiRange range, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(range);
        // The balance is per calendar month (the ledger's period): start summing at the first day of the range's first month.
        var monthStart = new DateOnly(range.FirstDay.Year, range.FirstDay.Month, 1);
        await using var cmd = dataSource.CreateCommand("""
            SELECT day, consumed, allowance, alerts FROM oos.analytics_credits_daily
            WHERE tenant_id = @t AND day >= @from AND day < @to
            """);
        cmd.Parameters.AddWithValue("t", organizationId);
        cmd.Parameters.AddWithValue("from", monthStart);
        cmd.Parameters.AddWithValue("to", range.EndDay);
        var rows = new Dictionary<DateOnly, (int Consumed, int? Allowance, string[] Alerts)>();
        await using (var r = await cmd.ExecuteReaderAsync(ct))
        {
            while (await r.ReadAsync(ct))
            {
                rows[r.GetFieldValue<DateOnly>(0)] = (r.GetInt32(1), r.IsDBNull(2) ? null : r.GetInt32(2), r.GetFieldValue<string[]>(3));
            }
        }
        var planAllowance = creditOptions.Value.AllowanceFor(await plans.GetTierAsync(organizationId, ct));
        var result = new List<CreditsDay>();
        int cumulative = 0, allowance = planAllowance;
        for (var day = monthStart; day < range.EndDay; day = day.AddDays(1))
        {
            if (day.Day == 1)
            {
                cumulative = 0;
                allowance = planAllowance;
            }
            var (consumed, alertAllowance, alerts) = rows.GetValueOrDefault(day, (0, null, []));
            cumulative += consumed;
            // An alert records the allowance the ledger used that day; without one, the organization's current plan applies.
            allowance = alertAllowance ?? allowance;
            if (day >= range.FirstDay)
            {
                result.Add(new CreditsDay(Format(day), consumed, allowance - cumulative, allowance, [.. alerts.Distinct(StringComparer.Ordinal)]));
            }
        }
        return result;
    }

    public async Task<IReadOnlyList<ModelCost>> CostByModelAsync(Guid organizationId, KpiRange range, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(range);
        var histograms = await HistogramsAsync(organizationId, range, "model:", byDay: true, ct);
        await using var cmd = dataSource.CreateCommand("""
            SELECT day, module, model, calls, cost_usd FROM oos.analytics_model_daily
            WHERE tenant_id = @t AND day >= @from AND day < @to
            ORDER BY day, module, model
            """);
        AddRange(cmd, organizationId, range);
        var result = new List<ModelCost>();
        await using var r = await cmd.ExecuteReaderAsync(ct);
        while (await r.ReadAsync(ct))
        {
            var day = r.GetFieldValue<DateOnly>(0);
            var module = r.GetString(1);
            var model = r.GetString(2);
            var h = histograms.GetValueOrDefault((day, $"model:{module}:{model}")) ?? [];
            result.Add(new ModelCost(Format(day), module, model, r.GetInt32(3), r.GetDecimal(4),
                LatencyHistogram.Percentile(h, 0.50), LatencyHistogram.Percentile(h, 0.95)));
        }
        return result;
    }

    public async Task<IReadOnlyList<StageLatency>> StageLatencyAsync(Guid organizationId, KpiRange range, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(range);
        var histograms = await HistogramsAsync(organizationId, range, "stage:", byDay: false, ct);
        return [.. KpiStages.All.Select(stage =>
        {
            var h = histograms.GetValueOrDefault((default, "stage:" + stage)) ?? [];
            return new StageLatency(stage, (int)h.Values.Sum(), LatencyHistogram.Percentile(h, 0.50), LatencyHistogram.Percentile(h, 0.95));
        })];
    }

    /// <summary>Bucket counts summed over the range (per day when <paramref name="byDay"/>), by series.</summary>
    private async Task<Dictionary<(DateOnly Day, string Series), Dictionary<int, long>>> HistogramsAsync(
        Guid organizationId, KpiRange range, string prefix, bool byDay, CancellationToken ct)
    {
        // Over the whole range, full calendar months come from the monthly roll-up and only the edge days from the daily rows.
        var firstMonth = new DateOnly(range.FirstDay.Year, range.FirstDay.Month, 1);
        var fullFrom = firstMonth == range.FirstDay ? firstMonth : firstMonth.AddMonths(1);
        var fullTo = new DateOnly(range.EndDay.Year, range.EndDay.Month, 1);
        if (byDay || fullTo <= fullFrom)
        {
            fullFrom = fullTo = range.FirstDay; // no month used whole
        }
        var dayColumn = byDay ? "day" : "NULL::date";
        await using var cmd = dataSource.CreateCommand($"""
            SELECT {dayColumn}, series, bucket, sum(n)::bigint FROM oos.analytics_latency_daily
            WHERE tenant_id = @t AND day >= @from AND day < @to AND (day < @full_from OR day >= @full_to) AND starts_with(series, @prefix)
            GROUP BY 1, series, bucket
            UNION ALL
            SELECT NULL::date, series, bucket, sum(n)::bigint FROM oos.analytics_latency_monthly
            WHERE tenant_id = @t AND month >= @full_from AND month < @full_to AND starts_with(series, @prefix)
            GROUP BY series, bucket
            """);
        AddRange(cmd, organizationId, range);
        cmd.Parameters.AddWithValue("prefix", prefix);
        cmd.Parameters.AddWithValue("full_from", fullFrom);
        cmd.Parameters.AddWithValue("full_to", fullTo);
        var result = new Dictionary<(DateOnly, string), Dictionary<int, long>>();
        await using var r = await cmd.ExecuteReaderAsync(ct);
        while (await r.ReadAsync(ct))
        {
            var key = (r.IsDBNull(0) ? default : r.GetFieldValue<DateOnly>(0), r.GetString(1));
            if (!result.TryGetValue(key, out var h))
            {
                h = [];
                result[key] = h;
            }
            h[r.GetInt16(2)] = h.GetValueOrDefault(r.GetInt16(2)) + r.GetInt64(3);
        }
        return result;
    }

    private static void AddRange(NpgsqlCommand cmd, Guid organizationId, KpiRange range)
    {
        cmd.Parameters.AddWithValue("t", organizationId);
        cmd.Parameters.AddWithValue("from", range.FirstDay);
        cmd.Parameters.AddWithValue("to", range.EndDay);
    }

    private static double? Rate(int numerator, int denominator) => denominator <= 0 ? null : (double)numerator / denominator;

    private static string Format(DateOnly day) => day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
}
