using Microsoft.Extensions.DependencyInjection;
using OutreachOS.BuildingBlocks.EventStore;

namespace OutreachOS.IntegrationTests.Analytics;

/// <summary>
/// A small known history over two days (2026-03-01 = D1, 2026-03-02 = D2), appended through <see cref="IEventStore"/> with
/// the catalogue's names and payloads. The expected figures are written next to the events in the tests.
/// </summary>
internal sealed class KpiScenario(IServiceProvider services, Guid tenant)
{
    public static readonly DateTimeOffset D1 = new(2026, 3, 1, 0, 0, 0, TimeSpan.Zero);
    public static readonly DateTimeOffset D2 = D1.AddDays(1);

    private readonly IEventStore _store = services.GetRequiredService<IEventStore>();
    private readonly EventTypeRegistry _registry = services.GetRequiredService<EventTypeRegistry>();

    public Guid Tenant { get; } = tenant;

    public async Task AppendAsync(string streamId, string streamType, params (string Name, object Payload)[] events)
    {
        await _store.AppendAsync(Tenant, streamId, streamType, ExpectedVersion.Any,
            [.. events.Select(e => EventToAppend.Create(RawEvents.Create(_registry, e.Name, e.Payload)))]);
    }

    private static string Inbound(Guid id) => $"inbound-{id:D}";

    private static object Classified(Guid id, string intent, DateTimeOffset at) => new
    {
        inbound_id = id,
        classification = new { intent, urgency = "NORMAL", owner = "support", policy_flags = Array.Empty<string>(), confidence = 0.9, classifier = "llm", evidence = Array.Empty<string>() },
        provider = "openai", model = "cls-m", tokens_in = 100, tokens_out = 20, cost_usd = 0.01m, latency_ms = 400.0, at,
    };

    private static object Decided(Guid id, string intent, string path, DateTimeOffset at) => new
    {
        inbound_id = id,
        organization_id = Guid.Empty,
        classification = new { intent, urgency = "NORMAL", owner = "support", policy_flags = Array.Empty<string>(), confidence = 0.9, classifier = "llm", evidence = Array.Empty<string>() },
        decision = new { decision_id = Guid.NewGuid(), path, reasons = new[] { "rule" }, owner = "support", policy_version = 1, dry_run = false },
        redactions = new Dictionary<string, string>(),
        decided_at = at,
    };

    private static object Drafted(Guid id, Guid draft, string path, DateTimeOffset at) => new
    {
        inbound_id = id, draft_id = draft, decision_id = Guid.NewGuid(), path, template_id = "t1", subject = "Re", text = "Hello",
        risk_flags = Array.Empty<object>(), paraphrased = false, provider = "openai", model = "draft-m", cost_usd = 0.02m, latency_ms = 800.0, at,
    };

    private static object Sent(Guid id, bool auto, DateTimeOffset at) => new
    {
        inbound_id = id, decision_id = Guid.NewGuid(), draft_id = Guid.NewGuid(), smtp_message_id = "<x@y>", to = "a@b.c", subject = "Re", auto, at,
    };

    private static (string, object) Received(Guid id, DateTimeOffset at) =>
        ("inbound_received.v1", new { inbound_id = id, organization_id = Guid.Empty, source = "EMAIL", hidden_characters_removed = 0, hidden_html_removed = false, accepted_at = at });

    /// <summary>
    /// Inbound, 7 messages. m1 (D1, support): auto-sent, QA correct (on D2). m2 (D1): filtered. m3 (D1, sales): draft approved
    /// edited after 30 min. m4 (D2, support): AUTO_SEND draft downgraded to review, approved unchanged after 10 min.
    /// m5 (D2, sales): draft rejected. m6 (D2, support): human. m7 (D2, support): auto-sent, QA incorrect.
    /// Every classification takes 1 s from receipt, every decision 2 s after it.
    /// </summary>
    public async Task AppendInboundAsync()
    {
        var t1 = D1.AddHours(9);
        var m1 = Guid.NewGuid();
        await AppendAsync(Inbound(m1), "inbound", Received(m1, t1),
            ("inbound_classified.v1", Classified(m1, "support", t1.AddSeconds(1))),
            ("inbound_decided.v1", Decided(m1, "support", "AUTO_SEND", t1.AddSeconds(3))),
            ("inbound_reply_drafted.v1", Drafted(m1, Guid.NewGuid(), "AUTO_SEND", t1.AddSeconds(4))),
            ("inbound_reply_sent.v1", Sent(m1, true, t1.AddSeconds(5))),
            ("inbound_qa_sampled.v1", new { inbound_id = m1, decision_id = Guid.NewGuid(), check_passed = true, at = t1.AddSeconds(6) }),
            ("inbound_qa_verdict.v1", new { inbound_id = m1, correct = true, reviewer = "qa", notes = "", at = D2.AddHours(8) }));

        var m2 = Guid.NewGuid();
        await AppendAsync(Inbound(m2), "inbound", Received(m2, t1),
            ("inbound_filtered.v1", new { inbound_id = m2, category = "BULK", rule = "list-unsubscribe", detail = "", at = t1.AddSeconds(1) }));

        var t3 = D1.AddHours(10);
        var m3 = Guid.NewGuid();
        var d3 = Guid.NewGuid();
        await AppendAsync(Inbound(m3), "inbound", Received(m3, t3),
            ("inbound_classified.v1", Classified(m3, "sales", t3.AddSeconds(1))),
            ("inbound_decided.v1", Decided(m3, "sales", "DRAFT_FOR_REVIEW", t3.AddSeconds(3))),
            ("inbound_reply_drafted.v1", Drafted(m3, d3, "DRAFT_FOR_REVIEW", t3.AddSeconds(4))),
            ("inbound_draft_approved.v1", new { inbound_id = m3, draft_id = d3, edited = true, original_text = "a", final_text = "b", edit_distance = 1, approved_by = "ann", at = t3.AddSeconds(4).AddMinutes(30) }),
            ("inbound_reply_sent.v1", Sent(m3, false, t3.AddSeconds(4).AddMinutes(31))));

        var t4 = D2.AddHours(9);
        var m4 = Guid.NewGuid();
        var d4 = Guid.NewGuid();
        await AppendAsync(Inbound(m4), "inbound", Received(m4, t4),
            ("inbound_classified.v1", Classified(m4, "support", t4.AddSeconds(1))),
            ("inbound_decided.v1", Decided(m4, "support", "AUTO_SEND", t4.AddSeconds(3))),
            ("inbound_reply_drafted.v1", Drafted(m4, d4, "AUTO_SEND", t4.AddSeconds(4))),
            ("inbound_path_downgraded.v1", new { inbound_id = m4, from = "AUTO_SEND", to = "DRAFT_FOR_REVIEW", reasons = new[] { "GUARDRAIL_BLOCK" }, at = t4.AddSeconds(5) }),
            ("inbound_draft_approved.v1", new { inbound_id = m4, draft_id = d4, edited = false, original_text = "a", final_text = "a", edit_distance = 0, approved_by = "ann", at = t4.AddSeconds(4).AddMinutes(10) }),
            ("inbound_reply_sent.v1", Sent(m4, false, t4.AddSeconds(4).AddMinutes(11))));

        var m5 = Guid.NewGuid();
        var d5 = Guid.NewGuid();
        await AppendAsync(Inbound(m5), "inbound", Received(m5, t4),
            ("inbound_classified.v1", Classified(m5, "sales", t4.AddSeconds(1))),
            ("inbound_decided.v1", Decided(m5, "sales", "DRAFT_FOR_REVIEW", t4.AddSeconds(3))),
            ("inbound_reply_drafted.v1", Drafted(m5, d5, "DRAFT_FOR_REVIEW", t4.AddSeconds(4))),
            ("inbound_draft_rejected.v1", new { inbound_id = m5, draft_id = d5, reason = "wrong tone", rejected_by = "ann", at = t4.AddMinutes(20) }));

        var m6 = Guid.NewGuid();
        await AppendAsync(Inbound(m6), "inbound", Received(m6, t4),
            ("inbound_classified.v1", Classified(m6, "support", t4.AddSeconds(1))),
            ("inbound_decided.v1", Decided(m6, "support", "HUMAN", t4.AddSeconds(3))),
            ("inbound_assigned.v1", new { inbound_id = m6, owner = "support", outline = new[] { "call back" }, sla_due_at = t4.AddHours(4), at = t4.AddSeconds(4) }));

        var m7 = Guid.NewGuid();
        await AppendAsync(Inbound(m7), "inbound", Received(m7, t4),
            ("inbound_classified.v1", Classified(m7, "support", t4.AddSeconds(1))),
            ("inbound_decided.v1", Decided(m7, "support", "AUTO_SEND", t4.AddSeconds(3))),
            ("inbound_reply_drafted.v1", Drafted(m7, Guid.NewGuid(), "AUTO_SEND", t4.AddSeconds(4))),
            ("inbound_reply_sent.v1", Sent(m7, true, t4.AddSeconds(5))),
            ("inbound_qa_sampled.v1", new { inbound_id = m7, decision_id = Guid.NewGuid(), check_passed = false, at = t4.AddSeconds(6) }),
            ("inbound_qa_verdict.v1", new { inbound_id = m7, correct = false, reviewer = "qa", notes = "wrong", at = t4.AddHours(1) }));
    }

    private static object ModelResponded(DateTimeOffset at, double latency) => new
    {
        attempt_set = 1, attempt = 1,
        output = new { raw = "{}", provider = "offline", model = "gen-m", input_tokens = 10, output_tokens = 10, cost_usd = 0.003m, latency_ms = latency, http_attempts = 1 },
        at,
    };

    private static object Returned(int variants, int passed, int checkedCount, DateTimeOffset at) => new
    {
        attempt_set = 1,
        variants = Enumerable.Range(0, variants).Select(i => new { subject = "s", message = $"m{i}", personalization_points = Array.Empty<string>(), risk_flags = Array.Empty<object>(), blocked = false }).ToArray(),
        attempts = 1, first_attempt_passed = passed, first_attempt_checked = checkedCount, at,
    };

    /// <summary>
    /// Outbound: r1 (D1, EMAIL): 2 model calls (a retry), 3 variants (2 of 3 passed first), selected after 5 s total, sent on D1,
    /// replied and meeting booked on D2. r2 (D2, LINKEDIN): 1 call, 1 variant (1 of 1), a block overridden, sent on D2.
    /// </summary>
    public async Task AppendOutboundAsync()
    {
        var r1 = Guid.NewGuid();
        var t1 = D1.AddHours(11);
        await AppendAsync($"personalization-{r1:N}", "personalization",
            ("personalization_requested.v1", new { request_id = r1, request = new { channel = "EMAIL", variant_count = 3 }, api_key_id = Guid.NewGuid(), at = t1 }),
            ("personalization_model_responded.v1", ModelResponded(t1.AddSeconds(2), 1200)),
            ("personalization_retry_requested.v1", new { attempt_set = 1, next_attempt = 2, variant_indexes = new[] { 2 }, reasons = "NUMBERS", at = t1.AddSeconds(2) }),
            ("personalization_model_responded.v1", ModelResponded(t1.AddSeconds(4), 1000)),
            ("personalization_variants_returned.v1", Returned(3, 2, 3, t1.AddSeconds(5))),
            ("personalization_variant_selected.v1", new { attempt_set = 1, variant_index = 0, api_key_id = Guid.NewGuid(), at = t1.AddMinutes(1) }));
        await AppendAsync($"outbound-{r1:N}", "outbound",
            ("outbound_sent.v1", new { request_id = r1, message_id = "<o1@x>", channel = "EMAIL", variant_index = 0, at = t1.AddMinutes(2) }),
            ("outbound_reply_received.v1", new { request_id = r1, message_id = "<o1@x>", inbound_id = Guid.NewGuid(), reply_message_id = "<r1@y>", at = D2.AddHours(7) }),
            ("outbound_meeting_booked.v1", new { request_id = r1, booked_at = D2.AddHours(8) }));

        var r2 = Guid.NewGuid();
        var t2 = D2.AddHours(11);
        await AppendAsync($"personalization-{r2:N}", "personalization",
            ("personalization_requested.v1", new { request_id = r2, request = new { channel = "LINKEDIN", variant_count = 1 }, api_key_id = Guid.NewGuid(), at = t2 }),
            ("personalization_model_responded.v1", ModelResponded(t2.AddSeconds(1), 900)),
            ("personalization_variants_returned.v1", Returned(1, 1, 1, t2.AddSeconds(3))),
            ("personalization_block_overridden.v1", new { attempt_set = 1, variant_index = 0, blocking_codes = new[] { "SPAM" }, api_key_id = Guid.NewGuid(), at = t2.AddMinutes(1) }));
        await AppendAsync($"outbound-{r2:N}", "outbound",
            ("outbound_sent.v1", new { request_id = r2, message_id = "<o2@x>", channel = "LINKEDIN", variant_index = 0, at = t2.AddMinutes(2) }));
    }

    /// <summary>Credits: 3 used on D1, 2 on D2, a LOW alert on D2 reporting an allowance of 100.</summary>
    public async Task AppendCreditsAsync()
    {
        await AppendAsync("credits-2026-03", "credit_ledger",
            ("credits_settled.v1", new { reservation_id = Guid.NewGuid(), reserved = 3, used = 3, released = 0, at = D1.AddHours(11) }),
            ("credits_settled.v1", new { reservation_id = Guid.NewGuid(), reserved = 3, used = 2, released = 1, at = D2.AddHours(11) }),
            ("credit_alert_raised.v1", new { level = "LOW", available = 15, allowance = 100, at = D2.AddHours(11) }));
    }
}
