using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using OutreachOS.IntegrationTests.Generation;

namespace OutreachOS.IntegrationTests.Api;

/// <summary>
/// Bad input gets a clear error, never a 500: valid bodies of the main write endpoints, each mutated at a random place in
/// a fixed pseudo-random order (a field removed, null, the wrong JSON type, an empty or 10,000-character string, a control
/// character or a lone surrogate, numbers out of every range, deep nesting), plus bodies that are not JSON at all. Every
/// answer must be below 500, and every 4xx an RFC 7807 problem with a title and a detail or the fields' errors.
/// <c>OOS_FUZZ_N</c> and <c>OOS_FUZZ_SEED</c> run more or other mutations locally.
/// </summary>
public sealed class MalformedBodyTests
{
    private static JsonObject Email() => new()
    {
        ["message_id"] = "<fuzz@customer.test>",
        ["from"] = new JsonObject { ["email"] = "jane@customer.test", ["name"] = "Jane" },
        ["to"] = new JsonArray("support@acme.test"),
        ["subject"] = "Pricing question",
        ["text"] = "Hello, what does the team plan cost per seat?",
        ["received_at"] = "2026-11-20T10:00:00Z",
    };

    private static readonly Func<JsonNode?>[] Replacements =
    [
        () => null,
        () => "",
        () => new string('x', 10_000),
        () => "a\u0000b",
        () => "\ud800",
        () => "🙂 e\u0301",
        () => 0,
        () => -1,
        () => 2147483648L,
        () => 1e308,
        () => 9.5,
        () => true,
        () => new JsonArray(),
        () => new JsonObject(),
        () => new JsonArray(1, "two", null),
        () => Nest(60),
    ];

    [Fact]
    public async Task Mutated_bodies_of_the_write_endpoints_get_a_problem_and_never_a_500()
    {
        await using var app = await OutreachApp.StartAsync();
        var client = app.ClientWithKey();
        var random = new Random(int.Parse(Environment.GetEnvironmentVariable("OOS_FUZZ_SEED") ?? "20261203", System.Globalization.CultureInfo.InvariantCulture));
        var targets = new (string Path, Func<int, JsonObject> Valid)[]
        {
            ("/personalize", _ => GenerationApi.Body()),
            ("/ingest/email", i => Email().Also(e => e["message_id"] = $"<fuzz-{i}@customer.test>")),
            ("/organizations", _ => new JsonObject { ["name"] = "Fuzz org", ["tier"] = "PRO" }),
        };

        var failures = new List<string>();
        var runs = int.Parse(Environment.GetEnvironmentVariable("OOS_FUZZ_N") ?? "240", System.Globalization.CultureInfo.InvariantCulture);
        for (var i = 0; i < runs; i++)
        {
            var (path, valid) = targets[i % targets.Length];
            var body = valid(i);
            var (where, change) = Mutate(body, random);
            var text = body.ToJsonString();
            await CheckAsync(client, path, text, $"{where} {change}", failures);
        }

        foreach (var (path, _) in targets)
        {
            foreach (var raw in new[] { "", "null", "[]", "{", "{\"a\":", "\"text\"", "{\"lead\":{\"lead\":" + new string('[', 5000), "{\"channel\":\"EMAIL\",\"channel\":\"SMS\"}", "\u00ff\u00fe" })
            {
                await CheckAsync(client, path, raw, $"raw body {Shorten(raw)}", failures);
            }
        }

        Assert.True(failures.Count == 0, string.Join("\n", failures.Take(20)));
    }

    private static async Task CheckAsync(HttpClient client, string path, string body, string what, List<string> failures)
    {
        using var content = new StringContent(body, Encoding.UTF8, "application/json");
        using var response = await client.PostAsync(path, content);
        var status = (int)response.StatusCode;
        var answer = await response.Content.ReadAsStringAsync();
        if (status >= 500)
        {
            failures.Add($"POST {path} with {what}: {status} {Shorten(answer)}");
            return;
        }

        if (status >= 400)
        {
            var problem = response.Content.Headers.ContentType?.MediaType == "application/problem+json" ? JsonNode.Parse(answer) : null;
            if (problem?["title"] is null || (problem["detail"] is null && problem["errors"] is null))
            {
                failures.Add($"POST {path} with {what}: {status} without a problem document: {Shorten(answer)}");
            }
        }
    }

    /// <summary>Replaces a random node of <paramref name="body"/> (or removes a property) and says where and how.</summary>
    private static (string Where, string Change) Mutate(JsonObject body, Random random)
    {
        var places = new List<(JsonNode Parent, string? Property, int Index, string Path)>();
        void Walk(JsonNode node, string path)
        {
            switch (node)
            {
                case JsonObject o:
                    foreach (var (k, v) in o.ToList())
                    {
                        places.Add((o, k, -1, path + "." + k));
                        if (v is not null)
                        {
                            Walk(v, path + "." + k);
                        }
                    }

                    break;
                case JsonArray a:
                    for (var i = 0; i < a.Count; i++)
                    {
                        places.Add((a, null, i, $"{path}[{i}]"));
                        if (a[i] is { } item)
                        {
                            Walk(item, $"{path}[{i}]");
                        }
                    }

                    break;
            }
        }

        Walk(body, "$");
        var (parent, property, index, where) = places[random.Next(places.Count)];
        if (property is not null && random.Next(8) == 0)
        {
            ((JsonObject)parent).Remove(property);
            return (where, "removed");
        }

        var replacement = Replacements[random.Next(Replacements.Length)]();
        if (property is not null)
        {
            ((JsonObject)parent)[property] = replacement;
        }
        else
        {
            ((JsonArray)parent)[index] = replacement;
        }

        return (where, "= " + Shorten(replacement?.ToJsonString() ?? "null"));
    }

    private static JsonNode Nest(int depth)
    {
        JsonNode node = new JsonArray();
        for (var i = 0; i < depth; i++)
        {
            node = new JsonArray(node);
        }

        return node;
    }

    private static string Shorten(string s) => s.Length <= 80 ? s : s[..80] + "…";
}

internal static class JsonObjectExtensions
{
    public static JsonObject Also(this JsonObject o, Action<JsonObject> change)
    {
        change(o);
        return o;
    }
}
