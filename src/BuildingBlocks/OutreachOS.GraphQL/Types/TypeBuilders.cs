namespace OutreachOS.GraphQL;

internal abstract record TypeSpec(string Name)
{
    public string? Description { get; set; }

    internal abstract record Fields(string Name) : TypeSpec(Name)
    {
        public List<FieldSpec> FieldSpecs { get; } = [];

        public List<string> InterfaceNames { get; } = [];
    }

    internal sealed record Object(string Name, Type? ClrType) : Fields(Name)
    {
        public Func<object, bool>? IsTypeOf { get; set; }
    }

    internal sealed record Interface(string Name) : Fields(Name)
    {
        public Func<object, string?>? ResolveType { get; set; }
    }

    internal sealed record Union(string Name) : TypeSpec(Name)
    {
        public List<string> Members { get; } = [];

        public Func<object, string?>? ResolveType { get; set; }
    }

    internal sealed record Enum(string Name) : TypeSpec(Name)
    {
        public List<EnumValueDefinition> Values { get; } = [];
    }

    internal sealed record Input(string Name) : TypeSpec(Name)
    {
        public List<InputValueSpec> FieldSpecs { get; } = [];
    }

    internal sealed record Scalar(ScalarType Type) : TypeSpec(Type.Name);
}

internal sealed class FieldSpec(string name, string type)
{
    public string Name { get; } = name;

    public string Type { get; } = type;

    public string? Description { get; set; }

    public string? DeprecationReason { get; set; }

    public List<InputValueSpec> Arguments { get; } = [];

    public Func<ResolveContext, ValueTask<object?>>? Resolver { get; set; }

    public string? ConnectionNodeType { get; set; }

    public int? ConnectionPageSize { get; set; }

    public int? ListSize { get; set; }
}

internal sealed class InputValueSpec(string name, string type)
{
    public string Name { get; } = name;

    public string Type { get; } = type;

    public string? Description { get; set; }

    public string? DeprecationReason { get; set; }

    public bool HasDefault { get; set; }

    public object? DefaultValue { get; set; }
}

internal sealed record DirectiveSpec(string Name, DirectiveLocation[] Locations)
{
    public string? Description { get; set; }

    public bool Repeatable { get; set; }

    public List<InputValueSpec> Arguments { get; } = [];
}

/// <summary>Shared field API of object and interface builders.</summary>
public abstract class FieldsTypeBuilder<TSelf, TSource>
    where TSelf : FieldsTypeBuilder<TSelf, TSource>
{
    private protected FieldsTypeBuilder()
    {
    }

    internal abstract TypeSpec.Fields FieldsSpec { get; }

    private TSelf Self => (TSelf)this;

    public TSelf Description(string description)
    {
        FieldsSpec.Description = description;
        return Self;
    }

    public TSelf Implements(params string[] interfaceNames)
    {
        FieldsSpec.InterfaceNames.AddRange(interfaceNames);
        return Self;
    }

    /// <summary>A field resolved from the source by name: a property (case-insensitive) or a dictionary key.</summary>
    public TSelf Field(string name, string type, Action<FieldBuilder<TSource>>? configure = null) =>
        Add(name, type, null, configure);

    /// <summary>A field computed synchronously from the source value.</summary>
    public TSelf Field(string name, string type, Func<TSource, object?> resolve, Action<FieldBuilder<TSource>>? configure = null) =>
        Add(name, type, ctx => new ValueTask<object?>(resolve((TSource)ctx.Source!)), configure);

    /// <summary>A field with a full resolver (arguments, per-request context, cancellation, async I/O).</summary>
    public TSelf Field(string name, string type, Func<ResolveContext<TSource>, ValueTask<object?>> resolve,
        Action<FieldBuilder<TSource>>? configure = null) =>
        Add(name, type, ctx => resolve(new ResolveContext<TSource>(ctx)), configure);

    internal TSelf Add(string name, string type, Func<ResolveContext, ValueTask<object?>>? resolver, Action<FieldBuilder<TSource>>? configure)
    {
        var spec = new FieldSpec(name, type) { Resolver = resolver };
        configure?.Invoke(new FieldBuilder<TSource>(spec));
        FieldsSpec.FieldSpecs.Add(spec);
        return Self;
    }
}

public sealed class ObjectTypeBuilder<TSource> : FieldsTypeBuilder<ObjectTypeBuilder<TSource>, TSource>
{
    internal ObjectTypeBuilder(string name) =>
        Spec = new TypeSpec.Object(name, typeof(TSource) == typeof(object) ? null : typeof(TSource));

    internal TypeSpec.Object Spec { get; }

    internal override TypeSpec.Fields FieldsSpec => Spec;

    /// <summary>Overrides CLR-type matching when this type is a member of an interface or union.</summary>
    public ObjectTypeBuilder<TSource> IsTypeOf(Func<object, bool> predicate)
    {
        Spec.IsTypeOf = predicate;
        return this;
    }
}

public sealed class InterfaceTypeBuilder : FieldsTypeBuilder<InterfaceTypeBuilder, object>
{
    internal InterfaceTypeBuilder(string name) => Spec = new TypeSpec.Interface(name);

    internal TypeSpec.Interface Spec { get; }

    internal override TypeSpec.Fields FieldsSpec => Spec;

    /// <summary>Returns the object type name for a value; by default the object type declared for the value's CLR type.</summary>
    public InterfaceTypeBuilder ResolveType(Func<object, string?> resolveType)
    {
        Spec.ResolveType = resolveType;
        return this;
    }
}

public sealed class UnionTypeBuilder
{
    internal UnionTypeBuilder(string name) => Spec = new TypeSpec.Union(name);

    internal TypeSpec.Union Spec { get; }

    public UnionTypeBuilder Description(string description)
    {
        Spec.Description = description;
        return this;
    }

    public UnionTypeBuilder Types(params string[] objectTypeNames)
    {
        Spec.Members.AddRange(objectTypeNames);
        return this;
    }

    public UnionTypeBuilder ResolveType(Func<object, string?> resolveType)
    {
        Spec.ResolveType = resolveType;
        return this;
    }
}

public sealed class EnumTypeBuilder
{
    internal EnumTypeBuilder(string name) => Spec = new TypeSpec.Enum(name);

    internal TypeSpec.Enum Spec { get; }

    public EnumTypeBuilder Description(string description)
    {
        Spec.Description = description;
        return this;
    }

    /// <summary>An enum value; <paramref name="value"/> is what resolvers return and arguments receive (defaults to the name).</summary>
    public EnumTypeBuilder Value(string name, object? value = null, string? description = null, string? deprecationReason = null)
    {
        Spec.Values.Add(new EnumValueDefinition(name, value ?? name, description, deprecationReason));
        return this;
    }
}

public sealed class InputObjectTypeBuilder
{
    internal InputObjectTypeBuilder(string name) => Spec = new TypeSpec.Input(name);

    internal TypeSpec.Input Spec { get; }

    public InputObjectTypeBuilder Description(string description)
    {
        Spec.Description = description;
        return this;
    }

    public InputObjectTypeBuilder Field(string name, string type, Action<InputValueBuilder>? configure = null)
    {
        var spec = new InputValueSpec(name, type);
        configure?.Invoke(new InputValueBuilder(spec));
        Spec.FieldSpecs.Add(spec);
        return this;
    }
}

public sealed class FieldBuilder<TSource>
{
    private readonly FieldSpec _spec;

    internal FieldBuilder(FieldSpec spec) => _spec = spec;

    public FieldBuilder<TSource> Description(string description)
    {
        _spec.Description = description;
        return this;
    }

    public FieldBuilder<TSource> Deprecated(string reason = "No longer supported")
    {
        _spec.DeprecationReason = reason;
        return this;
    }

    public FieldBuilder<TSource> Argument(string name, string type, Action<InputValueBuilder>? configure = null)
    {
        var spec = new InputValueSpec(name, type);
        configure?.Invoke(new InputValueBuilder(spec));
        _spec.Arguments.Add(spec);
        return this;
    }

    /// <summary>How many items the query cost assumes this list field returns (its selections are counted that many
    /// times); without it a list counts <see cref="ExecutionOptions.DefaultListSize"/> items. Use an upper bound where
    /// there is one (e.g. 366 for a list of days) and a generous estimate where there is not.</summary>
    public FieldBuilder<TSource> ListSize(int items)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(items);
        _spec.ListSize = items;
        return this;
    }

    public FieldBuilder<TSource> Resolve(Func<ResolveContext<TSource>, object?> resolve)
    {
        _spec.Resolver = ctx => new ValueTask<object?>(resolve(new ResolveContext<TSource>(ctx)));
        return this;
    }

    public FieldBuilder<TSource> ResolveAsync(Func<ResolveContext<TSource>, ValueTask<object?>> resolve)
    {
        _spec.Resolver = ctx => resolve(new ResolveContext<TSource>(ctx));
        return this;
    }

    public FieldBuilder<TSource> ResolveAsync<TResult>(Func<ResolveContext<TSource>, Task<TResult>> resolve)
    {
        _spec.Resolver = async ctx => await resolve(new ResolveContext<TSource>(ctx));
        return this;
    }
}

public sealed class InputValueBuilder
{
    private readonly InputValueSpec _spec;

    internal InputValueBuilder(InputValueSpec spec) => _spec = spec;

    public InputValueBuilder Description(string description)
    {
        _spec.Description = description;
        return this;
    }

    /// <summary>The default value as an internal value (int, double, string, bool, decimal, enum CLR value,
    /// <c>IDictionary&lt;string, object?&gt;</c> for input objects, a list for lists, or null).</summary>
    public InputValueBuilder Default(object? value)
    {
        _spec.HasDefault = true;
        _spec.DefaultValue = value;
        return this;
    }

    public InputValueBuilder Deprecated(string reason = "No longer supported")
    {
        _spec.DeprecationReason = reason;
        return this;
    }
}

public sealed class DirectiveBuilder
{
    internal DirectiveBuilder(string name, DirectiveLocation[] locations) => Spec = new DirectiveSpec(name, locations);

    internal DirectiveSpec Spec { get; }

    public DirectiveBuilder Description(string description)
    {
        Spec.Description = description;
        return this;
    }

    public DirectiveBuilder Repeatable()
    {
        Spec.Repeatable = true;
        return this;
    }

    public DirectiveBuilder Argument(string name, string type, Action<InputValueBuilder>? configure = null)
    {
        var spec = new InputValueSpec(name, type);
        configure?.Invoke(new InputValueBuilder(spec));
        Spec.Arguments.Add(spec);
        return this;
    }
}
