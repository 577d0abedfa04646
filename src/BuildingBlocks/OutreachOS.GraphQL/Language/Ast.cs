namespace OutreachOS.GraphQL.Language;

/// <summary>1-based line and column of a position in a GraphQL document.</summary>
public readonly record struct SourceLocation(int Line, int Column);

// The AST uses reference identity on purpose: validation caches results per node.
internal abstract class Node
{
    public required SourceLocation Loc { get; init; }
}

internal sealed class DocumentNode : Node
{
    public required IReadOnlyList<DefinitionNode> Definitions { get; init; }
}

internal abstract class DefinitionNode : Node;

internal enum OperationType
{
    Query,
    Mutation,
    Subscription,
}

internal sealed class OperationDefinitionNode : DefinitionNode
{
    public required OperationType Operation { get; init; }
    public NameNode? Name { get; init; }
    public required IReadOnlyList<VariableDefinitionNode> VariableDefinitions { get; init; }
    public required IReadOnlyList<DirectiveNode> Directives { get; init; }
    public required SelectionSetNode SelectionSet { get; init; }
}

internal sealed class FragmentDefinitionNode : DefinitionNode
{
    public required NameNode Name { get; init; }
    public required NamedTypeNode TypeCondition { get; init; }
    public required IReadOnlyList<DirectiveNode> Directives { get; init; }
    public required SelectionSetNode SelectionSet { get; init; }
}

/// <summary>A type system definition or extension: parsed only far enough to be rejected by validation.</summary>
internal sealed class TypeSystemDefinitionNode : DefinitionNode
{
    public required string Keyword { get; init; }
    public NameNode? Name { get; init; }
    public bool DefinesType => Keyword is "scalar" or "type" or "interface" or "union" or "enum" or "input";
}

internal sealed class NameNode : Node
{
    public required string Value { get; init; }
}

internal sealed class VariableDefinitionNode : Node
{
    public required VariableNode Variable { get; init; }
    public required TypeNode Type { get; init; }
    public ValueNode? DefaultValue { get; init; }
    public required IReadOnlyList<DirectiveNode> Directives { get; init; }
}

internal abstract class SelectionNode : Node
{
    public required IReadOnlyList<DirectiveNode> Directives { get; init; }
}

internal sealed class FieldNode : SelectionNode
{
    public NameNode? Alias { get; init; }
    public required NameNode Name { get; init; }
    public required IReadOnlyList<ArgumentNode> Arguments { get; init; }
    public SelectionSetNode? SelectionSet { get; init; }
    public string ResponseName => Alias?.Value ?? Name.Value;
}

internal sealed class FragmentSpreadNode : SelectionNode
{
    public required NameNode Name { get; init; }
}

internal sealed class InlineFragmentNode : SelectionNode
{
    public NamedTypeNode? TypeCondition { get; init; }
    public required SelectionSetNode SelectionSet { get; init; }
}

internal sealed class SelectionSetNode : Node
{
    public required IReadOnlyList<SelectionNode> Selections { get; init; }
}

internal sealed class ArgumentNode : Node
{
    public required NameNode Name { get; init; }
    public required ValueNode Value { get; init; }
}

internal sealed class DirectiveNode : Node
{
    public required NameNode Name { get; init; }
    public required IReadOnlyList<ArgumentNode> Arguments { get; init; }
}

internal abstract class TypeNode : Node;

internal sealed class NamedTypeNode : TypeNode
{
    public required NameNode Name { get; init; }
}

internal sealed class ListTypeNode : TypeNode
{
    public required TypeNode Type { get; init; }
}

internal sealed class NonNullTypeNode : TypeNode
{
    public required TypeNode Type { get; init; }
}

internal abstract class ValueNode : Node;

internal sealed class VariableNode : ValueNode
{
    public required NameNode Name { get; init; }
}

internal sealed class IntValueNode : ValueNode
{
    public required string Value { get; init; }
}

internal sealed class FloatValueNode : ValueNode
{
    public required string Value { get; init; }
}

internal sealed class StringValueNode : ValueNode
{
    public required string Value { get; init; }
    public bool Block { get; init; }
}

internal sealed class BooleanValueNode : ValueNode
{
    public required bool Value { get; init; }
}

internal sealed class NullValueNode : ValueNode;

internal sealed class EnumValueNode : ValueNode
{
    public required string Value { get; init; }
}

internal sealed class ListValueNode : ValueNode
{
    public required IReadOnlyList<ValueNode> Values { get; init; }
}

internal sealed class ObjectValueNode : ValueNode
{
    public required IReadOnlyList<ObjectFieldNode> Fields { get; init; }
}

internal sealed class ObjectFieldNode : Node
{
    public required NameNode Name { get; init; }
    public required ValueNode Value { get; init; }
}
