using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using OutreachOS.BuildingBlocks.EventStore;
using OutreachOS.BuildingBlocks.Json;

namespace OutreachOS.UnitTests.EventStore;

/// <summary>
/// The canonical JSON form and the event hash are what every stored hash chain was computed over, so the allocation-light
/// implementations must give exactly the bytes of the rules they implement. The rules are written out here directly
/// (the straightforward implementation that was in use before) and compared on generated documents that exercise what
/// differs between them: escapes in names and values, non-ASCII names, duplicate keys, number forms, nesting.
/// </summary>
public sealed class CanonicalFormTests
{
    [Fact]
    public void Canonical_bytes_are_those_of_the_rules_for_generated_documents()
    {
        var random = new Random(20261202);
        for (var i = 0; i < 3000; i++)
        {
            var text = new DocumentGenerator(random).Value(depth: 0);
            var expected = Reference.Canonicalize(Encoding.UTF8.GetBytes(text));
            var actual = CanonicalJson.Canonicalize(Encoding.UTF8.GetBytes(text));
            Assert.True(expected.AsSpan().SequenceEqual(actual), $"document {i}: {text}\nexpected {Encoding.UTF8.GetString(expected)}\nactual   {Encoding.UTF8.GetString(actual)}");
        }
    }

    [Theory]
    [InlineData("""{"b":1,"a":2,"b":3}""", """{"a":2,"b":3}""")]
    [InlineData("""{"\u00e9":1,"z":2,"\u0061":3}""", """{"a":3,"z":2,"é":1}""")]
    [InlineData("""{"n":[1.50,15E-1,-0,100,1e40,0.000]}""", """{"n":[1.5,1.5,0,100,1E+40,0]}""")]
    [InlineData("""{"s":"line\nbreak \"quoted\" \u00e9 \ud83d\ude00 <&>"}""", """{"s":"line\nbreak \"quoted\" é \uD83D\uDE00 <&>"}""")]
    public void Known_documents_have_their_canonical_form(string input, string canonical)
    {
        Assert.Equal(canonical, Encoding.UTF8.GetString(CanonicalJson.Canonicalize(Encoding.UTF8.GetBytes(input))));
        Assert.Equal(canonical, Encoding.UTF8.GetString(Reference.Canonicalize(Encoding.UTF8.GetBytes(input))));
    }

    [Fact]
    public void A_NUL_character_is_refused_but_an_escaped_backslash_before_u0000_is_not_one()
    {
        Assert.Throws<ArgumentException>(() => CanonicalJson.Canonicalize("""{"s":"a\u0000b"}"""u8));
        Assert.Equal("""{"s":"a\\u0000b"}""", Encoding.UTF8.GetString(CanonicalJson.Canonicalize("""{"s":"a\\u0000b"}"""u8)));
    }

    [Fact]
    public void Serialising_an_object_gives_the_canonical_form_of_its_serialisation()
    {
        var random = new Random(7);
        for (var i = 0; i < 300; i++)
        {
            var value = new Sample(
                new DocumentGenerator(random).RawString(),
                random.Next(-1000, 1000) / 100m,
                random.NextDouble() * Math.Pow(10, random.Next(-5, 30)),
                Enumerable.Range(0, random.Next(4)).ToDictionary(k => new DocumentGenerator(random).RawString() + k, _ => new DocumentGenerator(random).RawString()),
                random.Next(2) == 0 ? null : [random.Next(), -random.Next()]);
            var expected = Reference.Canonicalize(JsonSerializer.SerializeToUtf8Bytes(value, OutreachJson.Options));
            Assert.Equal(Encoding.UTF8.GetString(expected), Encoding.UTF8.GetString(CanonicalJson.Serialize(value, typeof(Sample), OutreachJson.Options)));
        }
    }

    [Fact]
    public void The_event_hash_is_sha256_of_the_previous_hash_and_the_canonical_envelope()
    {
        var random = new Random(11);
        byte[]? previous = null;
        for (var i = 0; i < 500; i++)
        {
            var data = Reference.Canonicalize(Encoding.UTF8.GetBytes(new DocumentGenerator(random).Value(0)));
            var metadata = random.Next(3) == 0 ? "{}"u8.ToArray() : Reference.Canonicalize(Encoding.UTF8.GetBytes($$"""{"trace_id":"{{random.Next():x}}"}"""));
            var tenant = Guid.NewGuid();
            var id = Guid.NewGuid();
            var stream = "stream-" + new DocumentGenerator(random).RawString();
            var type = "type_" + random.Next(100) + ".v1";
            var at = new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero).AddTicks(random.NextInt64(0, TimeSpan.TicksPerDay * 3650) / 10 * 10);
            var version = random.NextInt64(1, long.MaxValue);
            var expected = Reference.Hash(previous, tenant, stream, version, type, id, at, data, metadata);
            var actual = EventHash.Compute(previous, tenant, stream, version, type, id, at, data, metadata);
            Assert.Equal(Convert.ToHexString(expected), Convert.ToHexString(actual));
            previous = actual;
        }
    }

    private sealed record Sample(string Text, decimal Amount, double Ratio, Dictionary<string, string> Map, int[]? Numbers);

    /// <summary>JSON texts with the features the canonical form has to handle, escaped in varied ways.</summary>
    private sealed class DocumentGenerator(Random random)
    {
        private static readonly string[] Pieces =
        [
            "a", "b", "z", "A", "_", "0", " ", "é", "ß", "中", "😀", "\n", "\t", "\u0001", "\u001f", "\"", "\\", "/", "<", ">", "&",
            "'", "+", "`", "\u2028", "\u2029", "\ufeff", "\u00a0", "\u007f", "\u0080", "\ud7ff", "\ue000", "\uffff",
        ];

        private static readonly string[] Numbers = ["0", "-0", "1", "-1", "10", "1.50", "15E-1", "1e3", "1E+3", "0.000", "123456789012345678901234567890",
            "1e40", "-2.5e-7", "3.14159265358979323846264338327950288", "9007199254740993", "0.1", "100.0", "12345678901234567890123456789"];

        public string RawString()
        {
            var sb = new StringBuilder();
            for (var i = random.Next(0, 6); i > 0; i--)
            {
                sb.Append(Pieces[random.Next(Pieces.Length)]);
            }
            return sb.ToString();
        }

        /// <summary>A JSON string literal for <paramref name="s"/>: each character raw where JSON allows, or escaped.</summary>
        private string Literal(string s)
        {
            var sb = new StringBuilder("\"");
            for (var i = 0; i < s.Length; i++)
            {
                var c = s[i];
                var pair = char.IsHighSurrogate(c) && i + 1 < s.Length && char.IsLowSurrogate(s[i + 1]);
                var mustEscape = c < 0x20 || c == '"' || c == '\\';
                if (mustEscape || random.Next(4) == 0)
                {
                    sb.Append(c switch
                    {
                        '\n' when random.Next(2) == 0 => "\\n",
                        '"' when random.Next(2) == 0 => "\\\"",
                        '\\' when random.Next(2) == 0 => "\\\\",
                        '/' when random.Next(2) == 0 => "\\/",
                        _ => Escape(c),
                    });
                    if (pair)
                    {
                        // A surrogate pair is escaped as a pair (JSON cannot mix an escaped half with a raw one).
                        sb.Append(Escape(s[++i]));
                    }
                }
                else
                {
                    sb.Append(c);
                    if (pair)
                    {
                        sb.Append(s[++i]);
                    }
                }
            }
            return sb.Append('"').ToString();
        }

        private string Escape(char c) => "\\u" + ((int)c).ToString(random.Next(2) == 0 ? "x4" : "X4", CultureInfo.InvariantCulture);

        public string Value(int depth)
        {
            var kind = depth > 3 ? random.Next(3, 7) : random.Next(7);
            switch (kind)
            {
                case 0:
                case 1:
                    var names = new List<string>();
                    var members = new List<string>();
                    for (var i = random.Next(0, 7); i > 0; i--)
                    {
                        // Plain ASCII names mostly; escaped and non-ASCII ones and duplicates sometimes.
                        var name = random.Next(4) switch
                        {
                            0 when names.Count > 0 => names[random.Next(names.Count)],
                            1 => RawString(),
                            _ => "k" + (char)('a' + random.Next(26)) + random.Next(30),
                        };
                        names.Add(name);
                        members.Add(Literal(name) + (random.Next(3) == 0 ? " : " : ":") + Value(depth + 1));
                    }
                    return "{" + string.Join(random.Next(2) == 0 ? "," : " ,\n ", members) + "}";
                case 2:
                    return "[" + string.Join(",", Enumerable.Range(0, random.Next(0, 5)).Select(_ => Value(depth + 1))) + "]";
                case 3:
                case 4:
                    return Literal(RawString());
                case 5:
                    return Numbers[random.Next(Numbers.Length)];
                default:
                    return random.Next(3) switch { 0 => "true", 1 => "false", _ => "null" };
            }
        }
    }

    /// <summary>The rules, implemented directly (as they were before the allocation-light walk).</summary>
    private static class Reference
    {
        private static readonly JsonWriterOptions WriterOptions = new()
        {
            Indented = false,
            Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        };

        public static byte[] Canonicalize(ReadOnlySpan<byte> utf8Json)
        {
            var reader = new Utf8JsonReader(utf8Json);
            using var doc = JsonDocument.ParseValue(ref reader);
            var buffer = new System.Buffers.ArrayBufferWriter<byte>(256);
            using (var writer = new Utf8JsonWriter(buffer, WriterOptions))
            {
                Write(writer, doc.RootElement);
            }
            return buffer.WrittenSpan.ToArray();
        }

        private static void Write(Utf8JsonWriter w, JsonElement e)
        {
            switch (e.ValueKind)
            {
                case JsonValueKind.Object:
                    w.WriteStartObject();
                    var props = e.EnumerateObject().ToList();
                    props.Sort(static (a, b) => string.CompareOrdinal(a.Name, b.Name));
                    string? previous = null;
                    foreach (var p in props)
                    {
                        if (previous is not null && previous == p.Name)
                        {
                            continue;
                        }
                        previous = p.Name;
                        w.WritePropertyName(p.Name);
                        // jsonb keeps the last of duplicate keys.
                        Write(w, e.EnumerateObject().Last(x => x.NameEquals(p.Name)).Value);
                    }
                    w.WriteEndObject();
                    break;
                case JsonValueKind.Array:
                    w.WriteStartArray();
                    e.EnumerateArray().ToList().ForEach(item => Write(w, item));
                    w.WriteEndArray();
                    break;
                case JsonValueKind.String:
                    w.WriteStringValue(e.GetString());
                    break;
                case JsonValueKind.Number:
                    w.WriteRawValue(CanonicalJson.NormalizeNumber(e.GetRawText()), skipInputValidation: true);
                    break;
                default:
                    // true, false and null are written as they are.
                    e.WriteTo(w);
                    break;
            }
        }

        public static byte[] Hash(byte[]? previous, Guid tenantId, string streamId, long version, string type, Guid eventId,
            DateTimeOffset createdAt, byte[] data, byte[] metadata)
        {
            var buffer = new System.Buffers.ArrayBufferWriter<byte>();
            using (var w = new Utf8JsonWriter(buffer, WriterOptions))
            {
                w.WriteStartObject();
                w.WriteString("created_at", createdAt.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'", CultureInfo.InvariantCulture));
                w.WritePropertyName("data");
                w.WriteRawValue(data, skipInputValidation: true);
                w.WriteString("id", eventId.ToString("D"));
                w.WritePropertyName("metadata");
                w.WriteRawValue(metadata, skipInputValidation: true);
                w.WriteString("stream_id", streamId);
                w.WriteString("tenant_id", tenantId.ToString("D"));
                w.WriteString("type", type);
                w.WriteNumber("version", version);
                w.WriteEndObject();
            }
            using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
            if (previous is not null)
            {
                sha.AppendData(previous);
            }
            sha.AppendData(buffer.WrittenSpan);
            return sha.GetHashAndReset();
        }
    }
}
