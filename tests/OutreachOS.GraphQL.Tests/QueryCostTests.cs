namespace OutreachOS.GraphQL.Tests;

/// <summary>List sizes in the complexity and the root-field limit (ExecutionOptions.DefaultListSize, MaxRootFields,
/// FieldBuilder.ListSize).</summary>
public sealed class QueryCostTests
{
    [Fact]
    public async Task List_fields_cost_their_declared_size_the_default_size_or_the_connections_page_size()
    {
        var schema = ListSchema();
        var options = new ExecutionOptions { MaxComplexity = 1 };

        // events (1) + 1000 x data (1); days (1) + 10 (default) x (a + b); a connection without first/last: its maximum
        // page (100) x (nodes 1 + 1 x id 1); with first: 5 x 2; first given as an absent variable: the maximum page again,
        // x (edges 1 + 1 x (node 1 + id 1)).
        Assert.Equal(1001, await Cost(schema, "{ events { data } }", options));
        Assert.Equal(21, await Cost(schema, "{ days { a b } }", options));
        Assert.Equal(41, await Cost(schema, "{ days { a b } }", options with { DefaultListSize = 20 }));
        Assert.Equal(201, await Cost(schema, "{ items { nodes { id } } }", options));
        Assert.Equal(11, await Cost(schema, "{ items(first: 5) { nodes { id } } }", options));
        Assert.Equal(301, await Cost(schema, "query Q($n: Int) { items(first: $n) { edges { node { id } } } }", options));
        Assert.Equal(2, await Cost(schema, "{ one { a } }", options));
    }

    [Fact]
    public async Task Thousands_of_aliased_root_fields_are_refused_before_anything_runs()
    {
        var options = new ExecutionOptions { MaxRootFields = 20 };
        var schema = ListSchema();

        var many = await Run(schema, "{ " + string.Concat(Enumerable.Range(0, 1500).Select(i => $"a{i}: one {{ a }} ")) + "}", options);
        var twenty = await Run(schema, "{ " + string.Concat(Enumerable.Range(0, 20).Select(i => $"a{i}: one {{ a }} ")) + "}", options);
        // Same response key (merged, resolved once), __typename and fragments spread twice do not add root fields.
        var merged = await Run(schema, "{ ...R ...R __typename one { a } one { b } } fragment R on Query { one { a } days { a } }", options with { MaxRootFields = 2 });

        Assert.False(many.HasData);
        var error = Assert.Single(many.Errors);
        Assert.Equal("The operation selects 1500 root fields; at most 20 are allowed per request.", error.Message);
        Assert.Equal("MAX_ROOT_FIELDS_EXCEEDED", error.Extensions!["code"]);
        Assert.NotNull(error.Locations);
        Assert.Empty(twenty.Errors);
        Assert.Empty(merged.Errors);
    }

    private sealed record Item(string Id);

    private static GraphQLSchema ListSchema() => new SchemaBuilder()
        .Object<Item>("Item", t => t.Field("id", "ID!"))
        .Object<object>("Event", t => t.Field("data", "String!", _ => "{}"))
        .Object<object>("Day", t => t.Field("a", "Int!", _ => 1).Field("b", "Int!", _ => 2))
        .Query(t => t
            .Field("events", "[Event!]!", _ => new object[] { 1 }, f => f.ListSize(1000))
            .Field("days", "[Day!]!", _ => new object[] { 1 })
            .Field("one", "Day!", _ => 1)
            .Connection<object, Item>("items", "Item", _ => new ValueTask<IReadOnlyList<Item>>([new Item("1")]), maxPageSize: 100))
        .Build();

    /// <summary>The complexity reported when <paramref name="options"/>' MaxComplexity (1) refuses the query.</summary>
    internal static async Task<long> Cost(GraphQLSchema schema, string query, ExecutionOptions options)
    {
        var result = await Run(schema, query, options);
        var message = Assert.Single(result.Errors).Message;
        return long.Parse(message.Split(' ')[2], System.Globalization.CultureInfo.InvariantCulture);
    }

    private static Task<ExecutionResult> Run(GraphQLSchema schema, string query, ExecutionOptions options) =>
        Task.Run(() => GraphQLExecutor.ExecuteAsync(schema, new GraphQLRequest(query), null, options)).WaitAsync(TimeSpan.FromSeconds(30));
}
