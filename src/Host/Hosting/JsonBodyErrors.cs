using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;
using OutreachOS.BuildingBlocks.Json;

namespace OutreachOS.Host.Hosting;

/// <summary>
/// Says in the API's own terms why a request body did not bind. System.Text.Json reports "The JSON value could not be
/// converted to OutreachOS.Generation.Contracts.PersonalizeRequest." for <c>"channel": "FAX"</c>, and names .NET members
/// for an unknown field; the field's type, found by walking the body type along the error's path, gives the reason a
/// client can act on ("must be one of EMAIL, LINKEDIN, SMS").
/// </summary>
internal static class JsonBodyErrors
{
    private const string NotConverted = "The JSON value could not be converted to ";

    /// <summary>Errors listed for one body at most: a client sending thousands of bad values gets the first ones.</summary>
    private const int MaxErrors = 50;

    public static string Reason(JsonException error, Type? bodyType, string field) => Reason(error, FieldType(bodyType, field));

    /// <summary>
    /// Every value of <paramref name="body"/> that does not bind to <paramref name="bodyType"/> under
    /// <paramref name="options"/> (the endpoint's own: converters, naming, number handling, unknown fields), in document
    /// order, at most 50. System.Text.Json stops at the first; a client fixing a body needs all of them at once. Leaf values
    /// are checked by the serializer itself, so what is reported is exactly what it refuses.
    /// </summary>
    public static List<(string Field, string Reason)> All(JsonElement body, Type bodyType, JsonSerializerOptions options)
    {
        var errors = new List<(string, string)>();
        Walk(body, bodyType, "", options, errors, depth: 0);
        return errors;
    }

    private static void Walk(JsonElement value, Type type, string path, JsonSerializerOptions options, List<(string, string)> errors, int depth)
    {
        if (errors.Count >= MaxErrors || depth > 64)
        {
            return;
        }
        var field = path.Length == 0 ? "body" : path;
        var info = options.GetTypeInfo(type);
        switch (info.Kind)
        {
            case JsonTypeInfoKind.Object when value.ValueKind == JsonValueKind.Object:
                var unknownIsError = (info.UnmappedMemberHandling ?? options.UnmappedMemberHandling) == JsonUnmappedMemberHandling.Disallow;
                var comparison = options.PropertyNameCaseInsensitive ? StringComparison.OrdinalIgnoreCase : StringComparison.Ordinal;
                foreach (var member in value.EnumerateObject())
                {
                    var child = path.Length == 0 ? member.Name : $"{path}.{member.Name}";
                    if (info.Properties.FirstOrDefault(p => string.Equals(p.Name, member.Name, comparison)) is { } property)
                    {
                        Walk(member.Value, property.PropertyType, child, options, errors, depth + 1);
                    }
                    else if (unknownIsError && errors.Count < MaxErrors)
                    {
                        errors.Add((child, "is not a field of this request"));
                    }
                }
                return;
            case JsonTypeInfoKind.Enumerable when value.ValueKind == JsonValueKind.Array && info.ElementType is { } element:
                var i = 0;
                foreach (var item in value.EnumerateArray())
                {
                    Walk(item, element, $"{path}[{i++}]", options, errors, depth + 1);
                }
                return;
            case JsonTypeInfoKind.Dictionary when value.ValueKind == JsonValueKind.Object && info.ElementType is { } entry:
                foreach (var member in value.EnumerateObject())
                {
                    Walk(member.Value, entry, path.Length == 0 ? member.Name : $"{path}.{member.Name}", options, errors, depth + 1);
                }
                return;
            case JsonTypeInfoKind.Object or JsonTypeInfoKind.Enumerable or JsonTypeInfoKind.Dictionary when value.ValueKind == JsonValueKind.Null:
                return; // bound as null: the endpoint's validation says whether it is required
            default:
                // A leaf (or a container of the wrong shape): the serializer's own answer for this value alone.
                try
                {
                    _ = value.Deserialize(type, options);
                }
                catch (JsonException e)
                {
                    errors.Add((field, Reason(e, type)));
                }
                catch (NotSupportedException)
                {
                    errors.Add((field, Reason(null, type)));
                }
                return;
        }
    }

    private static string Reason(JsonException? error, Type? type)
    {
        var message = error?.Message ?? NotConverted;
        if (message.StartsWith("The JSON property '", StringComparison.Ordinal) && message.Contains("could not be mapped", StringComparison.Ordinal))
        {
            return "is not a field of this request";
        }

        if (!message.StartsWith(NotConverted, StringComparison.Ordinal))
        {
            var cut = message.IndexOf(" Path:", StringComparison.Ordinal);
            return cut > 0 ? message[..cut] : message;
        }

        type = type is null ? null : Nullable.GetUnderlyingType(type) ?? type;
        return type switch
        {
            null => "has a value of the wrong type",
            // Each value as the API's own converter writes it.
            { IsEnum: true } => $"must be one of {string.Join(", ", Enum.GetValues(type).Cast<object>().Select(v => JsonSerializer.Serialize(v, type, OutreachJson.Options).Trim('"')))}",
            _ when type == typeof(string) => "must be a string",
            _ when type == typeof(bool) => "must be true or false",
            _ when type == typeof(int) || type == typeof(long) || type == typeof(short) => "must be a whole number",
            _ when type == typeof(decimal) || type == typeof(double) || type == typeof(float) => "must be a number",
            _ when type == typeof(Guid) => "must be a UUID",
            _ when type == typeof(DateTimeOffset) || type == typeof(DateTime) => "must be a date-time (ISO 8601)",
            _ when ElementType(type) is not null => "must be an array",
            _ => "must be an object",
        };
    }

    /// <summary>The type of <paramref name="field"/> ("lead.first_name", "company_context.keywords[2]") in <paramref name="bodyType"/>; null when unknown.</summary>
    internal static Type? FieldType(Type? bodyType, string field)
    {
        var type = bodyType;
        if (type is null || field == "body")
        {
            return type;
        }

        foreach (var segment in field.Split('.'))
        {
            var bracket = segment.IndexOf('[', StringComparison.Ordinal);
            var name = bracket < 0 ? segment : segment[..bracket];
            if (name.Length > 0)
            {
                // The API's own serializer metadata names the properties (naming policy and attributes included).
                type = Nullable.GetUnderlyingType(type!) ?? type;
                type = OutreachJson.Options.GetTypeInfo(type!).Properties.FirstOrDefault(p => p.Name == name)?.PropertyType;
            }

            for (var i = bracket; i >= 0 && type is not null; i = segment.IndexOf('[', i + 1))
            {
                type = ElementType(type);
            }

            if (type is null)
            {
                return null;
            }
        }

        return type;
    }

    private static Type? ElementType(Type type) =>
        type == typeof(string) ? null
        : type.IsArray ? type.GetElementType()
        : type.GetInterfaces().Append(type).FirstOrDefault(i => i.IsGenericType && i.GetGenericTypeDefinition() == typeof(IEnumerable<>))?.GetGenericArguments()[0];
}
