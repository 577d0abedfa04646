using OutreachOS.GraphQL.Language;

namespace OutreachOS.GraphQL.Validation;

/// <summary>Depth, complexity and root-field limits, checked after validation (so fragments are known to be acyclic and
/// fields to exist) and after variable coercion (so <c>first</c>/<c>last</c> given as variables count).</summary>
/// <remarks>
/// <para>Complexity estimates the size of the answer: each field costs 1, and the cost of a list field's selections is
/// multiplied by the number of items it may return: its <c>first</c>/<c>last</c> argument, else the connection's maximum
/// page size, else the size declared on the field (<see cref="FieldBuilder{TSource}.ListSize"/>), else
/// <see cref="ExecutionOptions.DefaultListSize"/>. Introspection counts too, with list sizes taken from the schema
/// itself (e.g. <c>types</c> = the number of types, <c>fields</c> = the average number of fields per type), so one full
/// introspection query costs about as many fields as it answers; it is excluded only from the depth, which
/// <c>MaxIntrospectionDepthRule</c> bounds instead.</para>
/// <para>A fragment's depth and complexity do not depend on where it is spread, so each fragment is measured once per
/// request and its totals reused: expanding every spread again costs 2^n steps for a chain of n fragments that each spread
/// the previous one twice (a few hundred tokens). The reused totals are still added up once per spread, with saturating
/// arithmetic, so such a chain is reported with its real (huge) complexity and refused.</para>
/// </remarks>
internal static class QueryLimits
{
    public static List<GraphQLError> Check(GraphQLSchema schema, DocumentNode document, OperationDefinitionNode operation,
        IReadOnlyDictionary<string, object?> variables, ExecutionOptions options)
    {
        var errors = new List<GraphQLError>();
        if (options.MaxDepth is null && options.MaxComplexity is null && options.MaxRootFields is null)
        {
            return errors;
        }

        var fragments = document.Definitions.OfType<FragmentDefinitionNode>()
            .GroupBy(f => f.Name.Value, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.First(), StringComparer.Ordinal);
        if (options.MaxRootFields is { } maxRootFields)
        {
            var keys = new HashSet<string>(StringComparer.Ordinal);
            CollectRootKeys(operation.SelectionSet, fragments, keys, new HashSet<string>(StringComparer.Ordinal));
            if (keys.Count > maxRootFields)
            {
                errors.Add(Error($"The operation selects {keys.Count} root fields; at most {maxRootFields} are allowed per request.",
                    operation, "MAX_ROOT_FIELDS_EXCEEDED"));
                return errors; // measuring thousands of aliases adds nothing to this answer
            }
        }

        var measurer = new Measurer(schema, fragments, variables, options.DefaultListSize);
        var (depth, complexity) = measurer.Measure(operation.SelectionSet, schema.GetRootType(operation.Operation));
        if (options.MaxDepth is { } maxDepth && depth > maxDepth)
        {
            errors.Add(Error($"Query depth {depth} exceeds the maximum allowed depth of {maxDepth}.", operation, "MAX_DEPTH_EXCEEDED"));
        }

        if (options.MaxComplexity is { } maxComplexity && complexity > maxComplexity)
        {
            errors.Add(Error($"Query complexity {complexity} exceeds the maximum allowed complexity of {maxComplexity}.", operation,
                "MAX_COMPLEXITY_EXCEEDED"));
        }

        return errors;
    }

    /// <summary>The operation's complexity (for tests and tools), with the same estimates as <see cref="Check"/>.</summary>
    internal static long Complexity(GraphQLSchema schema, DocumentNode document, OperationDefinitionNode operation,
        IReadOnlyDictionary<string, object?> variables, int defaultListSize)
    {
        var fragments = document.Definitions.OfType<FragmentDefinitionNode>()
            .GroupBy(f => f.Name.Value, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.First(), StringComparer.Ordinal);
        return new Measurer(schema, fragments, variables, defaultListSize).Measure(operation.SelectionSet, schema.GetRootType(operation.Operation)).Complexity;
    }

    private static GraphQLError Error(string message, OperationDefinitionNode operation, string code) =>
        GraphQLError.At(message, operation) with { Extensions = new Dictionary<string, object?> { ["code"] = code } };

    /// <summary>The response keys (alias or name) of the root selection set: fields with the same key are merged and
    /// resolved once. <c>__typename</c> is free and not counted. Each fragment is walked once, since it adds the same
    /// keys wherever it is spread.</summary>
    private static void CollectRootKeys(SelectionSetNode set, Dictionary<string, FragmentDefinitionNode> fragments, HashSet<string> keys,
        HashSet<string> visited)
    {
        foreach (var selection in set.Selections)
        {
            switch (selection)
            {
                case FieldNode field when field.Name.Value != "__typename":
                    keys.Add(field.Alias?.Value ?? field.Name.Value);
                    break;
                case InlineFragmentNode inline:
                    CollectRootKeys(inline.SelectionSet, fragments, keys, visited);
                    break;
                case FragmentSpreadNode spread when visited.Add(spread.Name.Value) && fragments.TryGetValue(spread.Name.Value, out var fragment):
                    CollectRootKeys(fragment.SelectionSet, fragments, keys, visited);
                    break;
            }
        }
    }

    private sealed class Measurer(GraphQLSchema schema, Dictionary<string, FragmentDefinitionNode> fragments,
        IReadOnlyDictionary<string, object?> variables, int defaultListSize)
    {
        private readonly Dictionary<string, (int Depth, long Complexity)> _measured = new(StringComparer.Ordinal);

        public (int Depth, long Complexity) Measure(SelectionSetNode set, NamedType? parent)
        {
            var maxDepth = 0;
            long complexity = 0;
            foreach (var selection in set.Selections)
            {
                switch (selection)
                {
                    case FieldNode field:
                        var def = parent is null ? null : TypeInfo.GetFieldDef(schema, parent, field.Name.Value);
                        var (childDepth, childComplexity) = field.SelectionSet is { } ss ? Measure(ss, def?.Type.NamedType) : (0, 0L);
                        if (field.Name.Value is not ("__schema" or "__type"))
                        {
                            maxDepth = Math.Max(maxDepth, childDepth + 1); // introspection depth: MaxIntrospectionDepthRule
                        }

                        complexity = Saturating(complexity + 1 + Saturating(childComplexity * Multiplier(field, def, parent)));
                        break;
                    case InlineFragmentNode inline:
                        var inlineType = inline.TypeCondition is { } tc ? schema.GetType(tc.Name.Value) : parent;
                        var (d, c) = Measure(inline.SelectionSet, inlineType);
                        maxDepth = Math.Max(maxDepth, d);
                        complexity = Saturating(complexity + c);
                        break;
                    case FragmentSpreadNode spread when fragments.TryGetValue(spread.Name.Value, out var fragment):
                        if (!_measured.TryGetValue(fragment.Name.Value, out var totals))
                        {
                            _measured[fragment.Name.Value] = totals = Measure(fragment.SelectionSet, schema.GetType(fragment.TypeCondition.Name.Value));
                        }

                        var (fd, fc) = totals;
                        maxDepth = Math.Max(maxDepth, fd);
                        complexity = Saturating(complexity + fc);
                        break;
                }
            }

            return (maxDepth, complexity);
        }

        /// <summary>How many times a field's selections are answered: <c>first</c>/<c>last</c>, else the field's declared
        /// or assumed list size; 1 for a field that is not a list.</summary>
        private long Multiplier(FieldNode field, FieldDefinition? def, NamedType? parent)
        {
            long? requested = null;
            foreach (var arg in field.Arguments)
            {
                if (arg.Name.Value is not ("first" or "last"))
                {
                    continue;
                }

                long? value = arg.Value switch
                {
                    IntValueNode i when long.TryParse(i.Value, out var n) => n,
                    IntValueNode => int.MaxValue, // beyond a long: refused by the resolver anyway, counted as huge
                    VariableNode v when variables.TryGetValue(v.Name.Value, out var vv) && vv is int n2 => n2,
                    _ => null, // null or an absent variable: the field's own size applies
                };
                if (value is { } given)
                {
                    requested = Math.Max(requested ?? 1, given);
                }
            }

            // Capped so that child complexity (at most int.MaxValue) times the multiplier cannot overflow a long.
            var multiplier = requested ?? def?.ConnectionPageSize ?? def?.ListSize ?? (IsList(def) ? AssumedListSize(def!, parent) : 1);
            return Math.Clamp(multiplier, 0, int.MaxValue);
        }

        private static bool IsList(FieldDefinition? def) => def?.Type.Nullable is ListType;

        private int AssumedListSize(FieldDefinition def, NamedType? parent) =>
            parent is not null && schema.IntrospectionListSizes.TryGetValue(parent.Name + "." + def.Name, out var size) ? size : defaultListSize;
    }

    private static long Saturating(long value) => Math.Clamp(value, 0, int.MaxValue);

    /// <summary>List sizes of the introspection types on this schema: the number of types and directives, and the average
    /// (rounded up) number of fields, arguments, interfaces, possible types, enum values and input fields per type, so that
    /// <c>types { fields { args { name } } }</c> is estimated at about the schema's real number of arguments.</summary>
    internal static Dictionary<string, int> IntrospectionListSizes(GraphQLSchema schema)
    {
        var types = schema.Types.Values.ToList();
        var typeCount = Math.Max(1, types.Count);
        var fields = types.OfType<FieldsType>().SelectMany(t => t.Fields).ToList();
        var directives = schema.Directives;
        return new Dictionary<string, int>(StringComparer.Ordinal)
        {
            ["__Schema.types"] = types.Count,
            ["__Schema.directives"] = directives.Count,
            ["__Type.fields"] = Average(fields.Count, typeCount),
            ["__Type.interfaces"] = Average(types.OfType<FieldsType>().Sum(t => t.Interfaces.Count), typeCount),
            ["__Type.possibleTypes"] = Average(types.Where(t => t is InterfaceType or UnionType).Sum(t => schema.GetPossibleTypes(t).Count), typeCount),
            ["__Type.enumValues"] = Average(types.OfType<EnumType>().Sum(t => t.Values.Count), typeCount),
            ["__Type.inputFields"] = Average(types.OfType<InputObjectType>().Sum(t => t.Fields.Count), typeCount),
            ["__Field.args"] = Average(fields.Sum(f => f.Arguments.Count), Math.Max(1, fields.Count)),
            ["__Directive.args"] = Average(directives.Sum(d => d.Arguments.Count), Math.Max(1, directives.Count)),
        };

        static int Average(int total, int count) => (total + count - 1) / count;
    }
}
