using System.Text.Json;
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

    public static string Reason(JsonException error, Type? bodyType, string field)
    {
        var message = error.Message;
        if (message.StartsWith("The JSON property '", StringComparison.Ordinal) && message.Contains("could not be mapped", StringComparison.Ordinal))
        {
            return "is not a field of this request";
        }

        if (!message.StartsWith(NotConverted, StringComparison.Ordinal))
        {
            var cut = message.IndexOf(" Path:", StringComparison.Ordinal);
            return cut > 0 ? message[..cut] : message;
        }

        var type = FieldType(bodyType, field);
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
