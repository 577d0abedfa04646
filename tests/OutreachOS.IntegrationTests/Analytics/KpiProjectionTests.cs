using Microsoft.Extensions.DependencyInjection;
using OutreachOS.Analytics.Contracts;
using OutreachOS.Credits.Contracts;
using OutreachOS.IntegrationTests.Credits;
using static OutreachOS.IntegrationTests.Analytics.KpiScenario;

namespace OutreachOS.IntegrationTests.Analytics;

public sealed class KpiProjectionTests
{
    private static readonly KpiRange TwoDays = KpiRange.Create(D1, D1.AddDays(2));

    private static void Near(double expected, double? actual) =>
        Assert.True(actual is { } a && Math.Abs(a - expected) <= expected * 0.045, $"expected ≈{expected} (±4.5%), got {actual}");

    [Fact]
    public async Task Inbound_kpis_count_each_outcome_and_compute_the_rates_over_the_range()
    {
        await using var h = await AnalyticsHarness.CreateAsync();
        var org = Guid.NewGuid();
        await h.StartAsync();
        await new KpiScenario(h.Services, org).AppendInboundAsync();
        await h.CatchUpAsync();
        await h.StopAsync();

        var k = await h.Kpis().InboundAsync(org, TwoDays, intent: null);
        Assert.Equal((7, 1, 2, 3), (k.Received, k.Filtered, k.AutoSent, k.Drafted));
        Assert.Equal((1, 1, 1, 1), (k.ApprovedUnchanged, k.ApprovedEdited, k.Rejected, k.Human));
        Assert.Equal(2.0 / 6, k.AutoRate);              // autoSent / (received - filtered)
        Assert.Equal(2.0 / 3, k.ApproveRate);           // approved / (approved + rejected)
        Assert.Equal(0.5, k.RevertRate);                // approvedEdited / approved
        Assert.Equal(2.0 / 3, k.HumanCorrectionRate);   // (approvedEdited + rejected) / drafted
        Assert.Equal((2, 2, 1), (k.QaSampled, k.QaVerdicts, k.QaCorrect));
        Assert.Equal(0.5, k.AutoSendPrecision);
        Assert.Equal(0.16m, k.CostUsd);                 // 6 classifications × 0.01 + 5 drafts × 0.02

        Assert.Equal(["2026-03-01", "2026-03-02"], k.Days.Select(d => d.Day));
        Assert.Equal(new InboundDay("2026-03-01", 3, 1, 1, 1, 0, 1, 0), k.Days[0]);
        Assert.Equal(new InboundDay("2026-03-02", 4, 0, 1, 2, 1, 1, 1), k.Days[1]);

        // Only D2: m1's QA verdict landed on D2, its send on D1.
        var d2 = await h.Kpis().InboundAsync(org, KpiRange.Create(D2, D2.AddDays(1)), null);
        Assert.Equal((4, 1, 1), (d2.Received, d2.AutoSent, d2.QaCorrect));
        Assert.Equal(0.25, d2.AutoRate);
    }

    [Fact]
    public async Task An_intent_filter_moves_received_messages_to_their_intent_once_classified()
    {
        await using var h = await AnalyticsHarness.CreateAsync();
        var org = Guid.NewGuid();
        await h.StartAsync();
        await new KpiScenario(h.Services, org).AppendInboundAsync();
        await h.CatchUpAsync();
        await h.StopAsync();

        var support = await h.Kpis().InboundAsync(org, TwoDays, "support");
        Assert.Equal((4, 0, 2, 1, 1, 1), (support.Received, support.Filtered, support.AutoSent, support.Drafted, support.ApprovedUnchanged, support.Human));
        Assert.Equal(0.5, support.AutoRate);
        Assert.Equal(0.5, support.AutoSendPrecision);
        Assert.Equal(0m + (4 * 0.01m) + (3 * 0.02m), support.CostUsd);

        var sales = await h.Kpis().InboundAsync(org, TwoDays, "sales");
        Assert.Equal((2, 0, 1, 1), (sales.Received, sales.AutoSent, sales.ApprovedEdited, sales.Rejected));
        Assert.Null(sales.AutoSendPrecision); // no QA verdict for sales: no denominator

        var none = await h.Kpis().InboundAsync(org, TwoDays, "billing");
        Assert.Equal(0, none.Received);
        Assert.Null(none.AutoRate);
        Assert.Null(none.ApproveRate);
        Assert.Null(none.HumanCorrectionRate);
    }

    [Fact]
    public async Task Outbound_kpis_follow_requests_to_sends_replies_and_meetings_per_channel()
    {
        await using var h = await AnalyticsHarness.CreateAsync();
        var org = Guid.NewGuid();
        await h.StartAsync();
        await new KpiScenario(h.Services, org).AppendOutboundAsync();
        await h.CatchUpAsync();
        await h.StopAsync();

        var k = await h.Kpis().OutboundAsync(org, TwoDays, channel: null);
        Assert.Equal((2, 4, 1, 1, 1), (k.Requests, k.Variants, k.Retries, k.Selections, k.Overrides));
        Assert.Equal(0.75, k.FirstPassRate); // 3 of 4 variants passed on the first model call
        Assert.Equal((2, 1, 1), (k.Sends, k.Replies, k.MeetingsBooked));
        Assert.Equal(0.5, k.ReplyRate);
        Assert.Equal(0.009m, k.CostUsd);
        Assert.Equal(new OutboundDay("2026-03-01", 1, 3, 2, 3, 1, 0), k.Days[0]);
        Assert.Equal(new OutboundDay("2026-03-02", 1, 1, 1, 1, 1, 1), k.Days[1]);

        var email = await h.Kpis().OutboundAsync(org, TwoDays, "email");
        Assert.Equal((1, 3, 1, 1, 1), (email.Requests, email.Variants, email.Sends, email.Replies, email.MeetingsBooked));
        Assert.Equal(2.0 / 3, email.FirstPassRate);
        Assert.Equal(1.0, email.ReplyRate);

        var sms = await h.Kpis().OutboundAsync(org, TwoDays, "SMS");
        Assert.Null(sms.ReplyRate);
        Assert.Null(sms.FirstPassRate);
    }

    /// <summary>
    /// A lead who writes three times in a send's thread answered one send: the reply rate is a share of sends, never above 1
    /// (it was 3 / 1 here). A reply to each of a request's two sends counts for each. A draft made from a template alone
    /// names no model, so it is no model call (it showed as calls of a "respond / unknown" model at 0 ms).
    /// </summary>
    [Fact]
    public async Task A_send_is_answered_once_however_often_the_lead_writes_and_a_template_draft_is_no_model_call()
    {
        await using var h = await AnalyticsHarness.CreateAsync();
        var org = Guid.NewGuid();
        await h.StartAsync();
        var scenario = new KpiScenario(h.Services, org);
        var r = Guid.NewGuid();
        var at = D1.AddHours(10);
        object Reply(string to, int n) => new { request_id = r, message_id = to, inbound_id = Guid.NewGuid(), reply_message_id = $"<r{n}@lead>", at = at.AddHours(n) };
        await scenario.AppendAsync($"outbound-{r:N}", "outbound",
            ("outbound_sent.v1", new { request_id = r, message_id = "<first@acme>", channel = "EMAIL", variant_index = 0, at }),
            ("outbound_reply_received.v1", Reply("<first@acme>", 1)),
            ("outbound_reply_received.v1", Reply("<first@acme>", 2)));
        // Another batch for the same stream: what was answered is kept between batches.
        await h.CatchUpAsync();
        await scenario.AppendAsync($"outbound-{r:N}", "outbound",
            ("outbound_reply_received.v1", Reply("<first@acme>", 3)),
            ("outbound_sent.v1", new { request_id = r, message_id = "<follow-up@acme>", channel = "EMAIL", variant_index = 1, at = at.AddHours(4) }),
            ("outbound_reply_received.v1", Reply("<follow-up@acme>", 5)));

        var m = Guid.NewGuid();
        await scenario.AppendAsync($"inbound-{m:D}", "inbound",
            ("inbound_received.v1", new { inbound_id = m, organization_id = Guid.Empty, source = "EMAIL", hidden_characters_removed = 0, hidden_html_removed = false, accepted_at = at }),
            ("inbound_reply_drafted.v1", new
            {
                inbound_id = m, draft_id = Guid.NewGuid(), decision_id = Guid.NewGuid(), path = "DRAFT_FOR_REVIEW", template_id = "t1", subject = "Re", text = "Hello",
                risk_flags = Array.Empty<object>(), paraphrased = false, provider = (string?)null, model = (string?)null, cost_usd = 0m, latency_ms = 0.0, at = at.AddSeconds(2),
            }));
        await h.CatchUpAsync();
        await h.StopAsync();

        var k = await h.Kpis().OutboundAsync(org, TwoDays, channel: null);
        Assert.Equal((2, 2), (k.Sends, k.Replies));
        Assert.Equal(1.0, k.ReplyRate);
        Assert.Empty(await h.Kpis().CostByModelAsync(org, TwoDays));
        Assert.Equal(1, (await h.Kpis().InboundAsync(org, TwoDays, intent: null)).Drafted);
    }

    [Fact]
    public async Task Stage_latency_and_cost_by_model_come_from_the_histograms_within_their_error_bound()
    {
        await using var h = await AnalyticsHarness.CreateAsync();
        var org = Guid.NewGuid();
        await h.StartAsync();
        var scenario = new KpiScenario(h.Services, org);
        await scenario.AppendInboundAsync();
        await scenario.AppendOutboundAsync();
        await h.CatchUpAsync();
        await h.StopAsync();

        var stages = (await h.Kpis().StageLatencyAsync(org, TwoDays)).ToDictionary(s => s.Stage);
        Assert.Equal(KpiStages.All, stages.Keys);
        Assert.Equal(6, stages[KpiStages.IngestToClassified].Count);
        Near(1000, stages[KpiStages.IngestToClassified].P50Ms);
        Near(2000, stages[KpiStages.ClassifiedToDecided].P95Ms);
        // decided → sent: m1 2 s, m7 2 s, m4 11 min 1 s, m3 31 min 1 s → p50 (rank 2) = 2 s, p95 (rank 4) = 31 min 1 s.
        Assert.Equal(4, stages[KpiStages.DecidedToSent].Count);
        Near(2000, stages[KpiStages.DecidedToSent].P50Ms);
        Near(1_861_000, stages[KpiStages.DecidedToSent].P95Ms);
        // drafted → approved: m4 10 min, m3 30 min.
        Assert.Equal(2, stages[KpiStages.DraftedToApproved].Count);
        Near(600_000, stages[KpiStages.DraftedToApproved].P50Ms);
        Near(1_800_000, stages[KpiStages.DraftedToApproved].P95Ms);
        // personalize total: r1 5 s, r2 3 s.
        Assert.Equal(2, stages[KpiStages.PersonalizeTotal].Count);
        Near(3000, stages[KpiStages.PersonalizeTotal].P50Ms);

        // Ranges spanning whole months read the monthly roll-up (and the daily rows only for the edge days): same answer.
        Assert.Equal(stages.Values, await h.Kpis().StageLatencyAsync(org, KpiRange.Create(D1.AddDays(-14), D1.AddDays(40))));
        Assert.Equal(await h.Kpis().StageLatencyAsync(org, KpiRange.Create(D2, D2.AddDays(1))),
            await h.Kpis().StageLatencyAsync(org, KpiRange.Create(D2, D2.AddDays(60))));

        var costs = await h.Kpis().CostByModelAsync(org, TwoDays);
        var triageD1 = Assert.Single(costs, c => c.Day == "2026-03-01" && c.Module == "triage");
        Assert.Equal(("cls-m", 2, 0.02m), (triageD1.Model, triageD1.Calls, triageD1.CostUsd));
        Near(400, triageD1.LatencyP50Ms);
        var genD1 = Assert.Single(costs, c => c.Day == "2026-03-01" && c.Module == "generation");
        Assert.Equal(("gen-m", 2, 0.006m), (genD1.Model, genD1.Calls, genD1.CostUsd));
        Near(1000, genD1.LatencyP50Ms);
        Near(1200, genD1.LatencyP95Ms);
        var respondD2 = Assert.Single(costs, c => c.Day == "2026-03-02" && c.Module == "respond");
        Assert.Equal(("draft-m", 3, 0.06m), (respondD2.Model, respondD2.Calls, respondD2.CostUsd));
    }

    [Fact]
    public async Task Credits_trend_shows_daily_consumption_the_end_of_day_balance_and_alerts()
    {
        await using var h = await AnalyticsHarness.CreateAsync();
        var org = Guid.NewGuid();
        await h.StartAsync();
        await new KpiScenario(h.Services, org).AppendCreditsAsync();
        await h.CatchUpAsync();
        await h.StopAsync();

        var trend = await h.Kpis().CreditsTrendAsync(org, KpiRange.Create(D1, D1.AddDays(3)));
        Assert.Equal(3, trend.Count);
        Assert.Equal(("2026-03-01", 3, 97, 100), (trend[0].Day, trend[0].Consumed, trend[0].Balance, trend[0].Allowance));
        Assert.Empty(trend[0].Alerts);
        Assert.Equal(("2026-03-02", 2, 95), (trend[1].Day, trend[1].Consumed, trend[1].Balance));
        Assert.Equal(["LOW"], trend[1].Alerts);
        Assert.Equal(("2026-03-03", 0, 95), (trend[2].Day, trend[2].Consumed, trend[2].Balance));

        // A range starting mid-month still counts what the month consumed before it.
        var fromD2 = await h.Kpis().CreditsTrendAsync(org, KpiRange.Create(D2, D2.AddDays(1)));
        Assert.Equal(95, Assert.Single(fromD2).Balance);
    }

    [Fact]
    public async Task A_reservation_made_in_a_months_last_minute_and_settled_the_next_day_counts_in_that_month_as_the_ledger_charges_it()
    {
        var clock = new TestClock(new DateTimeOffset(2026, 11, 29, 10, 0, 0, TimeSpan.Zero));
        await using var h = await AnalyticsHarness.CreateWithLedgerAsync(clock);
        var ledger = h.Services.GetRequiredService<ICreditLedger>();
        var org = Guid.NewGuid();
        await h.StartAsync();

        var early = Guid.NewGuid();
        await ledger.ReserveAsync(org, early, 4, "generation", default);
        await ledger.SettleAsync(org, early, 4, default);
        clock.Set(new DateTimeOffset(2026, 11, 30, 23, 59, 0, TimeSpan.Zero));
        var late = Guid.NewGuid();
        await ledger.ReserveAsync(org, late, 90, "big batch", default);     // held: 6 left
        var failed = Guid.NewGuid();
        await ledger.ReserveAsync(org, failed, 2, "generation", default);   // held: 4 left, but refunded below
        clock.Set(new DateTimeOffset(2026, 12, 1, 0, 0, 30, TimeSpan.Zero));
        await ledger.SettleAsync(org, late, 90, default);                   // charged to November: 6 consumed-left, LOW
        await ledger.RefundAsync(org, failed, "model call failed", default);
        clock.Set(new DateTimeOffset(2026, 12, 1, 8, 0, 0, TimeSpan.Zero));
        var december = Guid.NewGuid();
        await ledger.ReserveAsync(org, december, 7, "generation", default);
        await ledger.SettleAsync(org, december, 7, default);
        var decemberBalance = await ledger.GetBalanceAsync(org, default);
        clock.Set(new DateTimeOffset(2026, 11, 30, 12, 0, 0, TimeSpan.Zero));
        var novemberBalance = await ledger.GetBalanceAsync(org, default);
        Assert.Equal(("2026-11", 94, 0, 6), (novemberBalance.Period, novemberBalance.Consumed, novemberBalance.Reserved, novemberBalance.Available));
        Assert.Equal(("2026-12", 7, 0, 93), (decemberBalance.Period, decemberBalance.Consumed, decemberBalance.Reserved, decemberBalance.Available));
        await h.CatchUpAsync();
        await h.StopAsync();

        var range = KpiRange.Create(new DateTimeOffset(2026, 11, 29, 0, 0, 0, TimeSpan.Zero), new DateTimeOffset(2026, 12, 3, 0, 0, 0, TimeSpan.Zero));
        var trend = await h.Kpis().CreditsTrendAsync(org, range);
        Assert.Equal(["2026-11-29", "2026-11-30", "2026-12-01", "2026-12-02"], trend.Select(d => d.Day));
        // Each month's days add up to what the ledger charged that month, and its last day shows the ledger's balance.
        Assert.Equal(novemberBalance.Consumed, trend.Where(d => d.Day.StartsWith("2026-11", StringComparison.Ordinal)).Sum(d => d.Consumed));
        Assert.Equal(decemberBalance.Consumed, trend.Where(d => d.Day.StartsWith("2026-12", StringComparison.Ordinal)).Sum(d => d.Consumed));
        // The late settlement lands on November's last day; the refund charges nothing.
        Assert.Equal(("2026-11-30", 90, novemberBalance.Available), (trend[1].Day, trend[1].Consumed, trend[1].Balance));
        // Alerts follow consumption: 94 of 100 consumed is LOW; the refunded reservation never made it CRITICAL.
        Assert.Equal(["LOW"], trend[1].Alerts);
        Assert.Equal(("2026-12-01", 7, decemberBalance.Available), (trend[2].Day, trend[2].Consumed, trend[2].Balance));
        Assert.Empty(trend[2].Alerts);
        Assert.Equal(decemberBalance.Available, trend[3].Balance);

        // The day comes from the events alone (the ledger stream's month), so a rebuild from zero gives the same trend.
        await h.Engine.RebuildAsync(KpiProjectionNames.Kpis, null, TimeSpan.FromSeconds(10));
        static string Text(IEnumerable<CreditsDay> days) => string.Join("; ", days.Select(d => $"{d.Day} {d.Consumed} {d.Balance} {string.Join(',', d.Alerts)}"));
        Assert.Equal(Text(trend), Text(await h.Kpis().CreditsTrendAsync(org, range)));
    }

    [Fact]
    public async Task Another_organizations_events_never_show_in_an_organizations_kpis()
    {
        await using var h = await AnalyticsHarness.CreateAsync();
        var a = Guid.NewGuid();
        var b = Guid.NewGuid();
        await h.StartAsync();
        await new KpiScenario(h.Services, a).AppendInboundAsync();
        var sb = new KpiScenario(h.Services, b);
        await sb.AppendOutboundAsync();
        await sb.AppendCreditsAsync();
        await h.CatchUpAsync();
        await h.StopAsync();

        var bInbound = await h.Kpis().InboundAsync(b, TwoDays, null);
        Assert.Equal(0, bInbound.Received);
        Assert.Equal(0m, bInbound.CostUsd);
        Assert.All((await h.Kpis().StageLatencyAsync(b, TwoDays)).Where(s => s.Stage != KpiStages.PersonalizeTotal), s => Assert.Equal(0, s.Count));
        Assert.DoesNotContain(await h.Kpis().CostByModelAsync(b, TwoDays), c => c.Module != "generation");

        var aOutbound = await h.Kpis().OutboundAsync(a, TwoDays, null);
        Assert.Equal((0, 0), (aOutbound.Requests, aOutbound.Sends));
        Assert.All(await h.Kpis().CreditsTrendAsync(a, TwoDays), d => Assert.Equal((0, 100), (d.Consumed, d.Balance)));
        Assert.Equal(7, (await h.Kpis().InboundAsync(a, TwoDays, null)).Received);
    }

    [Fact]
    public async Task A_rebuild_from_zero_equals_the_projection_built_live_across_many_batches()
    {
        await using var h = await AnalyticsHarness.CreateAsync();
        var a = new KpiScenario(h.Services, Guid.NewGuid());
        var b = new KpiScenario(h.Services, Guid.NewGuid());
        await h.StartAsync();
        // Live: each part is caught up before the next, so stream state crosses batches (classification after receipt...).
        await a.AppendInboundAsync();
        await h.CatchUpAsync();
        await b.AppendOutboundAsync();
        await h.CatchUpAsync();
        await a.AppendCreditsAsync();
        await b.AppendInboundAsync();
        await h.CatchUpAsync();
        await a.AppendOutboundAsync();
        await h.CatchUpAsync();
        await h.StopAsync();
        var live = await h.SnapshotAsync();
        var liveKpis = await h.Kpis().InboundAsync(a.Tenant, TwoDays, "support");

        var processed = await h.Engine.RebuildAsync(KpiProjectionNames.Kpis, null, TimeSpan.FromSeconds(10));
        Assert.True(processed > 60);
        var rebuilt = await h.SnapshotAsync();

        Assert.NotEmpty(live);
        Assert.Equal(live, rebuilt);
        Assert.Equal(liveKpis, await h.Kpis().InboundAsync(a.Tenant, TwoDays, "support"), new InboundKpisComparer());
    }

    private sealed class InboundKpisComparer : IEqualityComparer<InboundKpis>
    {
        public bool Equals(InboundKpis? x, InboundKpis? y) =>
            x is not null && y is not null && (x with { Days = [] }) == (y with { Days = [] }) && x.Days.SequenceEqual(y.Days);

        public int GetHashCode(InboundKpis obj) => obj.Received;
    }
}
