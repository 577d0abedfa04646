using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace OutreachOS.Triage.Classification;

/// <summary>
/// The JSON Schema (draft 2020-12 subset) of a classification. <see cref="ModelOutput"/> is what a model must answer
/// (owner and classifier are filled in by us); <see cref="Full"/> is the recorded <c>InboundClassification</c>.
/// The strict variant leaves out the range keywords some providers' strict structured output refuses; we still check them.
/// </summary>
internal static class ClassificationSchema
{
    public const string Name = "inbound_classification";

    /// <summary>The longest <c>classifier</c> the recorded classification may name.</summary>
    public const int MaxClassifierLength = 120;

    public static readonly IReadOnlyList<string> KnownFlags =
        [PolicyFlags.PromptInjection, PolicyFlags.Legal, PolicyFlags.PiiSensitive, PolicyFlags.Vip, PolicyFlags.Unsubscribe, PolicyFlags.ClassifierFallback,
            PolicyFlags.RefundOrCancellation, PolicyFlags.PaymentOrAccountChange, PolicyFlags.SecurityReport, PolicyFlags.HostileTone];

    public static JsonObject ModelOutput(IReadOnlyList<string> intents, bool strict) => Build(intents, strict, full: false);

    public static JsonObject Full(IReadOnlyList<string> intents) => Build(intents, strict: false, full: true);

    private static JsonObject Build(IReadOnlyList<string> intents, bool strict, bool full)
    {
        var properties = new JsonObject
        {
            ["intent"] = new JsonObject { ["type"] = "string", ["enum"] = Array(intents) },
            ["urgency"] = new JsonObject { ["type"] = "string", ["enum"] = Array(Policies.TriagePolicy.Urgencies) },
            ["confidence"] = Range(new JsonObject { ["type"] = "number" }, strict, ("minimum", 0), ("maximum", 1)),
            ["policy_flags"] = Range(new JsonObject
            {
                ["type"] = "array",
                ["items"] = new JsonObject { ["type"] = "string", ["enum"] = Array(KnownFlags) },
            }, strict, ("maxItems", 10)),
            ["evidence"] = Range(new JsonObject
            {
                ["type"] = "array",
                ["items"] = Range(new JsonObject { ["type"] = "string" }, strict, ("maxLength", 300)),
            }, strict, ("maxItems", 12)),
        };
        var required = new JsonArray("intent", "urgency", "confidence", "policy_flags", "evidence");
        if (full)
        {
            properties["owner"] = new JsonObject { ["type"] = "string", ["minLength"] = 1.0, ["maxLength"] = 80.0 };
            properties["classifier"] = new JsonObject { ["type"] = "string", ["minLength"] = 1.0, ["maxLength"] = (double)MaxClassifierLength };
            required.Add("owner");
            required.Add("classifier");
        }
        return new JsonObject
        {
            ["$schema"] = "https://json-schema.org/draft/2020-12/schema",
            ["title"] = full ? "InboundClassification" : "InboundClassificationModelOutput",
            ["type"] = "object",
            ["additionalProperties"] = false,
            ["required"] = required,
            ["properties"] = properties,
        };
    }

    private static JsonArray Array(IEnumerable<string> values) => new([.. values.Select(v => (JsonNode?)JsonValue.Create(v))]);

    private static JsonObject Range(JsonObject o, bool strict, params (string Key, double Value)[] keywords)
    {
        if (!strict)
        {
            foreach (var (key, value) in keywords)
            {
                o[key] = value;
            }
        }
        return o;
    }
}

/// <summary>
/// A validator for the JSON Schema keywords our schemas use: type, enum, required, properties, additionalProperties (false),
/// items, minimum, maximum, minLength, maxLength, maxItems. Errors name the JSON path (<c>$.policy_flags[2]</c>).
/// Unknown keywords are ignored, as the specification says; a schema using more needs a validator extension here.
/// </summary>
internal static class SchemaValidator
{
    public static IReadOnlyList<string> Validate(JsonNode schema, JsonElement value)
    {
        var errors = new List<string>();
        Check(schema.AsObject(), value, "$", errors);
        return errors;
    }

    private static void Check(JsonObject schema, JsonElement value, string path, List<string> errors)
    {
        if (schema["type"]?.GetValue<string>() is { } type && !HasType(value, type))
        {
            errors.Add($"{path}: expected {type}, got {value.ValueKind.ToString().ToLowerInvariant()}");
            return;
        }
        if (schema["enum"] is JsonArray allowed && !allowed.Any(a => JsonEquals(a, value)))
        {
            errors.Add($"{path}: {value.GetRawText()} is not one of {allowed.ToJsonString()}");
        }
        switch (value.ValueKind)
        {
            case JsonValueKind.Object:
                var properties = schema["properties"] as JsonObject;
                foreach (var name in (schema["required"] as JsonArray ?? []).Select(r => r!.GetValue<string>()))
                {
                    if (!value.TryGetProperty(name, out _))
                    {
                        errors.Add($"{path}.{name}: is required");
                    }
                }
                foreach (var prop in value.EnumerateObject())
                {
                    if (properties?[prop.Name] is JsonObject sub)
                    {
                        Check(sub, prop.Value, $"{path}.{prop.Name}", errors);
                    }
                    else if (schema["additionalProperties"] is JsonValue ap && ap.GetValue<bool>() == false)
                    {
                        errors.Add($"{path}.{prop.Name}: is not allowed");
                    }
                }
                break;
            case JsonValueKind.Array:
                if (Number(schema, "maxItems") is { } maxItems && value.GetArrayLength() > maxItems)
                {
                    errors.Add($"{path}: has {value.GetArrayLength()} items, at most {maxItems} allowed");
                }
                if (schema["items"] is JsonObject items)
                {
                    var i = 0;
                    foreach (var item in value.EnumerateArray())
                    {
                        Check(items, item, $"{path}[{i++}]", errors);
                    }
                }
                break;
            case JsonValueKind.String:
                var length = value.GetString()!.Length;
                if (Number(schema, "minLength") is { } minLength && length < minLength)
                {
                    errors.Add($"{path}: shorter than {minLength}");
                }
                if (Number(schema, "maxLength") is { } maxLength && length > maxLength)
                {
                    errors.Add($"{path}: longer than {maxLength}");
                }
                break;
            case JsonValueKind.Number:
                var x = value.GetDouble();
                if (Number(schema, "minimum") is { } min && x < min)
                {
                    errors.Add($"{path}: {x.ToString(CultureInfo.InvariantCulture)} is below {min.ToString(CultureInfo.InvariantCulture)}");
                }
                if (Number(schema, "maximum") is { } max && x > max)
                {
                    errors.Add($"{path}: {x.ToString(CultureInfo.InvariantCulture)} is above {max.ToString(CultureInfo.InvariantCulture)}");
                }
                break;
            default:
                break;
        }
    }

    private static double? Number(JsonObject schema, string key) => schema[key] is JsonValue v ? v.GetValue<double>() : null;

    private static bool HasType(JsonElement value, string type) => type switch
    {
        "object" => value.ValueKind == JsonValueKind.Object,
        "array" => value.ValueKind == JsonValueKind.Array,
        "string" => value.ValueKind == JsonValueKind.String,
        "number" => value.ValueKind == JsonValueKind.Number,
        "integer" => value.ValueKind == JsonValueKind.Number && value.TryGetInt64(out _),
        "boolean" => value.ValueKind is JsonValueKind.True or JsonValueKind.False,
        "null" => value.ValueKind == JsonValueKind.Null,
        _ => false,
    };

    private static bool JsonEquals(JsonNode? expected, JsonElement actual) =>
        expected is null ? actual.ValueKind == JsonValueKind.Null : JsonNode.DeepEquals(expected, JsonNode.Parse(actual.GetRawText()));
}
