using System.Text.Json;
using OutreachOS.GraphQL.Tests.Schemas;

namespace OutreachOS.GraphQL.Tests;

/// <summary>Our executor against graphql-core 3.2 (python3), the reference port of graphql-js 16.</summary>
public sealed class ConformanceTests
{
    [Fact]
    public void Python_graphql_core_3_2_is_installed()
    {
        var version = PythonRunner.Run("version").GetProperty("version").GetString();
        Assert.StartsWith("3.2.", version, StringComparison.Ordinal);
    }

    public static TheoryData<string> SchemaNames => new() { "showcase", "starwars", "validation_schema" };

    private static GraphQLSchema SchemaNamed(string name) => name switch
    {
        "showcase" => ShowcaseSchema.Build(),
        "starwars" => StarWarsSchema.Instance,
        _ => ValidationSchema.Instance,
    };

    [Theory]
    [MemberData(nameof(SchemaNames))]
    public async Task Introspection_result_builds_a_valid_client_schema_that_prints_like_the_python_sdl(string schemaName)
    {
        var query = PythonRunner.Run("introspection-query").GetProperty("query").GetString();
        var result = await GraphQLExecutor.ExecuteAsync(SchemaNamed(schemaName), new GraphQLRequest(query));
        Assert.Empty(result.Errors);

        var check = PythonRunner.Run("check-introspection", schemaName + ".graphql", result.ToJson());

        Assert.Empty(check.GetProperty("errors").EnumerateArray());
        Assert.Equal(check.GetProperty("expected").GetString(), check.GetProperty("actual").GetString());
    }

    [Fact]
    public void Validation_corpus_gives_the_same_errors_and_locations_as_graphql_core()
    {
        var documents = ValidationCorpus.Documents.Select(d => d.Document).ToList();
        var expected = PythonRunner.Run("validate", "validation_schema.graphql", JsonSerializer.Serialize(documents));
        var mismatches = new List<string>();
        var index = 0;
        foreach (var reference in expected.EnumerateArray())
        {
            var (rule, document) = ValidationCorpus.Documents[index++];
            var theirs = ReferenceComparison.TheirValidationErrors(reference);
            var ours = ReferenceComparison.OurValidationErrors(ValidationSchema.Instance, document);
            if (!theirs.SequenceEqual(ours))
            {
                mismatches.Add($"[{rule}] {document}\n  graphql-core: {string.Join(" | ", theirs)}\n  ours:         {string.Join(" | ", ours)}");
            }
        }

        Assert.True(mismatches.Count == 0, string.Join("\n", mismatches));
    }

    public static TheoryData<string, string?> StarWarsRequests => new()
    {
        { "query HeroNameQuery { hero { name } }", null },
        { "{ hero { id name friends { name } } }", null },
        { "{ hero { name friends { name appearsIn friends { name } } } }", null },
        { "query FetchLuke { human(id: \"1000\") { name homePlanet } }", null },
        { "query FetchSomeID($someId: String!) { human(id: $someId) { name } }", "{\"someId\": \"1002\"}" },
        { "query FetchSomeID($someId: String!) { human(id: $someId) { name } }", "{\"someId\": \"not a valid id\"}" },
        { "query FetchSomeID($someId: String!) { human(id: $someId) { name } }", "{}" },
        { "query FetchSomeID($someId: String!) { human(id: $someId) { name } }", "{\"someId\": 5}" },
        { "{ luke: human(id: \"1000\") { name } leia: human(id: \"1003\") { name } }", null },
        { "{ luke: human(id: \"1000\") { ...HumanFragment } leia: human(id: \"1003\") { ...HumanFragment } } fragment HumanFragment on Human { name homePlanet }", null },
        { "{ hero { __typename name } }", null },
        { "{ hero(episode: EMPIRE) { __typename name } }", null },
        { "query H($ep: Episode) { hero(episode: $ep) { name ... on Droid { primaryFunction } ... on Human { homePlanet } } }", "{\"ep\": \"EMPIRE\"}" },
        { "query H($ep: Episode) { hero(episode: $ep) { name } }", "{\"ep\": \"SITH\"}" },
        { "{ hero { name secretBackstory } }", null },
        { "{ hero { name friends { name secretBackstory } } }", null },
        { "{ mainHero: hero { name story: secretBackstory } }", null },
        { "query Q($skip: Boolean!, $inc: Boolean = false) { hero { name @skip(if: $skip) id @include(if: $inc) friends @include(if: true) { name } } }", "{\"skip\": true}" },
        { "query A { hero { name } } query B { droid(id: \"2000\") { name primaryFunction } }", null },
        { "{ droid(id: \"2000\") { name appearsIn friends { __typename ... on Human { name } } } }", null },
        { "{ hero { nme } }", null },
        { "{ hero { name }", null },
        { "{ __type(name: \"Droid\") { name kind fields { name type { name kind ofType { name kind } } } } }", null },
        { "{ __schema { queryType { name } mutationType { name } } __type(name: \"Query\") { fields { name args { name type { kind ofType { name } } defaultValue } } } }", null },
        { "{ __type(name: \"Episode\") { enumValues(includeDeprecated: true) { name description isDeprecated } } }", null },
        { "{ __schema { directives { name isRepeatable locations args { name defaultValue type { kind ofType { name } } } } } }", null },
    };

    [Fact]
    public async Task Star_wars_execution_results_equal_graphql_core_results()
    {
        var requests = StarWarsRequests.Select(r => ((string)r[0], (string?)r[1])).ToList();
        var payload = JsonSerializer.Serialize(requests.Select(r => new Dictionary<string, object?>
        {
            ["query"] = r.Item1,
            ["variables"] = r.Item2 is null ? null : JsonDocument.Parse(r.Item2).RootElement,
            ["operationName"] = r.Item1.StartsWith("query A ", StringComparison.Ordinal) ? "B" : null,
        }));
        var expected = PythonRunner.Run("execute-starwars", "starwars.graphql", payload).EnumerateArray().ToList();
        var mismatches = new List<string>();
        for (var i = 0; i < requests.Count; i++)
        {
            var (query, variables) = requests[i];
            var vars = variables is null ? null : (IReadOnlyDictionary<string, object?>)GraphQLRequest.FromJson(JsonDocument.Parse(variables).RootElement)!;
            var operationName = query.StartsWith("query A ", StringComparison.Ordinal) ? "B" : null;
            var ours = await GraphQLExecutor.ExecuteAsync(StarWarsSchema.Instance, new GraphQLRequest(query, operationName, vars));
            var theirs = expected[i];
            var theirErrors = ReferenceComparison.TheirExecutionErrors(theirs);
            var ourErrors = ReferenceComparison.OurExecutionErrors(ours);
            var theirData = theirs.TryGetProperty("data", out var td) ? td.GetRawText() : "<absent>";
            var ourData = ReferenceComparison.OurData(ours);
            if (!theirErrors.SequenceEqual(ourErrors) || ReferenceComparison.CanonicalJson(theirData) != ourData)
            {
                mismatches.Add($"{query} {variables}\n  graphql-core: {theirData} {string.Join(" | ", theirErrors)}\n  ours:         {ourData} {string.Join(" | ", ourErrors)}");
            }
        }

        Assert.True(mismatches.Count == 0, string.Join("\n", mismatches));
    }

    public static TheoryData<string, string?> NullRequests => new()
    {
        { "{ nullable { value nonNullValue child { value } } }", null },
        { "{ nonNull { value nonNullValue } }", null },
        { "{ nonNull { value } nullable { value } }", null },
        { "{ nullable { fail nonNullFail } }", null },
        { "{ nullable { child { nonNullFail } value } }", null },
        { "{ nullable { nonNullChild { nonNullChild { nonNullFail } } } other: nullable { value } }", null },
        { "{ items { value nonNullValue } }", null },
        { "{ items { value } itemsNullable { value nonNullValue } }", null },
        { "{ itemsNullable { nonNullChild { value } } }", null },
        { "{ nullable { children { value nonNullValue } nullableChildren { value } } }", null },
        { "{ nullable { children { child { fail } } } }", null },
        { "{ nonNull { nonNullValue } nullable { value } }", null },
        { "{ a: nullable { value } b: nonNull { nonNullFail } }", null },
        { "query Q($i: EchoInput) { echo(input: $i) }", """{"i": {"name": "x", "tags": "single", "nested": {"name": "y", "size": null}}}""" },
        { "query Q($i: EchoInput) { echo(input: $i) }", """{"i": {"size": 1}}""" },
        { "query Q($i: EchoInput) { echo(input: $i) }", """{"i": {"name": "x", "colour": "RED"}}""" },
        { "query Q($i: EchoInput) { echo(input: $i) }", """{"i": {"name": "x", "tags": [null]}}""" },
        { "query Q($i: EchoInput) { echo(input: $i) }", """{"i": {"name": "x", "nested": {"name": 1}}}""" },
        { "query Q($i: EchoInput) { echo(input: $i) }", """{"i": "text"}""" },
        { "query Q($l: [Int!], $c: Color, $id: ID) { echo(list: $l, color: $c, id: $id) }", """{"l": [1, 2], "c": "RED", "id": 12}""" },
        { "query Q($l: [Int!]) { echo(list: $l) }", """{"l": [1, "2"]}""" },
        { "query Q($c: Color) { echo(color: $c) }", """{"c": "BLUE"}""" },
        { "query Q($c: Color) { echo(color: $c) }", """{"c": 1}""" },
        { "query Q($id: ID) { echo(id: $id) }", """{"id": 1.5}""" },
        { "query Q($n: String = \"dflt\") { echo(input: {name: $n, nested: {name: \"z\", tags: [\"a\", \"b\"]}}, list: 4, color: GREEN) }", null },
        { "query Q($n: String) { echo(input: {name: $n}) }", "{}" },
        { "query Q($n: String!) { echo(input: {name: $n}, id: \"s\") }", """{"n": "given"}""" },
    };

    [Fact]
    public async Task Null_propagation_and_input_coercion_results_equal_graphql_core_results()
    {
        var requests = NullRequests.Select(r => ((string)r[0], (string?)r[1])).ToList();
        var payload = JsonSerializer.Serialize(requests.Select(r => new Dictionary<string, object?>
        {
            ["query"] = r.Item1,
            ["variables"] = r.Item2 is null ? null : JsonDocument.Parse(r.Item2).RootElement,
        }));
        var expected = PythonRunner.Run("execute-nulls", "nulls.graphql", payload).EnumerateArray().ToList();
        var mismatches = new List<string>();
        for (var i = 0; i < requests.Count; i++)
        {
            var (query, variables) = requests[i];
            var vars = variables is null ? null : (IReadOnlyDictionary<string, object?>)GraphQLRequest.FromJson(JsonDocument.Parse(variables).RootElement)!;
            var ours = await GraphQLExecutor.ExecuteAsync(NullsSchema.Instance, new GraphQLRequest(query, null, vars));
            var theirs = expected[i];
            var theirErrors = ReferenceComparison.TheirExecutionErrors(theirs);
            var ourErrors = ReferenceComparison.OurExecutionErrors(ours);
            var theirData = theirs.GetProperty("hasData").GetBoolean() ? theirs.GetProperty("data").GetRawText() : "<absent>";
            var ourData = ReferenceComparison.OurData(ours);
            if (!theirErrors.SequenceEqual(ourErrors) || ReferenceComparison.CanonicalJson(theirData) != ourData)
            {
                mismatches.Add($"{query} {variables}\n  graphql-core: {theirData} {string.Join(" | ", theirErrors)}\n  ours:         {ourData} {string.Join(" | ", ourErrors)}");
            }
        }

        Assert.True(mismatches.Count == 0, string.Join("\n", mismatches));
    }
}
