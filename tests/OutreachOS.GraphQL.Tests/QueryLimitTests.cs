using OutreachOS.GraphQL.Tests.Schemas;

namespace OutreachOS.GraphQL.Tests;

public sealed class QueryLimitTests
{
    private static readonly GraphQLSchema Schema = StarWarsSchema.Instance;

    [Fact]
    public async Task Queries_deeper_than_the_maximum_are_rejected_with_a_clear_error()
    {
        var options = new ExecutionOptions { MaxDepth = 3 };

        var ok = await GraphQLExecutor.ExecuteAsync(Schema, new GraphQLRequest("{ hero { friends { name } } }"), null, options);
        var tooDeep = await GraphQLExecutor.ExecuteAsync(Schema,
            new GraphQLRequest("{ hero { ...F } } fragment F on Character { friends { friends { name } } }"), null, options);

        Assert.Empty(ok.Errors);
        Assert.False(tooDeep.HasData);
        var error = Assert.Single(tooDeep.Errors);
        Assert.Equal("Query depth 4 exceeds the maximum allowed depth of 3.", error.Message);
        Assert.Equal("MAX_DEPTH_EXCEEDED", error.Extensions!["code"]);
    }

    [Fact]
    public async Task Complexity_counts_fields_and_multiplies_by_page_size_arguments()
    {
        var options = new ExecutionOptions { MaxComplexity = 4, DefaultListSize = 1 };

        var ok = await GraphQLExecutor.ExecuteAsync(Schema, new GraphQLRequest("{ hero { name friends { name } } }"), null, options);
        var tooComplex = await GraphQLExecutor.ExecuteAsync(Schema, new GraphQLRequest("{ hero { id name friends { id name } } }"), null, options);

        Assert.Empty(ok.Errors);
        Assert.Equal("Query complexity 6 exceeds the maximum allowed complexity of 4.", Assert.Single(tooComplex.Errors).Message);
    }

    [Fact]
    public async Task Introspection_counts_towards_complexity_but_not_towards_depth()
    {
        const string Query = "{ __schema { types { name fields { name type { name ofType { name ofType { name } } } } } } }";

        var shallow = await GraphQLExecutor.ExecuteAsync(Schema, new GraphQLRequest(Query), null, new ExecutionOptions { MaxDepth = 2 });
        var cheap = await GraphQLExecutor.ExecuteAsync(Schema, new GraphQLRequest(Query), null, new ExecutionOptions { MaxComplexity = 2 });

        Assert.Empty(shallow.Errors); // its depth is bounded by MaxIntrospectionDepthRule instead
        Assert.False(cheap.HasData);
        Assert.Equal("MAX_COMPLEXITY_EXCEEDED", Assert.Single(cheap.Errors).Extensions!["code"]);
    }

    [Fact]
    public async Task One_full_introspection_query_passes_but_hundreds_of_aliased_copies_are_refused_for_their_cost()
    {
        // The review's attack: 2,800 aliases of __schema { ...F } answered 82 MB. 300 copies (about 150 KB of query text)
        // show the same: introspection used to be skipped by the complexity count.
        var options = new ExecutionOptions { MaxDepth = 12, MaxComplexity = 20_000 };
        var introspection = PythonRunner.Run("introspection-query").GetProperty("query").GetString()!;
        var operationStart = introspection.IndexOf("__schema", StringComparison.Ordinal);
        var fragmentsStart = introspection.IndexOf("fragment ", StringComparison.Ordinal);
        var schemaField = introspection[operationStart..introspection.LastIndexOf('}', fragmentsStart)];
        var aliased = "query { " + string.Concat(Enumerable.Range(0, 300).Select(i => $"s{i}: {schemaField} ")) + "} " + introspection[fragmentsStart..];

        var one = await GraphQLExecutor.ExecuteAsync(Schema, new GraphQLRequest(introspection, "IntrospectionQuery"), null, options);
        var many = await Run(Schema, aliased, options);

        Assert.Empty(one.Errors);
        Assert.False(many.HasData);
        var error = Assert.Single(many.Errors);
        Assert.Equal("MAX_COMPLEXITY_EXCEEDED", error.Extensions!["code"]);
        Assert.StartsWith("Query complexity ", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Aliases_of_a_list_inside_one_introspection_field_are_counted_with_the_schemas_sizes()
    {
        var options = new ExecutionOptions { MaxComplexity = 20_000 };
        var aliases = string.Concat(Enumerable.Range(0, 200).Select(i => $"t{i}: types {{ name fields {{ name args {{ name }} }} }} "));

        var result = await Run(Schema, "{ __schema { " + aliases + "} }", options);

        Assert.Equal("MAX_COMPLEXITY_EXCEEDED", Assert.Single(result.Errors).Extensions!["code"]);
    }

    [Fact]
    public async Task A_connection_without_first_or_last_costs_its_maximum_page()
    {
        // Without first/last a connection answers its maximum page (3 leads here), but used to cost as if it held one.
        var result = await GraphQLExecutor.ExecuteAsync(ShowcaseSchema.Build(), new GraphQLRequest("{ leads { nodes { id } } }"), null,
            new ExecutionOptions { MaxComplexity = 6 });

        // leads (1) + 3 x (nodes 1 + id 1) = 7
        Assert.Equal("Query complexity 7 exceeds the maximum allowed complexity of 6.", Assert.Single(result.Errors).Message);
    }

    [Fact]
    public async Task Connection_page_size_multiplies_complexity()
    {
        var schema = ShowcaseSchema.Build();
        var options = new ExecutionOptions { MaxComplexity = 10 };

        var result = await GraphQLExecutor.ExecuteAsync(schema, new GraphQLRequest(
            "query Q($n: Int) { leads(first: $n) { nodes { id email } } }", null, new Dictionary<string, object?> { ["n"] = 3 }), null, options);

        // leads (1) + 3 x (nodes 1 + id 1 + email 1) = 10 is allowed; 11 would not be.
        Assert.Empty(result.Errors);
        Assert.Single(await Errors("query Q($n: Int) { leads(first: $n) { totalCount nodes { id email } } }"));

        async Task<IReadOnlyList<GraphQLError>> Errors(string q) =>
            (await GraphQLExecutor.ExecuteAsync(schema, new GraphQLRequest(q, null, new Dictionary<string, object?> { ["n"] = 3 }), null, options)).Errors;
    }

    [Fact]
    public async Task A_doubling_fragment_chain_is_measured_once_per_fragment_and_refused_for_its_real_complexity()
    {
        // ~400 tokens whose naive expansion is 2^30 fields: without per-fragment memoization this never finishes.
        var options = new ExecutionOptions { MaxDepth = 12, MaxComplexity = 5000 };

        var result = await Run(Schema, DoublingChain("Query", 30), options);

        Assert.False(result.HasData);
        var error = Assert.Single(result.Errors);
        Assert.Equal("Query complexity 1073741824 exceeds the maximum allowed complexity of 5000.", error.Message);
        Assert.Equal("MAX_COMPLEXITY_EXCEEDED", error.Extensions!["code"]);
    }

    [Fact]
    public async Task Complexity_beyond_the_integer_range_saturates_instead_of_wrapping_round_to_an_accepted_value()
    {
        var options = new ExecutionOptions { MaxComplexity = 5000 };

        var result = await Run(Schema, DoublingChain("Query", 64), options);

        Assert.Equal($"Query complexity {int.MaxValue} exceeds the maximum allowed complexity of 5000.", Assert.Single(result.Errors).Message);
    }

    [Fact]
    public async Task A_doubling_fragment_chain_under_introspection_is_checked_once_per_fragment_and_answered()
    {
        var query = DoublingChain("__Schema", 30).Replace("query { ...F30 }", "{ __schema { ...F30 } }", StringComparison.Ordinal);

        var result = await Run(Schema, query, new ExecutionOptions());

        Assert.Empty(result.Errors);
        Assert.Equal("""{"data":{"__schema":{"__typename":"__Schema"}}}""", result.ToJson());
    }

    [Fact]
    public async Task An_introspection_fragment_spread_twice_is_still_checked_at_its_deeper_position()
    {
        // T is harmless at the first spread (two list levels) but reaches the limit of three at the second.
        const string Query = "{ __schema { types { ...T fields { type { ...T } } } } } fragment T on __Type { interfaces { fields { name } } }";

        var result = await Run(Schema, Query, new ExecutionOptions());

        Assert.Equal("Maximum introspection depth exceeded", Assert.Single(result.Errors).Message);
    }

    /// <summary><c>query { ...Fn }</c> with F0 selecting <c>__typename</c> and each Fi spreading F(i-1) twice.</summary>
    private static string DoublingChain(string onType, int levels)
    {
        var text = new System.Text.StringBuilder($"query {{ ...F{levels} }} fragment F0 on {onType} {{ __typename }}");
        for (var i = 1; i <= levels; i++)
        {
            text.Append($" fragment F{i} on {onType} {{ ...F{i - 1} ...F{i - 1} }}");
        }

        return text.ToString();
    }

    /// <summary>Runs on the thread pool with a generous deadline, so an exponential regression fails the test instead of
    /// hanging the run (the deadline is a safety net, not a timing assertion).</summary>
    private static Task<ExecutionResult> Run(GraphQLSchema schema, string query, ExecutionOptions options) =>
        Task.Run(() => GraphQLExecutor.ExecuteAsync(schema, new GraphQLRequest(query), null, options))
            .WaitAsync(TimeSpan.FromSeconds(30));
}
