using System.Globalization;
using System.Text;
using System.Text.Json;

namespace OutreachOS.BuildingBlocks.EventStore;

/// <summary>
/// Canonical JSON bytes for hashing: object keys sorted ordinally, no insignificant whitespace, numbers normalised.
/// PostgreSQL's jsonb re-orders keys and re-formats numbers, so the hash must be computed over a form that survives a
/// round trip through jsonb: canonicalising the text that jsonb returns gives the same bytes as at append time.
/// </summary>
internal static class CanonicalJson
{
    private static readonly JsonWriterOptions WriterOptions = new()
    {
        Indented = false,
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        SkipValidation = false,
    };

    public static byte[] Canonicalize(ReadOnlySpan<byte> utf8Json)
    {
        var reader = new Utf8JsonReader(utf8Json, new JsonReaderOptions { CommentHandling = JsonCommentHandling.Disallow });
        using var doc = JsonDocument.ParseValue(ref reader);
        return Canonicalize(doc.RootElement);
    }

    public static byte[] Canonicalize(string json) => Canonicalize(Encoding.UTF8.GetBytes(json));

    public static byte[] Canonicalize(JsonElement element)
    {
        var buffer = new System.Buffers.ArrayBufferWriter<byte>(256);
        using (var writer = new Utf8JsonWriter(buffer, WriterOptions))
        {
            Write(writer, element);
        }
        return buffer.WrittenSpan.ToArray();
    }

    private static void Write(Utf8JsonWriter w, JsonElement e)
    {
        switch (e.ValueKind)
        {
            case JsonValueKind.Object:
                w.WriteStartObject();
                var props = new List<JsonProperty>();
                foreach (var p in e.EnumerateObject())
                {
                    props.Add(p);
                }
                props.Sort(static (a, b) => string.CompareOrdinal(a.Name, b.Name));
                string? previous = null;
                foreach (var p in props)
                {
                    // jsonb keeps the last of duplicate keys; canonical form must agree.
                    if (previous is not null && previous == p.Name)
                    {
                        continue;
                    }
                    previous = p.Name;
                    w.WritePropertyName(p.Name);
                    Write(w, LastValue(e, p.Name, p.Value));
                }
                w.WriteEndObject();
                break;
            case JsonValueKind.Array:
                w.WriteStartArray();
                foreach (var item in e.EnumerateArray())
                {
                    Write(w, item);
                }
                w.WriteEndArray();
                break;
            case JsonValueKind.String:
                var s = e.GetString()!;
                if (s.Contains('\0', StringComparison.Ordinal))
                {
                    throw new ArgumentException("Event payloads cannot contain the NUL character (PostgreSQL jsonb rejects it).");
                }
                w.WriteStringValue(s);
                break;
            case JsonValueKind.Number:
                w.WriteRawValue(NormalizeNumber(e.GetRawText()), skipInputValidation: true);
                break;
            case JsonValueKind.True:
                w.WriteBooleanValue(true);
                break;
            case JsonValueKind.False:
                w.WriteBooleanValue(false);
                break;
            default:
                w.WriteNullValue();
                break;
        }
    }

    private static JsonElement LastValue(JsonElement obj, string name, JsonElement first)
    {
        var last = first;
        foreach (var p in obj.EnumerateObject())
        {
            if (p.NameEquals(name))
            {
                last = p.Value;
            }
        }
        return last;
    }

    internal static string NormalizeNumber(string raw)
    {
        if (decimal.TryParse(raw, NumberStyles.Float, CultureInfo.InvariantCulture, out var d))
        {
            // Strip trailing zeros of the scale: 1.50 and 1.5 and 15E-1 are one number.
            var normalized = d / 1.0000000000000000000000000000m;
            return normalized.ToString(CultureInfo.InvariantCulture);
        }
        if (double.TryParse(raw, NumberStyles.Float, CultureInfo.InvariantCulture, out var x))
        {
            return x.ToString("R", CultureInfo.InvariantCulture);
        }
        return raw;
    }
}
