using System.Collections;
using System.Globalization;
using System.Text;

namespace OutreachOS.GraphQL.Tests.Schemas;

/// <summary>Null propagation and input coercion corner cases; Python/nulls.graphql + conformance.py hold the twin.</summary>
internal static class NullsSchema
{
    public static GraphQLSchema Instance { get; } = new SchemaBuilder()
        .Enum("Color", e => e.Value("RED").Value("GREEN"))
        .InputObject("EchoInput", t => t
            .Field("name", "String!")
            .Field("size", "Int", a => a.Default(3))
            .Field("tags", "[String!]")
            .Field("color", "Color", a => a.Default("GREEN"))
            .Field("nested", "EchoInput"))
        .Object("Item", t => t
            .Field("value", "String")
            .Field("nonNullValue", "String!")
            .Field("fail", "String", Fail)
            .Field("nonNullFail", "String!", Fail)
            .Field("child", "Item")
            .Field("nonNullChild", "Item!")
            .Field("children", "[Item!]")
            .Field("nullableChildren", "[Item]"))
        .Query(t => t
            .Field("nullable", "Item", _ => Item(2))
            .Field("nonNull", "Item!", _ => Item(2, broken: true))
            .Field("items", "[Item!]", _ => new[] { Item(1), Item(1, broken: true), Item(1) })
            .Field("itemsNullable", "[Item]", _ => new[] { Item(1), null, Item(1, broken: true) })
            .Field("echo", "String", ctx => new ValueTask<object?>(Dump(ctx.Arguments)), f => f
                .Argument("input", "EchoInput").Argument("list", "[Int!]").Argument("color", "Color").Argument("id", "ID")))
        .Build();

    private static ValueTask<object?> Fail(ResolveContext<object> _) => throw new GraphQLException("fail");

    private static Dictionary<string, object?>? Item(int depth, bool broken = false) => depth < 0
        ? null
        : new Dictionary<string, object?>
        {
            ["value"] = $"v{depth}",
            ["nonNullValue"] = broken ? null : $"n{depth}",
            ["child"] = Item(depth - 1),
            ["nonNullChild"] = broken ? null : Item(depth - 1),
            ["children"] = depth > 0 ? new[] { Item(depth - 1), Item(depth - 1, broken: true) } : [],
            ["nullableChildren"] = depth > 0 ? new[] { Item(depth - 1), null } : [],
        };

    /// <summary>Same text as Python's json.dumps(value, sort_keys=True, separators=(",", ":")) for these values.</summary>
    private static string Dump(object? value)
    {
        var sb = new StringBuilder();
        Write(value);
        return sb.ToString();

        void Write(object? v)
        {
            switch (v)
            {
                case null: sb.Append("null"); break;
                case string s: WriteString(s); break;
                case bool b: sb.Append(b ? "true" : "false"); break;
                case int i: sb.Append(i.ToString(CultureInfo.InvariantCulture)); break;
                case IEnumerable<KeyValuePair<string, object?>> map:
                    sb.Append('{');
                    var first = true;
                    foreach (var (k, item) in map.OrderBy(p => p.Key, StringComparer.Ordinal))
                    {
                        sb.Append(first ? string.Empty : ",").Append(System.Text.Json.JsonSerializer.Serialize(k)).Append(':');
                        Write(item);
                        first = false;
                    }

                    sb.Append('}');
                    break;
                case IEnumerable list:
                    sb.Append('[');
                    var firstItem = true;
                    foreach (var item in list)
                    {
                        sb.Append(firstItem ? string.Empty : ",");
                        Write(item);
                        firstItem = false;
                    }

                    sb.Append(']');
                    break;
                default: sb.Append(Convert.ToString(v, CultureInfo.InvariantCulture)); break;
            }
        }

        // json.dumps with ensure_ascii: \" \\ \n \r \t \b \f, other controls and all non-ASCII as lower-case \uXXXX.
        void WriteString(string s)
        {
            sb.Append('"');
            foreach (var c in s)
            {
                sb.Append(c switch
                {
                    '"' => "\\\"",
                    '\\' => "\\\\",
                    '\n' => "\\n",
                    '\r' => "\\r",
                    '\t' => "\\t",
                    '\b' => "\\b",
                    '\f' => "\\f",
                    < ' ' or > '~' => "\\u" + ((int)c).ToString("x4", CultureInfo.InvariantCulture),
                    _ => c.ToString(),
                });
            }

            sb.Append('"');
        }
    }
}
