using OutreachOS.BuildingBlocks.EventStore;

namespace OutreachOS.Benchmarks.Analytics;

// The catalogue's event names and payload shapes (only the fields the KPIs read, plus ids), as bench-local records:
// the Analytics projection reads names and JSON, so these stand for the owning modules' types.

internal sealed record BenchClassification(string Intent, string Urgency, double Confidence);

internal sealed record BenchDecision(Guid DecisionId, string Path);

internal sealed record BenchRequest(string Channel, int VariantCount);

internal sealed record BenchModelOutput(string Provider, string Model, decimal CostUsd, double LatencyMs);

internal sealed record BenchVariant(string Subject, string Message);

[EventName("inbound_received.v1")]
internal sealed record BenchInboundReceived(Guid InboundId, string Source, string Subject, DateTimeOffset AcceptedAt);

[EventName("inbound_filtered.v1")]
internal sealed record BenchInboundFiltered(Guid InboundId, string Category, string Rule, DateTimeOffset At);

[EventName("inbound_classified.v1")]
internal sealed record BenchInboundClassified(Guid InboundId, BenchClassification Classification, string Provider, string Model, int TokensIn, int TokensOut, decimal CostUsd, double LatencyMs, DateTimeOffset At);

[EventName("inbound_decided.v1")]
internal sealed record BenchInboundDecided(Guid InboundId, BenchClassification Classification, BenchDecision Decision, DateTimeOffset DecidedAt);

[EventName("inbound_reply_drafted.v1")]
internal sealed record BenchReplyDrafted(Guid InboundId, Guid DraftId, string Path, string Text, string Provider, string Model, decimal CostUsd, double LatencyMs, DateTimeOffset At);

[EventName("inbound_draft_approved.v1")]
internal sealed record BenchDraftApproved(Guid InboundId, Guid DraftId, bool Edited, int EditDistance, string ApprovedBy, DateTimeOffset At);

[EventName("inbound_draft_rejected.v1")]
internal sealed record BenchDraftRejected(Guid InboundId, Guid DraftId, string Reason, DateTimeOffset At);

[EventName("inbound_reply_sent.v1")]
internal sealed record BenchReplySent(Guid InboundId, Guid DraftId, string SmtpMessageId, bool Auto, DateTimeOffset At);

[EventName("inbound_qa_verdict.v1")]
internal sealed record BenchQaVerdict(Guid InboundId, bool Correct, string Reviewer, DateTimeOffset At);

[EventName("personalization_requested.v1")]
internal sealed record BenchPersonalizationRequested(Guid RequestId, BenchRequest Request, DateTimeOffset At);

[EventName("personalization_model_responded.v1")]
internal sealed record BenchModelResponded(int AttemptSet, int Attempt, BenchModelOutput Output, DateTimeOffset At);

[EventName("personalization_variants_returned.v1")]
internal sealed record BenchVariantsReturned(int AttemptSet, IReadOnlyList<BenchVariant> Variants, int Attempts, int FirstAttemptPassed, int FirstAttemptChecked, DateTimeOffset At);

[EventName("personalization_variant_selected.v1")]
internal sealed record BenchVariantSelected(int AttemptSet, int VariantIndex, DateTimeOffset At);

[EventName("outbound_sent.v1")]
internal sealed record BenchOutboundSent(Guid RequestId, string MessageId, string Channel, int VariantIndex, DateTimeOffset At);

[EventName("outbound_reply_received.v1")]
internal sealed record BenchOutboundReply(Guid RequestId, string MessageId, DateTimeOffset At);

[EventName("credits_settled.v1")]
internal sealed record BenchCreditsSettled(Guid ReservationId, int Reserved, int Used, int Released, DateTimeOffset At);

internal static class KpiBenchEvents
{
    public static readonly Type[] All =
    [
        typeof(BenchInboundReceived), typeof(BenchInboundFiltered), typeof(BenchInboundClassified), typeof(BenchInboundDecided),
        typeof(BenchReplyDrafted), typeof(BenchDraftApproved), typeof(BenchDraftRejected), typeof(BenchReplySent), typeof(BenchQaVerdict),
        typeof(BenchPersonalizationRequested), typeof(BenchModelResponded), typeof(BenchVariantsReturned), typeof(BenchVariantSelected),
        typeof(BenchOutboundSent), typeof(BenchOutboundReply), typeof(BenchCreditsSettled),
    ];

    private static readonly string[] Intents = ["support", "sales", "billing", "ops"];
    private static readonly string[] Channels = ["EMAIL", "LINKEDIN", "SMS"];

    /// <summary>One unit of history (an inbound message, an outbound request with its send, or a credit settlement) at <paramref name="at"/>.</summary>
    public static IEnumerable<StreamAppend> Unit(Random r, Guid tenant, DateTimeOffset at)
    {
        var roll = r.Next(100);
        if (roll < 60)
        {
            yield return Inbound(r, tenant, at);
        }
        else if (roll < 92)
        {
            foreach (var a in Outbound(r, tenant, at))
            {
                yield return a;
            }
        }
        else
        {
            yield return new StreamAppend(tenant, $"credits-{at:yyyy-MM}-{Guid.NewGuid():N}", "credit_ledger", ExpectedVersion.NoStream,
                [E(new BenchCreditsSettled(Guid.NewGuid(), 3, 1 + r.Next(3), 0, at))]);
        }
    }

    private static EventToAppend E(object data) => EventToAppend.Create(data);

    private static StreamAppend Inbound(Random r, Guid tenant, DateTimeOffset at)
    {
        var id = Guid.NewGuid();
        var events = new List<EventToAppend> { E(new BenchInboundReceived(id, "EMAIL", "Question about my invoice", at)) };
        var t = at.AddMilliseconds(200 + r.Next(3000));
        if (r.Next(10) == 0)
        {
            events.Add(E(new BenchInboundFiltered(id, "BULK", "list-unsubscribe", t)));
            return new StreamAppend(tenant, $"inbound-{id:D}", "inbound", ExpectedVersion.NoStream, events);
        }
        var classification = new BenchClassification(Intents[r.Next(Intents.Length)], "NORMAL", 0.9);
        events.Add(E(new BenchInboundClassified(id, classification, "openai", "gpt-4o-mini", 800, 60, 0.0004m, 300 + r.Next(1500), t)));
        t = t.AddMilliseconds(5 + r.Next(50));
        var pathRoll = r.Next(10);
        var path = pathRoll < 5 ? "AUTO_SEND" : pathRoll < 9 ? "DRAFT_FOR_REVIEW" : "HUMAN";
        events.Add(E(new BenchInboundDecided(id, classification, new BenchDecision(Guid.NewGuid(), path), t)));
        if (path == "HUMAN")
        {
            return new StreamAppend(tenant, $"inbound-{id:D}", "inbound", ExpectedVersion.NoStream, events);
        }
        var draft = Guid.NewGuid();
        t = t.AddMilliseconds(500 + r.Next(2000));
        events.Add(E(new BenchReplyDrafted(id, draft, path, "Thanks for reaching out.", "openai", "gpt-4o", 0.002m, 800 + r.Next(3000), t)));
        if (path == "DRAFT_FOR_REVIEW")
        {
            t = t.AddMinutes(5 + r.Next(120));
            if (r.Next(5) == 0)
            {
                events.Add(E(new BenchDraftRejected(id, draft, "tone", t)));
                return new StreamAppend(tenant, $"inbound-{id:D}", "inbound", ExpectedVersion.NoStream, events);
            }
            events.Add(E(new BenchDraftApproved(id, draft, r.Next(3) == 0, r.Next(40), "agent", t)));
        }
        t = t.AddSeconds(1);
        events.Add(E(new BenchReplySent(id, draft, "<m@x>", path == "AUTO_SEND", t)));
        if (path == "AUTO_SEND" && r.Next(10) == 0)
        {
            events.Add(E(new BenchQaVerdict(id, r.Next(20) != 0, "qa", t.AddHours(2))));
        }
        return new StreamAppend(tenant, $"inbound-{id:D}", "inbound", ExpectedVersion.NoStream, events);
    }

    private static IEnumerable<StreamAppend> Outbound(Random r, Guid tenant, DateTimeOffset at)
    {
        var id = Guid.NewGuid();
        var channel = Channels[r.Next(Channels.Length)];
        var t = at.AddMilliseconds(1500 + r.Next(4000));
        var passed = 1 + r.Next(3);
        yield return new StreamAppend(tenant, $"personalization-{id:N}", "personalization", ExpectedVersion.NoStream,
        [
            E(new BenchPersonalizationRequested(id, new BenchRequest(channel, 3), at)),
            E(new BenchModelResponded(1, 1, new BenchModelOutput("openai", "gpt-4o", 0.003m, 1200 + r.Next(3000)), t)),
            E(new BenchVariantsReturned(1, [new("s1", "m1"), new("s2", "m2"), new("s3", "m3")], 1, passed, 3, t)),
            E(new BenchVariantSelected(1, 0, t.AddMinutes(2))),
        ]);
        var sent = t.AddMinutes(3);
        var outbound = new List<EventToAppend> { E(new BenchOutboundSent(id, $"<{id:N}@out>", channel, 0, sent)) };
        if (r.Next(8) == 0)
        {
            outbound.Add(E(new BenchOutboundReply(id, $"<{id:N}@out>", sent.AddHours(5))));
        }
        yield return new StreamAppend(tenant, $"outbound-{id:N}", "outbound", ExpectedVersion.NoStream, outbound);
    }
}
