using OutreachOS.GraphQL.Language;

namespace OutreachOS.GraphQL.Validation;

internal sealed record VariableUsage(VariableNode Node, GraphQLType? Type, bool HasLocationDefault);

internal sealed class ValidationContext
{
    private const int MaxErrors = 100;
    private readonly Dictionary<string, FragmentDefinitionNode> _fragments = new(StringComparer.Ordinal);
    private readonly Dictionary<SelectionSetNode, List<FragmentSpreadNode>> _spreads = [];
    private readonly Dictionary<OperationDefinitionNode, List<FragmentDefinitionNode>> _recursiveFragments = [];
    private readonly Dictionary<Node, List<VariableUsage>> _usages = [];

    public ValidationContext(GraphQLSchema schema, DocumentNode document)
    {
        Schema = schema;
        Document = document;
        TypeInfo = new TypeInfo(schema);
        foreach (var f in document.Definitions.OfType<FragmentDefinitionNode>())
        {
            _fragments[f.Name.Value] = f; // the last of duplicates, as graphql-js (UniqueFragmentNames reports them)
        }
    }

    public GraphQLSchema Schema { get; }

    public DocumentNode Document { get; }

    public TypeInfo TypeInfo { get; }

    public List<GraphQLError> Errors { get; } = [];

    public IReadOnlyList<Node> Ancestors { get; set; } = [];

    public bool Aborted { get; private set; }

    public void Report(GraphQLError error)
    {
        if (Aborted)
        {
            return;
        }

        if (Errors.Count >= MaxErrors)
        {
            Errors.Add(new GraphQLError("Too many validation errors, error limit reached. Validation aborted."));
            Aborted = true;
            return;
        }

        Errors.Add(error);
    }

    public void Report(string message, params Node[] nodes) => Report(GraphQLError.At(message, nodes));

    public FragmentDefinitionNode? GetFragment(string name) => _fragments.GetValueOrDefault(name);

    public List<FragmentSpreadNode> GetFragmentSpreads(SelectionSetNode node)
    {
        if (_spreads.TryGetValue(node, out var cached))
        {
            return cached;
        }

        var spreads = new List<FragmentSpreadNode>();
        var setsToVisit = new Stack<SelectionSetNode>();
        setsToVisit.Push(node);
        while (setsToVisit.Count > 0)
        {
            var set = setsToVisit.Pop();
            foreach (var selection in set.Selections)
            {
                switch (selection)
                {
                    case FragmentSpreadNode s:
                        spreads.Add(s);
                        break;
                    case FieldNode { SelectionSet: { } fs }:
                        setsToVisit.Push(fs);
                        break;
                    case InlineFragmentNode inl:
                        setsToVisit.Push(inl.SelectionSet);
                        break;
                }
            }
        }

        _spreads[node] = spreads;
        return spreads;
    }

    public List<FragmentDefinitionNode> GetRecursivelyReferencedFragments(OperationDefinitionNode operation)
    {
        if (_recursiveFragments.TryGetValue(operation, out var cached))
        {
            return cached;
        }

        var fragments = new List<FragmentDefinitionNode>();
        var collected = new HashSet<string>(StringComparer.Ordinal);
        var nodesToVisit = new Stack<SelectionSetNode>();
        nodesToVisit.Push(operation.SelectionSet);
        while (nodesToVisit.Count > 0)
        {
            var node = nodesToVisit.Pop();
            foreach (var spread in GetFragmentSpreads(node))
            {
                var name = spread.Name.Value;
                if (collected.Add(name) && GetFragment(name) is { } fragment)
                {
                    fragments.Add(fragment);
                    nodesToVisit.Push(fragment.SelectionSet);
                }
            }
        }

        _recursiveFragments[operation] = fragments;
        return fragments;
    }

    public List<VariableUsage> GetVariableUsages(Node node)
    {
        if (_usages.TryGetValue(node, out var cached))
        {
            return cached;
        }

        var typeInfo = new TypeInfo(Schema);
        var collector = new UsageCollector(typeInfo);
        new AstWalker(typeInfo, collector).Walk(node);
        _usages[node] = collector.Usages;
        return collector.Usages;
    }

    public List<VariableUsage> GetRecursiveVariableUsages(OperationDefinitionNode operation)
    {
        var usages = new List<VariableUsage>(GetVariableUsages(operation));
        foreach (var fragment in GetRecursivelyReferencedFragments(operation))
        {
            usages.AddRange(GetVariableUsages(fragment));
        }

        return usages;
    }

    private sealed class UsageCollector(TypeInfo typeInfo) : IAstVisitor
    {
        public List<VariableUsage> Usages { get; } = [];

        public bool Enter(Node node)
        {
            switch (node)
            {
                case VariableDefinitionNode:
                    return false;
                case VariableNode v:
                    Usages.Add(new VariableUsage(v, typeInfo.InputType, typeInfo.HasDefaultValue));
                    break;
            }

            return true;
        }

        public void Leave(Node node)
        {
        }
    }
}

internal abstract class ValidationRule
{
    public virtual bool Enter(Node node, ValidationContext context) => true;

    public virtual void Leave(Node node, ValidationContext context)
    {
    }
}

/// <summary>Runs every rule in one walk; a rule that returns false skips that subtree for itself only.</summary>
internal sealed class ParallelVisitor(ValidationContext context, IReadOnlyList<ValidationRule> rules) : IAstVisitor
{
    private readonly Node?[] _skipping = new Node?[rules.Count];

    public bool Enter(Node node)
    {
        for (var i = 0; i < rules.Count; i++)
        {
            if (_skipping[i] is null && !rules[i].Enter(node, context))
            {
                _skipping[i] = node;
            }
        }

        return !context.Aborted;
    }

    public void Leave(Node node)
    {
        for (var i = 0; i < rules.Count; i++)
        {
            if (_skipping[i] is null)
            {
                rules[i].Leave(node, context);
            }
            else if (ReferenceEquals(_skipping[i], node))
            {
                _skipping[i] = null;
            }
        }
    }
}

/// <summary>Validates a document against the schema with the 26 graphql-js 16 <c>specifiedRules</c> plus graphql-core's
/// recommended MaxIntrospectionDepth rule.</summary>
internal static class Validator
{
    public static IReadOnlyList<GraphQLError> Validate(GraphQLSchema schema, DocumentNode document)
    {
        var context = new ValidationContext(schema, document);
        ValidationRule[] rules =
        [
            new ExecutableDefinitionsRule(),
            new UniqueOperationNamesRule(),
            new LoneAnonymousOperationRule(),
            new SingleFieldSubscriptionsRule(),
            new KnownTypeNamesRule(),
            new FragmentsOnCompositeTypesRule(),
            new VariablesAreInputTypesRule(),
            new ScalarLeafsRule(),
            new FieldsOnCorrectTypeRule(),
            new UniqueFragmentNamesRule(),
            new KnownFragmentNamesRule(),
            new NoUnusedFragmentsRule(),
            new PossibleFragmentSpreadsRule(),
            new NoFragmentCyclesRule(),
            new UniqueVariableNamesRule(),
            new NoUndefinedVariablesRule(),
            new NoUnusedVariablesRule(),
            new KnownDirectivesRule(),
            new UniqueDirectivesPerLocationRule(),
            new KnownArgumentNamesRule(),
            new UniqueArgumentNamesRule(),
            new ValuesOfCorrectTypeRule(),
            new ProvidedRequiredArgumentsRule(),
            new VariablesInAllowedPositionRule(),
            new OverlappingFieldsCanBeMergedRule(),
            new UniqueInputFieldNamesRule(),
            new MaxIntrospectionDepthRule(),
        ];
        var walker = new AstWalker(context.TypeInfo, new ParallelVisitor(context, rules));
        context.Ancestors = walker.Ancestors;
        walker.Walk(document);
        return context.Errors;
    }
}
