using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using OutreachOS.GraphQL.Tests.Schemas;

namespace OutreachOS.GraphQL.Tests;

/// <summary>The GraphQL-over-HTTP mapping, driven in memory through <see cref="DefaultHttpContext"/> (no sockets).</summary>
public sealed class HttpTests
{
    private static readonly GraphQLSchema Schema = ShowcaseSchema.Build();

    private sealed record Response(int Status, string ContentType, string Body, IHeaderDictionary Headers)
    {
        public JsonElement Json => JsonDocument.Parse(Body).RootElement;
    }

    private static async Task<Response> Send(string method, string? body = null, string? contentType = "application/json",
        string? accept = null, string query = "", RequestDelegate? handler = null, Action<HttpContext>? setup = null)
    {
        var http = new DefaultHttpContext();
        http.Request.Method = method;
        http.Request.Path = "/graphql";
        http.Request.QueryString = new QueryString(query);
        if (body is not null)
        {
            var bytes = Encoding.UTF8.GetBytes(body);
            http.Request.Body = new MemoryStream(bytes);
            http.Request.ContentLength = bytes.Length;
            http.Request.ContentType = contentType;
        }

        if (accept is not null)
        {
            http.Request.Headers.Accept = accept;
        }

        setup?.Invoke(http);
        var responseBody = new MemoryStream();
        http.Response.Body = responseBody;
        handler ??= ctx => GraphQLHttpHandler.HandleAsync(ctx, Schema, new GraphQLEndpointOptions());
        await handler(http);
        return new Response(http.Response.StatusCode, http.Response.ContentType ?? string.Empty,
            Encoding.UTF8.GetString(responseBody.ToArray()), http.Response.Headers);
    }

    private const string GraphQLResponse = "application/graphql-response+json";

    [Fact]
    public async Task Post_with_json_returns_data_as_application_json_by_default()
    {
        var r = await Send("POST", """{"query":"{ node(id: \"L1\") { id } }"}""");

        Assert.Equal(200, r.Status);
        Assert.StartsWith("application/json", r.ContentType, StringComparison.Ordinal);
        Assert.Equal("""{"data":{"node":{"id":"L1"}}}""", r.Body);
    }

    [Fact]
    public async Task Graphql_response_json_is_chosen_when_accepted_and_request_errors_get_400()
    {
        var ok = await Send("POST", """{"query":"query Q($id: ID!) { node(id: $id) { id } }","variables":{"id":"L2"},"operationName":"Q"}""",
            accept: GraphQLResponse + ", application/json;q=0.9");
        var invalid = await Send("POST", """{"query":"{ nope }"}""", accept: GraphQLResponse);
        var syntax = await Send("POST", """{"query":"{"}""", accept: GraphQLResponse);
        var fieldError = await Send("POST", """{"query":"{ leads(first: 99) { totalCount } }"}""", accept: GraphQLResponse);

        Assert.Equal(200, ok.Status);
        Assert.StartsWith(GraphQLResponse, ok.ContentType, StringComparison.Ordinal);
        Assert.Equal(400, invalid.Status);
        Assert.Equal(400, syntax.Status);
        Assert.Equal(200, fieldError.Status); // the data entry is present (null after propagation), so 2xx
        Assert.True(fieldError.Json.TryGetProperty("data", out _));
    }

    [Fact]
    public async Task Legacy_application_json_keeps_200_for_validation_errors()
    {
        var r = await Send("POST", """{"query":"{ zzz }"}""", accept: "application/json");

        Assert.Equal(200, r.Status);
        Assert.Equal("Cannot query field \"zzz\" on type \"Query\".", r.Json.GetProperty("errors")[0].GetProperty("message").GetString());
    }

    [Theory]
    [InlineData("not json", 400)]
    [InlineData("[1,2]", 400)]
    [InlineData("""{"query": 5}""", 400)]
    [InlineData("""{"query":"{ __typename }","variables":[1]}""", 400)]
    [InlineData("""{"operationName":"x"}""", 400)]
    public async Task Malformed_requests_get_400(string body, int status)
    {
        var r = await Send("POST", body);

        Assert.Equal(status, r.Status);
        Assert.True(r.Json.GetProperty("errors").GetArrayLength() > 0);
    }

    [Theory]
    [InlineData("""{"query":"query Q($id: ID!) { node(id: $id) { id } }","variables":{"id":"L1","id":"L2"}}""",
        "Variable \"$id\" is given more than once in \"variables\".")]
    [InlineData("""{"query":"{ __typename }","variables":{"f":{"a":1,"a":2}}}""", "Property \"a\" is given more than once in variable \"$f\".")]
    [InlineData("""{"query":"{ __typename }","extensions":{"x":1,"x":2}}""", "\"x\" is given more than once in \"extensions\".")]
    [InlineData("""{"query":"{ __typename }","query":"{ secret }"}""", "\"query\" is given more than once in the request.")]
    [InlineData("""{"query":"{ __typename }","variables":{},"variables":{"id":"L1"}}""", "\"variables\" is given more than once in the request.")]
    public async Task A_key_repeated_in_variables_gets_400_naming_it_instead_of_a_server_error(string body, string message)
    {
        var r = await Send("POST", body);

        Assert.Equal(400, r.Status);
        Assert.Equal(message, Assert.Single(r.Json.GetProperty("errors").EnumerateArray()).GetProperty("message").GetString());
    }

    [Fact]
    public async Task A_key_repeated_in_get_variables_gets_400_naming_it()
    {
        var q = "?query=" + Uri.EscapeDataString("query Q($id: ID!) { node(id: $id) { id } }") +
                "&variables=" + Uri.EscapeDataString("""{"id":"L1","id":"L2"}""");

        var r = await Send("GET", query: q, accept: GraphQLResponse);

        Assert.Equal(400, r.Status);
        Assert.Equal("Variable \"$id\" is given more than once in \"variables\".", r.Json.GetProperty("errors")[0].GetProperty("message").GetString());
    }

    [Fact]
    public async Task Unsupported_content_type_method_and_accept_get_415_405_and_406()
    {
        var wrongType = await Send("POST", "{ __typename }", contentType: "text/plain");
        var wrongMethod = await Send("PUT", """{"query":"{ __typename }"}""");
        var wrongAccept = await Send("POST", """{"query":"{ __typename }"}""", accept: "text/csv");

        Assert.Equal(415, wrongType.Status);
        Assert.Equal(405, wrongMethod.Status);
        Assert.Equal("GET, POST", wrongMethod.Headers.Allow.ToString());
        Assert.Equal(406, wrongAccept.Status);
    }

    [Fact]
    public async Task Get_executes_queries_from_the_query_string()
    {
        var q = "?query=" + Uri.EscapeDataString("query Q($id: ID!) { node(id: $id) { id } }") +
                "&variables=" + Uri.EscapeDataString("""{"id":"L3"}""") + "&operationName=Q";

        var r = await Send("GET", query: q, accept: GraphQLResponse);

        Assert.Equal(200, r.Status);
        Assert.Equal("""{"data":{"node":{"id":"L3"}}}""", r.Body);
    }

    [Fact]
    public async Task Get_refuses_mutations_with_405()
    {
        var q = "?query=" + Uri.EscapeDataString("mutation { tagLead(id: \"L1\", tag: \"x\") { id } }");

        var r = await Send("GET", query: q);

        Assert.Equal(405, r.Status);
        Assert.Equal("POST", r.Headers.Allow.ToString());
    }

    [Fact]
    public async Task The_full_graphiql_introspection_query_works_over_http()
    {
        var query = PythonRunner.Run("introspection-query").GetProperty("query").GetString();
        var body = JsonSerializer.Serialize(new { query, operationName = "IntrospectionQuery", variables = new { } });

        var r = await Send("POST", body, accept: "application/graphql-response+json, application/json;q=0.9, */*;q=0.8");

        Assert.Equal(200, r.Status);
        Assert.False(r.Json.TryGetProperty("errors", out _));
        Assert.Equal("Query", r.Json.GetProperty("data").GetProperty("__schema").GetProperty("queryType").GetProperty("name").GetString());
    }

    [Fact]
    public async Task Curl_style_wildcard_accept_gets_application_json()
    {
        var r = await Send("POST", """{"query":"{ __typename }"}""", accept: "*/*");

        Assert.StartsWith("application/json", r.ContentType, StringComparison.Ordinal);
        Assert.Equal("""{"data":{"__typename":"Query"}}""", r.Body);
    }

    [Fact]
    public async Task Browsers_get_the_self_contained_explorer_page()
    {
        var r = await Send("GET", accept: "text/html,application/xhtml+xml");

        Assert.Equal(200, r.Status);
        Assert.StartsWith("text/html", r.ContentType, StringComparison.Ordinal);
        Assert.Contains("<textarea id=\"query\"", r.Body, StringComparison.Ordinal);
        Assert.DoesNotContain("https://", r.Body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task MapGraphQL_routes_to_the_endpoint_and_passes_the_context_factory_result_to_resolvers()
    {
        await using var app = WebApplication.CreateSlimBuilder().Build();
        app.MapGraphQL("/graphql", Schema, o =>
            o.ContextFactory = http => new ValueTask<object?>(new TestOrg(http.Request.Headers["X-Org"].ToString())));
        var endpoint = ((IEndpointRouteBuilder)app).DataSources.SelectMany(d => d.Endpoints).OfType<RouteEndpoint>().Single();

        var r = await Send("POST", """{"query":"{ organization }"}""", handler: endpoint.RequestDelegate,
            setup: http => http.Request.Headers["X-Org"] = "org-7");

        Assert.Equal("/graphql", endpoint.RoutePattern.RawText);
        Assert.Equal("""{"data":{"organization":"org-7"}}""", r.Body);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task A_body_over_the_limit_gets_413_with_a_graphql_error_whether_or_not_its_length_is_announced(bool chunked)
    {
        // A chunked request has no Content-Length: the limit used to be checked only against that header.
        var body = JsonSerializer.Serialize(new { query = "{ __typename }", extensions = new { pad = new string('x', 5000) } });
        var options = new GraphQLEndpointOptions { MaxRequestBodyBytes = 4096 };

        var r = await Send("POST", body, handler: ctx => GraphQLHttpHandler.HandleAsync(ctx, Schema, options),
            setup: http => http.Request.ContentLength = chunked ? null : http.Request.ContentLength);

        Assert.Equal(413, r.Status);
        var error = Assert.Single(r.Json.GetProperty("errors").EnumerateArray());
        Assert.Equal("The request body is larger than 4096 bytes.", error.GetProperty("message").GetString());
        Assert.False(r.Json.TryGetProperty("data", out _));
    }

    [Fact]
    public async Task A_chunked_body_within_the_limit_is_read_whole()
    {
        var body = JsonSerializer.Serialize(new { query = "{ __typename }", extensions = new { pad = new string('x', 3000) } });
        var options = new GraphQLEndpointOptions { MaxRequestBodyBytes = 4096 };

        var r = await Send("POST", body, handler: ctx => GraphQLHttpHandler.HandleAsync(ctx, Schema, options),
            setup: http => http.Request.ContentLength = null);

        Assert.Equal(200, r.Status);
        Assert.Equal("Query", r.Json.GetProperty("data").GetProperty("__typename").GetString());
    }
}
