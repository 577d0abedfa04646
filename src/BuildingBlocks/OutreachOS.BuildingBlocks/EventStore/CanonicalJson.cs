using System.Buffers;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;

namespace OutreachOS.BuildingBlocks.EventStore;

/// <summary>
/// Canonical JSON bytes for hashing: object keys sorted ordinally, no insignificant whitespace, numbers normalised.
/// PostgreSQL's jsonb re-orders keys and re-formats numbers, so the hash must be computed over a form that survives a
/// round trip through jsonb: canonicalising the text that jsonb returns gives the same bytes as at append time.
/// </summary>
/// <remarks>
/// Every event of every request goes through here (and again when a stream is verified), so the walk avoids the
/// allocations a naive one makes: property names are compared as their UTF-8 bytes when they are plain ASCII (the
/// ordinal order is then the same as for the .NET strings), strings are copied from the document without becoming .NET
/// strings, and the work buffers are kept per thread. The canonical form itself is defined by the rules above and is
/// pinned by unit tests against a direct implementation of them.
/// </remarks>
internal static class CanonicalJson
{
    private static readonly JsonWriterOptions WriterOptions = new()
    {
        Indented = false,
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        SkipValidation = false,
    };

    // Work buffers kept per thread; a buffer that grew past this is dropped after use instead of being kept.
    private const int MaxKeptBuffer = 1 << 20;

    [ThreadStatic]
    private static Buffers? _buffers;

    public static byte[] Canonicalize(ReadOnlySpan<byte> utf8Json)
    {
        var reader = new Utf8JsonReader(utf8Json, new JsonReaderOptions { CommentHandling = JsonCommentHandling.Disallow });
        using var doc = JsonDocument.ParseValue(ref reader);
        return Canonicalize(doc.RootElement);
    }

    public static byte[] Canonicalize(string json) => Canonicalize(Encoding.UTF8.GetBytes(json));

    /// <summary>The canonical bytes of <paramref name="value"/> serialised with <paramref name="options"/>.</summary>
    public static byte[] Serialize(object value, Type type, JsonSerializerOptions options)
    {
        var buffers = Rent();
        try
        {
            buffers.SerializerWriter.Reset(buffers.Input);
            JsonSerializer.Serialize(buffers.SerializerWriter, value, type, options);
            buffers.SerializerWriter.Flush();
            // The document refers to the buffer's memory (no copy); it is disposed before the buffer is reused.
            using var doc = JsonDocument.Parse(buffers.Input.WrittenMemory);
            return Write(buffers, doc.RootElement);
        }
        finally
        {
            Return(buffers);
        }
    }

    public static byte[] Canonicalize(JsonElement element)
    {
        var buffers = Rent();
        try
        {
            return Write(buffers, element);
        }
        finally
        {
            Return(buffers);
        }
    }

    private static byte[] Write(Buffers buffers, JsonElement element)
    {
        buffers.CanonicalWriter.Reset(buffers.Output);
        Write(buffers.CanonicalWriter, element);
        buffers.CanonicalWriter.Flush();
        return buffers.Output.WrittenSpan.ToArray();
    }

    /// <summary>This thread's work buffers (the event hash writes its envelope with them too); give them back with <see cref="Return"/>.</summary>
    internal static Buffers Rent()
    {
        // A nested call on the same thread (none today) gets buffers of its own.
        var buffers = _buffers ?? new Buffers();
        _buffers = null;
        return buffers;
    }

    internal static void Return(Buffers buffers)
    {
        if (buffers.Input.Capacity > MaxKeptBuffer || buffers.Output.Capacity > MaxKeptBuffer)
        {
            return;
        }
        buffers.Input.ResetWrittenCount();
        buffers.Output.ResetWrittenCount();
        _buffers = buffers;
    }

    private static void Write(Utf8JsonWriter w, JsonElement e)
    {
        switch (e.ValueKind)
        {
            case JsonValueKind.Object:
                WriteObject(w, e);
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
                WriteString(w, e);
                break;
            case JsonValueKind.Number:
                WriteNumber(w, e);
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

    /// <summary>
    /// Members in ordinal order of their names; of duplicate names (which jsonb collapses to the last one) the last value is
    /// written, once.
    /// </summary>
    private static void WriteObject(Utf8JsonWriter w, JsonElement e)
    {
        var count = 0;
        var plain = true;
        foreach (var p in e.EnumerateObject())
        {
            count++;
            plain &= IsPlainAscii(JsonMarshal.GetRawUtf8PropertyName(p));
        }

        w.WriteStartObject();
        if (count > 0)
        {
            var members = ArrayPool<Member>.Shared.Rent(count);
            try
            {
                var i = 0;
                foreach (var p in e.EnumerateObject())
                {
                    // Names that are plain ASCII (no escapes) order the same as bytes and as UTF-16 strings; others are
                    // compared as the strings they decode to.
                    members[i] = new Member(p, plain ? null : p.Name, i);
                    i++;
                }
                var span = members.AsSpan(0, count);
                if (plain)
                {
                    span.Sort(static (a, b) => CompareRaw(a, b));
                }
                else
                {
                    span.Sort(static (a, b) => string.CompareOrdinal(a.Name, b.Name) is var c && c != 0 ? c : a.Index.CompareTo(b.Index));
                }
                for (var k = 0; k < span.Length; k++)
                {
                    // After a stable sort (ties by position) the last of a run of equal names is the last in the text.
                    if (k + 1 < span.Length && (plain ? RawName(span[k]).SequenceEqual(RawName(span[k + 1])) : span[k].Name == span[k + 1].Name))
                    {
                        continue;
                    }
                    if (plain)
                    {
                        w.WritePropertyName(RawName(span[k]));
                    }
                    else
                    {
                        w.WritePropertyName(span[k].Name!);
                    }
                    Write(w, span[k].Property.Value);
                }
            }
            finally
            {
                ArrayPool<Member>.Shared.Return(members, clearArray: true);
            }
        }
        w.WriteEndObject();
    }

    private static bool IsPlainAscii(ReadOnlySpan<byte> rawName)
    {
        foreach (var b in rawName)
        {
            if (b >= 0x80 || b == (byte)'\\')
            {
                return false;
            }
        }
        return true;
    }

    private static void WriteString(Utf8JsonWriter w, JsonElement e)
    {
        // A NUL can only be in the text as the escape \u0000; jsonb rejects it, so the event cannot be stored.
        var raw = JsonMarshal.GetRawUtf8Value(e);
        if (raw.IndexOf("\\u0000"u8) >= 0 && e.GetString()!.Contains('\0', StringComparison.Ordinal))
        {
            throw new ArgumentException("Event payloads cannot contain the NUL character (PostgreSQL jsonb rejects it).");
        }
        // Unescaped from the document and escaped again by this writer's encoder, without a .NET string in between.
        e.WriteTo(w);
    }

    private static void WriteNumber(Utf8JsonWriter w, JsonElement e)
    {
        var raw = JsonMarshal.GetRawUtf8Value(e);
        if (IsCanonicalInteger(raw))
        {
            w.WriteRawValue(raw, skipInputValidation: true);
            return;
        }
        w.WriteRawValue(NormalizeNumber(e.GetRawText()), skipInputValidation: true);
    }

    /// <summary>An integer that <see cref="NormalizeNumber"/> returns unchanged: 0, or an optional minus, a non-zero digit
    /// and at most 27 more digits (within decimal's 28 significant digits).</summary>
    private static bool IsCanonicalInteger(ReadOnlySpan<byte> raw)
    {
        if (raw.Length == 1 && raw[0] == (byte)'0')
        {
            return true;
        }
        var digits = raw.Length > 0 && raw[0] == (byte)'-' ? raw[1..] : raw;
        if (digits.Length is 0 or > 28 || digits[0] is < (byte)'1' or > (byte)'9')
        {
            return false;
        }
        foreach (var b in digits)
        {
            if (b is < (byte)'0' or > (byte)'9')
            {
                return false;
            }
        }
        return true;
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

    /// <summary>One thread's work buffers: the serialised input, and the canonical output before it is copied out.</summary>
    internal sealed class Buffers
    {
        public ArrayBufferWriter<byte> Input { get; } = new(4096);

        public ArrayBufferWriter<byte> Output { get; } = new(4096);

        public Utf8JsonWriter SerializerWriter { get; }

        public Utf8JsonWriter CanonicalWriter { get; }

        public Buffers()
        {
            // The serialised input is parsed again, so its escaping does not matter; the canonical writer's does.
            SerializerWriter = new Utf8JsonWriter(Input, new JsonWriterOptions { SkipValidation = true });
            CanonicalWriter = new Utf8JsonWriter(Output, WriterOptions);
        }
    }

    private readonly record struct Member(JsonProperty Property, string? Name, int Index);

    private static ReadOnlySpan<byte> RawName(Member m) => JsonMarshal.GetRawUtf8PropertyName(m.Property);

    private static int CompareRaw(Member a, Member b)
    {
        var c = RawName(a).SequenceCompareTo(RawName(b));
        return c != 0 ? c : a.Index.CompareTo(b.Index);
    }
}
