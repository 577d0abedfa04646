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
}
