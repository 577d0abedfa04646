using System.Text.Json;
using System.Text.Json.Serialization;
using OutreachOS.BuildingBlocks.EventStore;
using OutreachOS.BuildingBlocks.Json;

namespace OutreachOS.IntegrationTests.Analytics;

/// <summary>
/// An event appended with a payload written by the test as JSON (the catalogue's shapes), for event names no module
/// registers in the test's store. Each name needs its own CLR type, because the registry maps types to names one to one.
/// </summary>
internal abstract class RawEvent(JsonElement payload)
{
    public JsonElement Payload { get; } = payload;
}

internal sealed class RawEventConverter : JsonConverterFactory
{
    public override bool CanConvert(Type typeToConvert) => typeof(RawEvent).IsAssignableFrom(typeToConvert);

    public override JsonConverter CreateConverter(Type typeToConvert, JsonSerializerOptions options) =>
        (JsonConverter)Activator.CreateInstance(typeof(Converter<>).MakeGenericType(typeToConvert))!;

    private sealed class Converter<T> : JsonConverter<T> where T : RawEvent
    {
        public override T Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
            (T)Activator.CreateInstance(typeof(T), JsonElement.ParseValue(ref reader))!;

        public override void Write(Utf8JsonWriter writer, T value, JsonSerializerOptions options) => value.Payload.WriteTo(writer);
    }
}

#pragma warning disable CA1812 // instantiated by RawEvents.Create through reflection
[EventName("inbound_received.v1"), JsonConverter(typeof(RawEventConverter))] internal sealed class RawInboundReceived(JsonElement p) : RawEvent(p);
[EventName("inbound_filtered.v1"), JsonConverter(typeof(RawEventConverter))] internal sealed class RawInboundFiltered(JsonElement p) : RawEvent(p);
[EventName("inbound_classified.v1"), JsonConverter(typeof(RawEventConverter))] internal sealed class RawInboundClassified(JsonElement p) : RawEvent(p);
[EventName("inbound_decided.v1"), JsonConverter(typeof(RawEventConverter))] internal sealed class RawInboundDecided(JsonElement p) : RawEvent(p);
[EventName("inbound_reply_drafted.v1"), JsonConverter(typeof(RawEventConverter))] internal sealed class RawReplyDrafted(JsonElement p) : RawEvent(p);
[EventName("inbound_path_downgraded.v1"), JsonConverter(typeof(RawEventConverter))] internal sealed class RawPathDowngraded(JsonElement p) : RawEvent(p);
[EventName("inbound_draft_approved.v1"), JsonConverter(typeof(RawEventConverter))] internal sealed class RawDraftApproved(JsonElement p) : RawEvent(p);
[EventName("inbound_draft_rejected.v1"), JsonConverter(typeof(RawEventConverter))] internal sealed class RawDraftRejected(JsonElement p) : RawEvent(p);
[EventName("inbound_reply_sent.v1"), JsonConverter(typeof(RawEventConverter))] internal sealed class RawReplySent(JsonElement p) : RawEvent(p);
[EventName("inbound_assigned.v1"), JsonConverter(typeof(RawEventConverter))] internal sealed class RawAssigned(JsonElement p) : RawEvent(p);
[EventName("inbound_qa_sampled.v1"), JsonConverter(typeof(RawEventConverter))] internal sealed class RawQaSampled(JsonElement p) : RawEvent(p);
[EventName("inbound_qa_verdict.v1"), JsonConverter(typeof(RawEventConverter))] internal sealed class RawQaVerdict(JsonElement p) : RawEvent(p);
[EventName("outbound_sent.v1"), JsonConverter(typeof(RawEventConverter))] internal sealed class RawOutboundSent(JsonElement p) : RawEvent(p);
[EventName("outbound_reply_received.v1"), JsonConverter(typeof(RawEventConverter))] internal sealed class RawOutboundReply(JsonElement p) : RawEvent(p);
[EventName("outbound_meeting_booked.v1"), JsonConverter(typeof(RawEventConverter))] internal sealed class RawMeetingBooked(JsonElement p) : RawEvent(p);
[EventName("personalization_requested.v1"), JsonConverter(typeof(RawEventConverter))] internal sealed class RawPersonalizationRequested(JsonElement p) : RawEvent(p);
[EventName("personalization_model_responded.v1"), JsonConverter(typeof(RawEventConverter))] internal sealed class RawModelResponded(JsonElement p) : RawEvent(p);
[EventName("personalization_retry_requested.v1"), JsonConverter(typeof(RawEventConverter))] internal sealed class RawRetryRequested(JsonElement p) : RawEvent(p);
[EventName("personalization_variants_returned.v1"), JsonConverter(typeof(RawEventConverter))] internal sealed class RawVariantsReturned(JsonElement p) : RawEvent(p);
[EventName("personalization_variant_selected.v1"), JsonConverter(typeof(RawEventConverter))] internal sealed class RawVariantSelected(JsonElement p) : RawEvent(p);
[EventName("personalization_block_overridden.v1"), JsonConverter(typeof(RawEventConverter))] internal sealed class RawBlockOverridden(JsonElement p) : RawEvent(p);
[EventName("credits_settled.v1"), JsonConverter(typeof(RawEventConverter))] internal sealed class RawCreditsSettled(JsonElement p) : RawEvent(p);
[EventName("credit_alert_raised.v1"), JsonConverter(typeof(RawEventConverter))] internal sealed class RawCreditAlert(JsonElement p) : RawEvent(p);
#pragma warning restore CA1812

/// <summary>Builds an appendable event for a catalogue name: the module's registered type when the store knows the name
/// (the full host), else the raw test type above.</summary>
internal static class RawEvents
{
    private static readonly Dictionary<string, Type> ByName = typeof(RawEvent).Assembly.GetTypes()
        .Where(t => t.IsSubclassOf(typeof(RawEvent)))
        .ToDictionary(t => t.GetCustomAttributes(typeof(EventNameAttribute), false).Cast<EventNameAttribute>().Single().Name, StringComparer.Ordinal);

    public static object Create(EventTypeRegistry registry, string name, object payload)
    {
        var json = JsonSerializer.SerializeToElement(payload, OutreachJson.Options);
        if (registry.TypeFor(name) is { } known && !typeof(RawEvent).IsAssignableFrom(known))
        {
            return JsonSerializer.Deserialize(json, known, OutreachJson.Options)!;
        }
        return Activator.CreateInstance(ByName[name], json)!;
    }
}
