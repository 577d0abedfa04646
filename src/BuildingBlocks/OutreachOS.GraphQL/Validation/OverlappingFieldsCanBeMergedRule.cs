using OutreachOS.GraphQL.Language;

namespace OutreachOS.GraphQL.Validation;

/// <summary>Spec 5.3.2 Field Selection Merging, following the graphql-js algorithm (fragment-pair memoization and
/// per-selection-set caches keep it polynomial).</summary>
internal sealed class OverlappingFieldsCanBeMergedRule : ValidationRule
{
    private readonly PairSet _comparedFragmentPairs = new();
    private readonly Dictionary<SelectionSetNode, (FieldMap Fields, List<string> FragmentNames)> _cache = [];

    private sealed record FieldAndDef(NamedType? ParentType, FieldNode Node, FieldDefinition? Def);

    private sealed class FieldMap : Dictionary<string, List<FieldAndDef>>
    {
        public FieldMap()
            : base(StringComparer.Ordinal)
        {
        }

        public List<string> Order { get; } = [];
    }

    // A reason is either a string or a list of (responseName, reason) sub-reasons.
    private sealed record Conflict(string ResponseName, object Reason, List<FieldNode> Fields1, List<FieldNode> Fields2);

    public override bool Enter(Node node, ValidationContext context)
    {
        if (node is SelectionSetNode selectionSet)
        {
            var conflicts = FindConflictsWithinSelectionSet(context, context.TypeInfo.ParentType, selectionSet);
            foreach (var c in conflicts)
            {
                context.Report(
                    $"Fields \"{c.ResponseName}\" conflict because {ReasonMessage(c.Reason)}. Use different aliases on the fields to fetch both if this was intentional.",
                    [.. c.Fields1, .. c.Fields2]);
            }
        }

        return true;
    }

    private static string ReasonMessage(object reason) => reason switch
    {
        List<(string Name, object Reason)> subs => string.Join(" and ",
            subs.Select(s => $"subfields \"{s.Name}\" conflict because {ReasonMessage(s.Reason)}")),
        _ => (string)reason,
    };

    private List<Conflict> FindConflictsWithinSelectionSet(ValidationContext context, NamedType? parentType, SelectionSetNode selectionSet)
    {
        var conflicts = new List<Conflict>();
        var (fieldMap, fragmentNames) = GetFieldsAndFragmentNames(context, parentType, selectionSet);
        CollectConflictsWithin(context, conflicts, fieldMap);
        for (var i = 0; i < fragmentNames.Count; i++)
        {
            CollectConflictsBetweenFieldsAndFragment(context, conflicts, false, fieldMap, fragmentNames[i]);
            for (var j = i + 1; j < fragmentNames.Count; j++)
            {
                CollectConflictsBetweenFragments(context, conflicts, false, fragmentNames[i], fragmentNames[j]);
            }
        }

        return conflicts;
    }

    private void CollectConflictsBetweenFieldsAndFragment(ValidationContext context, List<Conflict> conflicts, bool mutuallyExclusive,
        FieldMap fieldMap, string fragmentName)
    {
        if (context.GetFragment(fragmentName) is not { } fragment)
        {
            return;
        }

        var (fieldMap2, referenced) = GetReferencedFieldsAndFragmentNames(context, fragment);
        if (ReferenceEquals(fieldMap, fieldMap2))
        {
            return;
        }

        CollectConflictsBetween(context, conflicts, mutuallyExclusive, fieldMap, fieldMap2);
        foreach (var referencedName in referenced)
        {
            if (_comparedFragmentPairs.Has(referencedName, fragmentName, mutuallyExclusive))
            {
                continue;
            }

            _comparedFragmentPairs.Add(referencedName, fragmentName, mutuallyExclusive);
            CollectConflictsBetweenFieldsAndFragment(context, conflicts, mutuallyExclusive, fieldMap, referencedName);
        }
    }

    private void CollectConflictsBetweenFragments(ValidationContext context, List<Conflict> conflicts, bool mutuallyExclusive,
        string fragmentName1, string fragmentName2)
    {
        if (fragmentName1 == fragmentName2 || _comparedFragmentPairs.Has(fragmentName1, fragmentName2, mutuallyExclusive))
        {
            return;
        }

        _comparedFragmentPairs.Add(fragmentName1, fragmentName2, mutuallyExclusive);
        if (context.GetFragment(fragmentName1) is not { } fragment1 || context.GetFragment(fragmentName2) is not { } fragment2)
        {
            return;
        }

        var (fieldMap1, referenced1) = GetReferencedFieldsAndFragmentNames(context, fragment1);
        var (fieldMap2, referenced2) = GetReferencedFieldsAndFragmentNames(context, fragment2);
        CollectConflictsBetween(context, conflicts, mutuallyExclusive, fieldMap1, fieldMap2);
        foreach (var r2 in referenced2)
        {
            CollectConflictsBetweenFragments(context, conflicts, mutuallyExclusive, fragmentName1, r2);
        }

        foreach (var r1 in referenced1)
        {
            CollectConflictsBetweenFragments(context, conflicts, mutuallyExclusive, r1, fragmentName2);
        }
    }

    private List<Conflict> FindConflictsBetweenSubSelectionSets(ValidationContext context, bool mutuallyExclusive,
        NamedType? parentType1, SelectionSetNode selectionSet1, NamedType? parentType2, SelectionSetNode selectionSet2)
    {
        var conflicts = new List<Conflict>();
        var (fieldMap1, fragmentNames1) = GetFieldsAndFragmentNames(context, parentType1, selectionSet1);
        var (fieldMap2, fragmentNames2) = GetFieldsAndFragmentNames(context, parentType2, selectionSet2);
        CollectConflictsBetween(context, conflicts, mutuallyExclusive, fieldMap1, fieldMap2);
        foreach (var f2 in fragmentNames2)
        {
            CollectConflictsBetweenFieldsAndFragment(context, conflicts, mutuallyExclusive, fieldMap1, f2);
        }

        foreach (var f1 in fragmentNames1)
        {
            CollectConflictsBetweenFieldsAndFragment(context, conflicts, mutuallyExclusive, fieldMap2, f1);
        }

        foreach (var f1 in fragmentNames1)
        {
            foreach (var f2 in fragmentNames2)
            {
                CollectConflictsBetweenFragments(context, conflicts, mutuallyExclusive, f1, f2);
            }
        }

        return conflicts;
    }

    // Beyond this many conflicts in one selection set the validator has stopped reporting anyway (100 errors).
    private const int ConflictBudget = 101;

    private void CollectConflictsWithin(ValidationContext context, List<Conflict> conflicts, FieldMap fieldMap)
    {
        foreach (var responseName in fieldMap.Order)
        {
            var fields = fieldMap[responseName];
            if (fields.Count < 2)
            {
                continue;
            }

            // Fields without sub-selections that agree on parent type, name, arguments and definition cannot conflict
            // with each other and conflict identically with any other field: compare one representative per group.
            // This keeps `{ a a a ... }` linear instead of quadratic while reporting exactly the same conflicts.
            var groups = new int[fields.Count];
            var representatives = new List<int>();
            var bySignature = new Dictionary<(NamedType?, string, string, FieldDefinition?), int>();
            for (var i = 0; i < fields.Count; i++)
            {
                var f = fields[i];
                if (f.Node.SelectionSet is not null)
                {
                    groups[i] = representatives.Count;
                    representatives.Add(i);
                    continue;
                }

                var key = (f.ParentType, f.Node.Name.Value, ArgumentsSignature(f.Node), f.Def);
                if (!bySignature.TryGetValue(key, out var g))
                {
                    bySignature[key] = g = representatives.Count;
                    representatives.Add(i);
                }

                groups[i] = g;
            }

            // Fields with sub-selections are compared pair by pair, exactly as graphql-js does: their comparison
            // memoizes fragment pairs, so evaluating any pair twice (or out of order) could change what is reported.
            if (representatives.Count == fields.Count || fields.Any(f => f.Node.SelectionSet is not null))
            {
                for (var i = 0; i < fields.Count && conflicts.Count < ConflictBudget; i++)
                {
                    for (var j = i + 1; j < fields.Count && conflicts.Count < ConflictBudget; j++)
                    {
                        if (FindConflict(context, false, responseName, fields[i], fields[j]) is { } c)
                        {
                            conflicts.Add(c);
                        }
                    }
                }

                continue;
            }

            // All fields here are leaves, so answers depend on the groups only.
            var anyConflict = false;
            for (var a = 0; a < representatives.Count && !anyConflict; a++)
            {
                for (var b = a + 1; b < representatives.Count && !anyConflict; b++)
                {
                    anyConflict = FindConflict(context, false, responseName, fields[representatives[a]], fields[representatives[b]]) is not null;
                }
            }

            if (!anyConflict)
            {
                continue;
            }

            var cache = new Dictionary<(int, int), Conflict?>();
            for (var i = 0; i < fields.Count && conflicts.Count < ConflictBudget; i++)
            {
                for (var j = i + 1; j < fields.Count && conflicts.Count < ConflictBudget; j++)
                {
                    var (gi, gj) = (groups[i], groups[j]);
                    if (gi == gj)
                    {
                        continue;
                    }

                    if (!cache.TryGetValue((gi, gj), out var cached))
                    {
                        cache[(gi, gj)] = cached = FindConflict(context, false, responseName, fields[representatives[gi]], fields[representatives[gj]]);
                    }

                    if (cached is not null)
                    {
                        conflicts.Add(cached with { Fields1 = [fields[i].Node], Fields2 = [fields[j].Node] });
                    }
                }
            }
        }
    }

    private static string ArgumentsSignature(FieldNode node) =>
        node.Arguments.Count == 0
            ? string.Empty
            : string.Join(",", node.Arguments.OrderBy(a => a.Name.Value, StringComparer.Ordinal)
                .Select(a => a.Name.Value + ":" + Printer.PrintSorted(a.Value)));

    private void CollectConflictsBetween(ValidationContext context, List<Conflict> conflicts, bool parentFieldsAreMutuallyExclusive,
        FieldMap fieldMap1, FieldMap fieldMap2)
    {
        foreach (var responseName in fieldMap1.Order)
        {
            if (!fieldMap2.TryGetValue(responseName, out var fields2))
            {
                continue;
            }

            var fields1 = fieldMap1[responseName];
            if (fields1.Count * fields2.Count <= 16 || fields1.Any(f => f.Node.SelectionSet is not null) ||
                fields2.Any(f => f.Node.SelectionSet is not null))
            {
                foreach (var f1 in fields1)
                {
                    foreach (var f2 in fields2)
                    {
                        if (conflicts.Count >= ConflictBudget)
                        {
                            return;
                        }

                        if (FindConflict(context, parentFieldsAreMutuallyExclusive, responseName, f1, f2) is { } c)
                        {
                            conflicts.Add(c);
                        }
                    }
                }

                continue;
            }

            // Same grouping as CollectConflictsWithin: identical leaf fields give identical answers.
            var signatures = new Dictionary<(NamedType?, string, string, FieldDefinition?), int>();
            int Group(FieldAndDef f) => signatures.TryGetValue((f.ParentType, f.Node.Name.Value, ArgumentsSignature(f.Node), f.Def), out var g)
                    ? g
                    : signatures[(f.ParentType, f.Node.Name.Value, ArgumentsSignature(f.Node), f.Def)] = signatures.Count;
            var groups1 = fields1.Select(Group).ToList();
            var groups2 = fields2.Select(Group).ToList();
            var cache = new Dictionary<(int, int), Conflict?>();
            var firstOf1 = new Dictionary<int, int>();
            var firstOf2 = new Dictionary<int, int>();
            for (var i = 0; i < fields1.Count; i++)
            {
                firstOf1.TryAdd(groups1[i], i);
            }

            for (var j = 0; j < fields2.Count; j++)
            {
                firstOf2.TryAdd(groups2[j], j);
            }

            var anyConflict = false;
            foreach (var (g1, i1) in firstOf1)
            {
                foreach (var (g2, j2) in firstOf2)
                {
                    var result = FindConflict(context, parentFieldsAreMutuallyExclusive, responseName, fields1[i1], fields2[j2]);
                    cache[(g1, g2)] = result;
                    anyConflict |= result is not null;
                }
            }

            if (!anyConflict)
            {
                continue;
            }

            for (var i = 0; i < fields1.Count; i++)
            {
                for (var j = 0; j < fields2.Count; j++)
                {
                    if (conflicts.Count >= ConflictBudget)
                    {
                        return;
                    }

                    if (cache[(groups1[i], groups2[j])] is { } cached)
                    {
                        conflicts.Add(cached with { Fields1 = [fields1[i].Node], Fields2 = [fields2[j].Node] });
                    }
                }
            }
        }
    }

    private Conflict? FindConflict(ValidationContext context, bool parentFieldsAreMutuallyExclusive, string responseName,
        FieldAndDef field1, FieldAndDef field2)
    {
        var mutuallyExclusive = parentFieldsAreMutuallyExclusive ||
                                (!ReferenceEquals(field1.ParentType, field2.ParentType) && field1.ParentType is ObjectType && field2.ParentType is ObjectType);
        var node1 = field1.Node;
        var node2 = field2.Node;
        if (!mutuallyExclusive)
        {
            var name1 = node1.Name.Value;
            var name2 = node2.Name.Value;
            if (name1 != name2)
            {
                return new Conflict(responseName, $"\"{name1}\" and \"{name2}\" are different fields", [node1], [node2]);
            }

            if (!SameArguments(node1, node2))
            {
                return new Conflict(responseName, "they have differing arguments", [node1], [node2]);
            }
        }

        var type1 = field1.Def?.Type;
        var type2 = field2.Def?.Type;
        if (type1 is not null && type2 is not null && DoTypesConflict(type1, type2))
        {
            return new Conflict(responseName, $"they return conflicting types \"{type1}\" and \"{type2}\"", [node1], [node2]);
        }

        if (node1.SelectionSet is { } set1 && node2.SelectionSet is { } set2)
        {
            var conflicts = FindConflictsBetweenSubSelectionSets(context, mutuallyExclusive, type1?.NamedType, set1, type2?.NamedType, set2);
            if (conflicts.Count > 0)
            {
                return new Conflict(
                    responseName,
                    conflicts.Select(c => (c.ResponseName, c.Reason)).ToList(),
                    [node1, .. conflicts.SelectMany(c => c.Fields1)],
                    [node2, .. conflicts.SelectMany(c => c.Fields2)]);
            }
        }

        return null;
    }

    private static bool SameArguments(FieldNode node1, FieldNode node2)
    {
        var args1 = node1.Arguments;
        var args2 = node2.Arguments;
        if (args1.Count == 0)
        {
            return args2.Count == 0;
        }

        if (args2.Count == 0 || args1.Count != args2.Count)
        {
            return false;
        }

        foreach (var a1 in args1)
        {
            var a2 = args2.FirstOrDefault(a => a.Name.Value == a1.Name.Value);
            if (a2 is null || Printer.PrintSorted(a1.Value) != Printer.PrintSorted(a2.Value))
            {
                return false;
            }
        }

        return true;
    }

    private static bool DoTypesConflict(GraphQLType type1, GraphQLType type2)
    {
        if (type1 is ListType l1)
        {
            return type2 is not ListType l2 || DoTypesConflict(l1.OfType, l2.OfType);
        }

        if (type2 is ListType)
        {
            return true;
        }

        if (type1 is NonNullType n1)
        {
            return type2 is not NonNullType n2 || DoTypesConflict(n1.OfType, n2.OfType);
        }

        if (type2 is NonNullType)
        {
            return true;
        }

        if (type1 is ScalarType or EnumType || type2 is ScalarType or EnumType)
        {
            return !ReferenceEquals(type1, type2);
        }

        return false;
    }

    private (FieldMap, List<string>) GetFieldsAndFragmentNames(ValidationContext context, NamedType? parentType, SelectionSetNode selectionSet)
    {
        if (_cache.TryGetValue(selectionSet, out var cached))
        {
            return cached;
        }

        var fieldMap = new FieldMap();
        var fragmentNames = new List<string>();
        Collect(context, parentType, selectionSet, fieldMap, fragmentNames);
        _cache[selectionSet] = (fieldMap, fragmentNames);
        return (fieldMap, fragmentNames);
    }

    private (FieldMap, List<string>) GetReferencedFieldsAndFragmentNames(ValidationContext context, FragmentDefinitionNode fragment)
    {
        if (_cache.TryGetValue(fragment.SelectionSet, out var cached))
        {
            return cached;
        }

        var fragmentType = context.Schema.TypeFromAst(fragment.TypeCondition) as NamedType;
        return GetFieldsAndFragmentNames(context, fragmentType, fragment.SelectionSet);
    }

    private static void Collect(ValidationContext context, NamedType? parentType, SelectionSetNode selectionSet, FieldMap fieldMap,
        List<string> fragmentNames)
    {
        foreach (var selection in selectionSet.Selections)
        {
            switch (selection)
            {
                case FieldNode field:
                    var def = (parentType as FieldsType)?.GetField(field.Name.Value);
                    var responseName = field.ResponseName;
                    if (!fieldMap.TryGetValue(responseName, out var list))
                    {
                        fieldMap[responseName] = list = [];
                        fieldMap.Order.Add(responseName);
                    }

                    list.Add(new FieldAndDef(parentType, field, def));
                    break;
                case FragmentSpreadNode spread:
                    if (!fragmentNames.Contains(spread.Name.Value))
                    {
                        fragmentNames.Add(spread.Name.Value);
                    }

                    break;
                case InlineFragmentNode inline:
                    var inlineType = inline.TypeCondition is { } tc ? context.Schema.TypeFromAst(tc) as NamedType : parentType;
                    Collect(context, inlineType, inline.SelectionSet, fieldMap, fragmentNames);
                    break;
            }
        }
    }

    private sealed class PairSet
    {
        private readonly Dictionary<(string, string), bool> _data = [];

        public bool Has(string a, string b, bool areMutuallyExclusive)
        {
            var key = string.CompareOrdinal(a, b) < 0 ? (a, b) : (b, a);
            if (!_data.TryGetValue(key, out var stored))
            {
                return false;
            }

            // A pair compared as mutually exclusive says nothing about the non-exclusive case.
            return areMutuallyExclusive || !stored;
        }

        public void Add(string a, string b, bool areMutuallyExclusive)
        {
            var key = string.CompareOrdinal(a, b) < 0 ? (a, b) : (b, a);
            _data[key] = areMutuallyExclusive;
        }
    }
}
