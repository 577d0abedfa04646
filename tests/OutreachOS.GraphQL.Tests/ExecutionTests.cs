using System.Text.Json;
using OutreachOS.GraphQL.Tests.Schemas;

namespace OutreachOS.GraphQL.Tests;

public sealed class ExecutionTests
{
    private enum Color
    {
        Red,
        DarkBlue,
    }

    private sealed record Nested(string? Value);

    private sealed record Filter(int Size, string? Name, List<int>? Ids);

    private static readonly TaskCompletionSource<bool> NeverCompleted = new();

    private static GraphQLSchema BuildSchema(List<string>? log = null) => new SchemaBuilder()
        .Enum<Color>()
        .InputObject("Filter", t => t.Field("size", "Int!", a => a.Default(10)).Field("name", "String").Field("ids", "[Int!]"))
        .Object<Nested>("Nested", t => t
            .Field("value", "String")
            .Field("nonNullNull", "String!", _ => null)
            .Field("deeper", "Nested", n => new Nested(n.Value + "!")))
        .Query(t => t
            .Field("nullableThrows", "String", ctx => throw new GraphQLException("boom", new Dictionary<string, object?> { ["code"] = "BOOM" }))
            .Field("nonNullThrows", "String!", ctx => throw new GraphQLException("root boom"))
            .Field("secret", "String", ctx => throw new InvalidOperationException("db password is hunter2"))
            .Field("nested", "Nested", _ => new Nested("v"))
            .Field("nestedNonNull", "Nested!", _ => new Nested("w"))
            .Field("list", "[Int!]", _ => new object?[] { 1, null, 3 })
            .Field("listOfNullable", "[Int]", _ => new object?[] { 1, "x", 3 })
            .Field("notAList", "[Int]", _ => 5)
            .Field("echo", "String", ctx => new ValueTask<object?>(JsonSerializer.Serialize(ctx.Arguments.OrderBy(a => a.Key).ToDictionary())),
                f => f.Argument("i", "Int").Argument("f", "Float").Argument("s", "String").Argument("b", "Boolean")
                    .Argument("id", "ID").Argument("e", "Color").Argument("filter", "Filter").Argument("list", "[Int]")
                    .Argument("dt", "DateTime").Argument("dec", "Decimal").Argument("withDefault", "Int", a => a.Default(7)))
            .Field("color", "Color", ctx => new ValueTask<object?>(ctx.Argument<Color>("e")), f => f.Argument("e", "Color!"))
            .Field("filterSize", "Int", ctx => new ValueTask<object?>(ctx.Argument<Filter>("filter").Size), f => f.Argument("filter", "Filter!"))
            .Field("when", "DateTime", _ => new DateTimeOffset(2026, 11, 21, 23, 0, 0, TimeSpan.FromHours(2)))
            .Field("amount", "Decimal", _ => 12345678901234567.89m)
            .Field("org", "String", ctx => new ValueTask<object?>(ctx.GetContext<TestOrg>().OrganizationId))
            .Field("a", "String", async ctx =>
            {
                // Completes only if "b" runs while "a" is still waiting: proves sibling fields resolve concurrently.
                var signal = (TaskCompletionSource<bool>)ctx.Context!;
                await signal.Task.WaitAsync(TimeSpan.FromSeconds(5));
                return "a";
            })
            .Field("b", "String", async ctx =>
            {
                await Task.Yield();
                ((TaskCompletionSource<bool>)ctx.Context!).TrySetResult(true);
                return "b";
            })
            .Field("never", "String", async ctx =>
            {
                await NeverCompleted.Task.WaitAsync(ctx.CancellationToken);
                return null;
            }))
        .Build();

    private static readonly GraphQLSchema Schema = BuildSchema();

    private static async Task<JsonElement> Run(string query, string? variables = null, object? context = null, ExecutionOptions? options = null)
    {
        var vars = variables is null ? null : (IReadOnlyDictionary<string, object?>)GraphQLRequest.FromJson(JsonDocument.Parse(variables).RootElement)!;
        var result = await GraphQLExecutor.ExecuteAsync(Schema, new GraphQLRequest(query, null, vars), context, options ?? ExecutionOptions.Default);
        return JsonDocument.Parse(result.ToJson()).RootElement;
    }

    private static readonly JsonSerializerOptions Relaxed = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    private static string Compact(JsonElement e) => JsonSerializer.Serialize(e, Relaxed);

    [Fact]
    public async Task A_nullable_field_error_becomes_null_with_message_locations_path_and_extensions()
    {
        var r = await Run("{ nullableThrows }");

        Assert.Equal("""{"nullableThrows":null}""", Compact(r.GetProperty("data")));
        Assert.Equal("""[{"message":"boom","locations":[{"line":1,"column":3}],"path":["nullableThrows"],"extensions":{"code":"BOOM"}}]""",
            Compact(r.GetProperty("errors")));
    }

    [Fact]
    public async Task A_null_in_a_non_null_field_propagates_to_the_nearest_nullable_parent()
    {
        var r = await Run("{ nested { value nonNullNull } nestedNonNull { value } }");

        Assert.Equal("""{"nested":null,"nestedNonNull":{"value":"w"}}""", Compact(r.GetProperty("data")));
        var error = r.GetProperty("errors")[0];
        Assert.Equal("Cannot return null for non-nullable field Nested.nonNullNull.", error.GetProperty("message").GetString());
        Assert.Equal("""["nested","nonNullNull"]""", Compact(error.GetProperty("path")));
    }

    [Fact]
    public async Task A_null_propagating_through_non_null_root_fields_nulls_the_whole_data()
    {
        var r = await Run("{ nested { value } nonNullThrows }");

        Assert.Equal(JsonValueKind.Null, r.GetProperty("data").ValueKind);
        Assert.Equal("root boom", r.GetProperty("errors")[0].GetProperty("message").GetString());
    }

    [Fact]
    public async Task A_null_item_in_a_list_of_non_null_nulls_the_list_and_reports_the_item_path()
    {
        var r = await Run("{ list listOfNullable notAList }");

        Assert.Equal("""{"list":null,"listOfNullable":[1,null,3],"notAList":null}""", Compact(r.GetProperty("data")));
        var errors = r.GetProperty("errors");
        Assert.Equal("""["list",1]""", Compact(errors[0].GetProperty("path")));
        Assert.Equal("Int cannot represent non-integer value: \"x\"", errors[1].GetProperty("message").GetString());
        Assert.Equal("""["listOfNullable",1]""", Compact(errors[1].GetProperty("path")));
        Assert.Equal("Expected Iterable, but did not find one for field \"Query.notAList\".", errors[2].GetProperty("message").GetString());
    }

    [Fact]
    public async Task Unexpected_exceptions_are_masked_unless_exposure_is_enabled()
    {
        var seen = new List<Exception>();
        var masked = await Run("{ secret }", options: new ExecutionOptions { OnResolverException = (e, _) => seen.Add(e) });
        var exposed = await Run("{ secret }", options: new ExecutionOptions { ExposeExceptionMessages = true });

        Assert.Equal("Unexpected error.", masked.GetProperty("errors")[0].GetProperty("message").GetString());
        Assert.IsType<InvalidOperationException>(Assert.Single(seen));
        Assert.Equal("db password is hunter2", exposed.GetProperty("errors")[0].GetProperty("message").GetString());
    }

    [Fact]
    public async Task Variables_are_coerced_by_the_input_coercion_rules()
    {
        var r = await Run(
            "query Q($i: Int, $f: Float, $id: ID, $e: Color, $filter: Filter, $list: [Int], $dt: DateTime, $dec: Decimal) { echo(i: $i, f: $f, id: $id, e: $e, filter: $filter, list: $list, dt: $dt, dec: $dec) }",
            """{"i": 3, "f": 2, "id": 42, "e": "DARK_BLUE", "filter": {"name": "x", "ids": 5}, "list": 7, "dt": "2026-01-02T03:04:05+01:00", "dec": "0.1"}""");

        Assert.False(r.TryGetProperty("errors", out _), r.ToString());
        var echo = JsonDocument.Parse(r.GetProperty("data").GetProperty("echo").GetString()!).RootElement;
        Assert.Equal(2.0, echo.GetProperty("f").GetDouble());
        Assert.Equal("42", echo.GetProperty("id").GetString());
        Assert.Equal(1, echo.GetProperty("e").GetInt32()); // Color.DarkBlue
        Assert.Equal("""{"size":10,"name":"x","ids":[5]}""", Compact(echo.GetProperty("filter")));
        Assert.Equal("[7]", Compact(echo.GetProperty("list")));
        Assert.Equal(0.1m, echo.GetProperty("dec").GetDecimal());
        Assert.Equal(7, echo.GetProperty("withDefault").GetInt32());
        Assert.StartsWith("2026-01-02T03:04:05", echo.GetProperty("dt").GetString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("query Q($i: Int) { echo(i: $i) }", """{"i": "x"}""", "Variable \"$i\" got invalid value \"x\"; Int cannot represent non-integer value: \"x\"")]
    [InlineData("query Q($i: Int) { echo(i: $i) }", """{"i": 3000000000}""", "Variable \"$i\" got invalid value 3000000000; Int cannot represent non 32-bit signed integer value: 3000000000")]
    [InlineData("query Q($e: Color!) { color(e: $e) }", """{}""", "Variable \"$e\" of required type \"Color!\" was not provided.")]
    [InlineData("query Q($e: Color!) { color(e: $e) }", """{"e": null}""", "Variable \"$e\" of non-null type \"Color!\" must not be null.")]
    [InlineData("query Q($e: Color!) { color(e: $e) }", """{"e": "RDE"}""", "Variable \"$e\" got invalid value \"RDE\"; Value \"RDE\" does not exist in \"Color\" enum. Did you mean the enum value \"RED\"?")]
    [InlineData("query Q($f: Filter!) { filterSize(filter: $f) }", """{"f": {"size": 1, "nmae": "x"}}""", "Variable \"$f\" got invalid value { size: 1, nmae: \"x\" }; Field \"nmae\" is not defined by type \"Filter\". Did you mean \"name\"?")]
    [InlineData("query Q($f: Filter!) { filterSize(filter: $f) }", """{"f": {"ids": [1, null]}}""", "Variable \"$f\" got invalid value null at \"f.ids[1]\"; Expected non-nullable type \"Int!\" not to be null.")]
    [InlineData("query Q($dt: DateTime) { echo(dt: $dt) }", """{"dt": "2026-01-02"}""", "Variable \"$dt\" got invalid value \"2026-01-02\"; DateTime cannot represent an invalid date-time string: \"2026-01-02\"")]
    public async Task Invalid_variables_fail_the_request_before_execution(string query, string variables, string message)
    {
        var r = await Run(query, variables);

        Assert.False(r.TryGetProperty("data", out _));
        Assert.Equal(message, r.GetProperty("errors")[0].GetProperty("message").GetString());
    }

    [Fact]
    public async Task Literal_arguments_and_defaults_are_coerced_and_converted_to_clr_types()
    {
        var r = await Run("{ color(e: DARK_BLUE) filterSize(filter: { ids: [1] }) echo(s: \"\"\"  block \"\"\", b: true, list: 1) }");

        Assert.Equal("DARK_BLUE", r.GetProperty("data").GetProperty("color").GetString());
        Assert.Equal(10, r.GetProperty("data").GetProperty("filterSize").GetInt32());
        Assert.Contains("\"list\":[1]", r.GetProperty("data").GetProperty("echo").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task DateTime_serializes_as_iso_8601_and_Decimal_as_an_exact_number()
    {
        var result = await GraphQLExecutor.ExecuteAsync(Schema, new GraphQLRequest("{ when amount }"));

        Assert.Equal("""{"data":{"when":"2026-11-21T23:00:00+02:00","amount":12345678901234567.89}}""", result.ToJson());
    }

    [Fact]
    public async Task Resolvers_receive_the_per_request_context()
    {
        var r = await Run("{ org }", context: new TestOrg("org-42"));

        Assert.Equal("org-42", r.GetProperty("data").GetProperty("org").GetString());
    }

    [Fact]
    public async Task Sibling_query_fields_resolve_concurrently()
    {
        var r = await Run("{ a b }", context: new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously));

        Assert.Equal("""{"a":"a","b":"b"}""", Compact(r.GetProperty("data")));
    }

    [Fact]
    public async Task Mutation_root_fields_run_serially_in_document_order()
    {
        var log = new List<string>();
        var schema = ShowcaseSchema.Build(log);

        var result = await GraphQLExecutor.ExecuteAsync(schema, new GraphQLRequest(
            "mutation { a: tagLead(id: \"L1\", tag: \"xx\") { tags } b: tagLead(id: \"L1\", tag: \"y\") { id } c: tagLead(id: \"L2\", tag: \"zzz\") { id } }"));

        Assert.Empty(result.Errors);
        Assert.Equal(["xx", "y", "zzz"], log);
    }

    [Fact]
    public async Task Skip_and_include_honour_variables()
    {
        var r = await Run("query Q($yes: Boolean!) { a: when @include(if: $yes) b: when @skip(if: $yes) ... @skip(if: true) { amount } }", """{"yes": true}""");

        Assert.Equal("""{"a":"2026-11-21T23:00:00+02:00"}""", Compact(r.GetProperty("data")));
    }

    [Fact]
    public async Task Abstract_types_resolve_from_the_clr_type_of_the_value()
    {
        var result = await GraphQLExecutor.ExecuteAsync(ShowcaseSchema.Build(), new GraphQLRequest(
            "{ search(term: \"x\") { __typename ... on Lead { id } ... on Company { name } } node(id: \"L2\") { __typename id } }"));

        Assert.Equal("""{"data":{"search":[{"__typename":"Lead","id":"L1"},{"__typename":"Company","name":"Acme x"}],"node":{"__typename":"Lead","id":"L2"}}}""",
            result.ToJson());
    }

    [Theory]
    [InlineData("query A { when } query B { amount }", null, "Must provide operation name if query contains multiple operations.")]
    [InlineData("query A { when }", "C", "Unknown operation named \"C\".")]
    [InlineData("", null, "Must provide query string.")]
    [InlineData(" \t\r\n", null, "Syntax Error: Unexpected <EOF>.")]
    [InlineData("{ when", null, "Syntax Error: Expected Name, found <EOF>.")]
    public async Task Request_errors_have_no_data(string query, string? operationName, string message)
    {
        var result = await GraphQLExecutor.ExecuteAsync(Schema, new GraphQLRequest(query, operationName));

        Assert.False(result.HasData);
        Assert.StartsWith(message.Split('"')[0], result.Errors[0].Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_operation_type_the_schema_lacks_yields_null_data_and_an_error()
    {
        var result = await GraphQLExecutor.ExecuteAsync(Schema, new GraphQLRequest("mutation { x }"));

        Assert.True(result.HasData);
        Assert.Null(result.Data);
        Assert.Equal("Schema is not configured to execute mutation operation.", Assert.Single(result.Errors).Message);
    }

    [Fact]
    public async Task Cancellation_aborts_the_request()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromMilliseconds(50));

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() =>
            GraphQLExecutor.ExecuteAsync(Schema, new GraphQLRequest("{ never }"), null, cts.Token));
    }

    [Fact]
    public async Task Only_small_valid_queries_are_kept_in_the_parsed_document_cache()
    {
        // Every query text used to be kept, failures included (up to 500 of them): 150 distinct ~900 KB queries grew the
        // host by ~580 MB.
        var schema = ShowcaseSchema.Build();
        var large = "{ organization }" + new string(' ', 20_000);

        await GraphQLExecutor.ExecuteAsync(schema, new GraphQLRequest(large));
        await GraphQLExecutor.ExecuteAsync(schema, new GraphQLRequest("{ nope }"));
        await GraphQLExecutor.ExecuteAsync(schema, new GraphQLRequest("{ leads { "));
        var kept = schema.DocumentCache.Count;
        Assert.Equal(0, kept);

        var small = await GraphQLExecutor.ExecuteAsync(schema, new GraphQLRequest("{ organization }"));
        var again = await GraphQLExecutor.ExecuteAsync(schema, new GraphQLRequest("{ organization }"));
        kept = schema.DocumentCache.Count;
        Assert.Equal(1, kept);
        Assert.Equal(small.ToJson(), again.ToJson());
    }
}
