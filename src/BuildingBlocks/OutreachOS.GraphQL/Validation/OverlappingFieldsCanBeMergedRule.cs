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
            if (fields.Count < 2 || (fields.Count > 8 && !Probe(() => AnyConflictWithin(context, responseName, fields))))
            {
                continue;
            }

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
        }
    }

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
            if (fields1.Count * fields2.Count > 16 &&
                !Probe(() => AnyConflictBetween(context, parentFieldsAreMutuallyExclusive, responseName, fields1, fields2)))
            {
                continue;
            }

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
        }
    }

    // Guard against quadratic work on repeated fields ({ a a a ... } thousands of times). Fields with the same parent
    // type, definition and printed content give the same answer against any other field, so one representative pair
    // per group pair tells whether any conflict exists. Only when one does is every pair compared, in graphql-js order,
    // which keeps the reported conflicts (and the fragment-pair memo) exactly as graphql-js produces them.
    // With no conflict the probe memoized exactly the fragment pairs the full comparison would have; with one, the
    // memo is rolled back so the full comparison runs from the state graphql-js would be in.
    private bool Probe(Func<bool> anyConflict)
    {
        var snapshot = _comparedFragmentPairs.Snapshot();
        var found = anyConflict();
        if (found)
        {
            _comparedFragmentPairs.Restore(snapshot);
        }

        return found;
    }

    private bool AnyConflictWithin(ValidationContext context, string responseName, List<FieldAndDef> fields)
    {
        var groups = GroupBySignature(fields);
        for (var a = 0; a < groups.Count; a++)
        {
            if (groups[a].Count > 1 && FindConflict(context, false, responseName, fields[groups[a][0]], fields[groups[a][1]]) is not null)
            {
                return true;
            }

            for (var b = a + 1; b < groups.Count; b++)
            {
                if (FindConflict(context, false, responseName, fields[groups[a][0]], fields[groups[b][0]]) is not null)
                {
                    return true;
                }
            }
        }

        return false;
    }

    private bool AnyConflictBetween(ValidationContext context, bool mutuallyExclusive, string responseName, List<FieldAndDef> fields1,
        List<FieldAndDef> fields2)
    {
        foreach (var g1 in GroupBySignature(fields1))
        {
            foreach (var g2 in GroupBySignature(fields2))
            {
                if (FindConflict(context, mutuallyExclusive, responseName, fields1[g1[0]], fields2[g2[0]]) is not null)
                {
                    return true;
                }
            }
        }

        return false;
    }

    private static List<List<int>> GroupBySignature(List<FieldAndDef> fields)
    {
        var groups = new List<List<int>>();
        var bySignature = new Dictionary<(NamedType?, FieldDefinition?, string), List<int>>();
        for (var i = 0; i < fields.Count; i++)
        {
            var f = fields[i];
            var key = (f.ParentType, f.Def, Signature(f.Node));
            if (!bySignature.TryGetValue(key, out var members))
            {
                bySignature[key] = members = [];
                groups.Add(members);
            }

            members.Add(i);
        }

        return groups;
    }

    private static string Signature(FieldNode node)
    {
        var sb = new System.Text.StringBuilder();
        AppendField(sb, node);
        return sb.ToString();

        static void AppendField(System.Text.StringBuilder sb, FieldNode f)
        {
            sb.Append(f.Alias?.Value).Append(':').Append(f.Name.Value).Append('(');
            foreach (var a in f.Arguments.OrderBy(a => a.Name.Value, StringComparer.Ordinal))
            {
                sb.Append(a.Name.Value).Append(':').Append(Printer.PrintSorted(a.Value)).Append(',');
            }

            sb.Append(')');
            AppendSet(sb, f.SelectionSet);
        }

        static void AppendSet(System.Text.StringBuilder sb, SelectionSetNode? set)
        {
            if (set is null)
            {
                return;
            }

            sb.Append('{');
            foreach (var selection in set.Selections)
            {
                switch (selection)
                {
                    case FieldNode f:
                        AppendField(sb, f);
                        break;
                    case FragmentSpreadNode s:
                        sb.Append("...").Append(s.Name.Value);
                        break;
                    case InlineFragmentNode i:
                        sb.Append("...on ").Append(i.TypeCondition?.Name.Value);
                        AppendSet(sb, i.SelectionSet);
                        break;
                }

                sb.Append(' ');
            }

            sb.Append('}');
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

        public Dictionary<(string, string), bool> Snapshot() => new(_data);

        public void Restore(Dictionary<(string, string), bool> snapshot)
        {
            _data.Clear();
            foreach (var (k, v) in snapshot)
            {
                _data[k] = v;
            }
        }

        public void Add(string a, string b, bool areMutuallyExclusive)
        {
            var key = string.CompareOrdinal(a, b) < 0 ? (a, b) : (b, a);
            _data[key] = areMutuallyExclusive;
        }
    }
}
