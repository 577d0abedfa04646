using OutreachOS.GraphQL.Language;

namespace OutreachOS.GraphQL.Validation;

/// <summary>Depth and complexity limits, checked after validation (so fragments are known to be acyclic) and after
/// variable coercion (so <c>first</c>/<c>last</c> given as variables count).</summary>
internal static class QueryLimits
{
    public static List<GraphQLError> Check(GraphQLSchema schema, DocumentNode document, OperationDefinitionNode operation,
        IReadOnlyDictionary<string, object?> variables, ExecutionOptions options)
    {
        var errors = new List<GraphQLError>();
        if (options.MaxDepth is null && options.MaxComplexity is null)
        {
            return errors;
        }

        var fragments = document.Definitions.OfType<FragmentDefinitionNode>()
            .GroupBy(f => f.Name.Value, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.First(), StringComparer.Ordinal);
        var (depth, complexity) = Measure(operation.SelectionSet, fragments, variables);
        if (options.MaxDepth is { } maxDepth && depth > maxDepth)
        {
            errors.Add(GraphQLError.At($"Query depth {depth} exceeds the maximum allowed depth of {maxDepth}.", operation)
                with
                { Extensions = new Dictionary<string, object?> { ["code"] = "MAX_DEPTH_EXCEEDED" } });
        }

        if (options.MaxComplexity is { } maxComplexity && complexity > maxComplexity)
        {
            errors.Add(GraphQLError.At($"Query complexity {complexity} exceeds the maximum allowed complexity of {maxComplexity}.", operation)
                with
                { Extensions = new Dictionary<string, object?> { ["code"] = "MAX_COMPLEXITY_EXCEEDED" } });
        }

        return errors;
    }

    private static (int Depth, long Complexity) Measure(SelectionSetNode set, Dictionary<string, FragmentDefinitionNode> fragments,
        IReadOnlyDictionary<string, object?> variables)
    {
        var maxDepth = 0;
        long complexity = 0;
        foreach (var selection in set.Selections)
        {
            switch (selection)
            {
                case FieldNode field:
                    if (field.Name.Value is "__schema" or "__type")
                    {
                        continue; // bounded by MaxIntrospectionDepthRule instead
                    }

                    var (childDepth, childComplexity) = field.SelectionSet is { } ss ? Measure(ss, fragments, variables) : (0, 0L);
                    maxDepth = Math.Max(maxDepth, childDepth + 1);
                    complexity = Saturating(complexity + 1 + Saturating(childComplexity * Multiplier(field, variables)));
                    break;
                case InlineFragmentNode inline:
                    var (d, c) = Measure(inline.SelectionSet, fragments, variables);
                    maxDepth = Math.Max(maxDepth, d);
                    complexity = Saturating(complexity + c);
                    break;
                case FragmentSpreadNode spread when fragments.TryGetValue(spread.Name.Value, out var fragment):
                    var (fd, fc) = Measure(fragment.SelectionSet, fragments, variables);
                    maxDepth = Math.Max(maxDepth, fd);
                    complexity = Saturating(complexity + fc);
                    break;
            }
        }

        return (maxDepth, complexity);
    }

    private static long Saturating(long value) => Math.Clamp(value, 0, int.MaxValue);

    private static long Multiplier(FieldNode field, IReadOnlyDictionary<string, object?> variables)
    {
        long multiplier = 1;
        foreach (var arg in field.Arguments)
        {
            if (arg.Name.Value is not ("first" or "last"))
            {
                continue;
            }

            var value = arg.Value switch
            {
                IntValueNode i when long.TryParse(i.Value, out var n) => n,
                VariableNode v when variables.TryGetValue(v.Name.Value, out var vv) && vv is int n2 => n2,
                _ => 1,
            };
            multiplier = Math.Max(multiplier, value);
        }

        return multiplier;
    }
}
