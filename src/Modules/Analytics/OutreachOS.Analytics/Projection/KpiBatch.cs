using System.Text.Json;
using OutreachOS.Analytics.Contracts;
using OutreachOS.BuildingBlocks.EventStore;
using OutreachOS.Credits.Contracts;

namespace OutreachOS.Analytics.Projection;

/// <summary>What a later event of a stream needs from the earlier ones (a row of <c>analytics_stream_state</c>).</summary>
internal sealed class StreamState(Guid tenantId, string streamId)
{
    public Guid TenantId { get; } = tenantId;
    public string StreamId { get; } = streamId;
    public string? Intent { get; set; }
    public string? Channel { get; set; }
    public DateOnly? ReceivedDay { get; set; }
    public DateTimeOffset? ReceivedAt { get; set; }
    public DateTimeOffset? ClassifiedAt { get; set; }
    public DateTimeOffset? DecidedAt { get; set; }
    public DateTimeOffset? DraftedAt { get; set; }
    public string? DraftPath { get; set; }
    public DateTimeOffset? RequestedAt { get; set; }
    public bool Sent { get; set; }
    public bool Returned { get; set; }

    /// <summary>The sends of this outbound stream (their Message-IDs) that a reply has answered: each counts once.</summary>
    public HashSet<string> RepliedSends { get; init; } = new(StringComparer.Ordinal);
}

internal enum InboundCounter
{
    Received, Filtered, AutoSent, Drafted, ApprovedUnchanged, ApprovedEdited, Rejected, Human, QaSampled, QaVerdicts, QaCorrect,
}

internal enum OutboundCounter
{
    Requests, Variants, FirstPassPassed, FirstPassChecked, Retries, Selections, Overrides, Sends, Replies, Meetings,
}

/// <summary>Deltas of one daily row: integer counters (indexed by a counter enum) and a cost.</summary>
internal sealed class Counters(int size)
{
    public int[] Values { get; } = new int[size];
    public decimal CostUsd { get; set; }
}

internal sealed class CreditDelta
{
    public int Consumed { get; set; }
    public int? Allowance { get; set; }
    public List<string> Alerts { get; } = [];
}

/// <summary>
/// Folds one batch of events into in-memory deltas (pure: no I/O), which <see cref="KpiWriter"/> then adds to the tables in
/// the subscription's transaction. Days are UTC days of the event's own time (<c>at</c>, <c>accepted_at</c>, ...), credit
/// events' kept inside the month of their ledger stream (<see cref="LedgerDay"/>).
/// </summary>
internal sealed class KpiBatch(IReadOnlyDictionary<(Guid, string), StreamState> loaded)
{
    public const string ModuleTriage = "triage";
    public const string ModuleRespond = "respond";
    public const string ModuleGeneration = "generation";
    public const string DefaultChannel = "EMAIL";

    private readonly Dictionary<(Guid, string), StreamState> _states = new(loaded);

    public HashSet<(Guid, string)> Dirty { get; } = [];
    public Dictionary<(Guid Tenant, DateOnly Day, string Intent), Counters> Inbound { get; } = [];
    public Dictionary<(Guid Tenant, DateOnly Day, string Channel), Counters> Outbound { get; } = [];
    public Dictionary<(Guid Tenant, DateOnly Day, string Module, string Model), (int Calls, decimal Cost)> Models { get; } = [];
    public Dictionary<(Guid Tenant, DateOnly Day, string Series, short Bucket), int> Latency { get; } = [];
    public Dictionary<(Guid Tenant, DateOnly Day), CreditDelta> Credits { get; } = [];

    public IEnumerable<StreamState> DirtyStates => Dirty.Select(k => _states[k]);

    /// <summary>Event types the projection reads; the stream state is needed for those of inbound/outbound streams.</summary>
    public static bool Handles(string eventType) => eventType switch
    {
        "credits_settled.v1" or "credit_alert_raised.v1" => true,
        _ => NeedsState(eventType),
    };

    public static bool NeedsState(string eventType) => eventType switch
    {
        "personalization_requested.v1" or "personalization_model_responded.v1" or "personalization_model_call_failed.v2" or "personalization_replay_performed.v1" or "personalization_replay_performed.v2"
            or "personalization_variants_returned.v1"
            or "personalization_retry_requested.v1" or "personalization_variant_selected.v1" or "personalization_block_overridden.v1" => true,
        _ => eventType.StartsWith("inbound_", StringComparison.Ordinal) || eventType.StartsWith("outbound_", StringComparison.Ordinal),
    };

    public void Apply(StoredEvent e)
    {
        if (!Handles(e.EventType))
        {
            return;
        }
        using var doc = JsonDocument.Parse(e.Json);
        var p = new Payload(doc.RootElement);
        var at = p.Time("at") ?? e.CreatedAt;
        var t = e.TenantId;
        if (e.EventType is "credits_settled.v1")
        {
            Credit(t, LedgerDay(e.StreamId, at)).Consumed += p.Int("used");
            return;
        }
        if (e.EventType is "credit_alert_raised.v1")
        {
            var c = Credit(t, LedgerDay(e.StreamId, at));
            c.Alerts.Add(p.String("level") ?? "UNKNOWN");
            if (p.Int("allowance") is > 0 and var allowance)
            {
                c.Allowance = allowance; // a missing field must not read as an allowance of 0
            }
            return;
        }
        var s = State(t, e.StreamId);
        switch (e.EventType)
        {
            case "inbound_received.v1":
                at = p.Time("accepted_at") ?? e.CreatedAt;
                s.ReceivedAt = at;
                s.ReceivedDay = Day(at);
                In(t, at, s.Intent).Values[(int)InboundCounter.Received]++;
                break;
            case "inbound_filtered.v1":
                In(t, at, s.Intent).Values[(int)InboundCounter.Filtered]++;
                break;
            case "inbound_classified.v1":
            {
                SetIntent(s, p.Object("classification")?.String("intent"));
                s.ClassifiedAt ??= at;
                Stage(t, at, KpiStages.IngestToClassified, s.ReceivedAt);
                var cost = p.Decimal("cost_usd");
                In(t, at, s.Intent).CostUsd += cost;
                ModelCall(t, at, ModuleTriage, p.String("model"), cost, p.Double("latency_ms"));
                break;
            }
            case "inbound_decided.v1":
                at = p.Time("decided_at") ?? e.CreatedAt;
                SetIntent(s, p.Object("classification")?.String("intent"));
                s.DecidedAt ??= at;
                Stage(t, at, KpiStages.ClassifiedToDecided, s.ClassifiedAt);
                if (p.Object("decision")?.String("path") == "HUMAN")
                {
                    In(t, at, s.Intent).Values[(int)InboundCounter.Human]++;
                }
                break;
            case "inbound_reply_drafted.v1":
            {
                var path = p.String("path");
                s.DraftedAt = at;
                s.DraftPath = path;
                var row = In(t, at, s.Intent);
                if (path == "DRAFT_FOR_REVIEW")
                {
                    row.Values[(int)InboundCounter.Drafted]++;
                }
                var cost = p.Decimal("cost_usd");
                row.CostUsd += cost;
                // A draft from a template alone names no model: no model was called, so there is no call to count.
                if (p.String("model") is { } model)
                {
                    ModelCall(t, at, ModuleRespond, model, cost, p.Double("latency_ms"));
                }
                break;
            }
            case "inbound_path_downgraded.v1":
            {
                var to = p.String("to");
                // An AUTO_SEND draft that a guardrail sends to review becomes a draft for review now (once).
                if (to == "DRAFT_FOR_REVIEW" && s.DraftPath == "AUTO_SEND")
                {
                    In(t, at, s.Intent).Values[(int)InboundCounter.Drafted]++;
                    s.DraftPath = to;
                }
                else if (to == "HUMAN")
                {
                    In(t, at, s.Intent).Values[(int)InboundCounter.Human]++;
                }
                break;
            }
            case "inbound_draft_approved.v1":
                In(t, at, s.Intent).Values[(int)(p.Bool("edited") ? InboundCounter.ApprovedEdited : InboundCounter.ApprovedUnchanged)]++;
                Stage(t, at, KpiStages.DraftedToApproved, s.DraftedAt);
                break;
            case "inbound_draft_rejected.v1":
                In(t, at, s.Intent).Values[(int)InboundCounter.Rejected]++;
                break;
            case "inbound_reply_sent.v1":
                if (p.Bool("auto"))
                {
                    In(t, at, s.Intent).Values[(int)InboundCounter.AutoSent]++;
                }
                if (!s.Sent)
                {
                    Stage(t, at, KpiStages.DecidedToSent, s.DecidedAt);
                    s.Sent = true;
                }
                break;
            case "inbound_qa_sampled.v1":
                In(t, at, s.Intent).Values[(int)InboundCounter.QaSampled]++;
                break;
            case "inbound_qa_verdict.v1":
            {
                var row = In(t, at, s.Intent);
                row.Values[(int)InboundCounter.QaVerdicts]++;
                if (p.Bool("correct"))
                {
                    row.Values[(int)InboundCounter.QaCorrect]++;
                }
                break;
            }
            case "personalization_requested.v1":
                s.Channel = p.Object("request")?.String("channel") ?? DefaultChannel;
                s.RequestedAt ??= at;
                Out(t, at, s).Values[(int)OutboundCounter.Requests]++;
                break;
            case "personalization_model_responded.v1":
            {
                var output = p.Object("output");
                var cost = output?.Decimal("cost_usd") ?? 0m;
                Out(t, at, s).CostUsd += cost;
                ModelCall(t, at, ModuleGeneration, output?.String("model"), cost, output?.Double("latency_ms"));
                break;
            }
            case "personalization_model_call_failed.v2": // v1 recorded no billed tokens
            {
                // Only a billed answer that could not be used (a refusal) costs anything; a call that got nothing back is not a call.
                var cost = p.Decimal("cost_usd");
                if (cost > 0m || p.Int("input_tokens") > 0 || p.Int("output_tokens") > 0)
                {
                    Out(t, at, s).CostUsd += cost;
                    ModelCall(t, at, ModuleGeneration, p.String("model"), cost, null);
                }
                break;
            }
            case "personalization_replay_performed.v1" or "personalization_replay_performed.v2":
            {
                // A replay calls the model again (an audit tool, but a billed call): its cost counts like any other.
                var replay = p.Object("replay");
                var output = replay?.Object("output");
                var cost = output?.Decimal("cost_usd") ?? replay?.Decimal("failure_cost_usd") ?? 0m;
                if (output is not null || cost > 0m)
                {
                    Out(t, at, s).CostUsd += cost;
                    ModelCall(t, at, ModuleGeneration, output?.String("model") ?? replay?.String("requested_model"), cost, output?.Double("latency_ms"));
                }
                break;
            }
            case "personalization_variants_returned.v1":
            {
                var row = Out(t, at, s);
                row.Values[(int)OutboundCounter.Variants] += p.ArrayLength("variants");
                row.Values[(int)OutboundCounter.FirstPassPassed] += p.Int("first_attempt_passed");
                row.Values[(int)OutboundCounter.FirstPassChecked] += p.Int("first_attempt_checked");
                if (!s.Returned)
                {
                    Stage(t, at, KpiStages.PersonalizeTotal, s.RequestedAt);
                    s.Returned = true;
                }
                break;
            }
            case "personalization_retry_requested.v1":
                Out(t, at, s).Values[(int)OutboundCounter.Retries]++;
                break;
            case "personalization_variant_selected.v1":
                Out(t, at, s).Values[(int)OutboundCounter.Selections]++;
                break;
            case "personalization_block_overridden.v1":
                Out(t, at, s).Values[(int)OutboundCounter.Overrides]++;
                break;
            case "outbound_sent.v1":
                s.Channel = p.String("channel")?.ToUpperInvariant() ?? s.Channel;
                Out(t, at, s).Values[(int)OutboundCounter.Sends]++;
                break;
            case "outbound_reply_received.v1":
                // A send is answered once, however many messages the lead writes in its thread: replyRate stays a share
                // of sends (ADR 0014 addendum). A reply that names no send (older events) counts as its own.
                if (s.RepliedSends.Add(p.String("message_id") ?? e.EventId.ToString("N")))
                {
                    Out(t, at, s).Values[(int)OutboundCounter.Replies]++;
                }
                break;
            case "outbound_meeting_booked.v1":
                at = p.Time("at") ?? p.Time("booked_at") ?? e.CreatedAt;
                Out(t, at, s).Values[(int)OutboundCounter.Meetings]++;
                break;
            default:
                return; // an inbound_/outbound_ event that no KPI reads: the state is unchanged
        }
        Dirty.Add((t, e.StreamId));
    }

    public static DateOnly Day(DateTimeOffset at) => DateOnly.FromDateTime(at.UtcDateTime);

    /// <summary>
    /// The day a credit ledger event counts on: its own UTC day, clamped into the month of its ledger stream
    /// (<c>credits-yyyy-MM</c>). The ledger charges a reservation to the month it was made in, so a reservation made on
    /// Nov 30 and settled on Dec 1 is settled on November's stream with a December time; booked on that day it would
    /// leave November's usage short and take December's balance down, and the trend would disagree with the ledger
    /// (<c>GET /credits</c>, GraphQL <c>credits</c>). It lands on the month's last day rather than on the reservation's
    /// day because the stream id alone says the month: no reservation state to keep, a rebuild gives the same rows, and the
    /// month's days still add up to what the ledger charged it. A credit event on any other stream keeps its own day.
    /// </summary>
    public static DateOnly LedgerDay(string streamId, DateTimeOffset at)
    {
        var day = Day(at);
        if (!CreditStreams.TryFirstDayOf(streamId, out var first))
        {
            return day;
        }
        var last = first.AddMonths(1).AddDays(-1);
        return day < first ? first : day > last ? last : day;
    }

    private StreamState State(Guid tenant, string streamId)
    {
        if (!_states.TryGetValue((tenant, streamId), out var s))
        {
            s = new StreamState(tenant, streamId);
            _states[(tenant, streamId)] = s;
        }
        return s;
    }

    /// <summary>
    /// The first known intent of a message. Its "received" count, booked under '' (unknown) on arrival, moves to the intent
    /// so that an intent filter shows received/auto-rate for that intent; filtered messages stay under ''.
    /// </summary>
    private void SetIntent(StreamState s, string? intent)
    {
        if (s.Intent is not null || string.IsNullOrEmpty(intent))
        {
            return;
        }
        s.Intent = intent;
        if (s.ReceivedDay is { } day)
        {
            Row(Inbound, (s.TenantId, day, ""), 11).Values[(int)InboundCounter.Received]--;
            Row(Inbound, (s.TenantId, day, intent), 11).Values[(int)InboundCounter.Received]++;
        }
    }

    private Counters In(Guid tenant, DateTimeOffset at, string? intent) => Row(Inbound, (tenant, Day(at), intent ?? ""), 11);

    private Counters Out(Guid tenant, DateTimeOffset at, StreamState s) => Row(Outbound, (tenant, Day(at), s.Channel ?? DefaultChannel), 10);

    private static Counters Row<TKey>(Dictionary<TKey, Counters> map, TKey key, int size) where TKey : notnull
    {
        if (!map.TryGetValue(key, out var row))
        {
            row = new Counters(size);
            map[key] = row;
        }
        return row;
    }

    private CreditDelta Credit(Guid tenant, DateOnly day)
    {
        if (!Credits.TryGetValue((tenant, day), out var c))
        {
            c = new CreditDelta();
            Credits[(tenant, day)] = c;
        }
        return c;
    }

    private void Stage(Guid tenant, DateTimeOffset end, string stage, DateTimeOffset? start)
    {
        if (start is { } s && end >= s)
        {
            Sample(tenant, Day(end), "stage:" + stage, (end - s).TotalMilliseconds);
        }
    }

    private void ModelCall(Guid tenant, DateTimeOffset at, string module, string? model, decimal cost, double? latencyMs)
    {
        model ??= "unknown";
        var key = (tenant, Day(at), module, model);
        Models[key] = Models.TryGetValue(key, out var m) ? (m.Calls + 1, m.Cost + cost) : (1, cost);
        if (latencyMs is { } ms)
        {
            Sample(tenant, Day(at), $"model:{module}:{model}", ms);
        }
    }

    private void Sample(Guid tenant, DateOnly day, string series, double ms)
    {
        var key = (tenant, day, series, LatencyHistogram.BucketOf(ms));
        Latency[key] = Latency.GetValueOrDefault(key) + 1;
    }
}
