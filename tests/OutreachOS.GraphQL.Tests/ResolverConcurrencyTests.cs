using System.Text.Json;

namespace OutreachOS.GraphQL.Tests;

public sealed class ResolverConcurrencyTests
{
    private sealed record Item(int Index);

    /// <summary>Counts resolvers in flight, as a connection pool would see them.</summary>
    private sealed class InFlight
    {
        private int _now;
        private int _max;

        public int Max => Volatile.Read(ref _max);

        public async ValueTask<T> Run<T>(T value)
        {
            var now = Interlocked.Increment(ref _now);
            int seen;
            while (now > (seen = Volatile.Read(ref _max)) && Interlocked.CompareExchange(ref _max, now, seen) != seen)
            {
            }

            try
            {
                await Task.Delay(10);
                return value;
            }
            finally
            {
                Interlocked.Decrement(ref _now);
            }
        }
    }

    private static GraphQLSchema BuildSchema(InFlight inFlight) => new SchemaBuilder()
        .Object<Item>("Item", t => t.Field("value", "Int!", async ctx => await inFlight.Run<object?>(ctx.Source.Index)))
        .Query(t => t.Field("item", "Item!", async ctx => await inFlight.Run<object?>(new Item(ctx.Argument<int>("i"))), f => f.Argument("i", "Int!")))
        .Mutation(t => t.Field("touch", "Int!", async ctx => await inFlight.Run<object?>(ctx.Argument<int>("i")), f => f.Argument("i", "Int!")))
        .Build();

    [Fact]
    public async Task Sibling_fields_resolve_at_most_MaxConcurrentResolvers_at_a_time_and_keep_their_order()
    {
        // 200 aliases pass a complexity limit easily; unbounded, each would take a database connection at once. The nested
        // resolver also proves a parent does not keep its slot while its children wait for one.
        var inFlight = new InFlight();
        var options = new ExecutionOptions { MaxConcurrentResolvers = 8 };
        var query = "{ " + string.Join(' ', Enumerable.Range(0, 200).Select(i => $"a{i}: item(i: {i}) {{ value }}")) + " }";

        var result = await GraphQLExecutor.ExecuteAsync(BuildSchema(inFlight), new GraphQLRequest(query), null, options)
            .WaitAsync(TimeSpan.FromSeconds(60));

        Assert.Empty(result.Errors);
        Assert.InRange(inFlight.Max, 2, 8);
        var data = JsonDocument.Parse(result.ToJson()).RootElement.GetProperty("data");
        Assert.Equal(Enumerable.Range(0, 200).Select(i => $"a{i}"), data.EnumerateObject().Select(p => p.Name));
        Assert.Equal(Enumerable.Range(0, 200), data.EnumerateObject().Select(p => p.Value.GetProperty("value").GetInt32()));
    }

    [Fact]
    public async Task Mutation_root_fields_still_run_one_after_another()
    {
        var inFlight = new InFlight();
        var query = "mutation { " + string.Join(' ', Enumerable.Range(0, 20).Select(i => $"t{i}: touch(i: {i})")) + " }";

        var result = await GraphQLExecutor.ExecuteAsync(BuildSchema(inFlight), new GraphQLRequest(query), null, new ExecutionOptions());

        Assert.Empty(result.Errors);
        Assert.Equal(1, inFlight.Max);
    }
}
