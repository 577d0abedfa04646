using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using OutreachOS.GraphQL.Tests.Schemas;

namespace OutreachOS.GraphQL.Tests;

/// <summary>
/// Randomised differential tests against graphql-core 3.2: <see cref="RequestGenerator"/> writes many documents (valid
/// ones and ones broken in one place, lexically or semantically) and each is run by us and by graphql-core. Against the
/// validation schema the syntax error or the set of validation errors must be equal (message and locations, compared as
/// in <see cref="ConformanceTests"/>); against the Star Wars and null-propagation schemas, whose resolvers are
/// deterministic on both sides, the response's data and its errors (message, locations, path) must be equal. One python3
/// process per test; the seed and count come from <see cref="FuzzRuns"/>, and a failure names the seed, the index and the
/// request so it can be replayed.
/// </summary>
public sealed class DifferentialTests
{
    [Fact]
    public void Random_documents_parse_and_validate_like_graphql_core()
    {
        var seed = FuzzRuns.Seed;
        var generator = new RequestGenerator(ValidationSchema.Instance, new Random(seed), forExecution: false);
        var requests = Enumerable.Range(0, FuzzRuns.Count(1500)).Select(_ => generator.Next()).ToList();
        var expected = RunReference("validation_schema", requests);

        var mismatches = new List<string>();
        for (var i = 0; i < requests.Count; i++)
        {
            if (expected[i].TryGetProperty("crashed", out _))
            {
                // No reference answer (graphql-core raised out of validate(), see conformance.py); ours must still answer.
                _ = ReferenceComparison.OurValidationErrors(ValidationSchema.Instance, requests[i].Query);
                continue;
            }

            var theirs = ReferenceComparison.TheirValidationErrors(expected[i]);
            var ours = ReferenceComparison.OurValidationErrors(ValidationSchema.Instance, requests[i].Query);
            if (!theirs.SequenceEqual(ours))
            {
                mismatches.Add(Mismatch(seed, i, requests[i], string.Join(" | ", theirs), string.Join(" | ", ours)));
            }
        }

        Assert.True(mismatches.Count == 0, Report(seed, requests.Count, mismatches));
    }

    [Fact]
    public Task Random_star_wars_requests_execute_like_graphql_core() =>
        ExecuteAndCompare("starwars", StarWarsSchema.Instance, seedOffset: 1);

    [Fact]
    public Task Random_null_propagation_requests_execute_like_graphql_core() =>
        ExecuteAndCompare("nulls", NullsSchema.Instance, seedOffset: 2);

    private static async Task ExecuteAndCompare(string schemaName, GraphQLSchema schema, int seedOffset)
    {
        var seed = FuzzRuns.Seed;
        var generator = new RequestGenerator(schema, new Random(seed + seedOffset), forExecution: true);
        var requests = Enumerable.Range(0, FuzzRuns.Count(700)).Select(_ => generator.Next()).ToList();
        var expected = RunReference(schemaName, requests);

        var mismatches = new List<string>();
        for (var i = 0; i < requests.Count; i++)
        {
            var request = requests[i];
            if (expected[i].TryGetProperty("crashed", out _))
            {
                // No reference answer (graphql-core raised, see conformance.py); ours must still answer.
                _ = await GraphQLExecutor.ExecuteAsync(schema, new GraphQLRequest(request.Query, request.OperationName));
                continue;
            }

            var variables = request.Variables is null
                ? null
                : (IReadOnlyDictionary<string, object?>)GraphQLRequest.FromJson(JsonDocument.Parse(request.Variables).RootElement)!;
            var ours = await GraphQLExecutor.ExecuteAsync(schema, new GraphQLRequest(request.Query, request.OperationName, variables));
            var theirErrors = ReferenceComparison.TheirExecutionErrors(expected[i]);
            var ourErrors = ReferenceComparison.OurExecutionErrors(ours);
            if (request.Query.Length == 0)
            {
                // An empty query is a missing one for us (ExecutionTests.Request_errors_have_no_data, as in
                // GraphQL-over-HTTP servers); graphql-core parses it and reports <EOF>.
                theirErrors = ["Must provide query string. @  path=null"];
            }

            var theirData = expected[i].GetProperty("hasData").GetBoolean()
                ? ReferenceComparison.CanonicalJson(expected[i].GetProperty("data").GetRawText())
                : "<absent>";
            var ourData = ReferenceComparison.OurData(ours);
            if (theirData != ourData || !SameFieldErrors(theirErrors, ourErrors, ours))
            {
                mismatches.Add(Mismatch(seed + seedOffset, i, request, $"{theirData} {string.Join(" | ", theirErrors)}",
                    $"{ourData} {string.Join(" | ", ourErrors)}"));
            }
        }

        Assert.True(mismatches.Count == 0, Report(seed, requests.Count, mismatches));
    }

    /// <summary>
    /// The same errors, in any order: the spec leaves the order of "errors" open (graphql-core sorts them by location and
    /// path, we list them in response order). Beyond graphql-core's errors ours may only add errors inside a subtree that
    /// a non-null error nulled, one that graphql-core also reports: graphql-core's synchronous executor stops completing
    /// the sibling fields and list items of a field once its non-null error propagates, where ours (like graphql-js with
    /// asynchronous resolvers) resolves siblings concurrently and reports their field errors too. The spec asks for every
    /// field error raised and does not say which siblings must run; the data, which the comparison checks exactly, is the
    /// same either way.
    /// </summary>
    private static bool SameFieldErrors(List<string> theirs, List<string> ours, ExecutionResult ourResult)
    {
        var extra = new List<string>(ours);
        foreach (var error in theirs)
        {
            if (!extra.Remove(error))
            {
                return false;
            }
        }

        if (extra.Count == 0)
        {
            return true;
        }

        var theirPaths = theirs.Select(PathOf).Where(p => p is not null).ToList();
        var data = JsonDocument.Parse(ourResult.ToJson()).RootElement.TryGetProperty("data", out var d) ? d : default;
        return extra.All(error => PathOf(error) is { } path && Enumerable.Range(0, path.Count).Any(length =>
            IsNullAt(data, path.Take(length)) && theirPaths.Any(p => p!.Count > length && p.Take(length).SequenceEqual(path.Take(length)))));
    }

    private static List<string>? PathOf(string describedError)
    {
        var json = describedError[(describedError.LastIndexOf(" path=", StringComparison.Ordinal) + 6)..];
        return json == "null" ? null : JsonDocument.Parse(json).RootElement.EnumerateArray().Select(e => e.GetRawText()).ToList();
    }

    private static bool IsNullAt(JsonElement data, IEnumerable<string> path)
    {
        var at = data;
        foreach (var segment in path)
        {
            if (at.ValueKind == JsonValueKind.Object && segment.StartsWith('"'))
            {
                at = at.GetProperty(JsonSerializer.Deserialize<string>(segment)!);
            }
            else if (at.ValueKind == JsonValueKind.Array)
            {
                at = at[int.Parse(segment, System.Globalization.CultureInfo.InvariantCulture)];
            }
            else
            {
                return false;
            }
        }

        return at.ValueKind == JsonValueKind.Null;
    }

    /// <summary>All requests through one conformance.py process, as JSON lines.</summary>
    private static List<JsonElement> RunReference(string schemaName, List<GeneratedRequest> requests)
    {
        var lines = new StringBuilder();
        foreach (var r in requests)
        {
            var line = new JsonObject
            {
                ["schema"] = schemaName,
                ["query"] = r.Query,
                ["variables"] = r.Variables is null ? null : JsonNode.Parse(r.Variables),
                ["operationName"] = r.OperationName,
            };
            lines.Append(line.ToJsonString()).Append('\n');
        }

        var result = PythonRunner.Run("differential", stdin: lines.ToString(),
            timeout: TimeSpan.FromSeconds(60 + (requests.Count / 50)));
        var expected = result.EnumerateArray().ToList();
        Assert.Equal(requests.Count, expected.Count);
        return expected;
    }

    private static string Mismatch(int seed, int index, GeneratedRequest request, string theirs, string ours) =>
        $"seed {seed} #{index}: {JsonSerializer.Serialize(request.Query)}"
        + (request.Variables is null ? string.Empty : $" variables {request.Variables}")
        + (request.OperationName is null ? string.Empty : $" operationName {request.OperationName}")
        + $"\n  graphql-core: {theirs}\n  ours:         {ours}";

    private static string Report(int seed, int count, List<string> mismatches) =>
        $"{mismatches.Count} of {count} requests differ from graphql-core (OOS_FUZZ_SEED={seed}, OOS_FUZZ_N={count}):\n"
        + string.Join("\n", mismatches.Take(40));
}
