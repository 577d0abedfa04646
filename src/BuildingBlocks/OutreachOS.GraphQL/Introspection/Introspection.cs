using System.Collections;
using System.Globalization;
using OutreachOS.GraphQL.Language;

namespace OutreachOS.GraphQL;

/// <summary>The introspection types of spec section 4.5, built with the same builder as user types.</summary>
internal static class Introspection
{
    public static void Register(List<TypeSpec> specs)
    {
        var b = new SchemaBuilderScope(specs);

        b.Object<GraphQLSchema>("__Schema", t => t
            .Description("A GraphQL Schema defines the capabilities of a GraphQL server. It exposes all available types and directives on the server, as well as the entry points for query, mutation, and subscription operations.")
            .Field("description", "String", s => s.Description)
            .Field("types", "[__Type!]!", s => s.Types.Values.ToList(), f => f.Description("A list of all types supported by this server."))
            .Field("queryType", "__Type!", s => s.QueryType, f => f.Description("The type that query operations will be rooted at."))
            .Field("mutationType", "__Type", s => s.MutationType, f => f.Description("If this server supports mutation, the type that mutation operations will be rooted at."))
            .Field("subscriptionType", "__Type", s => s.SubscriptionType, f => f.Description("If this server support subscription, the type that subscription operations will be rooted at."))
            .Field("directives", "[__Directive!]!", s => s.Directives, f => f.Description("A list of all directives supported by this server.")));

        b.Object<DirectiveDefinition>("__Directive", t => t
            .Description("A Directive provides a way to describe alternate runtime execution and type validation behavior in a GraphQL document.\n\nIn some cases, you need to provide options to alter GraphQL's execution behavior in ways field arguments will not suffice, such as conditionally including or skipping a field. Directives provide this by describing additional information to the executor.")
            .Field("name", "String!", d => d.Name)
            .Field("description", "String", d => d.Description)
            .Field("isRepeatable", "Boolean!", d => d.IsRepeatable)
            .Field("locations", "[__DirectiveLocation!]!", d => d.Locations)
            .Field("args", "[__InputValue!]!", ArgsResolver<DirectiveDefinition>(d => d.Arguments), IncludeDeprecatedArg));

        var locations = new TypeSpec.Enum("__DirectiveLocation")
        {
            Description = "A Directive can be adjacent to many parts of the GraphQL language, a __DirectiveLocation describes one such possible adjacencies.",
        };
        foreach (var loc in Enum.GetValues<DirectiveLocation>())
        {
            locations.Values.Add(new EnumValueDefinition(loc.ToString(), loc, LocationDescription(loc)));
        }

        specs.Add(locations);

        b.Object<GraphQLType>("__Type", t => t
            .Description("The fundamental unit of any GraphQL Schema is the type. There are many kinds of types in GraphQL as represented by the `__TypeKind` enum.\n\nDepending on the kind of a type, certain fields describe information about that type. Scalar types provide no information beyond a name, description and optional `specifiedByURL`, while Enum types provide their values. Object and Interface types provide the fields they describe. Abstract types, Union and Interface, provide the Object types possible at runtime. List and NonNull types compose other types.")
            .Field("kind", "__TypeKind!", KindOf)
            .Field("name", "String", x => (x as NamedType)?.Name)
            .Field("description", "String", x => (x as NamedType)?.Description)
            .Field("specifiedByURL", "String", x => (x as ScalarType)?.SpecifiedByUrl)
            .Field("fields", "[__Field!]", ctx =>
            {
                if (ctx.Source is not FieldsType ft)
                {
                    return new ValueTask<object?>((object?)null);
                }

                var include = ctx.Argument("includeDeprecated", false);
                return new ValueTask<object?>(ft.Fields.Where(f => include || !f.IsDeprecated).ToList());
            }, IncludeDeprecatedArg)
            .Field("interfaces", "[__Type!]", x => (x as FieldsType)?.Interfaces)
            .Field("possibleTypes", "[__Type!]", ctx => new ValueTask<object?>(ctx.Source is InterfaceType or UnionType
                ? ctx.Schema.GetPossibleTypes((NamedType)ctx.Source)
                : null))
            .Field("enumValues", "[__EnumValue!]", ctx =>
            {
                if (ctx.Source is not EnumType et)
                {
                    return new ValueTask<object?>((object?)null);
                }

                var include = ctx.Argument("includeDeprecated", false);
                return new ValueTask<object?>(et.Values.Where(v => include || !v.IsDeprecated).ToList());
            }, IncludeDeprecatedArg)
            .Field("inputFields", "[__InputValue!]", ctx =>
            {
                if (ctx.Source is not InputObjectType io)
                {
                    return new ValueTask<object?>((object?)null);
                }

                var include = ctx.Argument("includeDeprecated", false);
                return new ValueTask<object?>(io.Fields.Where(v => include || !v.IsDeprecated).ToList());
            }, IncludeDeprecatedArg)
            .Field("ofType", "__Type", x => x switch
            {
                ListType l => l.OfType,
                NonNullType n => n.OfType,
                _ => null,
            })
            // graphql-js 16.9+ / graphql-core 3.2.8 expose this and newer tools may ask for it; OneOf input objects
            // themselves (a later spec addition) are not supported, so every input object answers false.
            .Field("isOneOf", "Boolean", x => x is InputObjectType ? false : null));

        b.Object<FieldDefinition>("__Field", t => t
            .Description("Object and Interface types are described by a list of Fields, each of which has a name, potentially a list of arguments, and a return type.")
            .Field("name", "String!", f => f.Name)
            .Field("description", "String", f => f.Description)
            .Field("args", "[__InputValue!]!", ArgsResolver<FieldDefinition>(f => f.Arguments), IncludeDeprecatedArg)
            .Field("type", "__Type!", f => f.Type)
            .Field("isDeprecated", "Boolean!", f => f.IsDeprecated)
            .Field("deprecationReason", "String", f => f.DeprecationReason));

        b.Object<InputValueDefinition>("__InputValue", t => t
            .Description("Arguments provided to Fields or Directives and the input fields of an InputObject are represented as Input Values which describe their type and optionally a default value.")
            .Field("name", "String!", v => v.Name)
            .Field("description", "String", v => v.Description)
            .Field("type", "__Type!", v => v.Type)
            .Field("defaultValue", "String", v => v.HasDefaultValue ? PrintValue(v.DefaultValue, v.Type) : null,
                f => f.Description("A GraphQL-formatted string representing the default value for this input value."))
            .Field("isDeprecated", "Boolean!", v => v.IsDeprecated)
            .Field("deprecationReason", "String", v => v.DeprecationReason));

        b.Object<EnumValueDefinition>("__EnumValue", t => t
            .Description("One possible value for a given Enum. Enum values are unique values, not a placeholder for a string or numeric value. However an Enum value is returned in a JSON response as a string.")
            .Field("name", "String!", v => v.Name)
            .Field("description", "String", v => v.Description)
            .Field("isDeprecated", "Boolean!", v => v.IsDeprecated)
            .Field("deprecationReason", "String", v => v.DeprecationReason));

        var kinds = new TypeSpec.Enum("__TypeKind") { Description = "An enum describing what kind of type a given `__Type` is." };
        foreach (var (name, desc) in new[]
                 {
                     ("SCALAR", "Indicates this type is a scalar."),
                     ("OBJECT", "Indicates this type is an object. `fields` and `interfaces` are valid fields."),
                     ("INTERFACE", "Indicates this type is an interface. `fields`, `interfaces`, and `possibleTypes` are valid fields."),
                     ("UNION", "Indicates this type is a union. `possibleTypes` is a valid field."),
                     ("ENUM", "Indicates this type is an enum. `enumValues` is a valid field."),
                     ("INPUT_OBJECT", "Indicates this type is an input object. `inputFields` is a valid field."),
                     ("LIST", "Indicates this type is a list. `ofType` is a valid field."),
                     ("NON_NULL", "Indicates this type is a non-null. `ofType` is a valid field."),
                 })
        {
            kinds.Values.Add(new EnumValueDefinition(name, name, desc));
        }

        specs.Add(kinds);
    }

    private static void IncludeDeprecatedArg<T>(FieldBuilder<T> f) =>
        f.Argument("includeDeprecated", "Boolean", a => a.Default(false));

    private static Func<ResolveContext<T>, ValueTask<object?>> ArgsResolver<T>(Func<T, IReadOnlyList<InputValueDefinition>> args) =>
        ctx =>
        {
            var include = ctx.Argument("includeDeprecated", false);
            return new ValueTask<object?>(args(ctx.Source).Where(a => include || !a.IsDeprecated).ToList());
        };

    private static string KindOf(GraphQLType t) => t switch
    {
        ScalarType => "SCALAR",
        ObjectType => "OBJECT",
        InterfaceType => "INTERFACE",
        UnionType => "UNION",
        EnumType => "ENUM",
        InputObjectType => "INPUT_OBJECT",
        ListType => "LIST",
        _ => "NON_NULL",
    };

    private static string LocationDescription(DirectiveLocation l) => l switch
    {
        DirectiveLocation.QUERY => "Location adjacent to a query operation.",
        DirectiveLocation.MUTATION => "Location adjacent to a mutation operation.",
        DirectiveLocation.SUBSCRIPTION => "Location adjacent to a subscription operation.",
        DirectiveLocation.FIELD => "Location adjacent to a field.",
        DirectiveLocation.FRAGMENT_DEFINITION => "Location adjacent to a fragment definition.",
        DirectiveLocation.FRAGMENT_SPREAD => "Location adjacent to a fragment spread.",
        DirectiveLocation.INLINE_FRAGMENT => "Location adjacent to an inline fragment.",
        DirectiveLocation.VARIABLE_DEFINITION => "Location adjacent to a variable definition.",
        DirectiveLocation.SCHEMA => "Location adjacent to a schema definition.",
        DirectiveLocation.SCALAR => "Location adjacent to a scalar definition.",
        DirectiveLocation.OBJECT => "Location adjacent to an object type definition.",
        DirectiveLocation.FIELD_DEFINITION => "Location adjacent to a field definition.",
        DirectiveLocation.ARGUMENT_DEFINITION => "Location adjacent to an argument definition.",
        DirectiveLocation.INTERFACE => "Location adjacent to an interface definition.",
        DirectiveLocation.UNION => "Location adjacent to a union definition.",
        DirectiveLocation.ENUM => "Location adjacent to an enum definition.",
        DirectiveLocation.ENUM_VALUE => "Location adjacent to an enum value definition.",
        DirectiveLocation.INPUT_OBJECT => "Location adjacent to an input object type definition.",
        _ => "Location adjacent to an input object field definition.",
    };

    /// <summary>graphql-js astFromValue + print: an internal value rendered as a GraphQL literal.</summary>
    internal static string? PrintValue(object? value, GraphQLType type)
    {
        if (type is NonNullType nn)
        {
            return value is null ? null : PrintValue(value, nn.OfType);
        }

        if (value is null)
        {
            return "null";
        }

        switch (type)
        {
            case ListType l:
                if (value is IEnumerable e and not string && value is not IDictionary<string, object?>)
                {
                    var items = new List<string>();
                    foreach (var item in e)
                    {
                        if (PrintValue(item, l.OfType) is { } s)
                        {
                            items.Add(s);
                        }
                    }

                    return "[" + string.Join(", ", items) + "]";
                }

                return PrintValue(value, l.OfType);
            case InputObjectType io:
                if (value is not IDictionary<string, object?> dict)
                {
                    return null;
                }

                var fields = new List<string>();
                foreach (var f in io.Fields)
                {
                    if (dict.TryGetValue(f.Name, out var fv) && PrintValue(fv, f.Type) is { } s)
                    {
                        fields.Add($"{f.Name}: {s}");
                    }
                }

                return "{" + string.Join(", ", fields) + "}";
            case EnumType et:
                return et.FindByValue(value)?.Name;
            case ScalarType st:
                object serialized;
                try
                {
                    serialized = st.Serialize(value);
                }
                catch (CoercionException)
                {
                    return null;
                }

                switch (serialized)
                {
                    case bool b:
                        return b ? "true" : "false";
                    case string str:
                        if (ReferenceEquals(st, Scalars.ID) && long.TryParse(str, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out _) && !str.StartsWith('+'))
                        {
                            return str;
                        }

                        return Printer.PrintString(str);
                    case double d:
                        return Math.Floor(d) == d && Math.Abs(d) < 1e21 ? d.ToString("F0", CultureInfo.InvariantCulture) : d.ToString("R", CultureInfo.InvariantCulture);
                    case IFormattable fmt:
                        return fmt.ToString(null, CultureInfo.InvariantCulture);
                    default:
                        return null;
                }

            default:
                return null;
        }
    }

    /// <summary>Lets introspection reuse the public type builders without a full <see cref="SchemaBuilder"/>.</summary>
    private sealed class SchemaBuilderScope(List<TypeSpec> specs)
    {
        public void Object<T>(string name, Action<ObjectTypeBuilder<T>> configure)
        {
            var builder = new ObjectTypeBuilder<T>(name);
            configure(builder);
            specs.Add(builder.Spec);
        }
    }
}
