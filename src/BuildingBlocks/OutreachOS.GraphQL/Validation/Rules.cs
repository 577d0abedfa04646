using OutreachOS.GraphQL.Execution;
using OutreachOS.GraphQL.Language;

namespace OutreachOS.GraphQL.Validation;

// One class per rule of graphql-js 16 specifiedRules; messages follow graphql-js wording.

internal sealed class ExecutableDefinitionsRule : ValidationRule
{
    public override bool Enter(Node node, ValidationContext context)
    {
        if (node is not DocumentNode doc)
        {
            return true;
        }

        foreach (var def in doc.Definitions.OfType<TypeSystemDefinitionNode>())
        {
            var name = def.Keyword == "schema" ? "schema" : $"\"{def.Name?.Value}\"";
            context.Report($"The {name} definition is not executable.", def);
        }

        return false;
    }
}

internal sealed class UniqueOperationNamesRule : ValidationRule
{
    private readonly Dictionary<string, NameNode> _known = new(StringComparer.Ordinal);

    public override bool Enter(Node node, ValidationContext context)
    {
        switch (node)
        {
            case OperationDefinitionNode { Name: { } name }:
                if (_known.TryGetValue(name.Value, out var prior))
                {
                    context.Report($"There can be only one operation named \"{name.Value}\".", prior, name);
                }
                else
                {
                    _known[name.Value] = name;
                }

                return false;
            case OperationDefinitionNode or FragmentDefinitionNode:
                return false;
            default:
                return true;
        }
    }
}

internal sealed class LoneAnonymousOperationRule : ValidationRule
{
    private int _operationCount;

    public override bool Enter(Node node, ValidationContext context)
    {
        switch (node)
        {
            case DocumentNode doc:
                _operationCount = doc.Definitions.Count(d => d is OperationDefinitionNode);
                break;
            case OperationDefinitionNode { Name: null } op when _operationCount > 1:
                context.Report("This anonymous operation must be the only defined operation.", op);
                break;
        }

        return true;
    }
}

internal sealed class SingleFieldSubscriptionsRule : ValidationRule
{
    public override bool Enter(Node node, ValidationContext context)
    {
        if (node is not OperationDefinitionNode { Operation: OperationType.Subscription } op || context.Schema.SubscriptionType is not { } subscriptionType)
        {
            return true;
        }

        var name = op.Name?.Value;
        var fields = new Dictionary<string, List<FieldNode>>(StringComparer.Ordinal);
        CollectFields(context, subscriptionType, op.SelectionSet, fields, new HashSet<string>(StringComparer.Ordinal));
        if (fields.Count > 1)
        {
            var extra = fields.Values.Skip(1).SelectMany(x => x).ToArray<Node>();
            context.Report(name is not null
                ? $"Subscription \"{name}\" must select only one top level field."
                : "Anonymous Subscription must select only one top level field.", extra);
        }

        foreach (var nodes in fields.Values)
        {
            if (nodes[0].Name.Value.StartsWith("__", StringComparison.Ordinal))
            {
                context.Report(name is not null
                    ? $"Subscription \"{name}\" must not select an introspection top level field."
                    : "Anonymous Subscription must not select an introspection top level field.", nodes.ToArray<Node>());
            }
        }

        return true;
    }

    private static void CollectFields(ValidationContext context, ObjectType type, SelectionSetNode set,
        Dictionary<string, List<FieldNode>> fields, HashSet<string> visited)
    {
        foreach (var selection in set.Selections)
        {
            if (!Included(selection.Directives))
            {
                continue;
            }

            switch (selection)
            {
                case FieldNode f:
                    if (!fields.TryGetValue(f.ResponseName, out var list))
                    {
                        fields[f.ResponseName] = list = [];
                    }

                    list.Add(f);
                    break;
                case InlineFragmentNode inl:
                    if (inl.TypeCondition is null || Matches(context, inl.TypeCondition, type))
                    {
                        CollectFields(context, type, inl.SelectionSet, fields, visited);
                    }

                    break;
                case FragmentSpreadNode spread:
                    if (visited.Add(spread.Name.Value) && context.GetFragment(spread.Name.Value) is { } frag && Matches(context, frag.TypeCondition, type))
                    {
                        CollectFields(context, type, frag.SelectionSet, fields, visited);
                    }

                    break;
            }
        }
    }

    // As graphql-js's shouldIncludeNode: the first @skip and the first @include count (a repeated one is reported by
    // UniqueDirectivesPerLocation), and within one the last of repeated "if" arguments.
    private static bool Included(IReadOnlyList<DirectiveNode> directives) =>
        If(directives.FirstOrDefault(d => d.Name.Value == "skip")) is not BooleanValueNode { Value: true }
        && If(directives.FirstOrDefault(d => d.Name.Value == "include")) is not BooleanValueNode { Value: false };

    private static ValueNode? If(DirectiveNode? directive) =>
        directive?.Arguments.LastOrDefault(a => a.Name.Value == "if")?.Value;

    private static bool Matches(ValidationContext context, NamedTypeNode condition, ObjectType type)
    {
        var t = context.Schema.GetType(condition.Name.Value);
        return ReferenceEquals(t, type) || (t is InterfaceType or UnionType && context.Schema.IsSubType(t, type));
    }
}

internal sealed class KnownTypeNamesRule : ValidationRule
{
    public override bool Enter(Node node, ValidationContext context)
    {
        if (node is not NamedTypeNode named)
        {
            return true;
        }

        var name = named.Name.Value;
        var definedInDocument = context.Document.Definitions.OfType<TypeSystemDefinitionNode>()
            .Any(d => d.DefinesType && d.Name?.Value == name);
        if (context.Schema.GetType(name) is null && !definedInDocument)
        {
            var suggestions = Suggestions.List(name, context.Schema.Types.Keys);
            context.Report($"Unknown type \"{name}\"." + Suggestions.DidYouMean(suggestions), named);
        }

        return true;
    }
}

internal sealed class FragmentsOnCompositeTypesRule : ValidationRule
{
    public override bool Enter(Node node, ValidationContext context)
    {
        switch (node)
        {
            case InlineFragmentNode { TypeCondition: { } tc }:
                if (context.Schema.TypeFromAst(tc) is { } t && t is not (ObjectType or InterfaceType or UnionType))
                {
                    context.Report($"Fragment cannot condition on non composite type \"{Printer.Print(tc)}\".", tc);
                }

                break;
            case FragmentDefinitionNode frag:
                if (context.Schema.TypeFromAst(frag.TypeCondition) is { } ft && ft is not (ObjectType or InterfaceType or UnionType))
                {
                    context.Report($"Fragment \"{frag.Name.Value}\" cannot condition on non composite type \"{Printer.Print(frag.TypeCondition)}\".", frag.TypeCondition);
                }

                break;
        }

        return true;
    }
}

internal sealed class VariablesAreInputTypesRule : ValidationRule
{
    public override bool Enter(Node node, ValidationContext context)
    {
        if (node is VariableDefinitionNode vd && context.Schema.TypeFromAst(vd.Type) is { IsInputType: false })
        {
            context.Report($"Variable \"${vd.Variable.Name.Value}\" cannot be non-input type \"{Printer.Print(vd.Type)}\".", vd.Type);
        }

        return true;
    }
}

internal sealed class ScalarLeafsRule : ValidationRule
{
    public override bool Enter(Node node, ValidationContext context)
    {
        if (node is not FieldNode field || context.TypeInfo.Type is not { } type)
        {
            return true;
        }

        var name = field.Name.Value;
        if (type.NamedType is ScalarType or EnumType)
        {
            if (field.SelectionSet is { } ss)
            {
                context.Report($"Field \"{name}\" must not have a selection since type \"{type}\" has no subfields.", ss);
            }
        }
        else if (field.SelectionSet is null)
        {
            context.Report($"Field \"{name}\" of type \"{type}\" must have a selection of subfields. Did you mean \"{name} {{ ... }}\"?", field);
        }

        return true;
    }
}

internal sealed class FieldsOnCorrectTypeRule : ValidationRule
{
    public override bool Enter(Node node, ValidationContext context)
    {
        if (node is not FieldNode field || context.TypeInfo.ParentType is not { } type || context.TypeInfo.FieldDef is not null)
        {
            return true;
        }

        var schema = context.Schema;
        var name = field.Name.Value;
        var suggestedTypes = SuggestedTypeNames(schema, type, name);
        var hint = suggestedTypes.Count > 0
            ? Suggestions.DidYouMean(suggestedTypes, "to use an inline fragment on")
            : Suggestions.DidYouMean(type is FieldsType ft ? Suggestions.List(name, ft.Fields.Select(f => f.Name)) : []);
        context.Report($"Cannot query field \"{name}\" on type \"{type.Name}\"." + hint, field);
        return true;
    }

    private static List<string> SuggestedTypeNames(GraphQLSchema schema, NamedType type, string fieldName)
    {
        if (type is not (InterfaceType or UnionType))
        {
            return [];
        }

        var suggested = new List<NamedType>();
        var usage = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var possible in schema.GetPossibleTypes(type))
        {
            if (possible.GetField(fieldName) is null)
            {
                continue;
            }

            if (!suggested.Contains(possible))
            {
                suggested.Add(possible);
            }

            usage[possible.Name] = 1;
            foreach (var iface in possible.Interfaces)
            {
                if (iface.GetField(fieldName) is null)
                {
                    continue;
                }

                if (!suggested.Contains(iface))
                {
                    suggested.Add(iface);
                }

                usage[iface.Name] = usage.GetValueOrDefault(iface.Name) + 1;
            }
        }

        suggested.Sort((a, b) =>
        {
            var diff = usage[b.Name] - usage[a.Name];
            if (diff != 0)
            {
                return diff;
            }

            if (a is InterfaceType && schema.IsSubType(a, b))
            {
                return -1;
            }

            if (b is InterfaceType && schema.IsSubType(b, a))
            {
                return 1;
            }

            return string.CompareOrdinal(a.Name, b.Name);
        });
        return suggested.Select(t => t.Name).ToList();
    }
}

internal sealed class UniqueFragmentNamesRule : ValidationRule
{
    private readonly Dictionary<string, NameNode> _known = new(StringComparer.Ordinal);

    public override bool Enter(Node node, ValidationContext context)
    {
        switch (node)
        {
            case OperationDefinitionNode:
                return false;
            case FragmentDefinitionNode frag:
                if (_known.TryGetValue(frag.Name.Value, out var prior))
                {
                    context.Report($"There can be only one fragment named \"{frag.Name.Value}\".", prior, frag.Name);
                }
                else
                {
                    _known[frag.Name.Value] = frag.Name;
                }

                return false;
            default:
                return true;
        }
    }
}

internal sealed class KnownFragmentNamesRule : ValidationRule
{
    public override bool Enter(Node node, ValidationContext context)
    {
        if (node is FragmentSpreadNode spread && context.GetFragment(spread.Name.Value) is null)
        {
            context.Report($"Unknown fragment \"{spread.Name.Value}\".", spread.Name);
        }

        return true;
    }
}

internal sealed class NoUnusedFragmentsRule : ValidationRule
{
    private readonly List<OperationDefinitionNode> _operations = [];
    private readonly List<FragmentDefinitionNode> _fragments = [];

    public override bool Enter(Node node, ValidationContext context)
    {
        switch (node)
        {
            case OperationDefinitionNode op:
                _operations.Add(op);
                return false;
            case FragmentDefinitionNode frag:
                _fragments.Add(frag);
                return false;
            default:
                return true;
        }
    }

    public override void Leave(Node node, ValidationContext context)
    {
        if (node is not DocumentNode)
        {
            return;
        }

        var used = new HashSet<string>(StringComparer.Ordinal);
        foreach (var op in _operations)
        {
            foreach (var f in context.GetRecursivelyReferencedFragments(op))
            {
                used.Add(f.Name.Value);
            }
        }

        foreach (var frag in _fragments)
        {
            if (!used.Contains(frag.Name.Value))
            {
                context.Report($"Fragment \"{frag.Name.Value}\" is never used.", frag);
            }
        }
    }
}

internal sealed class PossibleFragmentSpreadsRule : ValidationRule
{
    public override bool Enter(Node node, ValidationContext context)
    {
        switch (node)
        {
            case InlineFragmentNode inline:
                if (context.TypeInfo.Type is NamedType fragType and (ObjectType or InterfaceType or UnionType) &&
                    context.TypeInfo.ParentType is { } parentType && !context.Schema.DoTypesOverlap(fragType, parentType))
                {
                    context.Report($"Fragment cannot be spread here as objects of type \"{parentType.Name}\" can never be of type \"{fragType.Name}\".", inline);
                }

                break;
            case FragmentSpreadNode spread:
                var name = spread.Name.Value;
                if (context.GetFragment(name) is { } frag &&
                    context.Schema.TypeFromAst(frag.TypeCondition) is NamedType ft and (ObjectType or InterfaceType or UnionType) &&
                    context.TypeInfo.ParentType is { } parent && !context.Schema.DoTypesOverlap(ft, parent))
                {
                    context.Report($"Fragment \"{name}\" cannot be spread here as objects of type \"{parent.Name}\" can never be of type \"{ft.Name}\".", spread);
                }

                break;
        }

        return true;
    }
}

internal sealed class NoFragmentCyclesRule : ValidationRule
{
    private readonly HashSet<string> _visited = new(StringComparer.Ordinal);
    private readonly List<FragmentSpreadNode> _spreadPath = [];
    private readonly Dictionary<string, int> _spreadPathIndexByName = new(StringComparer.Ordinal);

    public override bool Enter(Node node, ValidationContext context)
    {
        switch (node)
        {
            case OperationDefinitionNode:
                return false;
            case FragmentDefinitionNode frag:
                Detect(frag, context);
                return false;
            default:
                return true;
        }
    }

    private void Detect(FragmentDefinitionNode fragment, ValidationContext context)
    {
        var name = fragment.Name.Value;
        if (!_visited.Add(name))
        {
            return;
        }

        var spreads = context.GetFragmentSpreads(fragment.SelectionSet);
        if (spreads.Count == 0)
        {
            return;
        }

        _spreadPathIndexByName[name] = _spreadPath.Count;
        foreach (var spread in spreads)
        {
            var spreadName = spread.Name.Value;
            _spreadPath.Add(spread);
            if (!_spreadPathIndexByName.TryGetValue(spreadName, out var cycleIndex))
            {
                if (context.GetFragment(spreadName) is { } target)
                {
                    Detect(target, context);
                }
            }
            else
            {
                var cyclePath = _spreadPath.Skip(cycleIndex).ToList();
                var via = string.Join(", ", cyclePath.Take(cyclePath.Count - 1).Select(s => $"\"{s.Name.Value}\""));
                context.Report($"Cannot spread fragment \"{spreadName}\" within itself" + (via.Length > 0 ? $" via {via}." : "."),
                    cyclePath.ToArray<Node>());
            }

            _spreadPath.RemoveAt(_spreadPath.Count - 1);
        }

        _spreadPathIndexByName.Remove(name);
    }
}

internal sealed class UniqueVariableNamesRule : ValidationRule
{
    public override bool Enter(Node node, ValidationContext context)
    {
        if (node is OperationDefinitionNode op)
        {
            foreach (var group in op.VariableDefinitions.GroupBy(v => v.Variable.Name.Value, StringComparer.Ordinal))
            {
                var list = group.ToList();
                if (list.Count > 1)
                {
                    context.Report($"There can be only one variable named \"${group.Key}\".", list.Select(v => (Node)v.Variable.Name).ToArray());
                }
            }
        }

        return true;
    }
}

internal sealed class NoUndefinedVariablesRule : ValidationRule
{
    private readonly HashSet<string> _defined = new(StringComparer.Ordinal);

    public override bool Enter(Node node, ValidationContext context)
    {
        switch (node)
        {
            case OperationDefinitionNode:
                _defined.Clear();
                break;
            case VariableDefinitionNode vd:
                _defined.Add(vd.Variable.Name.Value);
                break;
        }

        return true;
    }

    public override void Leave(Node node, ValidationContext context)
    {
        if (node is not OperationDefinitionNode op)
        {
            return;
        }

        foreach (var usage in context.GetRecursiveVariableUsages(op))
        {
            var name = usage.Node.Name.Value;
            if (!_defined.Contains(name))
            {
                context.Report(op.Name is { } opName
                    ? $"Variable \"${name}\" is not defined by operation \"{opName.Value}\"."
                    : $"Variable \"${name}\" is not defined.", usage.Node, op);
            }
        }
    }
}

internal sealed class NoUnusedVariablesRule : ValidationRule
{
    private readonly List<VariableDefinitionNode> _defs = [];

    public override bool Enter(Node node, ValidationContext context)
    {
        switch (node)
        {
            case OperationDefinitionNode:
                _defs.Clear();
                break;
            case VariableDefinitionNode vd:
                _defs.Add(vd);
                break;
        }

        return true;
    }

    public override void Leave(Node node, ValidationContext context)
    {
        if (node is not OperationDefinitionNode op)
        {
            return;
        }

        var used = context.GetRecursiveVariableUsages(op).Select(u => u.Node.Name.Value).ToHashSet(StringComparer.Ordinal);
        foreach (var def in _defs)
        {
            var name = def.Variable.Name.Value;
            if (!used.Contains(name))
            {
                context.Report(op.Name is { } opName
                    ? $"Variable \"${name}\" is never used in operation \"{opName.Value}\"."
                    : $"Variable \"${name}\" is never used.", def);
            }
        }
    }
}

internal sealed class KnownDirectivesRule : ValidationRule
{
    public override bool Enter(Node node, ValidationContext context)
    {
        if (node is not DirectiveNode directive)
        {
            return true;
        }

        var name = directive.Name.Value;
        if (context.Schema.GetDirective(name) is not { } def)
        {
            context.Report($"Unknown directive \"@{name}\".", directive);
            return true;
        }

        DirectiveLocation? location = context.Ancestors.Count > 0 ? context.Ancestors[^1] switch
        {
            OperationDefinitionNode op => op.Operation switch
            {
                OperationType.Query => DirectiveLocation.QUERY,
                OperationType.Mutation => DirectiveLocation.MUTATION,
                _ => DirectiveLocation.SUBSCRIPTION,
            },
            FieldNode => DirectiveLocation.FIELD,
            FragmentSpreadNode => DirectiveLocation.FRAGMENT_SPREAD,
            InlineFragmentNode => DirectiveLocation.INLINE_FRAGMENT,
            FragmentDefinitionNode => DirectiveLocation.FRAGMENT_DEFINITION,
            VariableDefinitionNode => DirectiveLocation.VARIABLE_DEFINITION,
            _ => null,
        } : null;
        if (location is { } loc && !def.Locations.Contains(loc))
        {
            context.Report($"Directive \"@{name}\" may not be used on {loc}.", directive);
        }

        return true;
    }
}

internal sealed class UniqueDirectivesPerLocationRule : ValidationRule
{
    public override bool Enter(Node node, ValidationContext context)
    {
        IReadOnlyList<DirectiveNode>? directives = node switch
        {
            OperationDefinitionNode op => op.Directives,
            VariableDefinitionNode vd => vd.Directives,
            SelectionNode s => s.Directives,
            FragmentDefinitionNode fd => fd.Directives,
            _ => null,
        };
        if (directives is null)
        {
            return true;
        }

        var seen = new Dictionary<string, DirectiveNode>(StringComparer.Ordinal);
        foreach (var d in directives)
        {
            var name = d.Name.Value;
            if (context.Schema.GetDirective(name) is not { IsRepeatable: false })
            {
                continue;
            }

            if (seen.TryGetValue(name, out var prior))
            {
                context.Report($"The directive \"@{name}\" can only be used once at this location.", prior, d);
            }
            else
            {
                seen[name] = d;
            }
        }

        return true;
    }
}

internal sealed class KnownArgumentNamesRule : ValidationRule
{
    public override bool Enter(Node node, ValidationContext context)
    {
        switch (node)
        {
            case DirectiveNode directive:
                if (context.Schema.GetDirective(directive.Name.Value) is { } def)
                {
                    var known = def.Arguments.Select(a => a.Name).ToList();
                    foreach (var arg in directive.Arguments)
                    {
                        if (!known.Contains(arg.Name.Value))
                        {
                            context.Report($"Unknown argument \"{arg.Name.Value}\" on directive \"@{directive.Name.Value}\"." +
                                           Suggestions.DidYouMean(Suggestions.List(arg.Name.Value, known)), arg);
                        }
                    }
                }

                return false;
            case ArgumentNode arg when context.TypeInfo.Argument is null && context.TypeInfo.FieldDef is { } fieldDef &&
                                       context.TypeInfo.ParentType is { } parentType:
                context.Report($"Unknown argument \"{arg.Name.Value}\" on field \"{parentType.Name}.{fieldDef.Name}\"." +
                               Suggestions.DidYouMean(Suggestions.List(arg.Name.Value, fieldDef.Arguments.Select(a => a.Name))), arg);
                return true;
            default:
                return true;
        }
    }
}

internal sealed class UniqueArgumentNamesRule : ValidationRule
{
    public override bool Enter(Node node, ValidationContext context)
    {
        var args = node switch
        {
            FieldNode f => f.Arguments,
            DirectiveNode d => d.Arguments,
            _ => null,
        };
        if (args is not null)
        {
            foreach (var group in args.GroupBy(a => a.Name.Value, StringComparer.Ordinal))
            {
                var list = group.ToList();
                if (list.Count > 1)
                {
                    context.Report($"There can be only one argument named \"{group.Key}\".", list.Select(a => (Node)a.Name).ToArray());
                }
            }
        }

        return true;
    }
}

internal sealed class ValuesOfCorrectTypeRule : ValidationRule
{
    public override bool Enter(Node node, ValidationContext context)
    {
        var typeInfo = context.TypeInfo;
        switch (node)
        {
            case ListValueNode list:
                if (typeInfo.ParentInputType?.Nullable is not ListType)
                {
                    IsValidValueNode(context, list);
                    return false;
                }

                return true;
            case ObjectValueNode obj:
                if (typeInfo.InputType?.NamedType is not InputObjectType io)
                {
                    IsValidValueNode(context, obj);
                    return false;
                }

                var provided = obj.Fields.Select(f => f.Name.Value).ToHashSet(StringComparer.Ordinal);
                foreach (var field in io.Fields)
                {
                    if (!provided.Contains(field.Name) && field.IsRequired)
                    {
                        context.Report($"Field \"{io.Name}.{field.Name}\" of required type \"{field.Type}\" was not provided.", obj);
                    }
                }

                return true;
            case ObjectFieldNode of:
                if (typeInfo.InputType is null && typeInfo.ParentInputType?.NamedType is InputObjectType parent)
                {
                    context.Report($"Field \"{of.Name.Value}\" is not defined by type \"{parent.Name}\"." +
                                   Suggestions.DidYouMean(Suggestions.List(of.Name.Value, parent.FieldMap.Keys)), of);
                }

                return true;
            case NullValueNode n:
                if (typeInfo.InputType is NonNullType nn)
                {
                    context.Report($"Expected value of type \"{nn}\", found {Printer.Print(n)}.", n);
                }

                return true;
            case EnumValueNode or IntValueNode or FloatValueNode or StringValueNode or BooleanValueNode:
                IsValidValueNode(context, (ValueNode)node);
                return true;
            default:
                return true;
        }
    }

    private static void IsValidValueNode(ValidationContext context, ValueNode node)
    {
        if (context.TypeInfo.InputType is not { } locationType)
        {
            return;
        }

        var type = locationType.NamedType;
        switch (type)
        {
            case ScalarType scalar:
                try
                {
                    scalar.ParseLiteral(node);
                }
                catch (CoercionException e)
                {
                    context.Report(e.Message, node);
                }

                break;
            case EnumType et:
                if (node is not EnumValueNode ev)
                {
                    var str = Printer.Print(node);
                    context.Report($"Enum \"{et.Name}\" cannot represent non-enum value: {str}." + ValueCoercion.DidYouMeanEnum(et, str), node);
                }
                else if (!et.ByName.ContainsKey(ev.Value))
                {
                    context.Report($"Value \"{ev.Value}\" does not exist in \"{et.Name}\" enum." + ValueCoercion.DidYouMeanEnum(et, ev.Value), node);
                }

                break;
            default:
                context.Report($"Expected value of type \"{locationType}\", found {Printer.Print(node)}.", node);
                break;
        }
    }
}

internal sealed class ProvidedRequiredArgumentsRule : ValidationRule
{
    public override bool Enter(Node node, ValidationContext context) => true;

    public override void Leave(Node node, ValidationContext context)
    {
        switch (node)
        {
            case FieldNode field when context.TypeInfo.FieldDef is { } def:
                var provided = field.Arguments.Select(a => a.Name.Value).ToHashSet(StringComparer.Ordinal);
                foreach (var arg in def.Arguments)
                {
                    if (!provided.Contains(arg.Name) && arg.IsRequired)
                    {
                        context.Report($"Field \"{def.Name}\" argument \"{arg.Name}\" of type \"{arg.Type}\" is required, but it was not provided.", field);
                    }
                }

                break;
            case DirectiveNode directive when context.Schema.GetDirective(directive.Name.Value) is { } ddef:
                var given = directive.Arguments.Select(a => a.Name.Value).ToHashSet(StringComparer.Ordinal);
                foreach (var arg in ddef.Arguments)
                {
                    if (!given.Contains(arg.Name) && arg.IsRequired)
                    {
                        context.Report($"Directive \"@{ddef.Name}\" argument \"{arg.Name}\" of type \"{arg.Type}\" is required, but it was not provided.", directive);
                    }
                }

                break;
        }
    }
}

internal sealed class VariablesInAllowedPositionRule : ValidationRule
{
    private readonly Dictionary<string, VariableDefinitionNode> _defs = new(StringComparer.Ordinal);

    public override bool Enter(Node node, ValidationContext context)
    {
        switch (node)
        {
            case OperationDefinitionNode:
                _defs.Clear();
                break;
            case VariableDefinitionNode vd:
                _defs[vd.Variable.Name.Value] = vd;
                break;
        }

        return true;
    }

    public override void Leave(Node node, ValidationContext context)
    {
        if (node is not OperationDefinitionNode op)
        {
            return;
        }

        foreach (var usage in context.GetRecursiveVariableUsages(op))
        {
            var name = usage.Node.Name.Value;
            if (!_defs.TryGetValue(name, out var def) || usage.Type is not { } locationType)
            {
                continue;
            }

            if (context.Schema.TypeFromAst(def.Type) is { } varType && !Allowed(context.Schema, varType, def.DefaultValue, locationType, usage.HasLocationDefault))
            {
                context.Report($"Variable \"${name}\" of type \"{varType}\" used in position expecting type \"{locationType}\".", def, usage.Node);
            }
        }
    }

    private static bool Allowed(GraphQLSchema schema, GraphQLType varType, ValueNode? varDefault, GraphQLType locationType, bool hasLocationDefault)
    {
        if (locationType is NonNullType nn && varType is not NonNullType)
        {
            var hasNonNullVariableDefault = varDefault is not null and not NullValueNode;
            if (!hasNonNullVariableDefault && !hasLocationDefault)
            {
                return false;
            }

            return schema.IsTypeSubTypeOf(varType, nn.OfType);
        }

        return schema.IsTypeSubTypeOf(varType, locationType);
    }
}

internal sealed class UniqueInputFieldNamesRule : ValidationRule
{
    private readonly Stack<Dictionary<string, NameNode>> _stack = new();

    public override bool Enter(Node node, ValidationContext context)
    {
        switch (node)
        {
            case ObjectValueNode:
                _stack.Push(new Dictionary<string, NameNode>(StringComparer.Ordinal));
                break;
            case ObjectFieldNode field when _stack.Count > 0:
                var known = _stack.Peek();
                if (known.TryGetValue(field.Name.Value, out var prior))
                {
                    context.Report($"There can be only one input field named \"{field.Name.Value}\".", prior, field.Name);
                }
                else
                {
                    known[field.Name.Value] = field.Name;
                }

                break;
        }

        return true;
    }

    public override void Leave(Node node, ValidationContext context)
    {
        if (node is ObjectValueNode)
        {
            _stack.Pop();
        }
    }
}

/// <summary>graphql-core's recommended rule: bounds nested introspection list fields so introspection cannot explode.</summary>
/// <remarks>graphql-core forgets a fragment once its spread is checked, so a chain of fragments that each spread the
/// previous one twice costs 2^n steps. Whether a fragment exceeds the limit depends only on the list depth it is spread
/// at (0 to <see cref="MaxListDepth"/> - 1), so the answer is kept per fragment and depth: linear cost, same verdicts.</remarks>
internal sealed class MaxIntrospectionDepthRule : ValidationRule
{
    private const int MaxListDepth = 3;
    private readonly Dictionary<(string Fragment, int Depth), bool> _checked = [];
    private readonly HashSet<string> _inProgress = new(StringComparer.Ordinal);

    public override bool Enter(Node node, ValidationContext context)
    {
        if (node is FieldNode { Name.Value: "__schema" or "__type" } field && Exceeds(field, 0, context))
        {
            context.Report("Maximum introspection depth exceeded", field);
            return false;
        }

        return true;
    }

    private bool Exceeds(Node node, int depth, ValidationContext context)
    {
        if (node is FragmentSpreadNode spread)
        {
            var name = spread.Name.Value;
            if (_checked.TryGetValue((name, depth), out var known))
            {
                return known;
            }

            // A cycle is NoFragmentCyclesRule's error; here it only must not recurse forever.
            if (context.GetFragment(name) is not { } fragment || !_inProgress.Add(name))
            {
                return false;
            }

            try
            {
                return _checked[(name, depth)] = Exceeds(fragment, depth, context);
            }
            finally
            {
                _inProgress.Remove(name);
            }
        }

        if (node is FieldNode { Name.Value: "fields" or "interfaces" or "possibleTypes" or "inputFields" })
        {
            depth++;
            if (depth >= MaxListDepth)
            {
                return true;
            }
        }

        var set = node switch
        {
            FieldNode f => f.SelectionSet,
            InlineFragmentNode i => i.SelectionSet,
            FragmentDefinitionNode fd => fd.SelectionSet,
            _ => null,
        };
        return set is not null && set.Selections.Any(child => Exceeds(child, depth, context));
    }
}
