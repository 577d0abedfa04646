using System.Collections;
using System.Globalization;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace OutreachOS.GraphQL;

/// <summary>The response map of spec 7.1: <c>data</c> (absent when the request failed before execution), <c>errors</c>, <c>extensions</c>.</summary>
public sealed class ExecutionResult
{
    public bool HasData { get; init; }

    /// <summary>The result tree: ordered dictionaries, lists and JSON scalars. Null when execution bubbled null to the root.</summary>
    public IReadOnlyDictionary<string, object?>? Data { get; init; }

    public IReadOnlyList<GraphQLError> Errors { get; init; } = [];

    public IDictionary<string, object?>? Extensions { get; init; }

    internal static ExecutionResult Failed(IReadOnlyList<GraphQLError> errors) => new() { Errors = errors };

    public void WriteTo(Utf8JsonWriter writer)
    {
        ArgumentNullException.ThrowIfNull(writer);
        writer.WriteStartObject();
        if (Errors.Count > 0)
        {
            writer.WritePropertyName("errors");
            writer.WriteStartArray();
            foreach (var e in Errors)
            {
                writer.WriteStartObject();
                writer.WriteString("message", e.Message);
                if (e.Locations is { Count: > 0 } locs)
                {
                    writer.WritePropertyName("locations");
                    writer.WriteStartArray();
                    foreach (var l in locs)
                    {
                        writer.WriteStartObject();
                        writer.WriteNumber("line", l.Line);
                        writer.WriteNumber("column", l.Column);
                        writer.WriteEndObject();
                    }

                    writer.WriteEndArray();
                }

                if (e.Path is { } path)
                {
                    writer.WritePropertyName("path");
                    WriteValue(writer, path);
                }

                if (e.Extensions is { Count: > 0 } ext)
                {
                    writer.WritePropertyName("extensions");
                    WriteValue(writer, ext);
                }

                writer.WriteEndObject();
            }

            writer.WriteEndArray();
        }

        if (HasData)
        {
            writer.WritePropertyName("data");
            WriteValue(writer, Data);
        }

        if (Extensions is { Count: > 0 })
        {
            writer.WritePropertyName("extensions");
            WriteValue(writer, Extensions);
        }

        writer.WriteEndObject();
    }

    // Responses are JSON documents, never inlined into HTML, so only what JSON requires is escaped ("+" stays "+").
    internal static readonly JsonWriterOptions WriterOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public string ToJson(bool indented = false)
    {
        using var stream = new MemoryStream();
        using (var writer = new Utf8JsonWriter(stream, WriterOptions with { Indented = indented }))
        {
            WriteTo(writer);
        }

        return System.Text.Encoding.UTF8.GetString(stream.ToArray());
    }

    internal static void WriteValue(Utf8JsonWriter writer, object? value)
    {
        switch (value)
        {
            case null: writer.WriteNullValue(); break;
            case string s: writer.WriteStringValue(s); break;
            case bool b: writer.WriteBooleanValue(b); break;
            case int i: writer.WriteNumberValue(i); break;
            case long l: writer.WriteNumberValue(l); break;
            case double d: writer.WriteNumberValue(d); break;
            case float f: writer.WriteNumberValue(f); break;
            case decimal m: writer.WriteNumberValue(m); break;
            case JsonElement je: je.WriteTo(writer); break;
            case IEnumerable<KeyValuePair<string, object?>> map:
                writer.WriteStartObject();
                foreach (var (k, v) in map)
                {
                    writer.WritePropertyName(k);
                    WriteValue(writer, v);
                }

                writer.WriteEndObject();
                break;
            case IEnumerable list:
                writer.WriteStartArray();
                foreach (var item in list)
                {
                    WriteValue(writer, item);
                }

                writer.WriteEndArray();
                break;
            case IFormattable fmt when Numeric.ToDouble(value) is not null:
                writer.WriteRawValue(fmt.ToString(null, CultureInfo.InvariantCulture));
                break;
            default:
                writer.WriteStringValue(Convert.ToString(value, CultureInfo.InvariantCulture));
                break;
        }
    }
}
