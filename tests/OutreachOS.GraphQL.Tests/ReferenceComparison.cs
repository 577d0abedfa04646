using System.Text.Json;
using System.Text.RegularExpressions;
using OutreachOS.GraphQL.Language;
using OutreachOS.GraphQL.Validation;

namespace OutreachOS.GraphQL.Tests;

/// <summary>How our results and graphql-core's (from Python/conformance.py) are put side by side: each error as
/// "message @ line:column,..." (plus " path=[...]" for execution), with wording that differs only as a Python-ism
/// normalised on both sides, and data as canonical JSON text. Shared by the fixed corpora and the randomised tests.</summary>
internal static partial class ReferenceComparison
{
    /// <summary>Validation errors (syntax error included) reported by conformance.py, sorted.</summary>
    public static List<string> TheirValidationErrors(JsonElement reference) => reference.GetProperty("errors").EnumerateArray()
        .Select(e => Describe(Normalize(e.GetProperty("message").GetString()!), Locations(e)))
        .Order(StringComparer.Ordinal).ToList();

    /// <summary>Our syntax error, or our validation errors, sorted.</summary>
    public static List<string> OurValidationErrors(GraphQLSchema schema, string document)
    {
        try
        {
            var doc = Parser.Parse(document);
            return Validator.Validate(schema, doc)
                .Select(e => Describe(Normalize(e.Message), (e.Locations ?? []).Select(l => (l.Line, l.Column))))
                .Order(StringComparer.Ordinal).ToList();
        }
        catch (GraphQLSyntaxException e)
        {
            return [Describe(Normalize(e.Message), [(e.Location.Line, e.Location.Column)])];
        }
    }

    /// <summary>The errors of an execution result from conformance.py, in response order.</summary>
    public static List<string> TheirExecutionErrors(JsonElement reference) => reference.TryGetProperty("errors", out var errors)
        ? errors.EnumerateArray().Select(e => Describe(Normalize(e.GetProperty("message").GetString()!), Locations(e))
            + " path=" + e.GetProperty("path").GetRawText().Replace(" ", string.Empty, StringComparison.Ordinal)).ToList()
        : [];

    /// <summary>The errors of our execution result, in response order.</summary>
    public static List<string> OurExecutionErrors(ExecutionResult result) => result.Errors
        .Select(e => Describe(Normalize(e.Message), (e.Locations ?? []).Select(l => (l.Line, l.Column)))
            + " path=" + (e.Path is null ? "null" : JsonSerializer.Serialize(e.Path))).ToList();

    /// <summary>The "data" of our response as canonical JSON, or "&lt;absent&gt;".</summary>
    public static string OurData(ExecutionResult result) =>
        JsonDocument.Parse(result.ToJson()).RootElement.TryGetProperty("data", out var data) ? CanonicalJson(data.GetRawText()) : "<absent>";

    public static string Describe(string message, IEnumerable<(int Line, int Column)> locations) =>
        message + " @ " + string.Join(",", locations.Select(l => $"{l.Line}:{l.Column}"));

    // Wording differences that are Python-isms, not semantics: graphql-core quotes names with ' where graphql-js uses ",
    // prints directive locations by value ("fragment definition" vs FRAGMENT_DEFINITION), inspects values with repr()
    // (None, {'a': 1}) and says "mapping" for object. Applied to both sides.
    public static string Normalize(string message)
    {
        var m = InvalidValue().Replace(message.Replace('\'', '"'), "got invalid value <value>$2");
        m = m.Replace("to be a mapping", "to be an object", StringComparison.Ordinal)
            .Replace("not to be None", "not to be null", StringComparison.Ordinal);
        return DirectiveLocation().Replace(m, x => "may not be used on " + x.Groups[1].Value.ToUpperInvariant().Replace(' ', '_') + ".");
    }

    public static string CanonicalJson(string json) =>
        json == "<absent>" ? json : JsonSerializer.Serialize(JsonDocument.Parse(json).RootElement);

    private static IEnumerable<(int Line, int Column)> Locations(JsonElement error) =>
        error.GetProperty("locations").EnumerateArray().Select(l => (l[0].GetInt32(), l[1].GetInt32()));

    [GeneratedRegex("got invalid value (.*?)(; | at \")")]
    private static partial Regex InvalidValue();

    [GeneratedRegex("may not be used on ([a-z ]+)\\.$")]
    private static partial Regex DirectiveLocation();
}
