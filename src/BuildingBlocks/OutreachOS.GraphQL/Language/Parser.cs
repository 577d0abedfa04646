namespace OutreachOS.GraphQL.Language;

/// <summary>Recursive-descent parser for executable documents (spec section 2). Type system definitions are parsed for
/// their syntax only (a malformed one is a syntax error, as in graphql-js) and kept as a bare node so that validation can
/// reject them with the ExecutableDefinitions message.</summary>
internal sealed class Parser
{
    private const int MaxTokens = 20_000;
    private const int MaxDepth = 200;
    private readonly Lexer _lexer;
    private Token _token;
    private Token _prev;
    private int _tokenCount;
    private int _depth;

    private Parser(string source)
    {
        _lexer = new Lexer(source);
        _token = new Token(TokenKind.Sof, 0, 0, new SourceLocation(1, 1), null);
        Advance();
    }

    public static DocumentNode Parse(string source) => new Parser(source).ParseDocument();

    public static TypeNode ParseType(string source)
    {
        var p = new Parser(source);
        var type = p.ParseTypeReference();
        p.Expect(TokenKind.Eof);
        return type;
    }

    public static ValueNode ParseValue(string source)
    {
        var p = new Parser(source);
        var value = p.ParseValueLiteral(isConst: true);
        p.Expect(TokenKind.Eof);
        return value;
    }

    private void Advance()
    {
        _prev = _token;
        _token = _lexer.Next();
        if (_token.Kind != TokenKind.Eof && ++_tokenCount > MaxTokens)
        {
            throw new GraphQLSyntaxException(
                $"Syntax Error: Document contains more than {MaxTokens} tokens. Parsing aborted.", _token.Loc);
        }
    }

    private GraphQLSyntaxException Unexpected(Token? token = null)
    {
        var t = token ?? _token;
        return new GraphQLSyntaxException($"Syntax Error: Unexpected {t.Description}.", t.Loc);
    }

    private bool Peek(TokenKind kind) => _token.Kind == kind;

    private Token Expect(TokenKind kind)
    {
        var t = _token;
        if (t.Kind != kind)
        {
            throw new GraphQLSyntaxException(
                $"Syntax Error: Expected {Token.KindDescription(kind)}, found {t.Description}.", t.Loc);
        }

        Advance();
        return t;
    }

    private bool Skip(TokenKind kind)
    {
        if (_token.Kind != kind)
        {
            return false;
        }

        Advance();
        return true;
    }

    private void ExpectKeyword(string value)
    {
        if (_token.Kind == TokenKind.Name && _token.Value == value)
        {
            Advance();
            return;
        }

        throw new GraphQLSyntaxException($"Syntax Error: Expected \"{value}\", found {_token.Description}.", _token.Loc);
    }

    private bool PeekKeyword(string value) => _token.Kind == TokenKind.Name && _token.Value == value;

    private void Enter()
    {
        if (++_depth > MaxDepth)
        {
            throw new GraphQLSyntaxException("Syntax Error: Document is nested too deeply.", _token.Loc);
        }
    }

    private NameNode ParseName()
    {
        var t = Expect(TokenKind.Name);
        return new NameNode { Loc = t.Loc, Value = t.Value! };
    }

    private DocumentNode ParseDocument()
    {
        var loc = _token.Loc;
        var defs = new List<DefinitionNode>();
        do
        {
            defs.Add(ParseDefinition());
        }
        while (!Peek(TokenKind.Eof));

        return new DocumentNode { Loc = loc, Definitions = defs };
    }

    private DefinitionNode ParseDefinition()
    {
        if (Peek(TokenKind.BraceL))
        {
            return ParseOperationDefinition();
        }

        var hasDescription = Peek(TokenKind.String) || Peek(TokenKind.BlockString);
        if (hasDescription)
        {
            // A description may only precede a type system definition.
            var start = _token;
            Advance();
            if (_token.Kind == TokenKind.Name && IsTypeSystemKeyword(_token.Value!))
            {
                return SkipTypeSystemDefinition(start.Loc);
            }

            if (_token.Kind == TokenKind.Name && _token.Value is "extend")
            {
                throw new GraphQLSyntaxException(
                    "Syntax Error: Unexpected description, descriptions are not supported on type extensions.", start.Loc);
            }

            if (_token.Kind == TokenKind.Name && _token.Value is "query" or "mutation" or "subscription" or "fragment")
            {
                throw new GraphQLSyntaxException(
                    "Syntax Error: Unexpected description, descriptions are supported only on type definitions.", start.Loc);
            }

            throw Unexpected();
        }

        if (_token.Kind == TokenKind.Name)
        {
            switch (_token.Value)
            {
                case "query" or "mutation" or "subscription":
                    return ParseOperationDefinition();
                case "fragment":
                    return ParseFragmentDefinition();
                case "extend":
                    return SkipTypeSystemDefinition(_token.Loc);
                default:
                    if (IsTypeSystemKeyword(_token.Value!))
                    {
                        return SkipTypeSystemDefinition(_token.Loc);
                    }

                    break;
            }
        }

        throw Unexpected();
    }

    private static bool IsTypeSystemKeyword(string v) =>
        v is "schema" or "scalar" or "type" or "interface" or "union" or "enum" or "input" or "directive";

    private OperationDefinitionNode ParseOperationDefinition()
    {
        var loc = _token.Loc;
        if (Peek(TokenKind.BraceL))
        {
            return new OperationDefinitionNode
            {
                Loc = loc,
                Operation = OperationType.Query,
                VariableDefinitions = [],
                Directives = [],
                SelectionSet = ParseSelectionSet(),
            };
        }

        var opToken = Expect(TokenKind.Name);
        var operation = opToken.Value switch
        {
            "query" => OperationType.Query,
            "mutation" => OperationType.Mutation,
            "subscription" => OperationType.Subscription,
            _ => throw Unexpected(opToken),
        };
        var name = Peek(TokenKind.Name) ? ParseName() : null;
        return new OperationDefinitionNode
        {
            Loc = loc,
            Operation = operation,
            Name = name,
            VariableDefinitions = ParseVariableDefinitions(),
            Directives = ParseDirectives(false),
            SelectionSet = ParseSelectionSet(),
        };
    }

    private List<VariableDefinitionNode> ParseVariableDefinitions()
    {
        var list = new List<VariableDefinitionNode>();
        if (!Skip(TokenKind.ParenL))
        {
            return list;
        }

        do
        {
            var loc = _token.Loc;
            var variable = ParseVariable();
            Expect(TokenKind.Colon);
            var type = ParseTypeReference();
            var defaultValue = Skip(TokenKind.Equals) ? ParseValueLiteral(true) : null;
            list.Add(new VariableDefinitionNode
            {
                Loc = loc,
                Variable = variable,
                Type = type,
                DefaultValue = defaultValue,
                Directives = ParseDirectives(true),
            });
        }
        while (!Skip(TokenKind.ParenR));

        return list;
    }

    private VariableNode ParseVariable()
    {
        var loc = _token.Loc;
        Expect(TokenKind.Dollar);
        return new VariableNode { Loc = loc, Name = ParseName() };
    }

    private SelectionSetNode ParseSelectionSet()
    {
        Enter();
        var loc = _token.Loc;
        Expect(TokenKind.BraceL);
        var selections = new List<SelectionNode>();
        do
        {
            selections.Add(ParseSelection());
        }
        while (!Skip(TokenKind.BraceR));

        _depth--;
        return new SelectionSetNode { Loc = loc, Selections = selections };
    }

    private SelectionNode ParseSelection() => Peek(TokenKind.Spread) ? ParseFragment() : ParseField();

    private FieldNode ParseField()
    {
        var loc = _token.Loc;
        var nameOrAlias = ParseName();
        NameNode? alias = null;
        NameNode name;
        if (Skip(TokenKind.Colon))
        {
            alias = nameOrAlias;
            name = ParseName();
        }
        else
        {
            name = nameOrAlias;
        }

        return new FieldNode
        {
            Loc = loc,
            Alias = alias,
            Name = name,
            Arguments = ParseArguments(false),
            Directives = ParseDirectives(false),
            SelectionSet = Peek(TokenKind.BraceL) ? ParseSelectionSet() : null,
        };
    }

    private List<ArgumentNode> ParseArguments(bool isConst)
    {
        var list = new List<ArgumentNode>();
        if (!Skip(TokenKind.ParenL))
        {
            return list;
        }

        do
        {
            var loc = _token.Loc;
            var name = ParseName();
            Expect(TokenKind.Colon);
            list.Add(new ArgumentNode { Loc = loc, Name = name, Value = ParseValueLiteral(isConst) });
        }
        while (!Skip(TokenKind.ParenR));

        return list;
    }

    private SelectionNode ParseFragment()
    {
        var loc = _token.Loc;
        Expect(TokenKind.Spread);
        var hasTypeCondition = PeekKeyword("on");
        if (!hasTypeCondition && Peek(TokenKind.Name))
        {
            return new FragmentSpreadNode { Loc = loc, Name = ParseFragmentName(), Directives = ParseDirectives(false) };
        }

        NamedTypeNode? typeCondition = null;
        if (hasTypeCondition)
        {
            Advance();
            typeCondition = ParseNamedType();
        }

        return new InlineFragmentNode
        {
            Loc = loc,
            TypeCondition = typeCondition,
            Directives = ParseDirectives(false),
            SelectionSet = ParseSelectionSet(),
        };
    }

    private NameNode ParseFragmentName()
    {
        if (PeekKeyword("on"))
        {
            throw Unexpected();
        }

        return ParseName();
    }

    private FragmentDefinitionNode ParseFragmentDefinition()
    {
        var loc = _token.Loc;
        ExpectKeyword("fragment");
        var name = ParseFragmentName();
        ExpectKeyword("on");
        return new FragmentDefinitionNode
        {
            Loc = loc,
            Name = name,
            TypeCondition = ParseNamedType(),
            Directives = ParseDirectives(false),
            SelectionSet = ParseSelectionSet(),
        };
    }

    private ValueNode ParseValueLiteral(bool isConst)
    {
        var t = _token;
        var loc = t.Loc;
        switch (t.Kind)
        {
            case TokenKind.BracketL:
            {
                Enter();
                Advance();
                var values = new List<ValueNode>();
                while (!Skip(TokenKind.BracketR))
                {
                    values.Add(ParseValueLiteral(isConst));
                }

                _depth--;
                return new ListValueNode { Loc = loc, Values = values };
            }

            case TokenKind.BraceL:
            {
                Enter();
                Advance();
                var fields = new List<ObjectFieldNode>();
                while (!Skip(TokenKind.BraceR))
                {
                    var floc = _token.Loc;
                    var name = ParseName();
                    Expect(TokenKind.Colon);
                    fields.Add(new ObjectFieldNode { Loc = floc, Name = name, Value = ParseValueLiteral(isConst) });
                }

                _depth--;
                return new ObjectValueNode { Loc = loc, Fields = fields };
            }

            case TokenKind.Int:
                Advance();
                return new IntValueNode { Loc = loc, Value = t.Value! };
            case TokenKind.Float:
                Advance();
                return new FloatValueNode { Loc = loc, Value = t.Value! };
            case TokenKind.String:
            case TokenKind.BlockString:
                Advance();
                return new StringValueNode { Loc = loc, Value = t.Value!, Block = t.Kind == TokenKind.BlockString };
            case TokenKind.Name:
                Advance();
                return t.Value switch
                {
                    "true" => new BooleanValueNode { Loc = loc, Value = true },
                    "false" => new BooleanValueNode { Loc = loc, Value = false },
                    "null" => new NullValueNode { Loc = loc },
                    _ => new EnumValueNode { Loc = loc, Value = t.Value! },
                };
            case TokenKind.Dollar:
                if (isConst)
                {
                    Advance();
                    if (_token.Kind == TokenKind.Name)
                    {
                        throw new GraphQLSyntaxException(
                            $"Syntax Error: Unexpected variable \"${_token.Value}\" in constant value.", loc);
                    }

                    throw Unexpected(t);
                }

                return ParseVariable();
            default:
                throw Unexpected();
        }
    }

    private List<DirectiveNode> ParseDirectives(bool isConst)
    {
        var list = new List<DirectiveNode>();
        while (Peek(TokenKind.At))
        {
            var loc = _token.Loc;
            Advance();
            list.Add(new DirectiveNode { Loc = loc, Name = ParseName(), Arguments = ParseArguments(isConst) });
        }

        return list;
    }

    private TypeNode ParseTypeReference()
    {
        var loc = _token.Loc;
        TypeNode type;
        if (Skip(TokenKind.BracketL))
        {
            Enter();
            var inner = ParseTypeReference();
            Expect(TokenKind.BracketR);
            _depth--;
            type = new ListTypeNode { Loc = loc, Type = inner };
        }
        else
        {
            type = ParseNamedType();
        }

        return Skip(TokenKind.Bang) ? new NonNullTypeNode { Loc = loc, Type = type } : type;
    }

    private NamedTypeNode ParseNamedType()
    {
        var loc = _token.Loc;
        return new NamedTypeNode { Loc = loc, Name = ParseName() };
    }

    // ---- type system definitions: parsed for their syntax (graphql-js 16 grammar), not modelled ----
    private TypeSystemDefinitionNode SkipTypeSystemDefinition(SourceLocation loc)
    {
        var keyword = _token.Value!;
        Advance();
        var extension = keyword == "extend";
        if (extension)
        {
            if (_token.Kind != TokenKind.Name || !IsTypeSystemKeyword(_token.Value!) || _token.Value == "directive")
            {
                throw Unexpected();
            }

            keyword = _token.Value!;
            Advance();
        }

        NameNode? name = null;
        switch (keyword)
        {
            case "schema":
            {
                var hasDirectives = ParseDirectives(true).Count > 0;
                if (!extension && !Peek(TokenKind.BraceL))
                {
                    Expect(TokenKind.BraceL);
                }

                if (!ParseOptionalMany(TokenKind.BraceL, ParseOperationTypeDefinition, TokenKind.BraceR) && !hasDirectives)
                {
                    throw Unexpected();
                }

                break;
            }

            case "scalar":
                name = ParseName();
                if (ParseDirectives(true).Count == 0 && extension)
                {
                    throw Unexpected();
                }

                break;
            case "type" or "interface":
            {
                name = ParseName();
                var hasInterfaces = false;
                if (PeekKeyword("implements"))
                {
                    Advance();
                    hasInterfaces = true;
                    Skip(TokenKind.Amp);
                    do
                    {
                        ParseNamedType();
                    }
                    while (Skip(TokenKind.Amp));
                }

                var hasDirectives = ParseDirectives(true).Count > 0;
                if (!ParseOptionalMany(TokenKind.BraceL, ParseFieldDefinition, TokenKind.BraceR) && extension && !hasInterfaces && !hasDirectives)
                {
                    throw Unexpected();
                }

                break;
            }

            case "input" or "enum":
            {
                name = ParseName();
                var hasDirectives = ParseDirectives(true).Count > 0;
                var hasBody = ParseOptionalMany(TokenKind.BraceL, keyword == "input" ? ParseInputValueDefinition : ParseEnumValueDefinition, TokenKind.BraceR);
                if (!hasBody && extension && !hasDirectives)
                {
                    throw Unexpected();
                }

                break;
            }

            case "union":
            {
                name = ParseName();
                var hasDirectives = ParseDirectives(true).Count > 0;
                var hasMembers = Skip(TokenKind.Equals);
                if (hasMembers)
                {
                    Skip(TokenKind.Pipe);
                    do
                    {
                        ParseNamedType();
                    }
                    while (Skip(TokenKind.Pipe));
                }
                else if (extension && !hasDirectives)
                {
                    throw Unexpected();
                }

                break;
            }

            case "directive":
                Expect(TokenKind.At);
                name = ParseName();
                ParseOptionalMany(TokenKind.ParenL, ParseInputValueDefinition, TokenKind.ParenR);
                if (PeekKeyword("repeatable"))
                {
                    Advance();
                }

                ExpectKeyword("on");
                Skip(TokenKind.Pipe);
                do
                {
                    var location = _token;
                    if (!Enum.TryParse<DirectiveLocation>(ParseName().Value, ignoreCase: false, out _))
                    {
                        throw Unexpected(location);
                    }
                }
                while (Skip(TokenKind.Pipe));

                break;
        }

        return new TypeSystemDefinitionNode { Loc = loc, Keyword = keyword, Name = name };
    }

    /// <summary>Nothing when the next token is not <paramref name="open"/>, else one or more items up to
    /// <paramref name="close"/>. Returns whether the list was there.</summary>
    private bool ParseOptionalMany(TokenKind open, Action item, TokenKind close)
    {
        if (!Skip(open))
        {
            return false;
        }

        Enter();
        do
        {
            item();
        }
        while (!Skip(close));
        _depth--;
        return true;
    }

    private void ParseOperationTypeDefinition()
    {
        var operation = Expect(TokenKind.Name);
        if (operation.Value is not ("query" or "mutation" or "subscription"))
        {
            throw Unexpected(operation);
        }

        Expect(TokenKind.Colon);
        ParseNamedType();
    }

    private void SkipDescription()
    {
        if (Peek(TokenKind.String) || Peek(TokenKind.BlockString))
        {
            Advance();
        }
    }

    private void ParseFieldDefinition()
    {
        SkipDescription();
        ParseName();
        ParseOptionalMany(TokenKind.ParenL, ParseInputValueDefinition, TokenKind.ParenR);
        Expect(TokenKind.Colon);
        ParseTypeReference();
        ParseDirectives(true);
    }

    private void ParseInputValueDefinition()
    {
        SkipDescription();
        ParseName();
        Expect(TokenKind.Colon);
        ParseTypeReference();
        if (Skip(TokenKind.Equals))
        {
            ParseValueLiteral(isConst: true);
        }

        ParseDirectives(true);
    }

    private void ParseEnumValueDefinition()
    {
        SkipDescription();
        if (_token.Kind == TokenKind.Name && _token.Value is "true" or "false" or "null")
        {
            throw new GraphQLSyntaxException(
                $"Syntax Error: {_token.Description} is reserved and cannot be used for an enum value.", _token.Loc);
        }

        ParseName();
        ParseDirectives(true);
    }
}
