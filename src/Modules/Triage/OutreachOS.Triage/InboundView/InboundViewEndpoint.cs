using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using OutreachOS.BuildingBlocks.EventStore;
using OutreachOS.BuildingBlocks.Web;
using OutreachOS.Ingestion.Contracts;
using OutreachOS.Triage.Pii;

namespace OutreachOS.Triage.InboundView;

/// <summary>
/// <c>GET /inbound/{inbound_id}</c>: the audit view of one message, folded from its verified stream by event type name over
/// the raw JSON, so the response paths' events (another part of the module) appear without this code referencing their types.
/// </summary>
internal static class InboundViewEndpoint
{
    public static void Map(IEndpointRouteBuilder app)
    {
        app.MapGet("/inbound/{inboundId:guid}", async (Guid inboundId, HttpContext http, IEventStore store, CancellationToken ct) =>
        {
            var stream = await store.ReadVerifiedAsync(http.GetTenantId(), InboundStreams.StreamId(inboundId), ct);
            return stream is null || stream.Info.StreamType != InboundStreams.StreamType
                ? Problems.NotFound($"Inbound message {inboundId}")
                : Results.Json(Fold(inboundId, stream), BuildingBlocks.Json.OutreachJson.Options);
        }).WithTags("Triage").WithSummary("One inbound message: message, filter, classification, redactions, decision, drafts, sends, events with hashes");
    }

    internal static JsonObject Fold(Guid inboundId, VerifiedStream stream)
    {
        var status = "RECEIVED";
        JsonNode? message = null, filter = null, classification = null, decision = null, assignment = null;
        JsonObject? redactions = null;
        var drafts = new JsonArray();
        var senderSuppressed = false;
        var sends = new JsonArray();
        var qa = new JsonArray();
        var crm = new JsonArray();
        var events = new JsonArray();
        foreach (var e in stream.Events)
        {
            var data = JsonNode.Parse(e.Json) as JsonObject ?? [];
            switch (e.EventType)
            {
                case "inbound_received.v1":
                    message = data["message"]?.DeepClone();
                    break;
                case "inbound_filtered.v1":
                    filter = Without(data, "inbound_id");
                    status = "FILTERED";
                    break;
                case "inbound_pii_redacted.v1":
                case "inbound_pii_redacted.v2":
                    // v1 did not count names and addresses: they show as 0, so every message has the same keys.
                    redactions = data["counts"] is JsonObject counts ? Counts((key, _) => counts[key] is JsonValue v ? v.GetValue<int>() : 0) : null;
                    break;
                case "inbound_classified.v1":
                    classification = Without(data, "inbound_id");
                    status = "CLASSIFIED";
                    break;
                case "inbound_decided.v1":
                    decision = data["decision"]?.DeepClone();
                    message ??= data["message"]?.DeepClone();
                    redactions ??= CountsFromMap(data["redactions"] as JsonObject);
                    // The placeholder map holds the original values; the view shows placeholders only.
                    if (data["redactions"] is JsonObject map)
                    {
                        data["redactions"] = new JsonArray([.. map.Select(kv => (JsonNode?)JsonValue.Create(kv.Key))]);
                    }
                    status = "DECIDED";
                    break;
                case "inbound_reply_drafted.v1":
                    var draft = Without(data, "inbound_id");
                    draft["status"] = "PENDING";
                    drafts.Add(draft);
                    status = "DRAFTED";
                    break;
                case "inbound_path_downgraded.v1":
                    if (decision is JsonObject d)
                    {
                        d["downgraded"] = Without(data, "inbound_id");
                        d["path"] = data["to"]?.DeepClone();
                    }
                    break;
                case "inbound_draft_approved.v1":
                    UpdateDraft(drafts, data, "APPROVED");
                    status = "APPROVED";
                    break;
                case "inbound_draft_rejected.v1":
                    UpdateDraft(drafts, data, "REJECTED");
                    status = "REJECTED";
                    break;
                case "inbound_reply_sent.v1":
                    sends.Add(Without(data, "inbound_id"));
                    status = "SENT";
                    break;
                case "inbound_send_skipped.v1":
                    var skipped = Without(data, "inbound_id");
                    skipped["skipped"] = true;
                    sends.Add(skipped);
                    status = "SEND_SKIPPED";
                    break;
                case "inbound_assigned.v1":
                    assignment = Without(data, "inbound_id");
                    status = "ASSIGNED";
                    break;
                case "inbound_qa_sampled.v1":
                case "inbound_qa_verdict.v1":
                    var q = Without(data, "inbound_id");
                    q["type"] = e.EventType;
                    qa.Add(q);
                    break;
                case "inbound_crm_logged.v1":
                    crm.Add(Without(data, "inbound_id"));
                    break;
                case "inbound_sender_suppressed.v1":
                    senderSuppressed = true;
                    break;
                default:
                    break;
            }
            events.Add(new JsonObject
            {
                ["version"] = e.Version,
                ["type"] = e.EventType,
                ["at"] = e.CreatedAt,
                ["hash"] = e.HashHex,
                ["data"] = data,
            });
        }
        return new JsonObject
        {
            ["inbound_id"] = inboundId,
            ["status"] = status,
            ["message"] = message,
            ["filter"] = filter,
            ["classification"] = classification,
            ["redactions"] = redactions ?? Counts((_, _) => 0),
            ["decision"] = decision,
            ["drafts"] = drafts,
            ["sends"] = sends,
            ["assignment"] = assignment,
            ["qa"] = qa,
            ["crm"] = crm,
            ["sender_suppressed"] = senderSuppressed,
            ["chain"] = new JsonObject
            {
                ["valid"] = stream.Verification.Valid,
                ["events_checked"] = stream.Verification.EventsChecked,
                ["events_erased"] = stream.Verification.EventsErased,
                ["first_broken_version"] = stream.Verification.FirstBrokenVersion,
            },
            ["events"] = events,
        };
    }

    private static JsonObject Without(JsonObject data, string key)
    {
        var copy = (JsonObject)data.DeepClone();
        copy.Remove(key);
        return copy;
    }

    private static void UpdateDraft(JsonArray drafts, JsonObject data, string status)
    {
        var id = data["draft_id"]?.ToString();
        foreach (var d in drafts.OfType<JsonObject>())
        {
            if (d["draft_id"]?.ToString() == id)
            {
                d["status"] = status;
                foreach (var key in new[] { "edited", "original_text", "final_text", "edit_distance", "approved_by", "reason", "rejected_by" })
                {
                    if (data[key] is { } v)
                    {
                        d[key] = v.DeepClone();
                    }
                }
            }
        }
    }

    private static JsonObject? CountsFromMap(JsonObject? map)
    {
        if (map is null || map.Count == 0)
        {
            return null;
        }
        return Counts((_, kind) => map.Count(kv => kv.Key.StartsWith($"[{kind}_", StringComparison.Ordinal)));
    }

    // The view's redaction counts: one key per placeholder kind, in this order, for every message.
    private static readonly (string Key, string Kind)[] CountKeys =
        [("email", "EMAIL"), ("phone", "PHONE"), ("card", "CARD"), ("iban", "IBAN"), ("ssn", "SSN"), ("name", PiiRedactor.NameKind), ("address", PiiRedactor.AddressKind)];

    private static JsonObject Counts(Func<string, string, int> count) =>
        new(CountKeys.Select(k => KeyValuePair.Create(k.Key, (JsonNode?)JsonValue.Create(count(k.Key, k.Kind)))));
}
