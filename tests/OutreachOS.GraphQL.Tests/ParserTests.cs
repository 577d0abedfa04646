using OutreachOS.GraphQL.Language;

namespace OutreachOS.GraphQL.Tests;

public sealed class ParserTests
{
    [Fact]
    public void Parses_operations_fragments_variables_directives_and_aliases_with_locations()
    {
        var doc = Parser.Parse("""
            query Q($id: ID! = "1", $list: [Int!]) @onQuery {
              alias: node(id: $id) { ...F ... on Dog @skip(if: false) { name } }
            }
            fragment F on Node { id }
            """);

        var op = Assert.IsType<OperationDefinitionNode>(doc.Definitions[0]);
        Assert.Equal(OperationType.Query, op.Operation);
        Assert.Equal("Q", op.Name!.Value);
        Assert.Equal(2, op.VariableDefinitions.Count);
        Assert.Equal("ID!", Printer.Print(op.VariableDefinitions[0].Type));
        Assert.Equal("[Int!]", Printer.Print(op.VariableDefinitions[1].Type));
        Assert.Equal("\"1\"", Printer.Print(op.VariableDefinitions[0].DefaultValue!));
        Assert.Equal("onQuery", op.Directives[0].Name.Value);
        var field = Assert.IsType<FieldNode>(op.SelectionSet.Selections[0]);
        Assert.Equal("alias", field.ResponseName);
        Assert.Equal(new SourceLocation(2, 3), field.Loc);
        Assert.IsType<FragmentSpreadNode>(field.SelectionSet!.Selections[0]);
        var inline = Assert.IsType<InlineFragmentNode>(field.SelectionSet.Selections[1]);
        Assert.Equal("Dog", inline.TypeCondition!.Name.Value);
        var fragment = Assert.IsType<FragmentDefinitionNode>(doc.Definitions[1]);
        Assert.Equal(new SourceLocation(4, 1), fragment.Loc);
    }

    [Theory]
    [InlineData("123", typeof(IntValueNode), "123")]
    [InlineData("-0", typeof(IntValueNode), "-0")]
    [InlineData("1.5e-3", typeof(FloatValueNode), "1.5e-3")]
    [InlineData("\"a\\u00e9\\n\\\"\"", typeof(StringValueNode), "\"aé\\n\\\"\"")]
    [InlineData("\"\\u{1F600}\"", typeof(StringValueNode), "\"😀\"")]
    [InlineData("true", typeof(BooleanValueNode), "true")]
    [InlineData("null", typeof(NullValueNode), "null")]
    [InlineData("RED", typeof(EnumValueNode), "RED")]
    [InlineData("[1, \"two\", [3]]", typeof(ListValueNode), "[1, \"two\", [3]]")]
    [InlineData("{a: 1, b: {c: null}}", typeof(ObjectValueNode), "{a: 1, b: {c: null}}")]
    public void Parses_every_literal_kind(string source, Type nodeType, string printed)
    {
        var value = Parser.ParseValue(source);

        Assert.IsType(nodeType, value);
        Assert.Equal(printed, Printer.Print(value));
    }

    [Theory]
    [InlineData("\"a\u0001\u001fb\u007f\"", "a\u0001\u001fb\u007f")]
    [InlineData("\"\"\"a\u0000\u0007\"\"\"", "a\u0000\u0007")]
    [InlineData("\"\uD83D\uDE00\"", "\uD83D\uDE00")]
    public void Strings_hold_any_unicode_scalar_value_including_control_characters(string source, string value)
    {
        // Spec October 2021: StringCharacter is any SourceCharacter (a Unicode scalar value) but ", \ and line terminators.
        var node = Assert.IsType<StringValueNode>(Parser.ParseValue(source));

        Assert.Equal(value, node.Value);
    }

    [Fact]
    public void Block_strings_strip_common_indentation_and_blank_edge_lines()
    {
        var value = (StringValueNode)Parser.ParseValue("\"\"\"\n    Hello,\n      World!\n\n    Yours, \\\"\"\"\n  \"\"\"");

        Assert.True(value.Block);
        Assert.Equal("Hello,\n  World!\n\nYours, \"\"\"", value.Value);
    }

    [Fact]
    public void Comments_commas_and_bom_are_ignored()
    {
        var doc = Parser.Parse("\uFEFF# comment\n{ a, b # trailing\n c }");

        var op = (OperationDefinitionNode)doc.Definitions[0];
        Assert.Equal(3, op.SelectionSet.Selections.Count);
    }

    [Theory]
    [InlineData("{", "Syntax Error: Expected Name, found <EOF>.", 1, 2)]
    [InlineData("{ a(x: ) }", "Syntax Error: Unexpected \")\".", 1, 8)]
    [InlineData("query { a }\n}", "Syntax Error: Unexpected \"}\".", 2, 1)]
    [InlineData("{ a(x: \"open) }", "Syntax Error: Unterminated string.", 1, 16)]
    [InlineData("{ a(x: 012) }", "Syntax Error: Invalid number, unexpected digit after 0: \"1\".", 1, 9)]
    [InlineData("{ a(x: 1.) }", "Syntax Error: Invalid number, expected digit but got: \")\".", 1, 10)]
    [InlineData("{ a(x: \"\\q\") }", "Syntax Error: Invalid character escape sequence: \"\\q\".", 1, 9)]
    [InlineData("fragment on on T { a }", "Syntax Error: Unexpected Name \"on\".", 1, 10)]
    [InlineData("query Q($a: Int = $b) { a }", "Syntax Error: Unexpected variable \"$b\" in constant value.", 1, 19)]
    [InlineData("{ a } ?", "Syntax Error: Unexpected character: \"?\".", 1, 7)]
    public void Syntax_errors_carry_the_graphql_js_message_and_location(string source, string message, int line, int column)
    {
        var e = Assert.Throws<GraphQLSyntaxException>(() => Parser.Parse(source));

        Assert.Equal(message, e.Message);
        Assert.Equal(new SourceLocation(line, column), e.Location);
    }

    [Fact]
    public void Lone_surrogates_are_not_source_characters_as_in_graphql_js()
    {
        // Built in code: attribute arguments are stored as UTF-8, which would turn a lone surrogate into U+FFFD.
        (string Source, string Message, int Column)[] cases =
        [
            ("{ a(x: \"\uD800\") }", "Syntax Error: Invalid character within String: U+D800.", 9),
            ("{ a(x: \"\"\"ok \uDE00\"\"\") }", "Syntax Error: Invalid character within String: U+DE00.", 14),
            ("{ a(x: \"\uDE00\uD83D\") }", "Syntax Error: Invalid character within String: U+DE00.", 9),
            ("{ a } \uD800", "Syntax Error: Invalid character: U+D800.", 7),
            ("{ a } # \uDE00 comment", "Syntax Error: Invalid character: U+DE00.", 9),
        ];
        foreach (var (source, message, column) in cases)
        {
            var e = Assert.Throws<GraphQLSyntaxException>(() => Parser.Parse(source));

            Assert.Equal(message, e.Message);
            Assert.Equal(new SourceLocation(1, column), e.Location);
        }
    }

    [Fact]
    public void Type_system_definitions_are_parsed_as_non_executable_definitions()
    {
        var doc = Parser.Parse("\"\"\"d\"\"\" type T implements A & B @x { f(a: Int = 1): [T!]! } extend union U = A | B { a }");

        var def = Assert.IsType<TypeSystemDefinitionNode>(doc.Definitions[0]);
        Assert.Equal("T", def.Name!.Value);
        Assert.Equal("U", ((TypeSystemDefinitionNode)doc.Definitions[1]).Name!.Value);
        Assert.IsType<OperationDefinitionNode>(doc.Definitions[2]);
    }

    [Fact]
    public void Deeply_nested_documents_are_rejected_instead_of_overflowing_the_stack()
    {
        var source = new string('[', 5000) + new string(']', 5000);

        var e = Assert.Throws<GraphQLSyntaxException>(() => Parser.ParseValue(source));

        Assert.Contains("nested too deeply", e.Message, StringComparison.Ordinal);
    }
}
