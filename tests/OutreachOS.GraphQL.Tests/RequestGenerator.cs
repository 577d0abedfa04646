using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;

namespace OutreachOS.GraphQL.Tests;

/// <summary>A random request: document text, variables as JSON text (or null) and an operation name (or null).</summary>
internal sealed record GeneratedRequest(string Query, string? Variables, string? OperationName);

/// <summary>
/// Writes random GraphQL requests against a schema for the differential tests: mostly well-formed documents walking the
/// schema's fields (nested selections, aliases, fragments, variables, directives, arguments, introspection), a share of
/// them wrong in one place (unknown names, wrong literal types, conflicting aliases, fragment cycles, misplaced
/// directives...) and a share broken lexically (truncated, a character dropped, invalid numbers, unterminated strings).
/// Ignored tokens between tokens are random too (commas, comments, tabs, CRLF, BOM). The walk reads our schema model; the
/// reference side builds its schema from the SDL twin, so a difference in the models shows up as a mismatch as well.
/// </summary>
internal sealed class RequestGenerator
{
    private static readonly string[] Ids = ["1000", "1001", "1002", "1003", "1004", "2000", "2001", "3000", ""];
    private static readonly string[] Aliases = ["a", "b", "x", "name", "id", "value", "hero", "dog"];
    private static readonly string[] FragmentNames = ["F", "G", "H", "K"];
    private static readonly string[] VariableNames = ["a", "b", "c", "v"];
    private static readonly string[] OperationNames = ["Q", "R", "S"];

    private static readonly string[] LexicalNoise =
    [
        "1.", "0x1", "00", "01", "1e", ".5", "-", "1.2.3", "1_000", "123abc", "1.5e", "0.x", "-a", "1e+", "+1",
        "\"unterminated", "\"\"\"open block", "\"line\nbreak\"", "\"\\x\"", "\"\\u12\"", "\"\\uD800\"", "\"\\uDE00\\uD83D\"",
        "\"\\u{110000}\"", "\"\\u{}\"", "\"\\u{D800}\"", "\u0007", "$", "@", "...", "..", ".", "&", "|", "?", "'", "é", "😀", "\u00a0",
        "\"\u0001\"", "!", "=", ":", "(", ")", "[", "]", "{", "}", "on", "fragment", "null", "true", "$1", "@1", "\\",
    ];

    private readonly GraphQLSchema _schema;
    private readonly Random _random;
    private readonly bool _forExecution;
    private readonly int _maxDepth;
    private readonly List<NamedType> _compositeTypes;
    private readonly List<NamedType> _inputTypes;
    private readonly List<string> _enumValueNames;

    private StringBuilder _out = new();
    private List<(string Name, GraphQLType? Type)> _variables = [];
    private List<(string Name, NamedType? On, string Text)> _fragments = [];

    public RequestGenerator(GraphQLSchema schema, Random random, bool forExecution, int maxDepth = 4)
    {
        _schema = schema;
        _random = random;
        _forExecution = forExecution;
        _maxDepth = maxDepth;
        var userTypes = schema.Types.Values.Where(t => !t.Name.StartsWith("__", StringComparison.Ordinal)).ToList();
        _compositeTypes = userTypes.Where(t => t is ObjectType or InterfaceType or UnionType).ToList();
        _inputTypes = userTypes.Where(t => t is ScalarType or EnumType or InputObjectType).ToList();
        _enumValueNames = userTypes.OfType<EnumType>().SelectMany(e => e.Values.Select(v => v.Name)).ToList();
    }

    /// <summary>How often one value or name is made wrong on purpose.</summary>
    private double WrongRate => _forExecution ? 0.03 : 0.07;

    public GeneratedRequest Next()
    {
        _out = new StringBuilder();
        _fragments = [];
        var variablesJson = new JsonObject();
        if (Chance(0.03))
        {
            _out.Append('\uFEFF');
        }

        var operationCount = Chance(_forExecution ? 0.08 : 0.15) ? 2 : 1;
        var names = new List<string?>();
        for (var i = 0; i < operationCount; i++)
        {
            names.Add(Operation(operationCount, variablesJson));
        }

        if (!_forExecution && Chance(0.06) && _fragments.Count < FragmentNames.Length)
        {
            // A fragment nobody spreads (NoUnusedFragments), possibly spreading the others.
            FragmentDefinition(FragmentNames[_fragments.Count], Chance(0.8) ? Pick(_compositeTypes) : null, null, 1);
        }

        foreach (var fragment in _fragments)
        {
            // A fragment may come before or after the operations; its text was written when it was first spread.
            if (Chance(0.3))
            {
                _out.Insert(0, fragment.Text + Separator());
            }
            else
            {
                _out.Append(Separator()).Append(fragment.Text);
            }
        }

        if (Chance(0.3))
        {
            _out.Append(Separator());
        }

        var query = _out.ToString();
        if (Chance(_forExecution ? 0.03 : 0.18))
        {
            query = Damage(query);
        }

        if (!_forExecution && Chance(0.04))
        {
            // Well-formed type system definitions, never damaged: we parse them but, unlike graphql-js, do not validate
            // the names inside them (README, "Not supported"), so an unknown type there would be a known difference.
            query += Separator() + Pick(["type T { a: Int }", "scalar S", "extend type Dog { a: Int }", "schema { query: Query }",
                "directive @d on FIELD", "\"\"\"doc\"\"\" input I { a: [Int!] = [1] }", "union U = Dog | Cat", "enum E { A B }"]);
        }

        string? operationName = null;
        var named = names.Where(n => n is not null).ToList();
        if (operationCount > 1 || Chance(0.05))
        {
            operationName = Chance(0.85) && named.Count > 0 ? Pick(named)! : Chance(0.5) ? "Missing" : null;
        }

        return new GeneratedRequest(query, _forExecution && (variablesJson.Count > 0 || Chance(0.5)) ? variablesJson.ToJsonString() : null,
            operationName);
    }

    private string? Operation(int operationCount, JsonObject variablesJson)
    {
        _variables = [];
        var kind = _forExecution
            ? (Chance(0.97) ? "query" : "mutation")
            : Pick(["query", "query", "query", "query", "query", "query", "mutation", "subscription"]);
        var root = kind switch
        {
            "query" => _schema.QueryType,
            "mutation" => _schema.MutationType,
            _ => _schema.SubscriptionType,
        };
        if (kind == "query" && operationCount == 1 && Chance(0.4))
        {
            SelectionSet(root, 1);
            return null;
        }

        Token(kind);
        var name = Chance(operationCount > 1 ? 0.95 : 0.7) ? Pick(OperationNames) : null;
        if (name is not null)
        {
            Token(name);
        }

        var variableCount = _random.Next(0, 4);
        if (variableCount > 0 || Chance(0.02))
        {
            Token("(");
            for (var i = 0; i < variableCount; i++)
            {
                VariableDefinition(variablesJson);
            }

            Token(")");
        }

        Directives(kind.ToUpperInvariant());
        SelectionSet(root, 1);
        return name;
    }

    private void VariableDefinition(JsonObject variablesJson)
    {
        var name = Pick(VariableNames);
        var type = Chance(WrongRate) ? null : RandomInputType();
        Token("$" + name);
        Token(":");
        if (type is null)
        {
            Token(Pick(["Doge", "Dog", "Character", "Item", "[Pet]", "CatOrDog!", "Strin"]));
        }
        else
        {
            Token(type.ToString()!);
        }

        if (Chance(0.25))
        {
            Token("=");
            Value(type, constant: true, depth: 0);
        }

        if (!_forExecution && Chance(0.03))
        {
            Token(Pick(["@skip(if: true)", "@deprecated", "@include(if: false)"]));
        }

        _variables.Add((name, type));
        if (_forExecution && type is not null && Chance(0.8))
        {
            variablesJson[name] = JsonValue(type, 0);
        }
        else if (_forExecution && Chance(0.05))
        {
            variablesJson[name] = "BLUE";
        }
    }

    private GraphQLType RandomInputType()
    {
        GraphQLType type = Pick(_inputTypes);
        if (Chance(0.3))
        {
            type = new NonNullType(type);
        }

        if (Chance(0.25))
        {
            type = new ListType(type);
            if (Chance(0.3))
            {
                type = new NonNullType(type);
            }
        }

        return type;
    }

    private void SelectionSet(NamedType? type, int depth)
    {
        Token("{");
        var count = 1 + _random.Next(0, depth == 1 ? 3 : 4);
        for (var i = 0; i < count; i++)
        {
            var r = _random.NextDouble();
            if (r < 0.7 || depth >= _maxDepth)
            {
                Field(type, depth);
            }
            else if (r < 0.85)
            {
                InlineFragment(type, depth);
            }
            else
            {
                FragmentSpread(type, depth);
            }
        }

        Token("}");
    }

    private void Field(NamedType? parent, int depth)
    {
        var candidates = new List<FieldDefinition>();
        if (parent is FieldsType fields)
        {
            candidates.AddRange(fields.Fields);
        }

        if (parent == _schema.QueryType && Chance(0.08))
        {
            candidates = [_schema.SchemaMetaField, _schema.TypeMetaField];
        }

        if (parent is UnionType union && Chance(0.2))
        {
            // A member's field asked on the union itself: FieldsOnCorrectType suggests fragments.
            candidates.AddRange(union.Types.SelectMany(t => t.Fields));
        }

        FieldDefinition? field = candidates.Count == 0 || Chance(0.1) ? _schema.TypeNameMetaField : Pick(candidates);
        if (Chance(0.6 * WrongRate))
        {
            field = null;
        }

        if (Chance(0.2))
        {
            Token(Pick(Aliases));
            Token(":");
        }

        Token(field?.Name ?? Pick(["nme", "unknownField", "__typenam", "Name", "friend", "mother"]));
        Arguments(field, field == _schema.TypeMetaField);
        Directives("FIELD");
        var fieldType = field?.Type.NamedType;
        if (fieldType is ObjectType or InterfaceType or UnionType)
        {
            if (depth < _maxDepth && !Chance(WrongRate))
            {
                SelectionSet(fieldType, depth + 1);
            }
            else if (depth >= _maxDepth && !Chance(WrongRate))
            {
                Token("{");
                Token("__typename");
                Token("}");
            }
        }
        else if (field is null ? Chance(0.5) : Chance(WrongRate * 0.5))
        {
            SelectionSet(fieldType, _maxDepth);
        }
    }

    private void Arguments(FieldDefinition? field, bool typeMetaField)
    {
        var args = new List<(string Name, GraphQLType? Type)>();
        foreach (var arg in field?.Arguments ?? [])
        {
            var required = arg.Type is NonNullType && !arg.HasDefaultValue;
            if (required ? !Chance(WrongRate) : Chance(0.45))
            {
                args.Add((arg.Name, arg.Type));
            }
        }

        if (Chance(WrongRate * 0.6))
        {
            args.Add((Pick(["unknownArg", "if", "episod", "ID", "id"]), null));
        }

        if (args.Count > 0 && Chance(WrongRate * 0.4))
        {
            args.Add(Pick(args));
        }

        Shuffle(args);
        if (args.Count == 0 && !Chance(0.01))
        {
            return;
        }

        Token("(");
        foreach (var (name, type) in args)
        {
            Token(name);
            Token(":");
            if (typeMetaField && name == "name" && !Chance(WrongRate))
            {
                Token(Quote(Pick(_schema.Types.Keys.Append("Badger").ToList())));
            }
            else
            {
                Value(type, constant: false, depth: 0);
            }
        }

        Token(")");
    }

    private void Directives(string location)
    {
        if (!Chance(location == "FIELD" ? 0.12 : 0.05))
        {
            return;
        }

        var count = Chance(0.85) ? 1 : 2;
        for (var i = 0; i < count; i++)
        {
            var r = _random.NextDouble();
            if (r < 0.8 || _forExecution)
            {
                Token(Chance(0.5) ? "@skip" : "@include");
                Token("(");
                Token("if");
                Token(":");
                Value(new NonNullType(Scalars.Boolean), constant: false, depth: 0);
                Token(")");
            }
            else
            {
                Token(Pick(["@unknown", "@skip", "@include(if: true, if: false)", "@skip(iff: true)", "@deprecated",
                    "@deprecated(reason: \"x\")", "@specifiedBy(url: \"u\")", "@skip(if: 1)", "@include(if: null)"]));
            }
        }
    }

    private void InlineFragment(NamedType? parent, int depth)
    {
        Token("...");
        NamedType? condition = parent;
        if (Chance(0.75))
        {
            Token("on");
            if (Chance(WrongRate))
            {
                condition = null;
                Token(Pick(["Badger", "String", "FurColor", "Episode", "ComplexInput", "EchoInput"]));
            }
            else
            {
                condition = ConditionFor(parent);
                Token(condition.Name);
            }
        }

        Directives("INLINE_FRAGMENT");
        SelectionSet(condition ?? parent, depth + 1);
    }

    /// <summary>A type condition: mostly one that can apply to the parent, sometimes any composite type.</summary>
    private NamedType ConditionFor(NamedType? parent)
    {
        if (parent is not null && parent is not ScalarType and not EnumType && !Chance(_forExecution ? 0.05 : 0.25))
        {
            var related = new List<NamedType> { parent };
            related.AddRange(_schema.GetPossibleTypes(parent));
            if (parent is FieldsType f)
            {
                related.AddRange(f.Interfaces);
            }

            related.AddRange(_compositeTypes.OfType<UnionType>().Where(u => _schema.GetPossibleTypes(parent).Any(u.Types.Contains)));
            return Pick(related);
        }

        return Pick(_compositeTypes);
    }

    private void FragmentSpread(NamedType? parent, int depth)
    {
        Token("...");
        string name;
        if (_fragments.Count > 0 && Chance(_forExecution ? 0.2 : 0.35))
        {
            // Reuse: may not apply here, may spread a fragment within itself (its text is still being written).
            name = Pick(_fragments).Name;
        }
        else if (Chance(WrongRate) || _fragments.Count >= FragmentNames.Length)
        {
            name = Chance(0.5) ? "Missing" : Pick(FragmentNames);
        }
        else
        {
            name = FragmentNames[_fragments.Count];
            FragmentDefinition(name, Chance(WrongRate) ? null : ConditionFor(parent), parent, depth + 1);
        }

        Token(name);
        Directives("FRAGMENT_SPREAD");
    }

    /// <summary>Writes a fragment definition aside (it is placed when the document is complete); a null type condition
    /// names a type that cannot hold one.</summary>
    private void FragmentDefinition(string name, NamedType? on, NamedType? parent, int depth)
    {
        var index = _fragments.Count;
        _fragments.Add((name, on, string.Empty));
        var outer = _out;
        _out = new StringBuilder();
        Token("fragment");
        Token(name);
        Token("on");
        Token(on?.Name ?? Pick(["Badger", "Boolean", "FurColor", "Episode"]));
        Directives("FRAGMENT_DEFINITION");
        SelectionSet(on ?? parent, depth);
        _fragments[index] = (name, on, _out.ToString());
        _out = outer;
        if (!_forExecution && Chance(0.03))
        {
            _fragments.Add((name, on, _fragments[index].Text)); // defined twice
        }
    }

    /// <summary>A literal (or a variable) for an input of the given type; null type: an input we know nothing about.</summary>
    private void Value(GraphQLType? type, bool constant, int depth)
    {
        if (!constant && Chance(0.2) && (_variables.Count > 0 || Chance(0.1)))
        {
            Token("$" + (_variables.Count > 0 && !Chance(WrongRate) ? Pick(_variables).Name : Pick(VariableNames)));
            return;
        }

        if (type is null || Chance(WrongRate) || depth > 3)
        {
            Token(Pick(["\"x\"", "1", "1.5", "true", "null", "SIT", "RED", "NEWHOPE", "[1, 2]", "{a: 1}", "{}", "[]", "-0", "2147483648", "\"\"\"b\"\"\""]));
            return;
        }

        if (type is NonNullType nonNull)
        {
            Value(nonNull.OfType, constant, depth, nonNull: true);
            return;
        }

        Value(type, constant, depth, nonNull: false);
    }

    private void Value(GraphQLType type, bool constant, int depth, bool nonNull)
    {
        if (!nonNull && Chance(0.08))
        {
            Token("null");
            return;
        }

        switch (type)
        {
            case ListType list:
                if (Chance(0.3))
                {
                    Value(list.OfType, constant, depth + 1);
                    return;
                }

                Token("[");
                var count = _random.Next(0, 4);
                for (var i = 0; i < count; i++)
                {
                    Value(list.OfType, constant, depth + 1);
                }

                Token("]");
                return;
            case EnumType e:
                Token(Chance(0.9) ? Pick(e.Values).Name : Pick(["PURPLE", "sit", "\"SIT\"", "true", "null", Pick(_enumValueNames)]));
                return;
            case InputObjectType input:
                Token("{");
                var fields = new List<InputValueDefinition>();
                foreach (var f in input.Fields)
                {
                    var required = f.Type is NonNullType && !f.HasDefaultValue;
                    if (required ? !Chance(WrongRate) : Chance(0.5))
                    {
                        fields.Add(f);
                    }
                }

                Shuffle(fields);
                foreach (var f in fields)
                {
                    Token(f.Name);
                    Token(":");
                    Value(f.Type, constant, depth + 1);
                }

                if (Chance(WrongRate * 0.5))
                {
                    Token(Pick(["unknownField", fields.Count > 0 ? fields[0].Name : "name"]));
                    Token(":");
                    Token(Pick(["1", "\"x\"", "true"]));
                }

                Token("}");
                return;
            case ScalarType s:
                Token(s.Name switch
                {
                    "Int" => IntLiteral(),
                    "Float" => Chance(0.3) ? IntLiteral() : FloatLiteral(),
                    "Boolean" => Chance(0.5) ? "true" : "false",
                    "ID" => Chance(0.3) ? IntLiteral() : StringLiteral(),
                    _ => StringLiteral(),
                });
                return;
        }
    }

    private string IntLiteral() => Pick(["0", "-0", "7", "42", "-17", "2147483647", "-2147483648", "2147483648", "-2147483649",
        "99999999999999999999", "1", "3"]);

    private string FloatLiteral() => Pick(["1.5", "-0.0", "0.0", "1e3", "1E-3", "-2.5e+2", "1.7976931348623157e308", "5e-324",
        "123456789012345678901234567890.5", "0.1", "1e309", "-1e309"]);

    private string StringLiteral()
    {
        if (Chance(0.4))
        {
            return Quote(Pick(Ids));
        }

        if (Chance(0.15))
        {
            return Pick(["\"\"\"block\"\"\"", "\"\"\"\n    indented\n      more\n    \"\"\"", "\"\"\"  with \\\"\"\" inside \"\"\"",
                "\"\"\"\r\n\ttab\r\n\r\n\"\"\"", "\"\"\"\"\"\"", "\"\"\"unicode é 😀 \\u0041\"\"\"", "\"\"\"\n\n  \n\"\"\""]);
        }

        var sb = new StringBuilder("\"");
        var pieces = _random.Next(0, 4);
        for (var i = 0; i < pieces; i++)
        {
            sb.Append(Pick(["abc", " ", "\\n", "\\\"", "\\\\", "\\/", "\\b\\f\\r\\t", "\\u00e9", "\\u00E9", "\\uD83D\\uDE00",
                "\\u{1F600}", "\\u{41}", "é", "日本", "😀", "<&>'+`", "\\u0000", "%s", "1000"]));
        }

        return sb.Append('"').ToString();
    }

    /// <summary>A JSON value for a variable of the given type, sometimes of the wrong shape.</summary>
    private JsonNode? JsonValue(GraphQLType type, int depth)
    {
        if (Chance(WrongRate * 1.5) || depth > 3)
        {
            return Pick<Func<JsonNode?>>([() => "text", () => 1, () => true, () => new JsonArray(), () => new JsonObject(), () => null,
                () => JsonNode.Parse("1.0"), () => 2.5, () => "1"])();
        }

        if (type is NonNullType nonNull)
        {
            type = nonNull.OfType;
        }
        else if (Chance(0.08))
        {
            return null;
        }

        switch (type)
        {
            case ListType list:
                if (Chance(0.3))
                {
                    return JsonValue(list.OfType, depth + 1);
                }

                var array = new JsonArray();
                var count = _random.Next(0, 4);
                for (var i = 0; i < count; i++)
                {
                    array.Add(JsonValue(list.OfType, depth + 1));
                }

                return array;
            case EnumType e:
                return Chance(0.92) ? Pick(e.Values).Name : Pick(["BLUE", "sit", "NEWHOPE"]);
            case InputObjectType input:
                var obj = new JsonObject();
                foreach (var f in input.Fields)
                {
                    var required = f.Type is NonNullType && !f.HasDefaultValue;
                    if (required ? !Chance(WrongRate) : Chance(0.5))
                    {
                        obj[f.Name] = JsonValue(f.Type, depth + 1);
                    }
                }

                if (Chance(WrongRate))
                {
                    obj["unknownField"] = 1;
                }

                return obj;
            case ScalarType s:
                return s.Name switch
                {
                    "Int" => JsonNode.Parse(Pick(["0", "7", "-17", "2147483647", "-2147483648", "2147483648", "1.0", "1e2", "99999999999999999999"])),
                    "Float" => JsonNode.Parse(Pick(["1.5", "0", "-2.5e2", "1e300", "7"])),
                    "Boolean" => Chance(0.5),
                    "ID" => Chance(0.3) ? JsonNode.Parse(Pick(["12", "-3", "1.5"])) : Pick(Ids),
                    _ => Pick([.. Ids, "é 😀 <&>'\"\\", "tab\t", "\u0001"]),
                };
            default:
                return null;
        }
    }

    /// <summary>One lexical accident: the document truncated, a character dropped or replaced, or a bad token inserted.</summary>
    private string Damage(string query)
    {
        switch (_random.Next(0, 4))
        {
            case 0:
                return query[..SafeIndex(query, _random.Next(0, query.Length + 1))];
            case 1:
                if (query.Length == 0)
                {
                    return query;
                }

                var at = SafeIndex(query, _random.Next(0, query.Length));
                var length = char.IsHighSurrogate(query[at]) ? 2 : 1;
                return query.Remove(at, Math.Min(length, query.Length - at));
            default:
                var spaces = Enumerable.Range(0, query.Length).Where(i => query[i] == ' ').ToList();
                var position = spaces.Count > 0 ? Pick(spaces) : query.Length;
                return query.Insert(position, " " + Pick(LexicalNoise) + " ");
        }
    }

    private static int SafeIndex(string s, int i) => i > 0 && i < s.Length && char.IsLowSurrogate(s[i]) ? i - 1 : i;

    private static string Quote(string s) => "\"" + s.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal) + "\"";

    private void Token(string token) => _out.Append(Separator()).Append(token);

    /// <summary>Ignored tokens: always at least one, so names never run together.</summary>
    private string Separator()
    {
        var r = _random.NextDouble();
        return r switch
        {
            < 0.7 => " ",
            < 0.78 => ",",
            < 0.84 => "\n",
            < 0.87 => "\t",
            < 0.9 => " # comment é 😀 \"\"\" {\n",
            < 0.93 => "\r\n",
            < 0.95 => "\r",
            < 0.97 => "\uFEFF",
            _ => " ,, \n  ",
        };
    }

    private bool Chance(double p) => _random.NextDouble() < p;

    private T Pick<T>(IReadOnlyList<T> items) => items[_random.Next(items.Count)];

    private void Shuffle<T>(List<T> items)
    {
        for (var i = items.Count - 1; i > 0; i--)
        {
            var j = _random.Next(i + 1);
            (items[i], items[j]) = (items[j], items[i]);
        }
    }
}
