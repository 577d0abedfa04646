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
        var options = new ExecutionOptions { MaxComplexity = 4 };

        var ok = await GraphQLExecutor.ExecuteAsync(Schema, new GraphQLRequest("{ hero { name friends { name } } }"), null, options);
        var tooComplex = await GraphQLExecutor.ExecuteAsync(Schema, new GraphQLRequest("{ hero { id name friends { id name } } }"), null, options);

        Assert.Empty(ok.Errors);
        Assert.Equal("Query complexity 6 exceeds the maximum allowed complexity of 4.", Assert.Single(tooComplex.Errors).Message);
    }

    [Fact]
    public async Task Introspection_does_not_count_towards_the_limits()
    {
        var options = new ExecutionOptions { MaxDepth = 2, MaxComplexity = 2 };

        var result = await GraphQLExecutor.ExecuteAsync(Schema,
            new GraphQLRequest("{ __schema { types { name fields { name type { name ofType { name ofType { name } } } } } } }"), null, options);

        Assert.Empty(result.Errors);
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
