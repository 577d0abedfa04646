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
}
