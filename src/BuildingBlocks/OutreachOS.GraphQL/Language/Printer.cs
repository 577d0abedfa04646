using System.Globalization;
using System.Text;

namespace OutreachOS.GraphQL.Language;

/// <summary>Prints value and type literals the way graphql-js's print() does (used in messages and defaultValue).</summary>
internal static class Printer
{
    public static string Print(TypeNode type) => type switch
    {
        NamedTypeNode n => n.Name.Value,
        ListTypeNode l => $"[{Print(l.Type)}]",
        NonNullTypeNode nn => $"{Print(nn.Type)}!",
        _ => throw new ArgumentOutOfRangeException(nameof(type)),
    };

    public static string Print(ValueNode value)
    {
        var sb = new StringBuilder();
        Append(sb, value, sortFields: false);
        return sb.ToString();
    }

    /// <summary>Print with object fields sorted by name: used to compare arguments for field merging.</summary>
    public static string PrintSorted(ValueNode value)
    {
        var sb = new StringBuilder();
        Append(sb, value, sortFields: true);
        return sb.ToString();
    }

    private static void Append(StringBuilder sb, ValueNode value, bool sortFields)
    {
        switch (value)
        {
            case VariableNode v: sb.Append('$').Append(v.Name.Value); break;
            case IntValueNode i: sb.Append(i.Value); break;
            case FloatValueNode f: sb.Append(f.Value); break;
            case StringValueNode s: sb.Append(s.Block ? PrintBlockString(s.Value) : PrintString(s.Value)); break;
            case BooleanValueNode b: sb.Append(b.Value ? "true" : "false"); break;
            case NullValueNode: sb.Append("null"); break;
            case EnumValueNode e: sb.Append(e.Value); break;
            case ListValueNode l:
                sb.Append('[');
                for (var i = 0; i < l.Values.Count; i++)
                {
                    if (i > 0)
                    {
                        sb.Append(", ");
                    }

                    Append(sb, l.Values[i], sortFields);
                }

                sb.Append(']');
                break;
            case ObjectValueNode o:
                IEnumerable<ObjectFieldNode> fields = sortFields
                    ? o.Fields.OrderBy(f => f.Name.Value, StringComparer.Ordinal)
                    : o.Fields;
                sb.Append('{');
                var first = true;
                foreach (var f in fields)
                {
                    sb.Append(first ? string.Empty : ", ").Append(f.Name.Value).Append(": ");
                    Append(sb, f.Value, sortFields);
                    first = false;
                }

                sb.Append('}');
                break;
        }
    }

    public static string PrintString(string value)
    {
        var sb = new StringBuilder("\"");
        foreach (var c in value)
        {
            switch (c)
            {
                case '"': sb.Append("\\\""); break;
                case '\\': sb.Append("\\\\"); break;
                case '\b': sb.Append("\\b"); break;
                case '\f': sb.Append("\\f"); break;
                case '\n': sb.Append("\\n"); break;
                case '\r': sb.Append("\\r"); break;
                case '\t': sb.Append("\\t"); break;
                default:
                    if (c < 0x20 || (c >= 0x7F && c <= 0x9F))
                    {
                        sb.Append("\\u").Append(((int)c).ToString("X4", CultureInfo.InvariantCulture));
                    }
                    else
                    {
                        sb.Append(c);
                    }

                    break;
            }
        }

        return sb.Append('"').ToString();
    }

    private static string PrintBlockString(string value)
    {
        var escaped = value.Replace("\"\"\"", "\\\"\"\"", StringComparison.Ordinal);
        return value.Contains('\n', StringComparison.Ordinal) ? $"\"\"\"\n{escaped}\n\"\"\"" : $"\"\"\"{escaped}\"\"\"";
    }
}
