using OutreachOS.GraphQL.Language;

namespace OutreachOS.GraphQL.Validation;

/// <summary>Depth and complexity limits, checked after validation (so fragments are known to be acyclic) and after
/// variable coercion (so <c>first</c>/<c>last</c> given as variables count).</summary>
/// <remarks>A fragment's depth and complexity do not depend on where it is spread, so each fragment is measured once
/// per request and its totals reused: expanding every spread again costs 2^n steps for a chain of n fragments that
/// each spread the previous one twice (a few hundred tokens). The reused totals are still added up once per spread, with
/// saturating arithmetic, so such a chain is reported with its real (huge) complexity and refused.</remarks>
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
        var measured = new Dictionary<string, (int Depth, long Complexity)>(StringComparer.Ordinal);
        var (depth, complexity) = Measure(operation.SelectionSet, fragments, measured, variables);
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
        Dictionary<string, (int Depth, long Complexity)> measured, IReadOnlyDictionary<string, object?> variables)
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

                    var (childDepth, childComplexity) = field.SelectionSet is { } ss ? Measure(ss, fragments, measured, variables) : (0, 0L);
                    maxDepth = Math.Max(maxDepth, childDepth + 1);
                    complexity = Saturating(complexity + 1 + Saturating(childComplexity * Multiplier(field, variables)));
                    break;
                case InlineFragmentNode inline:
                    var (d, c) = Measure(inline.SelectionSet, fragments, measured, variables);
                    maxDepth = Math.Max(maxDepth, d);
                    complexity = Saturating(complexity + c);
                    break;
                case FragmentSpreadNode spread when fragments.TryGetValue(spread.Name.Value, out var fragment):
                    if (!measured.TryGetValue(fragment.Name.Value, out var totals))
                    {
                        measured[fragment.Name.Value] = totals = Measure(fragment.SelectionSet, fragments, measured, variables);
                    }

                    var (fd, fc) = totals;
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

        // Capped so that child complexity (at most int.MaxValue) times the multiplier cannot overflow a long.
        return Math.Min(multiplier, int.MaxValue);
    }
}
