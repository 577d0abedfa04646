using System.Reflection;
using System.Text;
using System.Text.RegularExpressions;
using OutreachOS.GraphQL.Language;

namespace OutreachOS.GraphQL;

/// <summary>
/// Code-first schema builder. Types refer to each other by GraphQL type strings (<c>"[Lead!]!"</c>), resolved at
/// <see cref="Build"/>, so declaration order does not matter and cycles are fine.
/// </summary>
public sealed partial class SchemaBuilder
{
    private readonly List<TypeSpec> _types = [];
    private readonly List<DirectiveSpec> _directives = [];
    private string? _description;
    private string _queryName = "Query";
    private string? _mutationName;
    private string? _subscriptionName;

    public SchemaBuilder Description(string description)
    {
        _description = description;
        return this;
    }

    /// <summary>Declares the query root type (named <c>Query</c>).</summary>
    public SchemaBuilder Query(Action<ObjectTypeBuilder<object>> configure) => Query("Query", configure);

    public SchemaBuilder Query(string name, Action<ObjectTypeBuilder<object>> configure)
    {
        _queryName = name;
        return Object(name, configure);
    }

    /// <summary>Declares the mutation root type (named <c>Mutation</c>); its fields execute serially.</summary>
    public SchemaBuilder Mutation(Action<ObjectTypeBuilder<object>> configure) => Mutation("Mutation", configure);

    public SchemaBuilder Mutation(string name, Action<ObjectTypeBuilder<object>> configure)
    {
        _mutationName = name;
        return Object(name, configure);
    }

    /// <summary>Declares a subscription root type. It is validated and introspectable; this executor does not stream it.</summary>
    public SchemaBuilder Subscription(Action<ObjectTypeBuilder<object>> configure)
    {
        _subscriptionName = "Subscription";
        return Object("Subscription", configure);
    }

    public SchemaBuilder Object(string name, Action<ObjectTypeBuilder<object>> configure) => Object<object>(name, configure);

    /// <summary>An object type whose resolvers receive a <typeparamref name="TSource"/> (for example a read-model record).
    /// Values of that CLR type resolve to this object type when returned from interface or union fields.</summary>
    public SchemaBuilder Object<TSource>(string name, Action<ObjectTypeBuilder<TSource>> configure)
    {
        var b = new ObjectTypeBuilder<TSource>(name);
        configure(b);
        _types.Add(b.Spec);
        return this;
    }

    public SchemaBuilder Interface(string name, Action<InterfaceTypeBuilder> configure)
    {
        var b = new InterfaceTypeBuilder(name);
        configure(b);
        _types.Add(b.Spec);
        return this;
    }

    public SchemaBuilder Union(string name, Action<UnionTypeBuilder> configure)
    {
        var b = new UnionTypeBuilder(name);
        configure(b);
        _types.Add(b.Spec);
        return this;
    }

    public SchemaBuilder Enum(string name, Action<EnumTypeBuilder> configure)
    {
        var b = new EnumTypeBuilder(name);
        configure(b);
        _types.Add(b.Spec);
        return this;
    }

    /// <summary>An enum from a CLR enum: member <c>NewHope</c> becomes <c>NEW_HOPE</c>, <c>[Obsolete]</c> marks deprecation,
    /// <c>[Description]</c> gives the description. Resolvers return and arguments receive the CLR enum value.</summary>
    public SchemaBuilder Enum<TEnum>(string? name = null, string? description = null)
        where TEnum : struct, Enum
    {
        var b = new EnumTypeBuilder(name ?? typeof(TEnum).Name);
        if (description is not null)
        {
            b.Description(description);
        }

        foreach (var field in typeof(TEnum).GetFields(BindingFlags.Public | BindingFlags.Static))
        {
            var obsolete = field.GetCustomAttribute<ObsoleteAttribute>();
            var desc = field.GetCustomAttribute<System.ComponentModel.DescriptionAttribute>()?.Description;
            b.Value(ConstantCase(field.Name), field.GetValue(null)!, desc,
                obsolete is null ? null : obsolete.Message ?? "No longer supported");
        }

        _types.Add(b.Spec);
        return this;
    }

    public SchemaBuilder InputObject(string name, Action<InputObjectTypeBuilder> configure)
    {
        var b = new InputObjectTypeBuilder(name);
        configure(b);
        _types.Add(b.Spec);
        return this;
    }

    /// <summary>Adds a built-in scalar (<see cref="Scalars.DateTime"/>, <see cref="Scalars.Decimal"/>) to the schema even
    /// when no field references it.</summary>
    public SchemaBuilder Scalar(ScalarType scalar)
    {
        _types.Add(new TypeSpec.Scalar(scalar));
        return this;
    }

    /// <summary>A custom directive (clients may use it where its locations allow; the executor ignores it).</summary>
    public SchemaBuilder Directive(string name, IEnumerable<DirectiveLocation> locations, Action<DirectiveBuilder>? configure = null)
    {
        var b = new DirectiveBuilder(name, [.. locations]);
        configure?.Invoke(b);
        _directives.Add(b.Spec);
        return this;
    }

    internal static string ConstantCase(string name)
    {
        var sb = new StringBuilder();
        for (var i = 0; i < name.Length; i++)
        {
            var c = name[i];
            if (i > 0 && char.IsUpper(c) && (char.IsLower(name[i - 1]) || (i + 1 < name.Length && char.IsLower(name[i + 1]) && char.IsUpper(name[i - 1]))))
            {
                sb.Append('_');
            }

            sb.Append(char.ToUpperInvariant(c));
        }

        return sb.ToString();
    }

    [GeneratedRegex("^[_a-zA-Z][_a-zA-Z0-9]*$")]
    private static partial Regex NameRegex();

    /// <summary>Resolves all type references, checks the schema rules of spec section 3 and returns the schema.</summary>
    /// <exception cref="SchemaException">The schema is invalid; the message lists every problem.</exception>
    public GraphQLSchema Build()
    {
        var errors = new List<string>();
        var specs = new List<TypeSpec>(_types);
        ConnectionFieldExtensions.AddConnectionTypes(specs);
        Introspection.Register(specs);
        var named = new Dictionary<string, NamedType>(StringComparer.Ordinal);
        foreach (var s in Scalars.All)
        {
            named[s.Name] = s;
        }

        var declared = new List<NamedType>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var spec in specs)
        {
            if (!NameRegex().IsMatch(spec.Name))
            {
                errors.Add($"Names must match /^[_a-zA-Z][_a-zA-Z0-9]*$/ but \"{spec.Name}\" does not.");
            }

            if (!seen.Add(spec.Name))
            {
                errors.Add($"Schema must contain uniquely named types but contains multiple types named \"{spec.Name}\".");
                continue;
            }

            if (spec is TypeSpec.Scalar sc)
            {
                declared.Add(sc.Type);
                continue;
            }

            if (named.ContainsKey(spec.Name))
            {
                errors.Add($"Type \"{spec.Name}\" conflicts with a built-in scalar.");
                continue;
            }

            NamedType t = spec switch
            {
                TypeSpec.Object o => new ObjectType(o.Name, o.Description, o.ClrType, o.IsTypeOf),
                TypeSpec.Interface i => new InterfaceType(i.Name, i.Description, i.ResolveType),
                TypeSpec.Union u => new UnionType(u.Name, u.Description, u.ResolveType),
                TypeSpec.Enum e => new EnumType(e.Name, e.Description, e.Values),
                TypeSpec.Input io => new InputObjectType(io.Name, io.Description),
                _ => throw new InvalidOperationException(),
            };
            named[spec.Name] = t;
            declared.Add(t);
        }

        GraphQLType? Ref(string typeRef, string where)
        {
            TypeNode node;
            try
            {
                node = Parser.ParseType(typeRef);
            }
            catch (GraphQLSyntaxException e)
            {
                errors.Add($"{where}: invalid type reference \"{typeRef}\" ({e.Message}).");
                return null;
            }

            return Resolve(node);

            GraphQLType? Resolve(TypeNode n) => n switch
            {
                NamedTypeNode nt => named.TryGetValue(nt.Name.Value, out var t) ? t : Fail(nt.Name.Value),
                ListTypeNode l => Resolve(l.Type) is { } inner ? new ListType(inner) : null,
                NonNullTypeNode nn => Resolve(nn.Type) is { } inner2 ? new NonNullType(inner2) : null,
                _ => null,
            };

            GraphQLType? Fail(string name)
            {
                errors.Add($"{where}: unknown type \"{name}\".");
                return null;
            }
        }

        List<InputValueDefinition> Args(IEnumerable<InputValueSpec> args, string where)
        {
            var list = new List<InputValueDefinition>();
            var names = new HashSet<string>(StringComparer.Ordinal);
            foreach (var a in args)
            {
                var w = $"{where}({a.Name}:)";
                if (!names.Add(a.Name))
                {
                    errors.Add($"{w} is defined more than once.");
                }

                if (Ref(a.Type, w) is not { } type)
                {
                    continue;
                }

                if (!type.IsInputType)
                {
                    errors.Add($"The type of {w} must be Input Type but got: {type}.");
                }

                if (a.DeprecationReason is not null && type is NonNullType && !a.HasDefault)
                {
                    errors.Add($"Required argument {w} cannot be deprecated.");
                }

                list.Add(new InputValueDefinition(a.Name, a.Description, type, a.HasDefault, a.DefaultValue, a.DeprecationReason));
            }

            return list;
        }

        foreach (var spec in specs)
        {
            if (!named.TryGetValue(spec.Name, out var type))
            {
                continue;
            }

            switch (spec, type)
            {
                case (TypeSpec.Fields fs, FieldsType ft):
                    foreach (var f in fs.FieldSpecs)
                    {
                        var where = $"{spec.Name}.{f.Name}";
                        if (!NameRegex().IsMatch(f.Name) || f.Name.StartsWith("__", StringComparison.Ordinal) && !spec.Name.StartsWith("__", StringComparison.Ordinal))
                        {
                            errors.Add($"Field name \"{where}\" is invalid.");
                        }

                        if (ft.FieldMap.ContainsKey(f.Name))
                        {
                            errors.Add($"Field \"{where}\" is defined more than once.");
                            continue;
                        }

                        if (Ref(f.Type, where) is not { } ftype)
                        {
                            continue;
                        }

                        if (!ftype.IsOutputType)
                        {
                            errors.Add($"The type of {where} must be Output Type but got: {ftype}.");
                        }

                        ft.FieldMap[f.Name] = new FieldDefinition(f.Name, f.Description, ftype, Args(f.Arguments, where),
                            f.Resolver, f.DeprecationReason) { ListSize = f.ListSize, ConnectionPageSize = f.ConnectionPageSize };
                    }

                    if (ft.FieldMap.Count == 0)
                    {
                        errors.Add($"Type {spec.Name} must define one or more fields.");
                    }

                    foreach (var iname in fs.InterfaceNames)
                    {
                        if (named.GetValueOrDefault(iname) is InterfaceType it && !ReferenceEquals(it, ft))
                        {
                            if (!ft.InterfaceList.Contains(it))
                            {
                                ft.InterfaceList.Add(it);
                            }
                        }
                        else
                        {
                            errors.Add($"Type {spec.Name} must only implement Interface types, it cannot implement {iname}.");
                        }
                    }

                    break;
                case (TypeSpec.Union us, UnionType ut):
                    foreach (var member in us.Members)
                    {
                        if (named.GetValueOrDefault(member) is ObjectType o)
                        {
                            if (!ut.TypeList.Contains(o))
                            {
                                ut.TypeList.Add(o);
                            }
                        }
                        else
                        {
                            errors.Add($"Union type {spec.Name} can only include Object types, it cannot include {member}.");
                        }
                    }

                    if (ut.TypeList.Count == 0)
                    {
                        errors.Add($"Union type {spec.Name} must define one or more member types.");
                    }

                    break;
                case (TypeSpec.Input ins, InputObjectType iot):
                    foreach (var a in Args(ins.FieldSpecs, spec.Name))
                    {
                        iot.FieldMap[a.Name] = a;
                    }

                    if (iot.FieldMap.Count == 0)
                    {
                        errors.Add($"Input Object type {spec.Name} must define one or more fields.");
                    }

                    break;
                case (TypeSpec.Enum es, EnumType):
                    if (es.Values.Count == 0)
                    {
                        errors.Add($"Enum type {spec.Name} must define one or more values.");
                    }

                    foreach (var v in es.Values)
                    {
                        if (!NameRegex().IsMatch(v.Name) || v.Name is "true" or "false" or "null")
                        {
                            errors.Add($"Enum type {spec.Name} cannot include value: {v.Name}.");
                        }
                    }

                    break;
            }
        }

        foreach (var t in declared.OfType<FieldsType>())
        {
            CheckImplementations(t, errors);
        }

        var directives = new List<DirectiveDefinition>
        {
            BuiltInDirective("include", "Directs the executor to include this field or fragment only when the `if` argument is true.",
                [DirectiveLocation.FIELD, DirectiveLocation.FRAGMENT_SPREAD, DirectiveLocation.INLINE_FRAGMENT],
                new InputValueDefinition("if", "Included when true.", new NonNullType(Scalars.Boolean), false, null, null)),
            BuiltInDirective("skip", "Directs the executor to skip this field or fragment when the `if` argument is true.",
                [DirectiveLocation.FIELD, DirectiveLocation.FRAGMENT_SPREAD, DirectiveLocation.INLINE_FRAGMENT],
                new InputValueDefinition("if", "Skipped when true.", new NonNullType(Scalars.Boolean), false, null, null)),
            BuiltInDirective("deprecated", "Marks an element of a GraphQL schema as no longer supported.",
                [DirectiveLocation.FIELD_DEFINITION, DirectiveLocation.ARGUMENT_DEFINITION, DirectiveLocation.INPUT_FIELD_DEFINITION, DirectiveLocation.ENUM_VALUE],
                new InputValueDefinition("reason",
                    "Explains why this element was deprecated, usually also including a suggestion for how to access supported similar data. Formatted using the Markdown syntax, as specified by [CommonMark](https://commonmark.org/).",
                    Scalars.String, true, "No longer supported", null)),
            BuiltInDirective("specifiedBy", "Exposes a URL that specifies the behavior of this scalar.",
                [DirectiveLocation.SCALAR],
                new InputValueDefinition("url", "The URL that specifies the behavior of this scalar.", new NonNullType(Scalars.String), false, null, null)),
            new("oneOf", "Indicates exactly one field must be supplied and this field must not be `null`.", [DirectiveLocation.INPUT_OBJECT], [], false),
        };
        foreach (var d in _directives)
        {
            if (directives.Any(x => x.Name == d.Name))
            {
                errors.Add($"Directive \"@{d.Name}\" is defined more than once.");
                continue;
            }

            directives.Add(new DirectiveDefinition(d.Name, d.Description, d.Locations, Args(d.Arguments, "@" + d.Name), d.Repeatable));
        }

        var query = named.GetValueOrDefault(_queryName) as ObjectType;
        if (query is null)
        {
            errors.Add("Query root type must be provided.");
        }

        ObjectType? Root(string? name, string kind)
        {
            if (name is null)
            {
                return null;
            }

            if (named.GetValueOrDefault(name) is ObjectType o)
            {
                return o;
            }

            errors.Add($"{kind} root type must be Object type if provided.");
            return null;
        }

        var mutation = Root(_mutationName, "Mutation");
        var subscription = Root(_subscriptionName, "Subscription");
        if (errors.Count > 0)
        {
            throw new SchemaException(errors);
        }

        // Type map: reachable types in the order graphql-js collects them, plus every declared type.
        var typeMap = new Dictionary<string, NamedType>(StringComparer.Ordinal);
        void Collect(NamedType t)
        {
            if (!typeMap.TryAdd(t.Name, t))
            {
                return;
            }

            switch (t)
            {
                case UnionType u:
                    foreach (var m in u.Types)
                    {
                        Collect(m);
                    }

                    break;
                case FieldsType ft:
                    foreach (var i in ft.Interfaces)
                    {
                        Collect(i);
                    }

                    foreach (var f in ft.Fields)
                    {
                        Collect(f.Type.NamedType);
                        foreach (var a in f.Arguments)
                        {
                            Collect(a.Type.NamedType);
                        }
                    }

                    break;
                case InputObjectType io:
                    foreach (var f in io.Fields)
                    {
                        Collect(f.Type.NamedType);
                    }

                    break;
            }
        }

        Collect(query!);
        if (mutation is not null)
        {
            Collect(mutation);
        }

        if (subscription is not null)
        {
            Collect(subscription);
        }

        foreach (var t in declared.Where(t => !t.Name.StartsWith("__", StringComparison.Ordinal)))
        {
            Collect(t);
        }

        foreach (var d in directives)
        {
            foreach (var a in d.Arguments)
            {
                Collect(a.Type.NamedType);
            }
        }

        Collect(named["__Schema"]);

        // Abstract types must reach their implementations even if nothing references them directly (declared above).
        var schemaField = new FieldDefinition("__schema", "Access the current type schema of this server.",
            new NonNullType(named["__Schema"]), [], ctx => new ValueTask<object?>(ctx.Schema), null);
        var typeField = new FieldDefinition("__type", "Request the type information of a single type.", named["__Type"],
            [new InputValueDefinition("name", null, new NonNullType(Scalars.String), false, null, null)],
            ctx => new ValueTask<object?>(ctx.Schema.GetType((string)ctx.Arguments["name"]!)), null);
        var typeNameField = new FieldDefinition("__typename", "The name of the current Object type at runtime.",
            new NonNullType(Scalars.String), [], ctx => new ValueTask<object?>(ctx.ParentType.Name), null);
        return new GraphQLSchema(_description, query!, mutation, subscription, typeMap, directives, schemaField, typeField, typeNameField);
    }

    private static DirectiveDefinition BuiltInDirective(string name, string description, DirectiveLocation[] locations, InputValueDefinition arg) =>
        new(name, description, locations, [arg], false);

    private static void CheckImplementations(FieldsType type, List<string> errors)
    {
        foreach (var iface in type.Interfaces)
        {
            foreach (var transitive in iface.Interfaces)
            {
                if (!type.Interfaces.Contains(transitive))
                {
                    errors.Add($"Type {type.Name} must implement {transitive.Name} because it is implemented by {iface.Name}.");
                }
            }

            foreach (var ifield in iface.Fields)
            {
                var field = type.GetField(ifield.Name);
                if (field is null)
                {
                    errors.Add($"Interface field {iface.Name}.{ifield.Name} expected but {type.Name} does not provide it.");
                    continue;
                }

                if (!IsCovariant(field.Type, ifield.Type))
                {
                    errors.Add($"Interface field {iface.Name}.{ifield.Name} expects type {ifield.Type} but {type.Name}.{field.Name} is type {field.Type}.");
                }

                foreach (var iarg in ifield.Arguments)
                {
                    var arg = field.GetArgument(iarg.Name);
                    if (arg is null)
                    {
                        errors.Add($"Interface field argument {iface.Name}.{ifield.Name}({iarg.Name}:) expected but {type.Name}.{field.Name} does not provide it.");
                    }
                    else if (!GraphQLType.AreEqual(arg.Type, iarg.Type))
                    {
                        errors.Add($"Interface field argument {iface.Name}.{ifield.Name}({iarg.Name}:) expects type {iarg.Type} but {type.Name}.{field.Name}({arg.Name}:) is type {arg.Type}.");
                    }
                }

                foreach (var arg in field.Arguments)
                {
                    if (arg.IsRequired && ifield.GetArgument(arg.Name) is null)
                    {
                        errors.Add($"Object field {type.Name}.{field.Name} includes required argument {arg.Name} that is missing from the Interface field {iface.Name}.{ifield.Name}.");
                    }
                }
            }
        }

        // Covariance without a schema instance: object/interface subtypes are checked by declared interfaces.
        static bool IsCovariant(GraphQLType sub, GraphQLType super) => (sub, super) switch
        {
            (NonNullType a, NonNullType b) => IsCovariant(a.OfType, b.OfType),
            (NonNullType a, _) => IsCovariant(a.OfType, super),
            (_, NonNullType) => false,
            (ListType a, ListType b) => IsCovariant(a.OfType, b.OfType),
            (ListType, _) or (_, ListType) => false,
            _ when ReferenceEquals(sub, super) => true,
            (FieldsType f, InterfaceType i) => f.Interfaces.Contains(i),
            (ObjectType o, UnionType u) => u.Types.Contains(o),
            _ => false,
        };
    }
}

/// <summary>The schema built by <see cref="SchemaBuilder"/> breaks a rule of the spec's type system.</summary>
public sealed class SchemaException(IReadOnlyList<string> errors)
    : Exception("Invalid GraphQL schema:\n- " + string.Join("\n- ", errors))
{
    public IReadOnlyList<string> Errors { get; } = errors;
}
