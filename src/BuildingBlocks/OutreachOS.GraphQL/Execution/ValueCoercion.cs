using System.Collections;
using System.Text;
using OutreachOS.GraphQL.Language;
using OutreachOS.GraphQL.Validation;

namespace OutreachOS.GraphQL.Execution;

/// <summary>An error tied to document nodes, raised while coercing arguments (becomes a field error).</summary>
internal sealed class NodeException(string message, params Node[] nodes) : Exception(message)
{
    public IReadOnlyList<Node> Nodes { get; } = nodes;
}

/// <summary>Input coercion: variables (spec 6.4.1 CoerceVariableValues), literals (valueFromAST) and arguments (6.4.1 CoerceArgumentValues).</summary>
internal static class ValueCoercion
{
    private static readonly object Missing = new();

    public static Dictionary<string, object?> CoerceVariableValues(GraphQLSchema schema, OperationDefinitionNode operation,
        IReadOnlyDictionary<string, object?>? inputs, List<GraphQLError> errors)
    {
        var coerced = new Dictionary<string, object?>(StringComparer.Ordinal);
        inputs ??= new Dictionary<string, object?>();
        foreach (var def in operation.VariableDefinitions)
        {
            if (errors.Count >= 50)
            {
                errors.Add(new GraphQLError("Too many errors processing variables, error limit reached. Execution aborted."));
                break;
            }

            var name = def.Variable.Name.Value;
            var type = schema.TypeFromAst(def.Type);
            var typeStr = Printer.Print(def.Type);
            if (type is null || !type.IsInputType)
            {
                errors.Add(GraphQLError.At($"Variable \"${name}\" expected value of type \"{typeStr}\" which cannot be used as an input type.", def.Type));
                continue;
            }

            if (!inputs.TryGetValue(name, out var value))
            {
                if (def.DefaultValue is not null)
                {
                    var (ok, v) = ValueFromAst(def.DefaultValue, type, null);
                    if (ok)
                    {
                        coerced[name] = v;
                    }
                }
                else if (type is NonNullType)
                {
                    errors.Add(GraphQLError.At($"Variable \"${name}\" of required type \"{typeStr}\" was not provided.", def));
                }

                continue;
            }

            if (value is null && type is NonNullType)
            {
                errors.Add(GraphQLError.At($"Variable \"${name}\" of non-null type \"{typeStr}\" must not be null.", def));
                continue;
            }

            coerced[name] = CoerceInputValue(value, type, [], (path, invalid, message) =>
            {
                var prefix = $"Variable \"${name}\" got invalid value {Inspector.Inspect(invalid)}";
                if (path.Count > 0)
                {
                    prefix += $" at \"{name}{PrintPath(path)}\"";
                }

                errors.Add(GraphQLError.At(prefix + "; " + message, def));
            });
        }

        return coerced;
    }

    private static string PrintPath(List<object> path)
    {
        var sb = new StringBuilder();
        foreach (var key in path)
        {
            sb.Append(key is int i ? $"[{i}]" : "." + key);
        }

        return sb.ToString();
    }

    /// <summary>Coerces an external (JSON-shaped) value. Reports each problem through <paramref name="onError"/>.</summary>
    public static object? CoerceInputValue(object? input, GraphQLType type, List<object> path, Action<List<object>, object?, string> onError)
    {
        if (type is NonNullType nn)
        {
            if (input is not null)
            {
                return CoerceInputValue(input, nn.OfType, path, onError);
            }

            onError(path, input, $"Expected non-nullable type \"{type}\" not to be null.");
            return null;
        }

        if (input is null)
        {
            return null;
        }

        switch (type)
        {
            case ListType l:
                if (input is IEnumerable e and not string && !IsObjectLike(input))
                {
                    var list = new List<object?>();
                    var index = 0;
                    foreach (var item in e)
                    {
                        list.Add(CoerceInputValue(item, l.OfType, [.. path, index], onError));
                        index++;
                    }

                    return list;
                }

                return new List<object?> { CoerceInputValue(input, l.OfType, path, onError) };
            case InputObjectType io:
            {
                if (AsObject(input) is not { } obj)
                {
                    onError(path, input, $"Expected type \"{io.Name}\" to be an object.");
                    return null;
                }

                var result = new Dictionary<string, object?>(StringComparer.Ordinal);
                foreach (var field in io.Fields)
                {
                    if (!obj.TryGetValue(field.Name, out var fieldValue))
                    {
                        if (field.HasDefaultValue)
                        {
                            result[field.Name] = field.DefaultValue;
                        }
                        else if (field.Type is NonNullType)
                        {
                            onError(path, input, $"Field \"{field.Name}\" of required type \"{field.Type}\" was not provided.");
                        }

                        continue;
                    }

                    result[field.Name] = CoerceInputValue(fieldValue, field.Type, [.. path, field.Name], onError);
                }

                foreach (var key in obj.Keys)
                {
                    if (!io.FieldMap.ContainsKey(key))
                    {
                        onError(path, input, $"Field \"{key}\" is not defined by type \"{io.Name}\"." +
                                             Suggestions.DidYouMean(Suggestions.List(key, io.FieldMap.Keys)));
                    }
                }

                return result;
            }

            case EnumType et:
                if (input is not string s)
                {
                    var str = Inspector.Inspect(input);
                    onError(path, input, $"Enum \"{et.Name}\" cannot represent non-string value: {str}." + DidYouMeanEnum(et, str));
                    return null;
                }

                if (!et.ByName.TryGetValue(s, out var ev))
                {
                    onError(path, input, $"Value \"{s}\" does not exist in \"{et.Name}\" enum." + DidYouMeanEnum(et, s));
                    return null;
                }

                return ev.Value;
            case ScalarType st:
                try
                {
                    return st.ParseValue(input);
                }
                catch (CoercionException ex)
                {
                    onError(path, input, ex.Message);
                    return null;
                }

            default:
                onError(path, input, $"Expected type \"{type}\".");
                return null;
        }
    }

    private static bool IsObjectLike(object value) => value is IDictionary<string, object?> or IReadOnlyDictionary<string, object?>;

    private static IReadOnlyDictionary<string, object?>? AsObject(object value) => value switch
    {
        IReadOnlyDictionary<string, object?> r => r,
        IDictionary<string, object?> d => d.AsReadOnly(),
        _ => null,
    };

    internal static string DidYouMeanEnum(EnumType type, string value) =>
        Suggestions.DidYouMean(Suggestions.List(value, type.Values.Select(v => v.Name)), "the enum value");

    /// <summary>graphql-js valueFromAST: (false, _) means the literal is invalid for the type.</summary>
    public static (bool Ok, object? Value) ValueFromAst(ValueNode node, GraphQLType type, IReadOnlyDictionary<string, object?>? variables)
    {
        if (node is VariableNode v)
        {
            if (variables is null || !variables.TryGetValue(v.Name.Value, out var value))
            {
                return (false, null);
            }

            if (value is null && type is NonNullType)
            {
                return (false, null);
            }

            return (true, value);
        }

        if (type is NonNullType nn)
        {
            return node is NullValueNode ? (false, null) : ValueFromAst(node, nn.OfType, variables);
        }

        if (node is NullValueNode)
        {
            return (true, null);
        }

        switch (type)
        {
            case ListType l:
                if (node is ListValueNode list)
                {
                    var items = new List<object?>();
                    foreach (var itemNode in list.Values)
                    {
                        if (IsMissingVariable(itemNode, variables))
                        {
                            if (l.OfType is NonNullType)
                            {
                                return (false, null);
                            }

                            items.Add(null);
                            continue;
                        }

                        var (ok, item) = ValueFromAst(itemNode, l.OfType, variables);
                        if (!ok)
                        {
                            return (false, null);
                        }

                        items.Add(item);
                    }

                    return (true, items);
                }

                var (single, value) = ValueFromAst(node, l.OfType, variables);
                return single ? (true, new List<object?> { value }) : (false, null);
            case InputObjectType io:
            {
                if (node is not ObjectValueNode obj)
                {
                    return (false, null);
                }

                var fieldNodes = new Dictionary<string, ObjectFieldNode>(StringComparer.Ordinal);
                foreach (var f in obj.Fields)
                {
                    fieldNodes.TryAdd(f.Name.Value, f);
                }

                var result = new Dictionary<string, object?>(StringComparer.Ordinal);
                foreach (var field in io.Fields)
                {
                    if (!fieldNodes.TryGetValue(field.Name, out var fieldNode) || IsMissingVariable(fieldNode.Value, variables))
                    {
                        if (field.HasDefaultValue)
                        {
                            result[field.Name] = field.DefaultValue;
                        }
                        else if (field.Type is NonNullType)
                        {
                            return (false, null);
                        }

                        continue;
                    }

                    var (ok, fv) = ValueFromAst(fieldNode.Value, field.Type, variables);
                    if (!ok)
                    {
                        return (false, null);
                    }

                    result[field.Name] = fv;
                }

                return (true, result);
            }

            case EnumType et:
                return node is EnumValueNode e && et.ByName.TryGetValue(e.Value, out var ev) ? (true, ev.Value) : (false, null);
            case ScalarType st:
                try
                {
                    return (true, st.ParseLiteral(node));
                }
                catch (CoercionException)
                {
                    return (false, null);
                }

            default:
                return (false, null);
        }
    }

    private static bool IsMissingVariable(ValueNode node, IReadOnlyDictionary<string, object?>? variables) =>
        node is VariableNode v && (variables is null || !variables.ContainsKey(v.Name.Value));

    public static Dictionary<string, object?> CoerceArguments(IReadOnlyList<InputValueDefinition> defs, Node node,
        IReadOnlyList<ArgumentNode> argNodes, IReadOnlyDictionary<string, object?> variables)
    {
        var result = new Dictionary<string, object?>(StringComparer.Ordinal);
        foreach (var def in defs)
        {
            ArgumentNode? argNode = null;
            foreach (var a in argNodes)
            {
                if (a.Name.Value == def.Name)
                {
                    argNode = a;
                    break;
                }
            }

            if (argNode is null)
            {
                if (def.HasDefaultValue)
                {
                    result[def.Name] = def.DefaultValue;
                }
                else if (def.Type is NonNullType)
                {
                    throw new NodeException($"Argument \"{def.Name}\" of required type \"{def.Type}\" was not provided.", node);
                }

                continue;
            }

            var valueNode = argNode.Value;
            var isNull = valueNode is NullValueNode;
            if (valueNode is VariableNode vn)
            {
                if (!variables.TryGetValue(vn.Name.Value, out var varValue))
                {
                    if (def.HasDefaultValue)
                    {
                        result[def.Name] = def.DefaultValue;
                    }
                    else if (def.Type is NonNullType)
                    {
                        throw new NodeException(
                            $"Argument \"{def.Name}\" of required type \"{def.Type}\" was provided the variable \"${vn.Name.Value}\" which was not provided a runtime value.",
                            valueNode);
                    }

                    continue;
                }

                isNull = varValue is null;
            }

            if (isNull && def.Type is NonNullType)
            {
                throw new NodeException($"Argument \"{def.Name}\" of non-null type \"{def.Type}\" must not be null.", valueNode);
            }

            var (ok, value) = ValueFromAst(valueNode, def.Type, variables);
            if (!ok)
            {
                throw new NodeException($"Argument \"{def.Name}\" has invalid value {Printer.Print(valueNode)}.", valueNode);
            }

            result[def.Name] = value;
        }

        return result;
    }

    private static IReadOnlyDictionary<string, object?> AsReadOnly(this IDictionary<string, object?> d) =>
        d as IReadOnlyDictionary<string, object?> ?? new Dictionary<string, object?>(d, StringComparer.Ordinal);
}
