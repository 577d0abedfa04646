using System.Text.Json;

namespace OutreachOS.GraphQL;

/// <summary>A GraphQL request (spec 6.1 / GraphQL-over-HTTP): document, operation name, variables, extensions.</summary>
public sealed record GraphQLRequest(
    string? Query,
    string? OperationName = null,
    IReadOnlyDictionary<string, object?>? Variables = null,
    IReadOnlyDictionary<string, object?>? Extensions = null)
{
    /// <summary>Converts a JSON value into the plain CLR shape the executor coerces from: dictionaries, lists, string,
    /// bool, null and numbers (int/long when integral, else decimal when exact, else double).</summary>
    public static object? FromJson(JsonElement element) => element.ValueKind switch
    {
        JsonValueKind.Object => element.EnumerateObject().ToDictionary(p => p.Name, p => FromJson(p.Value), StringComparer.Ordinal),
        JsonValueKind.Array => element.EnumerateArray().Select(FromJson).ToList(),
        JsonValueKind.String => element.GetString(),
        JsonValueKind.True => true,
        JsonValueKind.False => false,
        JsonValueKind.Number => element.TryGetInt32(out var i) ? i
            : element.TryGetInt64(out var l) ? l
            : element.GetRawText().Contains('e', StringComparison.OrdinalIgnoreCase) || !element.TryGetDecimal(out var m) ? element.GetDouble()
            : m,
        _ => null,
    };

    /// <summary>Parses a request body <c>{"query": ..., "operationName": ..., "variables": {...}, "extensions": {...}}</c>.</summary>
    /// <exception cref="FormatException">The JSON is not a valid GraphQL request.</exception>
    public static GraphQLRequest Parse(JsonElement body)
    {
        if (body.ValueKind != JsonValueKind.Object)
        {
            throw new FormatException("The request body must be a JSON object.");
        }

        string? query = null, operationName = null;
        IReadOnlyDictionary<string, object?>? variables = null, extensions = null;
        foreach (var p in body.EnumerateObject())
        {
            switch (p.Name)
            {
                case "query":
                    query = p.Value.ValueKind switch
                    {
                        JsonValueKind.String => p.Value.GetString(),
                        JsonValueKind.Null => null,
                        _ => throw new FormatException("\"query\" must be a string."),
                    };
                    break;
                case "operationName":
                    operationName = p.Value.ValueKind switch
                    {
                        JsonValueKind.String => p.Value.GetString(),
                        JsonValueKind.Null => null,
                        _ => throw new FormatException("\"operationName\" must be a string."),
                    };
                    break;
                case "variables":
                    variables = p.Value.ValueKind switch
                    {
                        JsonValueKind.Object => (IReadOnlyDictionary<string, object?>)FromJson(p.Value)!,
                        JsonValueKind.Null => null,
                        _ => throw new FormatException("\"variables\" must be an object."),
                    };
                    break;
                case "extensions":
                    extensions = p.Value.ValueKind switch
                    {
                        JsonValueKind.Object => (IReadOnlyDictionary<string, object?>)FromJson(p.Value)!,
                        JsonValueKind.Null => null,
                        _ => throw new FormatException("\"extensions\" must be an object."),
                    };
                    break;
            }
        }

        return new GraphQLRequest(query, operationName, variables, extensions);
    }
}
