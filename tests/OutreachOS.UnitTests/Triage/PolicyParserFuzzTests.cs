using System.Text.Json;
using System.Text.Json.Nodes;
using OutreachOS.BuildingBlocks.Web;
using OutreachOS.Triage.Policies;

namespace OutreachOS.UnitTests.Triage;

/// <summary>
/// An administrator's policy document, mutated at one random place at a time (wrong types, nulls, out-of-range numbers,
/// empty and huge strings, deep nesting), is either read or refused with errors naming paths inside the document; the
/// parser never throws (a throw is a 500 on <c>PUT /triage/policy</c>).
/// </summary>
public sealed class PolicyParserFuzzTests
{
    private const string Full = """
        {"allowed_intents":["scheduling","support","other"],"senders":{"allow":["partner.example"],"block":["spam@x.example"]},
         "domain_rules":[{"domain":"bank.example","owner":"key-accounts","max_path":"HUMAN"}],"vip_senders":["ceo@big.example"],
         "intents":{"scheduling":{"auto_send":true,"min_confidence":0.8,"owner":"sdr","dry_run":true}},
         "sla_minutes":{"high":60},"pii":{"redact_before_llm":false},"dry_run":true,"human_below_confidence":0.3,"default_owner":"ops"}
        """;

    private static readonly Func<JsonNode?>[] Replacements =
    [
        () => null, () => "", () => new string('x', 5000), () => "a\u0000b", () => "🙂", () => 0, () => -1, () => 2147483648L, () => 1e308,
        () => -1e308, () => 0.5, () => true, () => new JsonArray(), () => new JsonObject(), () => new JsonArray(1, "two", null),
        () => new JsonObject { ["x"] = new JsonArray(new JsonArray(new JsonArray())) }, () => "HUMAN", () => "scheduling",
    ];

    [Fact]
    public void A_mutated_policy_is_read_or_refused_by_path_and_the_parser_never_throws()
    {
        var random = FuzzRuns.Random();
        var runs = FuzzRuns.Count(3000);
        for (var i = 0; i < runs; i++)
        {
            var document = JsonNode.Parse(Full)!.AsObject();
            for (var m = random.Next(1, 4); m > 0; m--)
            {
                Mutate(document, random);
            }

            var json = document.ToJsonString();
            var errors = new FieldErrors();
            TriagePolicy? policy;
            using (var parsed = JsonDocument.Parse(json))
            {
                try
                {
                    policy = PolicyParser.Parse(parsed.RootElement, "policy", errors);
                }
                catch (Exception e)
                {
                    Assert.Fail($"PolicyParser threw {e.GetType().Name} ({e.Message}) on {json}");
                    return;
                }
            }

            if (errors.Any)
            {
                Assert.Null(policy);
                var fields = ((Microsoft.AspNetCore.Http.HttpResults.ValidationProblem)errors.ToProblem()).ProblemDetails.Errors;
                Assert.All(fields, f => Assert.True(f.Key.StartsWith("policy", StringComparison.Ordinal) && f.Value.All(v => v.Length > 0),
                    $"error \"{f.Key}\": [{string.Join(", ", f.Value)}] on {json}"));
            }
            else
            {
                Assert.True(policy is not null, $"neither a policy nor an error on {json}");
            }
        }
    }

    private static void Mutate(JsonObject root, Random random)
    {
        var places = new List<(JsonNode Parent, string? Property, int Index)>();
        void Walk(JsonNode? node)
        {
            if (node is JsonObject o)
            {
                foreach (var (k, v) in o.ToList())
                {
                    places.Add((o, k, -1));
                    Walk(v);
                }
            }
            else if (node is JsonArray a)
            {
                for (var i = 0; i < a.Count; i++)
                {
                    places.Add((a, null, i));
                    Walk(a[i]);
                }
            }
        }

        Walk(root);
        if (places.Count == 0)
        {
            return;
        }

        var (parent, property, index) = places[random.Next(places.Count)];
        var replacement = Replacements[random.Next(Replacements.Length)]();
        if (property is null)
        {
            ((JsonArray)parent)[index] = replacement;
        }
        else if (random.Next(6) == 0)
        {
            ((JsonObject)parent).Remove(property);
        }
        else
        {
            ((JsonObject)parent)[property] = replacement;
        }
    }
}
