using OutreachOS.GraphQL.Language;
using OutreachOS.GraphQL.Tests.Schemas;
using OutreachOS.GraphQL.Validation;

namespace OutreachOS.GraphQL.Tests;

public sealed class ValidationRuleTests
{
    private static IReadOnlyList<GraphQLError> Validate(string source) =>
        Validator.Validate(ValidationSchema.Instance, Parser.Parse(source));

    // (rule, a valid document, an invalid document, the expected message, its first location)
    public static TheoryData<string, string, string, string, int, int> Rules => new()
    {
        { "ExecutableDefinitions", "{ dog { name } }", "{ dog { name } }\ntype T { a: Int }", "The \"T\" definition is not executable.", 2, 1 },
        { "UniqueOperationNames", "query A { dog { name } } query B { dog { name } }", "query A { dog { name } } query A { dog { name } }", "There can be only one operation named \"A\".", 1, 7 },
        { "LoneAnonymousOperation", "{ dog { name } }", "{ dog { name } } query B { dog { name } }", "This anonymous operation must be the only defined operation.", 1, 1 },
        { "SingleFieldSubscriptions", "subscription S { newDog { name } }", "subscription S { newDog { name } newCat { name } }", "Subscription \"S\" must select only one top level field.", 1, 34 },
        { "KnownTypeNames", "query Q($a: FurColor) { complicatedArgs { enumArgField(enumArg: $a) } }", "query Q($a: FurColour) { dog { name } }", "Unknown type \"FurColour\". Did you mean \"FurColor\"?", 1, 13 },
        { "FragmentsOnCompositeTypes", "{ dog { ... on Pet { name } } }", "{ dog { ... on String { name } } }", "Fragment cannot condition on non composite type \"String\".", 1, 16 },
        { "VariablesAreInputTypes", "query Q($a: ComplexInput) { complicatedArgs { complexArgField(complexArg: $a) } }", "query Q($a: Dog) { dog { name } }", "Variable \"$a\" cannot be non-input type \"Dog\".", 1, 13 },
        { "ScalarLeafs", "{ dog { name } }", "{ dog }", "Field \"dog\" of type \"Dog\" must have a selection of subfields. Did you mean \"dog { ... }\"?", 1, 3 },
        { "FieldsOnCorrectType", "{ dog { __typename name } }", "{ dog { nam } }", "Cannot query field \"nam\" on type \"Dog\". Did you mean \"name\"?", 1, 9 },
        { "UniqueFragmentNames", "{ dog { ...A } } fragment A on Dog { name }", "{ dog { ...A } } fragment A on Dog { name } fragment A on Dog { name }", "There can be only one fragment named \"A\".", 1, 27 },
        { "KnownFragmentNames", "{ dog { ...A } } fragment A on Dog { name }", "{ dog { ...B } }", "Unknown fragment \"B\".", 1, 12 },
        { "NoUnusedFragments", "{ dog { ...A } } fragment A on Dog { name }", "{ dog { name } } fragment A on Dog { name }", "Fragment \"A\" is never used.", 1, 18 },
        { "PossibleFragmentSpreads", "{ pet { ... on Dog { name } } }", "{ dog { ... on Cat { meows } } }", "Fragment cannot be spread here as objects of type \"Dog\" can never be of type \"Cat\".", 1, 9 },
        { "NoFragmentCycles", "{ dog { ...A } } fragment A on Dog { mother { ...B } } fragment B on Dog { name }", "{ dog { ...A } } fragment A on Dog { ...A }", "Cannot spread fragment \"A\" within itself.", 1, 38 },
        { "UniqueVariableNames", "query Q($a: Int!, $b: Int!) { complicatedArgs { multipleReqs(req1: $a, req2: $b) } }", "query Q($a: Int, $a: Int) { complicatedArgs { intArgField(intArg: $a) } }", "There can be only one variable named \"$a\".", 1, 10 },
        { "NoUndefinedVariables", "query Q($a: Int) { complicatedArgs { intArgField(intArg: $a) } }", "query Q { complicatedArgs { intArgField(intArg: $a) } }", "Variable \"$a\" is not defined by operation \"Q\".", 1, 49 },
        { "NoUnusedVariables", "query Q($a: Int) { complicatedArgs { intArgField(intArg: $a) } }", "query Q($a: Int) { dog { name } }", "Variable \"$a\" is never used in operation \"Q\".", 1, 9 },
        { "KnownDirectives", "{ dog @include(if: true) { name } }", "{ dog @fetch { name } }", "Unknown directive \"@fetch\".", 1, 7 },
        { "UniqueDirectivesPerLocation", "{ dog @include(if: true) @skip(if: false) { name } }", "{ dog @skip(if: true) @skip(if: false) { name } }", "The directive \"@skip\" can only be used once at this location.", 1, 7 },
        { "KnownArgumentNames", "{ dog { doesKnowCommand(dogCommand: SIT) } }", "{ dog { doesKnowCommand(command: SIT) } }", "Unknown argument \"command\" on field \"Dog.doesKnowCommand\". Did you mean \"dogCommand\"?", 1, 25 },
        { "UniqueArgumentNames", "{ dog { isAtLocation(x: 1, y: 2) } }", "{ dog { isAtLocation(x: 1, x: 2) } }", "There can be only one argument named \"x\".", 1, 22 },
        { "ValuesOfCorrectType", "{ complicatedArgs { intArgField(intArg: 2) } }", "{ complicatedArgs { intArgField(intArg: \"2\") } }", "Int cannot represent non-integer value: \"2\"", 1, 41 },
        { "ProvidedRequiredArguments", "{ complicatedArgs { multipleReqs(req1: 1, req2: 2) } }", "{ complicatedArgs { multipleReqs(req1: 1) } }", "Field \"multipleReqs\" argument \"req2\" of type \"Int!\" is required, but it was not provided.", 1, 21 },
        { "VariablesInAllowedPosition", "query Q($a: Int!) { complicatedArgs { nonNullIntArgField(nonNullIntArg: $a) } }", "query Q($a: Int) { complicatedArgs { nonNullIntArgField(nonNullIntArg: $a) } }", "Variable \"$a\" of type \"Int\" used in position expecting type \"Int!\".", 1, 9 },
        { "OverlappingFieldsCanBeMerged", "{ dog { name name } }", "{ dog { name: nickname name } }", "Fields \"name\" conflict because \"nickname\" and \"name\" are different fields. Use different aliases on the fields to fetch both if this was intentional.", 1, 9 },
        { "UniqueInputFieldNames", "{ complicatedArgs { complexArgField(complexArg: { requiredField: true }) } }", "{ complicatedArgs { complexArgField(complexArg: { requiredField: true, requiredField: false }) } }", "There can be only one input field named \"requiredField\".", 1, 51 },
        { "MaxIntrospectionDepth", "{ __schema { types { fields { name } } } }", "{ __schema { types { fields { type { fields { type { fields { name } } } } } } } }", "Maximum introspection depth exceeded", 1, 3 },
    };

    [Theory]
    [MemberData(nameof(Rules))]
    public void Rule_accepts_the_valid_document_and_reports_the_invalid_one(string rule, string valid, string invalid, string message, int line, int column)
    {
        Assert.True(Validate(valid).Count == 0, $"{rule}: {string.Join("; ", Validate(valid).Select(e => e.Message))}");

        var errors = Validate(invalid);

        var error = Assert.Single(errors, e => e.Message == message);
        Assert.Equal(new SourceLocation(line, column), error.Locations![0]);
    }

    [Fact]
    public void All_26_specified_rules_plus_the_introspection_depth_rule_are_covered_by_a_case()
    {
        Assert.Equal(27, Rules.Select(r => (string)r[0]).Distinct().Count());
    }

    [Fact]
    public void Thousands_of_duplicate_fields_validate_in_linear_time()
    {
        var fields = string.Concat(Enumerable.Repeat("name ", 5000));
        var source = $"{{ dog {{ ...A {fields} }} }} fragment A on Dog {{ {fields} }}";
        var watch = System.Diagnostics.Stopwatch.StartNew();

        var errors = Validate(source);

        Assert.Empty(errors);
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(5), $"took {watch.Elapsed}"); // quadratic: 12.5M pair checks, ~20 s before
    }

    [Fact]
    public void Validation_stops_after_one_hundred_errors()
    {
        var source = "{ " + string.Concat(Enumerable.Range(0, 150).Select(i => $"f{i} ")) + "}";

        var errors = Validate(source);

        Assert.Equal(101, errors.Count);
        Assert.Equal("Too many validation errors, error limit reached. Validation aborted.", errors[^1].Message);
    }
}
