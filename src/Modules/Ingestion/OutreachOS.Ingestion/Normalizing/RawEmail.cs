using System.Text.Json;
using System.Text.Json.Serialization;

namespace OutreachOS.Ingestion.Normalizing;

/// <summary>
/// A message as a client or a mailbox adapter hands it over, before validation and normalization: the body of
/// <c>POST /ingest/email</c>, and what the Graph and Gmail adapters produce from their APIs.
/// </summary>
internal sealed record RawEmail(
    string? MessageId,
    string? ThreadId,
    RawAddress? From,
    IReadOnlyList<RawAddress>? To,
    IReadOnlyList<RawAddress>? Cc,
    string? Subject,
    string? Text,
    string? Html,
    IReadOnlyDictionary<string, string>? Headers,
    DateTimeOffset? ReceivedAt,
    string? InReplyTo,
    IReadOnlyList<string>? References);

/// <summary>An address as sent: <c>{"email","name"}</c>, or a plain string (<c>a@b.com</c>, <c>Name &lt;a@b.com&gt;</c>,
/// <c>a@b.com (Name)</c>).</summary>
[JsonConverter(typeof(RawAddressConverter))]
internal sealed record RawAddress(string? Email, string? Name)
{
    /// <summary>One address (<see cref="AddressHeader"/>); anything else (none, several, a group) is kept as written, for
    /// validation to name.</summary>
    public static RawAddress Parse(string value) =>
        AddressHeader.Parse(value) is [var one] ? one : new RawAddress(value.Trim(), null);
}

internal sealed class RawAddressConverter : JsonConverter<RawAddress>
{
    public override RawAddress? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        switch (reader.TokenType)
        {
            case JsonTokenType.Null:
                return null;
            case JsonTokenType.String:
                return RawAddress.Parse(reader.GetString()!);
            case JsonTokenType.StartObject:
                string? email = null, name = null;
                while (reader.Read() && reader.TokenType != JsonTokenType.EndObject)
                {
                    var property = reader.GetString();
                    reader.Read();
                    var value = reader.TokenType switch
                    {
                        JsonTokenType.String => reader.GetString(),
                        JsonTokenType.Null => null,
                        _ => throw new JsonException($"'{property}' must be a string."),
                    };
                    switch (property)
                    {
                        case "email":
                            email = value;
                            break;
                        case "name":
                            name = value;
                            break;
                        default:
                            throw new JsonException($"Unknown property '{property}' in an address (expected email, name).");
                    }
                }
                return new RawAddress(email, name);
            default:
                throw new JsonException("An address must be an object {\"email\",\"name\"} or a string.");
        }
    }

    public override void Write(Utf8JsonWriter writer, RawAddress value, JsonSerializerOptions options)
    {
        writer.WriteStartObject();
        writer.WriteString("email", value.Email);
        writer.WriteString("name", value.Name);
        writer.WriteEndObject();
    }
}
