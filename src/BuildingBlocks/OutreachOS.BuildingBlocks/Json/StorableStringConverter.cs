using System.Text.Json;
using System.Text.Json.Serialization;

namespace OutreachOS.BuildingBlocks.Json;

/// <summary>
/// Request bodies' strings, refused when they hold a NUL character, which PostgreSQL's text and jsonb cannot store (the
/// reader already refuses lone surrogates). Thrown as a <see cref="JsonException"/>, the error names the field like any
/// other malformed member (400), where the event serializer or the database would have failed deep inside the request.
/// </summary>
public sealed class StorableStringConverter : JsonConverter<string>
{
    public override string? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        var value = reader.GetString();
        return value is not null && value.Contains('\0', StringComparison.Ordinal)
            ? throw new JsonException("The text must not contain the NUL character (U+0000).")
            : value;
    }

    public override void Write(Utf8JsonWriter writer, string value, JsonSerializerOptions options) => writer.WriteStringValue(value);
}
