namespace OutreachOS.GraphQL;

/// <summary>Any GraphQL type: a named type or a list / non-null wrapper.</summary>
public abstract class GraphQLType
{
    private protected GraphQLType()
    {
    }

    /// <summary>The innermost named type.</summary>
    public NamedType NamedType => this switch
    {
        ListType l => l.OfType.NamedType,
        NonNullType n => n.OfType.NamedType,
        _ => (NamedType)this,
    };

    internal GraphQLType Nullable => this is NonNullType n ? n.OfType : this;

    internal bool IsInputType => NamedType is ScalarType or EnumType or InputObjectType;

    internal bool IsOutputType => NamedType is ScalarType or EnumType or ObjectType or InterfaceType or UnionType;

    internal static bool AreEqual(GraphQLType? a, GraphQLType? b) => (a, b) switch
    {
        (ListType x, ListType y) => AreEqual(x.OfType, y.OfType),
        (NonNullType x, NonNullType y) => AreEqual(x.OfType, y.OfType),
        _ => ReferenceEquals(a, b),
    };
}

/// <summary>A list wrapper: <c>[T]</c>.</summary>
public sealed class ListType(GraphQLType ofType) : GraphQLType
{
    public GraphQLType OfType { get; } = ofType;

    public override string ToString() => $"[{OfType}]";
}

/// <summary>A non-null wrapper: <c>T!</c>.</summary>
public sealed class NonNullType : GraphQLType
{
    public NonNullType(GraphQLType ofType)
    {
        if (ofType is NonNullType)
        {
            throw new ArgumentException("A non-null type cannot wrap another non-null type.", nameof(ofType));
        }

        OfType = ofType;
    }

    public GraphQLType OfType { get; }

    public override string ToString() => $"{OfType}!";
}

/// <summary>A type with a name: scalar, object, interface, union, enum or input object.</summary>
public abstract class NamedType : GraphQLType
{
    private protected NamedType(string name, string? description)
    {
        Name = name;
        Description = description;
    }

    public string Name { get; }

    public string? Description { get; }

    public override string ToString() => Name;
}

/// <summary>Object and interface types: both have fields and may implement interfaces.</summary>
public abstract class FieldsType : NamedType
{
    private protected FieldsType(string name, string? description)
        : base(name, description)
    {
    }

    internal Dictionary<string, FieldDefinition> FieldMap { get; } = new(StringComparer.Ordinal);

    internal List<InterfaceType> InterfaceList { get; } = [];

    public IReadOnlyCollection<FieldDefinition> Fields => FieldMap.Values;

    public IReadOnlyList<InterfaceType> Interfaces => InterfaceList;

    public FieldDefinition? GetField(string name) => FieldMap.GetValueOrDefault(name);
}

public sealed class ObjectType : FieldsType
{
    internal ObjectType(string name, string? description, Type? clrType, Func<object, bool>? isTypeOf)
        : base(name, description)
    {
        ClrType = clrType;
        IsTypeOf = isTypeOf;
    }

    /// <summary>The CLR type this object type was declared for (used to resolve abstract types), if any.</summary>
    public Type? ClrType { get; }

    internal Func<object, bool>? IsTypeOf { get; }

    internal bool Accepts(object value)
    {
        if (IsTypeOf is not null)
        {
            return IsTypeOf(value);
        }

        return ClrType is not null && ClrType != typeof(object) && ClrType.IsInstanceOfType(value);
    }
}

public sealed class InterfaceType : FieldsType
{
    internal InterfaceType(string name, string? description, Func<object, string?>? resolveType)
        : base(name, description) => ResolveType = resolveType;

    internal Func<object, string?>? ResolveType { get; }
}

public sealed class UnionType : NamedType
{
    internal UnionType(string name, string? description, Func<object, string?>? resolveType)
        : base(name, description) => ResolveType = resolveType;

    internal List<ObjectType> TypeList { get; } = [];

    public IReadOnlyList<ObjectType> Types => TypeList;

    internal Func<object, string?>? ResolveType { get; }
}

public sealed class EnumType : NamedType
{
    internal EnumType(string name, string? description, IReadOnlyList<EnumValueDefinition> values)
        : base(name, description)
    {
        Values = values;
        ByName = values.ToDictionary(v => v.Name, StringComparer.Ordinal);
    }

    public IReadOnlyList<EnumValueDefinition> Values { get; }

    internal Dictionary<string, EnumValueDefinition> ByName { get; }

    internal EnumValueDefinition? FindByValue(object value)
    {
        foreach (var v in Values)
        {
            if (Equals(v.Value, value))
            {
                return v;
            }
        }

        return null;
    }
}

public sealed class InputObjectType : NamedType
{
    internal InputObjectType(string name, string? description)
        : base(name, description)
    {
    }

    internal Dictionary<string, InputValueDefinition> FieldMap { get; } = new(StringComparer.Ordinal);

    public IReadOnlyCollection<InputValueDefinition> Fields => FieldMap.Values;
}

/// <summary>A field of an object or interface type.</summary>
public sealed class FieldDefinition
{
    internal FieldDefinition(string name, string? description, GraphQLType type, IReadOnlyList<InputValueDefinition> arguments,
        Func<ResolveContext, ValueTask<object?>>? resolver, string? deprecationReason)
    {
        Name = name;
        Description = description;
        Type = type;
        Arguments = arguments;
        Resolver = resolver;
        DeprecationReason = deprecationReason;
    }

    public string Name { get; }

    public string? Description { get; }

    public GraphQLType Type { get; }

    public IReadOnlyList<InputValueDefinition> Arguments { get; }

    public Func<ResolveContext, ValueTask<object?>>? Resolver { get; }

    public string? DeprecationReason { get; }

    public bool IsDeprecated => DeprecationReason is not null;

    /// <summary>The number of items the query cost assumes this list field returns (null: the default).</summary>
    internal int? ListSize { get; init; }

    /// <summary>For a Relay connection field: its maximum page size, the items assumed without <c>first</c>/<c>last</c>.</summary>
    internal int? ConnectionPageSize { get; init; }

    internal InputValueDefinition? GetArgument(string name)
    {
        foreach (var a in Arguments)
        {
            if (a.Name == name)
            {
                return a;
            }
        }

        return null;
    }
}

/// <summary>An argument, or a field of an input object type.</summary>
public sealed class InputValueDefinition
{
    internal InputValueDefinition(string name, string? description, GraphQLType type, bool hasDefaultValue, object? defaultValue,
        string? deprecationReason)
    {
        Name = name;
        Description = description;
        Type = type;
        HasDefaultValue = hasDefaultValue;
        DefaultValue = defaultValue;
        DeprecationReason = deprecationReason;
    }

    public string Name { get; }

    public string? Description { get; }

    public GraphQLType Type { get; }

    public bool HasDefaultValue { get; }

    /// <summary>The default, as an internal (already coerced) value.</summary>
    public object? DefaultValue { get; }

    public string? DeprecationReason { get; }

    public bool IsDeprecated => DeprecationReason is not null;

    internal bool IsRequired => Type is NonNullType && !HasDefaultValue;
}

public sealed class EnumValueDefinition(string name, object value, string? description = null, string? deprecationReason = null)
{
    public string Name { get; } = name;

    public object Value { get; } = value;

    public string? Description { get; } = description;

    public string? DeprecationReason { get; } = deprecationReason;

    public bool IsDeprecated => DeprecationReason is not null;
}

/// <summary>Where a directive may appear (spec 3.13).</summary>
public enum DirectiveLocation
{
    QUERY,
    MUTATION,
    SUBSCRIPTION,
    FIELD,
    FRAGMENT_DEFINITION,
    FRAGMENT_SPREAD,
    INLINE_FRAGMENT,
    VARIABLE_DEFINITION,
    SCHEMA,
    SCALAR,
    OBJECT,
    FIELD_DEFINITION,
    ARGUMENT_DEFINITION,
    INTERFACE,
    UNION,
    ENUM,
    ENUM_VALUE,
    INPUT_OBJECT,
    INPUT_FIELD_DEFINITION,
}

public sealed class DirectiveDefinition
{
    internal DirectiveDefinition(string name, string? description, IReadOnlyList<DirectiveLocation> locations,
        IReadOnlyList<InputValueDefinition> arguments, bool isRepeatable)
    {
        Name = name;
        Description = description;
        Locations = locations;
        Arguments = arguments;
        IsRepeatable = isRepeatable;
    }

    public string Name { get; }

    public string? Description { get; }

    public IReadOnlyList<DirectiveLocation> Locations { get; }

    public IReadOnlyList<InputValueDefinition> Arguments { get; }

    public bool IsRepeatable { get; }
}
