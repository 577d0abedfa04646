using System.Globalization;
using OutreachOS.GraphQL.Language;

namespace OutreachOS.GraphQL;

/// <summary>A leaf type. The built-in ones live in <see cref="Scalars"/>.</summary>
public sealed class ScalarType : NamedType
{
    internal ScalarType(string name, string? description, string? specifiedByUrl, Func<object, object> serialize,
        Func<object, object> parseValue, Func<ValueNode, object> parseLiteral)
        : base(name, description)
    {
        SpecifiedByUrl = specifiedByUrl;
        Serialize = serialize;
        ParseValue = parseValue;
        ParseLiteral = parseLiteral;
    }

    public string? SpecifiedByUrl { get; }

    // Each delegate throws CoercionException with a graphql-js style message on invalid input.
    internal Func<object, object> Serialize { get; }

    internal Func<object, object> ParseValue { get; }

    internal Func<ValueNode, object> ParseLiteral { get; }
}

internal sealed class CoercionException(string message) : Exception(message);

/// <summary>The specified scalars plus <c>DateTime</c> (ISO-8601, RFC 3339) and <c>Decimal</c>.</summary>
public static class Scalars
{
    public static ScalarType Int { get; } = new(
        "Int",
        "The `Int` scalar type represents non-fractional signed whole numeric values. Int can represent values between -(2^31) and 2^31 - 1.",
        null,
        SerializeInt,
        ParseIntValue,
        node =>
        {
            if (node is not IntValueNode i)
            {
                throw new CoercionException($"Int cannot represent non-integer value: {Printer.Print(node)}");
            }

            if (!int.TryParse(i.Value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var n))
            {
                throw new CoercionException($"Int cannot represent non 32-bit signed integer value: {i.Value}");
            }

            return n;
        });

    public static ScalarType Float { get; } = new(
        "Float",
        "The `Float` scalar type represents signed double-precision fractional values as specified by [IEEE 754](https://en.wikipedia.org/wiki/IEEE_floating_point).",
        null,
        SerializeFloat,
        value => Numeric.ToDouble(value) is { } d && double.IsFinite(d)
            ? d
            : throw new CoercionException($"Float cannot represent non numeric value: {Inspector.Inspect(value)}"),
        node => node switch
        {
            IntValueNode i => double.Parse(i.Value, CultureInfo.InvariantCulture),
            FloatValueNode f => double.Parse(f.Value, CultureInfo.InvariantCulture),
            _ => throw new CoercionException($"Float cannot represent non numeric value: {Printer.Print(node)}"),
        });

    public static ScalarType String { get; } = new(
        "String",
        "The `String` scalar type represents textual data, represented as UTF-8 character sequences. The String type is most often used by GraphQL to represent free-form human-readable text.",
        null,
        SerializeString,
        value => value as string ?? throw new CoercionException($"String cannot represent a non string value: {Inspector.Inspect(value)}"),
        node => node is StringValueNode s
            ? s.Value
            : throw new CoercionException($"String cannot represent a non string value: {Printer.Print(node)}"));

    public static ScalarType Boolean { get; } = new(
        "Boolean",
        "The `Boolean` scalar type represents `true` or `false`.",
        null,
        value => value switch
        {
            bool b => b,
            _ when Numeric.ToDouble(value) is { } d && double.IsFinite(d) => d != 0,
            _ => throw new CoercionException($"Boolean cannot represent a non boolean value: {Inspector.Inspect(value)}"),
        },
        value => value is bool b ? b : throw new CoercionException($"Boolean cannot represent a non boolean value: {Inspector.Inspect(value)}"),
        node => node is BooleanValueNode b
            ? b.Value
            : throw new CoercionException($"Boolean cannot represent a non boolean value: {Printer.Print(node)}"));

    public static ScalarType ID { get; } = new(
        "ID",
        "The `ID` scalar type represents a unique identifier, often used to refetch an object or as key for a cache. The ID type appears in a JSON response as a String; however, it is not intended to be human-readable. When expected as an input type, any string (such as `\"4\"`) or integer (such as `4`) input value will be accepted as an ID.",
        null,
        value => value switch
        {
            string s => s,
            Guid g => g.ToString(),
            _ when Numeric.IsIntegral(value) => Convert.ToString(value, CultureInfo.InvariantCulture)!,
            _ => throw new CoercionException($"ID cannot represent value: {Inspector.Inspect(value)}"),
        },
        value => value switch
        {
            string s => s,
            _ when Numeric.ToIntegral(value) is { } l => l.ToString(CultureInfo.InvariantCulture),
            _ => throw new CoercionException($"ID cannot represent value: {Inspector.Inspect(value)}"),
        },
        node => node switch
        {
            StringValueNode s => s.Value,
            IntValueNode i => i.Value,
            _ => throw new CoercionException($"ID cannot represent a non-string and non-integer value: {Printer.Print(node)}"),
        });

    public static ScalarType DateTime { get; } = new(
        "DateTime",
        "A date-time string at UTC or with an offset, such as 2007-12-03T10:15:30Z, compliant with the `date-time` format of RFC 3339 (ISO-8601).",
        "https://scalars.graphql.org/andimarek/date-time",
        value => value switch
        {
            DateTimeOffset d => d.ToString("yyyy-MM-dd'T'HH:mm:ss.FFFFFFFzzz", CultureInfo.InvariantCulture).Replace("+00:00", "Z", StringComparison.Ordinal),
            System.DateTime d => (d.Kind == DateTimeKind.Unspecified ? System.DateTime.SpecifyKind(d, DateTimeKind.Utc) : d)
                .ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss.FFFFFFF'Z'", CultureInfo.InvariantCulture),
            _ => throw new CoercionException($"DateTime cannot represent value: {Inspector.Inspect(value)}"),
        },
        value => value is string s
            ? ParseDateTime(s) ?? throw new CoercionException($"DateTime cannot represent an invalid date-time string: {Inspector.Inspect(value)}")
            : throw new CoercionException($"DateTime cannot represent a non string value: {Inspector.Inspect(value)}"),
        node => node is StringValueNode s
            ? ParseDateTime(s.Value) ?? throw new CoercionException($"DateTime cannot represent an invalid date-time string: {Printer.Print(node)}")
            : throw new CoercionException($"DateTime cannot represent a non string value: {Printer.Print(node)}"));

    public static ScalarType Decimal { get; } = new(
        "Decimal",
        "A decimal number with up to 28 significant digits, serialized as a JSON number; accepted as a number or a numeric string.",
        null,
        value => Numeric.ToDecimal(value) ?? throw new CoercionException($"Decimal cannot represent value: {Inspector.Inspect(value)}"),
        value => value is string s
            ? ParseDecimal(s) ?? throw new CoercionException($"Decimal cannot represent value: {Inspector.Inspect(value)}")
            : Numeric.ToDecimal(value) ?? throw new CoercionException($"Decimal cannot represent value: {Inspector.Inspect(value)}"),
        node => node switch
        {
            IntValueNode i => ParseDecimal(i.Value) ?? throw new CoercionException($"Decimal cannot represent value: {i.Value}"),
            FloatValueNode f => ParseDecimal(f.Value) ?? throw new CoercionException($"Decimal cannot represent value: {f.Value}"),
            StringValueNode s => ParseDecimal(s.Value) ?? throw new CoercionException($"Decimal cannot represent value: {Printer.Print(node)}"),
            _ => throw new CoercionException($"Decimal cannot represent value: {Printer.Print(node)}"),
        });

    internal static IReadOnlyList<ScalarType> Specified { get; } = [String, Int, Float, Boolean, ID];

    internal static IReadOnlyList<ScalarType> All { get; } = [String, Int, Float, Boolean, ID, DateTime, Decimal];

    private static object SerializeInt(object value)
    {
        if (value is bool b)
        {
            return b ? 1 : 0;
        }

        if (Numeric.ToDouble(value) is not { } d || !double.IsFinite(d) || Math.Floor(d) != d)
        {
            throw new CoercionException($"Int cannot represent non-integer value: {Inspector.Inspect(value)}");
        }

        if (d > int.MaxValue || d < int.MinValue)
        {
            throw new CoercionException($"Int cannot represent non 32-bit signed integer value: {Inspector.Inspect(value)}");
        }

        return (int)d;
    }

    private static object ParseIntValue(object value)
    {
        if (Numeric.ToDouble(value) is not { } d || !double.IsFinite(d) || Math.Floor(d) != d)
        {
            throw new CoercionException($"Int cannot represent non-integer value: {Inspector.Inspect(value)}");
        }

        if (d > int.MaxValue || d < int.MinValue)
        {
            throw new CoercionException($"Int cannot represent non 32-bit signed integer value: {Inspector.Inspect(value)}");
        }

        return (int)d;
    }

    private static object SerializeFloat(object value)
    {
        if (value is bool b)
        {
            return b ? 1d : 0d;
        }

        if (Numeric.ToDouble(value) is { } d && double.IsFinite(d))
        {
            return d;
        }

        throw new CoercionException($"Float cannot represent non numeric value: {Inspector.Inspect(value)}");
    }

    private static object SerializeString(object value) => value switch
    {
        string s => s,
        bool b => b ? "true" : "false",
        char c => c.ToString(),
        Guid g => g.ToString(),
        Enum e => e.ToString(),
        _ when Numeric.ToDouble(value) is { } d && double.IsFinite(d) => Convert.ToString(value, CultureInfo.InvariantCulture)!,
        _ => throw new CoercionException($"String cannot represent value: {Inspector.Inspect(value)}"),
    };

    private static DateTimeOffset? ParseDateTime(string s)
    {
        // RFC 3339 requires a date, a time and an offset (or Z).
        if (s.Length < 20 || s[10] is not ('T' or 't') || !(s.EndsWith('Z') || s.EndsWith('z') || s[^6] is '+' or '-'))
        {
            return null;
        }

        return DateTimeOffset.TryParse(s, CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind, out var d) ? d : null;
    }

    private static decimal? ParseDecimal(string s) =>
        decimal.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out var d) ? d : null;
}

internal static class Numeric
{
    public static bool IsIntegral(object value) =>
        value is int or long or short or byte or sbyte or uint or ulong or ushort;

    public static long? ToIntegral(object value) => value switch
    {
        int or long or short or byte or sbyte or uint or ushort => Convert.ToInt64(value, CultureInfo.InvariantCulture),
        double d when double.IsFinite(d) && Math.Floor(d) == d && Math.Abs(d) < 9e15 => (long)d,
        decimal m when decimal.Floor(m) == m && Math.Abs(m) < 9e15m => (long)m,
        _ => null,
    };

    public static double? ToDouble(object value) => value switch
    {
        int or long or short or byte or sbyte or uint or ulong or ushort or float or double or decimal =>
            Convert.ToDouble(value, CultureInfo.InvariantCulture),
        _ => null,
    };

    public static decimal? ToDecimal(object value)
    {
        try
        {
            return value switch
            {
                decimal m => m,
                int or long or short or byte or sbyte or uint or ulong or ushort => Convert.ToDecimal(value, CultureInfo.InvariantCulture),
                double d when double.IsFinite(d) => (decimal)d,
                float f when float.IsFinite(f) => (decimal)f,
                _ => null,
            };
        }
        catch (OverflowException)
        {
            return null;
        }
    }
}
