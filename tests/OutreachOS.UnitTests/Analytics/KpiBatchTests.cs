using System.Text.Json;
using OutreachOS.Analytics.Projection;
using OutreachOS.BuildingBlocks.EventStore;
using OutreachOS.BuildingBlocks.Json;

namespace OutreachOS.UnitTests.Analytics;

public sealed class KpiBatchTests
{
    private static readonly Guid Tenant = Guid.NewGuid();
    private static readonly DateTimeOffset At = new(2026, 3, 1, 23, 59, 0, TimeSpan.Zero);
    private static long _seq;

    private static StoredEvent Event(string stream, string type, object payload) =>
        new(++_seq, 1, Guid.NewGuid(), Tenant, stream, _seq, type, JsonSerializer.Serialize(payload, OutreachJson.Options),
            new Dictionary<string, string>(), At, [], null);

    private static int Received(KpiBatch b, string intent, DateOnly day) =>
        b.Inbound.TryGetValue((Tenant, day, intent), out var c) ? c.Values[(int)InboundCounter.Received] : 0;

    [Fact]
    public void A_received_message_is_counted_under_its_intent_once_classified_on_the_day_it_arrived()
    {
        var batch = new KpiBatch(new Dictionary<(Guid, string), StreamState>());
        batch.Apply(Event("inbound-1", "inbound_received.v1", new { accepted_at = At }));
        // classified after midnight: the receipt stays on the day it arrived
        batch.Apply(Event("inbound-1", "inbound_classified.v1", new { classification = new { intent = "billing" }, cost_usd = 0.5m, at = At.AddMinutes(2) }));
        batch.Apply(Event("inbound-1", "inbound_decided.v1", new { classification = new { intent = "other" }, decision = new { path = "HUMAN" }, decided_at = At.AddMinutes(3) }));

        var day = new DateOnly(2026, 3, 1);
        Assert.Equal(0, Received(batch, "", day));
        Assert.Equal(1, Received(batch, "billing", day));
        Assert.Equal(1, batch.Inbound[(Tenant, day.AddDays(1), "billing")].Values[(int)InboundCounter.Human]); // first intent wins
        Assert.Equal(0.5m, batch.Inbound[(Tenant, day.AddDays(1), "billing")].CostUsd);
    }

    [Fact]
    public void An_auto_send_draft_downgraded_to_review_counts_as_one_draft_for_review()
    {
        var batch = new KpiBatch(new Dictionary<(Guid, string), StreamState>());
        batch.Apply(Event("inbound-2", "inbound_reply_drafted.v1", new { path = "AUTO_SEND", at = At }));
        batch.Apply(Event("inbound-2", "inbound_path_downgraded.v1", new { from = "AUTO_SEND", to = "DRAFT_FOR_REVIEW", at = At }));
        batch.Apply(Event("inbound-2", "inbound_path_downgraded.v1", new { from = "AUTO_SEND", to = "DRAFT_FOR_REVIEW", at = At }));

        Assert.Equal(1, batch.Inbound[(Tenant, new DateOnly(2026, 3, 1), "")].Values[(int)InboundCounter.Drafted]);
    }

    [Fact]
    public void A_credit_event_counts_on_its_own_day_kept_inside_the_month_of_its_ledger_stream()
    {
        var batch = new KpiBatch(new Dictionary<(Guid, string), StreamState>());
        var dec1 = new DateTimeOffset(2026, 12, 1, 0, 0, 30, TimeSpan.Zero);
        batch.Apply(Event("credits-2026-11", "credits_settled.v1", new { used = 5, at = dec1 }));                // late settlement: November's last day
        batch.Apply(Event("credits-2026-11", "credits_settled.v1", new { used = 1, at = dec1.AddDays(-3) }));    // inside its month: its own day
        batch.Apply(Event("credits-2026-12", "credits_settled.v1", new { used = 2, at = dec1.AddMinutes(-1) })); // a clock behind: December's first day
        batch.Apply(Event("credits-2026-11", "credit_alert_raised.v1", new { level = "LOW", allowance = 100, at = dec1 }));
        batch.Apply(Event("ledger-copy", "credits_settled.v1", new { used = 3, at = dec1 }));                    // not a ledger stream: its own day

        Assert.Equal(new DateOnly(2026, 11, 30), KpiBatch.LedgerDay("credits-2026-11", dec1));
        Assert.Equal(5, batch.Credits[(Tenant, new DateOnly(2026, 11, 30))].Consumed);
        Assert.Equal(["LOW"], batch.Credits[(Tenant, new DateOnly(2026, 11, 30))].Alerts);
        Assert.Equal(1, batch.Credits[(Tenant, new DateOnly(2026, 11, 28))].Consumed);
        Assert.Equal(2 + 3, batch.Credits[(Tenant, new DateOnly(2026, 12, 1))].Consumed);
        Assert.Equal(new DateOnly(2027, 2, 28), KpiBatch.LedgerDay("credits-2027-02", new DateTimeOffset(2027, 3, 1, 0, 0, 0, TimeSpan.Zero)));
        Assert.Equal(new DateOnly(2026, 12, 1), KpiBatch.LedgerDay("credits-2026-11-x", dec1));
    }

    [Fact]
    public void A_refused_model_call_counts_its_billed_cost_and_a_call_that_got_nothing_back_does_not()
    {
        var batch = new KpiBatch(new Dictionary<(Guid, string), StreamState>());
        batch.Apply(Event("personalization-9", "personalization_model_call_failed.v2",
            new { model = "gpt-4o-mini", input_tokens = 400, output_tokens = 12, cost_usd = 0.0000672m, at = At }));
        batch.Apply(Event("personalization-9", "personalization_model_call_failed.v2",
            new { model = "gpt-4o-mini", status_code = 503, input_tokens = 0, output_tokens = 0, cost_usd = 0m, at = At })); // no answer
        batch.Apply(Event("personalization-9", "personalization_model_call_failed.v1",
            new { model = "gpt-4o-mini", status_code = 503, at = At })); // before billed tokens were recorded
        var day = new DateOnly(2026, 3, 1);

        var (calls, cost) = batch.Models[(Tenant, day, "generation", "gpt-4o-mini")];
        Assert.Equal((1, 0.0000672m), (calls, cost));
        Assert.Equal(0.0000672m, Assert.Single(batch.Outbound).Value.CostUsd);
    }

    [Fact]
    public void A_replay_counts_its_model_call_and_cost_whether_answered_or_refused()
    {
        var batch = new KpiBatch(new Dictionary<(Guid, string), StreamState>());
        batch.Apply(Event("personalization-10", "personalization_replay_performed.v1",
            new { replay = new { requested_model = "gpt-4.1-mini", output = new { model = "gpt-4.1-mini", cost_usd = 0.002m, latency_ms = 800.0 }, at = At } }));
        batch.Apply(Event("personalization-10", "personalization_replay_performed.v2",
            new { replay = new { requested_model = "gpt-4.1-mini", failure = "refused", failure_cost_usd = 0.0005m, at = At } }));
        batch.Apply(Event("personalization-10", "personalization_replay_performed.v2",
            new { replay = new { requested_model = "gpt-4.1-mini", failure = "HTTP 503", failure_cost_usd = 0m, at = At } })); // nothing billed: no call
        var day = new DateOnly(2026, 3, 1);

        Assert.Equal((2, 0.0025m), batch.Models[(Tenant, day, "generation", "gpt-4.1-mini")]);
        Assert.Equal(0.0025m, Assert.Single(batch.Outbound).Value.CostUsd);
    }

    [Fact]
    public void Events_no_kpi_reads_change_nothing()
    {
        var batch = new KpiBatch(new Dictionary<(Guid, string), StreamState>());
        batch.Apply(Event("inbound-3", "inbound_crm_logged.v1", new { crm = "hubspot", note_id = "n", at = At }));
        batch.Apply(Event("personalization-4", "personalization_prompt_rendered.v1", new { at = At }));
        batch.Apply(Event("organization-5", "organization_created.v1", new { at = At }));

        Assert.Empty(batch.Inbound);
        Assert.Empty(batch.Dirty);
    }
}
