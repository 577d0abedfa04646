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
    /// <exception cref="FormatException">An object has the same property twice (JSON allows it to be parsed; a dictionary
    /// cannot hold it, and picking one silently would run the request with a value the client may not have meant).</exception>
    public static object? FromJson(JsonElement element) => FromJson(element, "a JSON object");

    /// <summary>Reads the request's <c>variables</c> (or <c>extensions</c>) object, naming the variable when a key repeats.</summary>
    /// <exception cref="FormatException">A key appears twice, at any depth.</exception>
    internal static IReadOnlyDictionary<string, object?> MemberFromJson(JsonElement obj, string member) => member == "variables"
        ? ObjectFromJson(obj, name => $"variable \"${name}\"", name => $"Variable \"${name}\" is given more than once in \"variables\".")
        : ObjectFromJson(obj, name => $"\"{member}.{name}\"", name => $"\"{name}\" is given more than once in \"{member}\".");

    private static object? FromJson(JsonElement element, string where) => element.ValueKind switch
    {
        JsonValueKind.Object => ObjectFromJson(element, _ => where, name => $"Property \"{name}\" is given more than once in {where}."),
        JsonValueKind.Array => element.EnumerateArray().Select(e => FromJson(e, where)).ToList(),
        JsonValueKind.String => element.GetString(),
        JsonValueKind.True => true,
        JsonValueKind.False => false,
        JsonValueKind.Number => element.TryGetInt32(out var i) ? i
            : element.TryGetInt64(out var l) ? l
            : element.GetRawText().Contains('e', StringComparison.OrdinalIgnoreCase) || !element.TryGetDecimal(out var m) ? element.GetDouble()
            : m,
        _ => null,
    };

    /// <summary>One object's members; <paramref name="within"/> names where a member's value sits (for errors inside it),
    /// <paramref name="repeated"/> is the error for a member given twice.</summary>
    private static Dictionary<string, object?> ObjectFromJson(JsonElement element, Func<string, string> within, Func<string, string> repeated)
    {
        var result = new Dictionary<string, object?>(StringComparer.Ordinal);
        foreach (var p in element.EnumerateObject())
        {
            if (!result.TryAdd(p.Name, FromJson(p.Value, within(p.Name))))
            {
                throw new FormatException(repeated(p.Name));
            }
        }

        return result;
    }

    /// <summary>Parses a request body <c>{"query": ..., "operationName": ..., "variables": {...}, "extensions": {...}}</c>.</summary>
    /// <exception cref="FormatException">The JSON is not a valid GraphQL request (including a member repeated in the body,
    /// or a key repeated in <c>variables</c> or <c>extensions</c>).</exception>
    public static GraphQLRequest Parse(JsonElement body)
    {
        if (body.ValueKind != JsonValueKind.Object)
        {
            throw new FormatException("The request body must be a JSON object.");
        }

        string? query = null, operationName = null;
        IReadOnlyDictionary<string, object?>? variables = null, extensions = null;
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var p in body.EnumerateObject())
        {
            // A repeated member ({"query": a, "query": b}) is as ambiguous as a repeated variable: refuse it, never pick one.
            if (!seen.Add(p.Name))
            {
                throw new FormatException($"\"{p.Name}\" is given more than once in the request.");
            }
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
                        JsonValueKind.Object => MemberFromJson(p.Value, "variables"),
                        JsonValueKind.Null => null,
                        _ => throw new FormatException("\"variables\" must be an object."),
                    };
                    break;
                case "extensions":
                    extensions = p.Value.ValueKind switch
                    {
                        JsonValueKind.Object => MemberFromJson(p.Value, "extensions"),
                        JsonValueKind.Null => null,
                        _ => throw new FormatException("\"extensions\" must be an object."),
                    };
                    break;
            }
        }

        return new GraphQLRequest(query, operationName, variables, extensions);
    }
}
