using OutreachOS.GraphQL.Language;

namespace OutreachOS.GraphQL.Validation;

/// <summary>Tracks the schema types at each point of an AST walk (graphql-js TypeInfo).</summary>
internal sealed class TypeInfo(GraphQLSchema schema)
{
    private readonly List<GraphQLType?> _typeStack = [];
    private readonly List<NamedType?> _parentTypeStack = [];
    private readonly List<GraphQLType?> _inputTypeStack = [];
    private readonly List<FieldDefinition?> _fieldDefStack = [];
    private readonly List<(bool Has, object? Value)> _defaultValueStack = [];

    public GraphQLType? Type => Top(_typeStack);

    public NamedType? ParentType => Top(_parentTypeStack);

    public GraphQLType? InputType => Top(_inputTypeStack);

    public GraphQLType? ParentInputType => _inputTypeStack.Count >= 2 ? _inputTypeStack[^2] : null;

    public FieldDefinition? FieldDef => Top(_fieldDefStack);

    public bool HasDefaultValue => _defaultValueStack.Count > 0 && _defaultValueStack[^1].Has;

    public DirectiveDefinition? Directive { get; private set; }

    public InputValueDefinition? Argument { get; private set; }

    public EnumValueDefinition? EnumValue { get; private set; }

    private static T? Top<T>(List<T?> list) => list.Count > 0 ? list[^1] : default;

    private static void Pop<T>(List<T> list)
    {
        if (list.Count > 0)
        {
            list.RemoveAt(list.Count - 1);
        }
    }

    internal static FieldDefinition? GetFieldDef(GraphQLSchema schema, NamedType parentType, string name)
    {
        if (name == "__schema" && ReferenceEquals(schema.QueryType, parentType))
        {
            return schema.SchemaMetaField;
        }

        if (name == "__type" && ReferenceEquals(schema.QueryType, parentType))
        {
            return schema.TypeMetaField;
        }

        if (name == "__typename" && parentType is ObjectType or InterfaceType or UnionType)
        {
            return schema.TypeNameMetaField;
        }

        return (parentType as FieldsType)?.GetField(name);
    }

    private static bool IsComposite(GraphQLType? t) => t is ObjectType or InterfaceType or UnionType;

    public void Enter(Node node)
    {
        switch (node)
        {
            case SelectionSetNode:
                var named = Type?.NamedType;
                _parentTypeStack.Add(IsComposite(named) ? named : null);
                break;
            case FieldNode field:
                FieldDefinition? def = null;
                if (ParentType is { } parent)
                {
                    def = GetFieldDef(schema, parent, field.Name.Value);
                }

                _fieldDefStack.Add(def);
                _typeStack.Add(def?.Type is { IsOutputType: true } t ? t : null);
                break;
            case DirectiveNode d:
                Directive = schema.GetDirective(d.Name.Value);
                break;
            case OperationDefinitionNode op:
                _typeStack.Add(schema.GetRootType(op.Operation));
                break;
            case InlineFragmentNode inline:
                var outType = inline.TypeCondition is { } tc ? schema.TypeFromAst(tc) : Type?.NamedType;
                _typeStack.Add(outType is { IsOutputType: true } ? outType : null);
                break;
            case FragmentDefinitionNode frag:
                var fragType = schema.TypeFromAst(frag.TypeCondition);
                _typeStack.Add(fragType is { IsOutputType: true } ? fragType : null);
                break;
            case VariableDefinitionNode vd:
                var inputType = schema.TypeFromAst(vd.Type);
                _inputTypeStack.Add(inputType is { IsInputType: true } ? inputType : null);
                break;
            case ArgumentNode arg:
                InputValueDefinition? argDef = null;
                if (Directive is { } dir)
                {
                    argDef = dir.Arguments.FirstOrDefault(a => a.Name == arg.Name.Value);
                }
                else if (FieldDef is { } fd)
                {
                    argDef = fd.GetArgument(arg.Name.Value);
                }

                Argument = argDef;
                _defaultValueStack.Add(argDef is null ? (false, null) : (argDef.HasDefaultValue, argDef.DefaultValue));
                _inputTypeStack.Add(argDef?.Type is { IsInputType: true } at ? at : null);
                break;
            case ListValueNode:
                var listType = InputType?.Nullable;
                var itemType = listType is ListType lt ? lt.OfType : listType;
                _defaultValueStack.Add((false, null));
                _inputTypeStack.Add(itemType is { IsInputType: true } ? itemType : null);
                break;
            case ObjectFieldNode of:
                InputValueDefinition? inputField = null;
                if (InputType?.NamedType is InputObjectType io)
                {
                    inputField = io.FieldMap.GetValueOrDefault(of.Name.Value);
                }

                _defaultValueStack.Add(inputField is null ? (false, null) : (inputField.HasDefaultValue, inputField.DefaultValue));
                _inputTypeStack.Add(inputField?.Type is { IsInputType: true } ft ? ft : null);
                break;
            case EnumValueNode ev:
                EnumValue = InputType?.NamedType is EnumType et ? et.ByName.GetValueOrDefault(ev.Value) : null;
                break;
        }
    }

    public void Leave(Node node)
    {
        switch (node)
        {
            case SelectionSetNode:
                Pop(_parentTypeStack);
                break;
            case FieldNode:
                Pop(_fieldDefStack);
                Pop(_typeStack);
                break;
            case DirectiveNode:
                Directive = null;
                break;
            case OperationDefinitionNode or InlineFragmentNode or FragmentDefinitionNode:
                Pop(_typeStack);
                break;
            case VariableDefinitionNode:
                Pop(_inputTypeStack);
                break;
            case ArgumentNode:
                Argument = null;
                Pop(_defaultValueStack);
                Pop(_inputTypeStack);
                break;
            case ListValueNode or ObjectFieldNode:
                Pop(_defaultValueStack);
                Pop(_inputTypeStack);
                break;
            case EnumValueNode:
                EnumValue = null;
                break;
        }
    }
}

internal interface IAstVisitor
{
    /// <summary>Return false to skip the node's children (and its Leave).</summary>
    bool Enter(Node node);

    void Leave(Node node);
}

/// <summary>Depth-first walk in graphql-js key order, keeping <see cref="TypeInfo"/> and the ancestor chain current.</summary>
internal sealed class AstWalker(TypeInfo? typeInfo, IAstVisitor visitor)
{
    public List<Node> Ancestors { get; } = [];

    public void Walk(Node node)
    {
        typeInfo?.Enter(node);
        if (visitor.Enter(node))
        {
            Ancestors.Add(node);
            foreach (var child in Children(node))
            {
                Walk(child);
            }

            Ancestors.RemoveAt(Ancestors.Count - 1);
            visitor.Leave(node);
        }

        typeInfo?.Leave(node);
    }

    private static IEnumerable<Node> Children(Node node)
    {
        switch (node)
        {
            case DocumentNode d:
                return d.Definitions;
            case OperationDefinitionNode op:
                return [.. op.VariableDefinitions, .. op.Directives, op.SelectionSet];
            case VariableDefinitionNode vd:
                return vd.DefaultValue is null ? [vd.Variable, vd.Type, .. vd.Directives] : [vd.Variable, vd.Type, vd.DefaultValue, .. vd.Directives];
            case SelectionSetNode ss:
                return ss.Selections;
            case FieldNode f:
                return f.SelectionSet is null ? [.. f.Arguments, .. f.Directives] : [.. f.Arguments, .. f.Directives, f.SelectionSet];
            case ArgumentNode a:
                return [a.Value];
            case FragmentSpreadNode fs:
                return fs.Directives;
            case InlineFragmentNode inl:
                return inl.TypeCondition is null ? [.. inl.Directives, inl.SelectionSet] : [inl.TypeCondition, .. inl.Directives, inl.SelectionSet];
            case FragmentDefinitionNode fd:
                return [fd.TypeCondition, .. fd.Directives, fd.SelectionSet];
            case ListValueNode l:
                return l.Values;
            case ObjectValueNode o:
                return o.Fields;
            case ObjectFieldNode of:
                return [of.Value];
            case DirectiveNode dir:
                return dir.Arguments;
            case ListTypeNode lt:
                return [lt.Type];
            case NonNullTypeNode nn:
                return [nn.Type];
            default:
                return [];
        }
    }
}
