using System.Text.Json;
using OutreachOS.GraphQL.Tests.Schemas;

namespace OutreachOS.GraphQL.Tests;

public sealed class ConnectionTests
{
    private static readonly GraphQLSchema Schema = ShowcaseSchema.Build();

    private const string Page = "pageInfo { hasNextPage hasPreviousPage startCursor endCursor } totalCount";

    private static async Task<ExecutionResult> Run(string query) => await GraphQLExecutor.ExecuteAsync(Schema, new GraphQLRequest(query));

    private static JsonElement Leads(ExecutionResult r) => JsonDocument.Parse(r.ToJson()).RootElement.GetProperty("data").GetProperty("leads");

    [Fact]
    public async Task First_and_after_page_forwards_with_cursors_and_page_info()
    {
        var first = Leads(await Run($"{{ leads(filter: {{status: [NEW, CONTACTED]}}, first: 2) {{ edges {{ cursor node {{ id }} }} nodes {{ id }} {Page} }} }}"));

        Assert.Equal("""["L5","L4"]""", JsonSerializer.Serialize(first.GetProperty("nodes").EnumerateArray().Select(n => n.GetProperty("id").GetString())));
        Assert.Equal(5, first.GetProperty("totalCount").GetInt32());
        var pageInfo = first.GetProperty("pageInfo");
        Assert.True(pageInfo.GetProperty("hasNextPage").GetBoolean());
        Assert.False(pageInfo.GetProperty("hasPreviousPage").GetBoolean());
        Assert.Equal(first.GetProperty("edges")[1].GetProperty("cursor").GetString(), pageInfo.GetProperty("endCursor").GetString());

        var end = pageInfo.GetProperty("endCursor").GetString();
        var second = Leads(await Run($"{{ leads(filter: {{status: [NEW, CONTACTED]}}, first: 3, after: \"{end}\") {{ nodes {{ id }} {Page} }} }}"));

        Assert.Equal("""["L3","L2","L1"]""", JsonSerializer.Serialize(second.GetProperty("nodes").EnumerateArray().Select(n => n.GetProperty("id").GetString())));
        Assert.False(second.GetProperty("pageInfo").GetProperty("hasNextPage").GetBoolean());
        Assert.True(second.GetProperty("pageInfo").GetProperty("hasPreviousPage").GetBoolean());
    }

    [Fact]
    public async Task Last_and_before_page_backwards()
    {
        var all = Leads(await Run("{ leads(filter: {status: [NEW, CONTACTED]}, first: 3) { edges { cursor } } }"));
        var before = all.GetProperty("edges")[2].GetProperty("cursor").GetString();

        var page = Leads(await Run($"{{ leads(filter: {{status: [NEW, CONTACTED]}}, last: 1, before: \"{before}\") {{ nodes {{ id }} {Page} }} }}"));

        Assert.Equal("L4", page.GetProperty("nodes")[0].GetProperty("id").GetString());
        Assert.True(page.GetProperty("pageInfo").GetProperty("hasPreviousPage").GetBoolean());
        Assert.True(page.GetProperty("pageInfo").GetProperty("hasNextPage").GetBoolean());
    }

    [Fact]
    public async Task Without_first_or_last_the_page_size_is_the_maximum()
    {
        var page = Leads(await Run("{ leads(filter: {status: [NEW, CONTACTED]}) { nodes { id } totalCount } }"));

        Assert.Equal(3, page.GetProperty("nodes").GetArrayLength());
        Assert.Equal(5, page.GetProperty("totalCount").GetInt32());
    }

    [Theory]
    [InlineData("first: 4", "Argument \"first\" must not exceed 3 (requested 4).")]
    [InlineData("last: -1", "Argument \"last\" must be a non-negative integer.")]
    [InlineData("after: \"garbage\"", "Argument \"after\" is not a valid cursor.")]
    public async Task Page_sizes_above_the_maximum_and_bad_cursors_are_field_errors(string args, string message)
    {
        var result = await Run($"{{ leads({args}) {{ totalCount }} }}");

        Assert.Equal(message, Assert.Single(result.Errors).Message);
        Assert.True(result.HasData);
    }

    [Fact]
    public void Window_follows_the_relay_cursor_algorithm()
    {
        var args = new ConnectionArguments(First: 2, After: Connections.CursorFor(1), Last: 1, Before: null);

        var window = Connections.Window(args, 10);

        Assert.Equal(new ConnectionWindow(3, 1, true, true), window);
        Assert.Equal(7, Connections.OffsetOf(Connections.CursorFor(7)));
        Assert.Null(Connections.OffsetOf("bm9wZQ=="));
    }

    [Fact]
    public async Task A_cursor_at_the_largest_offset_gives_an_empty_last_page_instead_of_wrapping_to_the_first()
    {
        var after = Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes($"cursor:{int.MaxValue}"));

        var page = Leads(await Run($"{{ leads(filter: {{status: [NEW, CONTACTED]}}, first: 1, after: \"{after}\") {{ nodes {{ id }} {Page} }} }}"));

        Assert.Equal(0, page.GetProperty("nodes").GetArrayLength());
        Assert.True(page.GetProperty("pageInfo").GetProperty("hasPreviousPage").GetBoolean());
        Assert.False(page.GetProperty("pageInfo").GetProperty("hasNextPage").GetBoolean());
        Assert.Equal(new ConnectionWindow(5, 0, true, false),
            Connections.Window(new ConnectionArguments(First: 1, After: after, Last: null, Before: null), totalCount: 5));
    }
}
