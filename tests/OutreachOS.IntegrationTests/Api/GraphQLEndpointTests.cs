using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using OutreachOS.Analytics.Contracts;
using OutreachOS.BuildingBlocks.EventStore;
using OutreachOS.IntegrationTests.Messaging;

namespace OutreachOS.IntegrationTests.Api;

public sealed class GraphQLEndpointTests
{
    private static async Task<JsonNode> QueryAsync(HttpClient client, string query, object? variables = null)
    {
        using var response = await client.PostAsJsonAsync("/graphql", new { query, variables });
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
    }

    [Fact]
    public async Task The_read_schema_answers_with_the_callers_organization_only()
    {
        await using var app = await OutreachApp.StartAsync();
        var admin = app.ClientWithKey();
        using var created = await admin.PostAsJsonAsync("/organizations", new { name = "Org B", tier = "PRO" });
        var b = JsonNode.Parse(await created.Content.ReadAsStringAsync())!;
        var orgB = b["organization"]!["id"]!.GetValue<Guid>();
        var clientB = app.ClientWithKey(b["api_key"]!["key"]!.GetValue<string>());
        var streamB = $"organization-{orgB:N}";

        const string query = """
            query($s: String!) {
              organization { name tier isPlatformAdmin }
              streams(first: 10, type: "organization") { totalCount nodes { streamId version } pageInfo { hasNextPage } }
              auditStream(streamId: $s) { valid version events { type hash } }
              credits { tier allowance available }
            }
            """;
        var mine = await QueryAsync(clientB, query, new { s = streamB });
        Assert.Null(mine["errors"]);
        var data = mine["data"]!;
        Assert.Equal("Org B", data["organization"]!["name"]!.GetValue<string>());
        Assert.Equal(1, data["streams"]!["totalCount"]!.GetValue<int>());
        Assert.True(data["auditStream"]!["valid"]!.GetValue<bool>());
        Assert.Equal(["organization_created.v1", "api_key_issued.v2"], data["auditStream"]!["events"]!.AsArray().Select(e => e!["type"]!.GetValue<string>()));
        Assert.Equal("PRO", data["credits"]!["tier"]!.GetValue<string>());
        Assert.Equal(5000, data["credits"]!["allowance"]!.GetValue<int>());

        // The platform organization asking for B's stream gets null, exactly as for a stream that does not exist.
        var theirs = await QueryAsync(admin, query, new { s = streamB });
        Assert.Null(theirs["data"]!["auditStream"]);
        Assert.NotEqual("Org B", theirs["data"]!["organization"]!["name"]!.GetValue<string>());
    }

    [Fact]
    public async Task Graphql_needs_a_key_and_reports_validation_errors_with_locations()
    {
        await using var app = await OutreachApp.StartAsync();
        using var anonymous = await app.ClientWithKey(null).PostAsJsonAsync("/graphql", new { query = "{ organization { name } }" });
        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);

        var bad = await QueryAsync(app.ClientWithKey(), "{ organization { nmae } }");
        var error = bad["errors"]![0]!;
        Assert.Contains("nmae", error["message"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Equal(1, error["locations"]![0]!["line"]!.GetValue<int>());

        var introspection = await QueryAsync(app.ClientWithKey(), "{ __schema { queryType { name } types { name } } }");
        var names = introspection["data"]!["__schema"]!["types"]!.AsArray().Select(t => t!["name"]!.GetValue<string>()).ToList();
        Assert.Contains("AuditStream", names);
        Assert.Contains("DateTime", names);
    }

    [Fact]
    public async Task Graphql_core_rebuilds_and_validates_the_host_schema_from_our_introspection()
    {
        await using var app = await OutreachApp.StartAsync();
        var query = await PythonAsync(
            "import json,graphql; print(json.dumps(graphql.get_introspection_query(descriptions=True, specified_by_url=True, " +
            "directive_is_repeatable=True, schema_description=True, input_value_deprecation=True)))", "");
        var result = await QueryAsync(app.ClientWithKey(), JsonSerializer.Deserialize<string>(query)!);
        Assert.Null(result["errors"]);

        var verdict = await PythonAsync(
            "import json,sys,graphql; s=graphql.build_client_schema(json.load(sys.stdin)['data']); " +
            "e=graphql.validate_schema(s); print(json.dumps({'errors':[x.message for x in e],'types':sorted(s.type_map)}))",
            result.ToJsonString());
        var parsed = JsonNode.Parse(verdict)!;
        Assert.Empty(parsed["errors"]!.AsArray());
        Assert.Contains("AuditStream", parsed["types"]!.AsArray().Select(t => t!.GetValue<string>()));
    }

    [Fact]
    public async Task Streams_page_through_more_than_a_thousand_with_the_real_total()
    {
        await using var app = await OutreachApp.StartAsync();
        var client = app.ClientWithKey();
        var org = Guid.Parse((await QueryAsync(client, "{ organization { id } }"))["data"]!["organization"]!["id"]!.GetValue<string>());
        await app.Services.GetRequiredService<IEventStore>().AppendManyAsync(
            [.. Enumerable.Range(0, 1050).Select(i => new StreamAppend(org, $"bulk-{i:D4}", "bulk", ExpectedVersion.NoStream,
                [EventToAppend.Create(new PlainTestHappened(i))]))]);

        const string query = """
            query($after: String) { streams(type: "bulk", first: 100, after: $after) {
              totalCount pageInfo { hasNextPage endCursor } nodes { streamId } } }
            """;
        var seen = new List<string>();
        string? after = null;
        JsonNode page;
        do
        {
            page = (await QueryAsync(client, query, new { after }))["data"]!["streams"]!;
            Assert.Equal(1050, page["totalCount"]!.GetValue<int>());
            seen.AddRange(page["nodes"]!.AsArray().Select(n => n!["streamId"]!.GetValue<string>()));
            after = page["pageInfo"]!["endCursor"]?.GetValue<string>();
        }
        while (page["pageInfo"]!["hasNextPage"]!.GetValue<bool>());

        // One transaction: one created_at, so the order is by id.
        Assert.Equal(Enumerable.Range(0, 1050).Select(i => $"bulk-{i:D4}"), seen);
        var last = (await QueryAsync(client, """{ streams(type: "bulk", last: 2) { nodes { streamId } pageInfo { hasPreviousPage hasNextPage } } }"""))["data"]!["streams"]!;
        Assert.Equal(["bulk-1048", "bulk-1049"], last["nodes"]!.AsArray().Select(n => n!["streamId"]!.GetValue<string>()));
        Assert.True(last["pageInfo"]!["hasPreviousPage"]!.GetValue<bool>());
        Assert.False(last["pageInfo"]!["hasNextPage"]!.GetValue<bool>());
    }

    [Fact]
    public async Task Streams_created_between_two_pages_neither_repeat_nor_hide_a_stream()
    {
        await using var app = await OutreachApp.StartAsync();
        var client = app.ClientWithKey();
        var org = Guid.Parse((await QueryAsync(client, "{ organization { id } }"))["data"]!["organization"]!["id"]!.GetValue<string>());
        var store = app.Services.GetRequiredService<IEventStore>();
        async Task CreateAsync(string id) => await store.AppendAsync(org, id, "keyset", ExpectedVersion.NoStream, [EventToAppend.Create(new PlainTestHappened(0))]);
        foreach (var id in new[] { "k-1", "k-2", "k-3", "k-4", "k-5" })
        {
            await CreateAsync(id); // one transaction each: newest first is k-5 … k-1
        }

        static List<string> Ids(JsonNode page) => [.. page["nodes"]!.AsArray().Select(n => n!["streamId"]!.GetValue<string>())];
        const string forward = """
            query($after: String) { streams(type: "keyset", first: 2, after: $after) {
              totalCount pageInfo { hasNextPage hasPreviousPage startCursor endCursor } nodes { streamId } } }
            """;
        var first = (await QueryAsync(client, forward))["data"]!["streams"]!;
        Assert.Equal(["k-5", "k-4"], Ids(first));
        Assert.False(first["pageInfo"]!["hasPreviousPage"]!.GetValue<bool>());

        // Two new streams land on top of the list between the pages: an offset cursor (2) would now point at k-4 again.
        await CreateAsync("k-6");
        await CreateAsync("k-7");
        var second = (await QueryAsync(client, forward, new { after = first["pageInfo"]!["endCursor"]!.GetValue<string>() }))["data"]!["streams"]!;
        Assert.Equal(["k-3", "k-2"], Ids(second));
        Assert.Equal(7, second["totalCount"]!.GetValue<int>());
        Assert.True(second["pageInfo"]!["hasNextPage"]!.GetValue<bool>());
        Assert.True(second["pageInfo"]!["hasPreviousPage"]!.GetValue<bool>());
        var third = (await QueryAsync(client, forward, new { after = second["pageInfo"]!["endCursor"]!.GetValue<string>() }))["data"]!["streams"]!;
        Assert.Equal(["k-1"], Ids(third));
        Assert.False(third["pageInfo"]!["hasNextPage"]!.GetValue<bool>());

        // Backwards from the first page's start: the two created since, in list order.
        const string backward = """
            query($before: String) { streams(type: "keyset", last: 5, before: $before) {
              pageInfo { hasNextPage hasPreviousPage } nodes { streamId } } }
            """;
        var newer = (await QueryAsync(client, backward, new { before = first["pageInfo"]!["startCursor"]!.GetValue<string>() }))["data"]!["streams"]!;
        Assert.Equal(["k-7", "k-6"], Ids(newer));
        Assert.False(newer["pageInfo"]!["hasPreviousPage"]!.GetValue<bool>());
        Assert.True(newer["pageInfo"]!["hasNextPage"]!.GetValue<bool>());

        // first and last together: Relay's algorithm takes the last 1 of the first 3.
        var both = (await QueryAsync(client, """{ streams(type: "keyset", first: 3, last: 1) { nodes { streamId } pageInfo { hasPreviousPage hasNextPage } } }"""))["data"]!["streams"]!;
        Assert.Equal(["k-5"], Ids(both));
        Assert.True(both["pageInfo"]!["hasPreviousPage"]!.GetValue<bool>());
        Assert.True(both["pageInfo"]!["hasNextPage"]!.GetValue<bool>());

        // An offset cursor from before the change, or any other string, is refused by name.
        var old = Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes("cursor:1"));
        var refused = await QueryAsync(client, forward, new { after = old });
        Assert.Contains("\"after\" is not a valid cursor", refused["errors"]![0]!["message"]!.GetValue<string>(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_variable_given_twice_gets_400_with_a_graphql_error_naming_it()
    {
        await using var app = await OutreachApp.StartAsync();
        using var body = new StringContent("""{"query":"query($s: String!) { auditStream(streamId: $s) { valid } }","variables":{"s":"a","s":"b"}}""",
            System.Text.Encoding.UTF8, "application/json");

        using var response = await app.ClientWithKey().PostAsync("/graphql", body);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var error = JsonNode.Parse(await response.Content.ReadAsStringAsync())!["errors"]![0]!;
        Assert.Equal("Variable \"$s\" is given more than once in \"variables\".", error["message"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_failing_resolver_is_masked_for_the_client_and_logged_as_an_error_with_its_path_and_exception()
    {
        var logs = new CapturingLogs();
        await using var app = await OutreachApp.StartAsync(services: s =>
        {
            s.AddSingleton<ILoggerProvider>(logs);
            s.AddSingleton<IKpiQueries, FailingKpiQueries>();
        });

        var result = await QueryAsync(app.ClientWithKey(), """{ inboundKpis(from: "2026-01-01T00:00:00Z", to: "2026-01-02T00:00:00Z") { received } }""");

        var error = result["errors"]![0]!;
        Assert.Equal("Unexpected error.", error["message"]!.GetValue<string>());
        Assert.Equal("inboundKpis", error["path"]![0]!.GetValue<string>());
        var logged = Assert.Single(logs.Errors, e => e.Exception is FailingKpiQueries.Failure);
        Assert.Contains("inboundKpis", logged.Message, StringComparison.Ordinal);
        Assert.Equal("kpi table is gone", logged.Exception!.Message);
    }

    private sealed class FailingKpiQueries : IKpiQueries
    {
        public sealed class Failure() : Exception("kpi table is gone");

        public Task<InboundKpis> InboundAsync(Guid organizationId, KpiRange range, string? intent, CancellationToken ct = default) => throw new Failure();

        public Task<OutboundKpis> OutboundAsync(Guid organizationId, KpiRange range, string? channel, CancellationToken ct = default) => throw new Failure();

        public Task<IReadOnlyList<CreditsDay>> CreditsTrendAsync(Guid organizationId, KpiRange range, CancellationToken ct = default) => throw new Failure();

        public Task<IReadOnlyList<ModelCost>> CostByModelAsync(Guid organizationId, KpiRange range, CancellationToken ct = default) => throw new Failure();

        public Task<IReadOnlyList<StageLatency>> StageLatencyAsync(Guid organizationId, KpiRange range, CancellationToken ct = default) => throw new Failure();
    }

    private sealed class CapturingLogs : ILoggerProvider
    {
        private readonly System.Collections.Concurrent.ConcurrentQueue<(string Message, Exception? Exception)> _errors = new();

        public IReadOnlyList<(string Message, Exception? Exception)> Errors => [.. _errors];

        public ILogger CreateLogger(string categoryName) => new Logger(_errors);

        public void Dispose()
        {
        }

        private sealed class Logger(System.Collections.Concurrent.ConcurrentQueue<(string, Exception?)> errors) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state)
                where TState : notnull => null;

            public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Error;

            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
            {
                if (logLevel >= LogLevel.Error)
                {
                    errors.Enqueue((formatter(state, exception), exception));
                }
            }
        }
    }

    private static async Task<string> PythonAsync(string code, string stdin)
    {
        var psi = new System.Diagnostics.ProcessStartInfo("python3")
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        psi.ArgumentList.Add("-c");
        psi.ArgumentList.Add(code);
        using var process = System.Diagnostics.Process.Start(psi)!;
        await process.StandardInput.WriteAsync(stdin);
        process.StandardInput.Close();
        var output = await process.StandardOutput.ReadToEndAsync();
        var error = await process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        Assert.True(process.ExitCode == 0, $"python3 (graphql-core) failed: {error}");
        return output;
    }

    [Fact]
    public async Task Control_characters_in_a_stream_id_or_type_are_bad_input_not_a_server_error()
    {
        // "a\0b" used to reach PostgreSQL (22021: invalid byte sequence) and came back as "Unexpected error." / 500.
        await using var app = await OutreachApp.StartAsync();
        var client = app.ClientWithKey();

        var audit = await QueryAsync(client, "query($s: String!) { auditStream(streamId: $s) { version } }", new { s = "a\u0000b" });
        var streams = await QueryAsync(client, "query($t: String) { streams(type: $t, first: 1) { totalCount } }", new { t = "x\u0001" });

        foreach (var (result, argument) in new[] { (audit, "streamId"), (streams, "type") })
        {
            var error = result["errors"]![0]!;
            Assert.Equal("BAD_USER_INPUT", error["extensions"]!["code"]!.GetValue<string>());
            Assert.Equal(argument, error["extensions"]!["argument"]!.GetValue<string>());
            Assert.Contains("control characters", error["message"]!.GetValue<string>(), StringComparison.Ordinal);
        }

        // A NUL in the path is refused by the server's URL decoder before routing; other control characters reach the
        // route, and a NUL in the query string reaches the handler.
        foreach (var (method, path) in new[] { ("GET", "/audit/streams/a%01b"), ("POST", "/audit/streams/a%1Fb/verify"), ("GET", "/audit/streams?type=a%00b") })
        {
            using var response = await client.SendAsync(new HttpRequestMessage(new HttpMethod(method), path));
            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        }

        // A request id is a GUID route parameter: the id never reaches the database.
        using var personalize = await client.GetAsync("/personalize/a%01b");
        Assert.Equal(HttpStatusCode.NotFound, personalize.StatusCode);
    }

    /// <summary>Every GraphQL document the dashboard (web/src) and the explorer page send, plus graphql-js's standard
    /// introspection query, must pass validation and the host's limits with the variables they are sent with: a limit
    /// tightened too far (or a list size estimated too high) would break the dashboard, not only abusive queries.</summary>
    [Fact]
    public async Task Every_query_the_dashboard_sends_passes_validation_and_the_hosts_limits()
    {
        var schema = OutreachOS.Host.ReadSide.ReadSchema.Build();
        var options = OutreachOS.Host.ReadSide.ReadSchema.ExecutionOptionsFrom(new Microsoft.Extensions.Configuration.ConfigurationBuilder().Build());
        var documents = DashboardDocuments().ToList();
        Assert.Contains(documents, d => d.Name == "KPIS");
        Assert.Contains(documents, d => d.Name == "AUDIT");
        Assert.Contains(documents, d => d.Name == "STREAMS");
        Assert.Contains(documents, d => d.Name == "ORG_QUERY");
        Assert.Contains(documents, d => d.Name == "explorer docs");
        var introspection = JsonSerializer.Deserialize<string>(await PythonAsync(
            "import json,graphql; print(json.dumps(graphql.get_introspection_query(descriptions=True, specified_by_url=True, " +
            "directive_is_repeatable=True, schema_description=True, input_value_deprecation=True)))", ""))!;
        documents.Add(("graphql-js", "IntrospectionQuery", introspection));

        // The widest the dashboard asks for: a whole year of KPIs (366 days) and a page of 25 streams.
        var variables = new Dictionary<string, object?>
        {
            ["from"] = "2025-01-01T00:00:00Z", ["to"] = "2026-01-02T00:00:00Z", ["intent"] = null, ["channel"] = null,
            ["type"] = null, ["first"] = 25, ["id"] = "organization-0",
        };
        foreach (var (file, name, text) in documents)
        {
            var errors = OutreachOS.GraphQL.GraphQLExecutor.Check(schema, new OutreachOS.GraphQL.GraphQLRequest(text, null, variables), options);
            Assert.True(errors.Count == 0, $"{file} {name}: {string.Join("; ", errors.Select(e => e.Message))}");
        }
    }

    [Theory]
    [InlineData(1500, "auditStream(streamId: $s) { ...E }", "MAX_ROOT_FIELDS_EXCEEDED")] // a fragment: under the 20,000-token limit
    [InlineData(400, "inboundKpis(from: $f, to: $t) { days { day received } }", "MAX_ROOT_FIELDS_EXCEEDED")]
    [InlineData(20, "auditStream(streamId: $s) { events { version eventId type createdAt hash data } }", "MAX_COMPLEXITY_EXCEEDED")]
    [InlineData(8, "inboundKpis(from: $f, to: $t) { days { day received filtered autoSent drafted human approved rejected } }", "MAX_COMPLEXITY_EXCEEDED")]
    public void Aliased_copies_of_list_fields_are_refused_by_the_hosts_limits(int copies, string field, string code)
    {
        // The review's queries: 1,500 aliases of events { data } cost 4,500 (< 5,000) and made ~1 GB; 400 aliases of
        // inboundKpis ran 400 SQL queries. Lists are now counted at their size, and root fields are limited.
        var schema = OutreachOS.Host.ReadSide.ReadSchema.Build();
        var options = OutreachOS.Host.ReadSide.ReadSchema.ExecutionOptionsFrom(new Microsoft.Extensions.Configuration.ConfigurationBuilder().Build());
        var audit = field.Contains("$s", StringComparison.Ordinal);
        var query = (audit ? "query($s: String!) { " : "query($f: DateTime!, $t: DateTime!) { ") +
                    string.Concat(Enumerable.Range(0, copies).Select(i => $"a{i}: {field} ")) + "}" +
                    (field.Contains("...E", StringComparison.Ordinal) ? " fragment E on AuditStream { events { data } }" : "");
        var variables = audit
            ? new Dictionary<string, object?> { ["s"] = "x" }
            : new Dictionary<string, object?> { ["f"] = "2025-01-01T00:00:00Z", ["t"] = "2026-01-01T00:00:00Z" };

        var errors = OutreachOS.GraphQL.GraphQLExecutor.Check(schema, new OutreachOS.GraphQL.GraphQLRequest(query, null, variables), options);

        Assert.Equal(code, Assert.Single(errors).Extensions!["code"]);
    }

    private static IEnumerable<(string File, string Name, string Text)> DashboardDocuments()
    {
        var root = new DirectoryInfo(AppContext.BaseDirectory);
        while (root is not null && !File.Exists(Path.Combine(root.FullName, "OutreachOS.sln")))
        {
            root = root.Parent;
        }

        Assert.NotNull(root);
        var constant = new System.Text.RegularExpressions.Regex(@"const\s+(\w+)\s*=\s*(?:`([^`]*)`|'([^']*)')");
        foreach (var file in Directory.EnumerateFiles(Path.Combine(root.FullName, "web", "src"), "*.ts*", SearchOption.AllDirectories))
        {
            foreach (System.Text.RegularExpressions.Match m in constant.Matches(File.ReadAllText(file)))
            {
                var text = m.Groups[2].Success ? m.Groups[2].Value : m.Groups[3].Value;
                if (System.Text.RegularExpressions.Regex.IsMatch(text, @"^\s*(query\b|\{\s*\w)") && !text.Contains("${", StringComparison.Ordinal))
                {
                    yield return (Path.GetRelativePath(root.FullName, file), m.Groups[1].Value, text);
                }
            }
        }

        var explorer = System.Text.RegularExpressions.Regex.Match(OutreachOS.GraphQL.ExplorerPage.Html("/graphql"), "const q = \"([^\"]*)\" \\+\\s*\"([^\"]*)\";");
        Assert.True(explorer.Success, "the explorer page's documentation query was not found");
        yield return ("ExplorerPage.cs", "explorer docs", explorer.Groups[1].Value + explorer.Groups[2].Value);
    }
}
