using System.Collections;
using System.Globalization;
using System.Text;
using OutreachOS.GraphQL.Language;

namespace OutreachOS.GraphQL;

/// <summary>Renders runtime values for error messages the way graphql-js's inspect() does.</summary>
internal static class Inspector
{
    public static string Inspect(object? value)
    {
        var sb = new StringBuilder();
        Append(sb, value, 0);
        return sb.ToString();
    }

    private static void Append(StringBuilder sb, object? value, int depth)
    {
        switch (value)
        {
            case null:
                sb.Append("null");
                break;
            case string s:
                sb.Append(Printer.PrintString(s));
                break;
            case bool b:
                sb.Append(b ? "true" : "false");
                break;
            case double d:
                sb.Append(double.IsNaN(d) ? "NaN" : double.IsPositiveInfinity(d) ? "Infinity" : double.IsNegativeInfinity(d) ? "-Infinity" : d.ToString("R", CultureInfo.InvariantCulture));
                break;
            case float f:
                sb.Append(f.ToString("R", CultureInfo.InvariantCulture));
                break;
            case IFormattable fmt when Numeric.ToDouble(value) is not null:
                sb.Append(fmt.ToString(null, CultureInfo.InvariantCulture));
                break;
            case IDictionary<string, object?> dict:
                AppendObject(sb, dict, depth);
                break;
            case IReadOnlyDictionary<string, object?> rdict:
                AppendObject(sb, rdict, depth);
                break;
            case IEnumerable list:
                if (depth > 2)
                {
                    sb.Append("[Array]");
                    break;
                }

                sb.Append('[');
                var first = true;
                foreach (var item in list)
                {
                    sb.Append(first ? string.Empty : ", ");
                    Append(sb, item, depth + 1);
                    first = false;
                }

                sb.Append(']');
                break;
            default:
                sb.Append(Convert.ToString(value, CultureInfo.InvariantCulture));
                break;
        }
    }

    private static void AppendObject(StringBuilder sb, IEnumerable<KeyValuePair<string, object?>> entries, int depth)
    {
        if (depth > 2)
        {
            sb.Append("[Object]");
            return;
        }

        var items = entries.ToList();
        if (items.Count == 0)
        {
            sb.Append("{}");
            return;
        }

        sb.Append("{ ");
        for (var i = 0; i < items.Count; i++)
        {
            sb.Append(i == 0 ? string.Empty : ", ").Append(items[i].Key).Append(": ");
            Append(sb, items[i].Value, depth + 1);
        }

        sb.Append(" }");
    }
}
