using OutreachOS.GraphQL.Execution;
using OutreachOS.GraphQL.Language;

namespace OutreachOS.GraphQL;

/// <summary>An immutable, validated schema. Build one with <see cref="SchemaBuilder"/>.</summary>
public sealed class GraphQLSchema
{
    private readonly Dictionary<string, NamedType> _types;
    private readonly Dictionary<string, List<ObjectType>> _implementations = new(StringComparer.Ordinal);
    private readonly Dictionary<string, List<InterfaceType>> _interfaceImplementations = new(StringComparer.Ordinal);

    internal GraphQLSchema(string? description, ObjectType query, ObjectType? mutation, ObjectType? subscription,
        Dictionary<string, NamedType> types, IReadOnlyList<DirectiveDefinition> directives,
        FieldDefinition schemaMetaField, FieldDefinition typeMetaField, FieldDefinition typeNameMetaField)
    {
        Description = description;
        QueryType = query;
        MutationType = mutation;
        SubscriptionType = subscription;
        _types = types;
        Directives = directives;
        SchemaMetaField = schemaMetaField;
        TypeMetaField = typeMetaField;
        TypeNameMetaField = typeNameMetaField;
        foreach (var t in types.Values)
        {
            if (t is FieldsType ft)
            {
                foreach (var i in ft.Interfaces)
                {
                    if (t is ObjectType o)
                    {
                        Add(_implementations, i.Name, o);
                    }
                    else if (t is InterfaceType it)
                    {
                        Add(_interfaceImplementations, i.Name, it);
                    }
                }
            }
        }

        static void Add<T>(Dictionary<string, List<T>> map, string key, T value)
        {
            if (!map.TryGetValue(key, out var list))
            {
                map[key] = list = [];
            }

            list.Add(value);
        }
    }

    public string? Description { get; }

    public ObjectType QueryType { get; }

    public ObjectType? MutationType { get; }

    public ObjectType? SubscriptionType { get; }

    public IReadOnlyDictionary<string, NamedType> Types => _types;

    public IReadOnlyList<DirectiveDefinition> Directives { get; }

    internal FieldDefinition SchemaMetaField { get; }

    internal FieldDefinition TypeMetaField { get; }

    internal FieldDefinition TypeNameMetaField { get; }

    // Parsed + validated documents, keyed by query text. Bounded so that arbitrary client queries cannot grow it forever.
    internal DocumentCache DocumentCache { get; } = new();

    /// <summary>List sizes the query cost assumes for introspection fields, derived from this schema (computed once).</summary>
    internal IReadOnlyDictionary<string, int> IntrospectionListSizes => field ??= Validation.QueryLimits.IntrospectionListSizes(this);

    public NamedType? GetType(string name) => _types.GetValueOrDefault(name);

    public DirectiveDefinition? GetDirective(string name) => Directives.FirstOrDefault(d => d.Name == name);

    internal ObjectType? GetRootType(OperationType operation) => operation switch
    {
        OperationType.Query => QueryType,
        OperationType.Mutation => MutationType,
        _ => SubscriptionType,
    };

    /// <summary>The object types that can appear where the given abstract type is expected.</summary>
    public IReadOnlyList<ObjectType> GetPossibleTypes(NamedType abstractType) => abstractType switch
    {
        UnionType u => u.Types,
        InterfaceType i => _implementations.TryGetValue(i.Name, out var list) ? list : [],
        ObjectType o => [o],
        _ => [],
    };

    internal IReadOnlyList<InterfaceType> GetInterfaceImplementations(InterfaceType i) =>
        _interfaceImplementations.TryGetValue(i.Name, out var list) ? list : [];

    internal bool IsSubType(NamedType abstractType, NamedType maybeSubType) => abstractType switch
    {
        UnionType u => maybeSubType is ObjectType o && u.Types.Contains(o),
        InterfaceType i => maybeSubType switch
        {
            ObjectType o => GetPossibleTypes(i).Contains(o),
            InterfaceType mi => GetInterfaceImplementations(i).Contains(mi),
            _ => false,
        },
        _ => false,
    };

    internal bool IsTypeSubTypeOf(GraphQLType maybeSubType, GraphQLType superType)
    {
        if (GraphQLType.AreEqual(maybeSubType, superType))
        {
            return true;
        }

        if (superType is NonNullType sn)
        {
            return maybeSubType is NonNullType mn && IsTypeSubTypeOf(mn.OfType, sn.OfType);
        }

        if (maybeSubType is NonNullType mn2)
        {
            return IsTypeSubTypeOf(mn2.OfType, superType);
        }

        if (superType is ListType sl)
        {
            return maybeSubType is ListType ml && IsTypeSubTypeOf(ml.OfType, sl.OfType);
        }

        if (maybeSubType is ListType)
        {
            return false;
        }

        return superType is InterfaceType or UnionType && maybeSubType is InterfaceType or ObjectType &&
               IsSubType((NamedType)superType, (NamedType)maybeSubType);
    }

    internal bool DoTypesOverlap(NamedType a, NamedType b)
    {
        if (ReferenceEquals(a, b))
        {
            return true;
        }

        if (a is InterfaceType or UnionType)
        {
            if (b is InterfaceType or UnionType)
            {
                return GetPossibleTypes(a).Any(t => IsSubType(b, t));
            }

            return IsSubType(a, b);
        }

        return b is InterfaceType or UnionType && IsSubType(b, a);
    }

    internal GraphQLType? TypeFromAst(TypeNode node) => node switch
    {
        NamedTypeNode n => GetType(n.Name.Value),
        ListTypeNode l => TypeFromAst(l.Type) is { } inner ? new ListType(inner) : null,
        NonNullTypeNode nn => TypeFromAst(nn.Type) is { } inner2 ? new NonNullType(inner2) : null,
        _ => null,
    };
}
