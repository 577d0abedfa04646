using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using OutreachOS.IntegrationTests.Api;
using static OutreachOS.IntegrationTests.Generation.GenerationApi;

namespace OutreachOS.IntegrationTests.Generation;

/// <summary>
/// <c>Idempotency-Key</c> on the calls that change a request: regenerate (charged), select (recorded in the history) and
/// replay (a model call, charged). A repeat gets the first answer; concurrent repeats make one call.
/// </summary>
public sealed class IdempotentCallTests
{
    private const string InProgressType = "https://outreachos.dev/problems/idempotency-key-in-progress";
    private const string ReusedType = "https://outreachos.dev/problems/idempotency-key-reused";

    private static async Task<HttpClient> OrganizationAsync(OutreachApp app, string name)
    {
        using var created = await app.ClientWithKey().PostAsJsonAsync("/organizations", new { name, tier = "PRO" });
        return app.ClientWithKey(JsonNode.Parse(await created.Content.ReadAsStringAsync())!["api_key"]!["key"]!.GetValue<string>());
    }

    private sealed record Answer(HttpStatusCode Status, JsonObject Json, bool Replayed, string? RetryAfter);

    private static async Task<Answer> SendAsync(HttpClient client, string path, string? key, JsonNode? body = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = body is null ? null : JsonContent.Create(body) };
        if (key is not null)
        {
            request.Headers.TryAddWithoutValidation("Idempotency-Key", key);
        }
        using var response = await client.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        return new Answer(response.StatusCode, text.Length == 0 ? [] : JsonNode.Parse(text)!.AsObject(),
            response.Headers.TryGetValues("Idempotent-Replayed", out var replayed) && replayed.Single() == "true",
            response.Headers.TryGetValues("Retry-After", out var retry) ? retry.Single() : null);
    }

    private static async Task<int> ConsumedAsync(HttpClient client) => (await GetAsync(client, "/credits")).Json["consumed"]!.GetValue<int>();

    private static async Task<Guid> PersonalizeAsync(HttpClient client, int variants = 3)
    {
        var (status, json) = await PostAsync(client, "/personalize", Body(variantCount: variants));
        Assert.True(status == HttpStatusCode.OK, Describe(json));
        return json["request_id"]!.GetValue<Guid>();
    }

    /// <summary>Each concurrent sender gets the answer, or is told the first call is still running (and when to ask again).</summary>
    private static void AssertAnswerOrInProgress(IEnumerable<Answer> outcomes)
    {
        Assert.All(outcomes, o => Assert.True(o.Status == HttpStatusCode.OK
            || (o.Status == HttpStatusCode.Conflict && o.Json["type"]?.GetValue<string>() == InProgressType && o.RetryAfter == "1"),
            $"{o.Status}: {o.Json}"));
        Assert.Contains(outcomes, o => o.Status == HttpStatusCode.OK);
    }

    [Fact]
    public async Task A_regeneration_named_by_a_key_is_charged_once_and_a_repeat_gets_its_answer_even_after_the_limit()
    {
        await using var app = await OutreachApp.StartAsync(new Dictionary<string, string?> { ["Credits:MaxRegenerationsPerRequest"] = "2" });
        var client = await OrganizationAsync(app, "regenerating client");
        var id = await PersonalizeAsync(client);
        var path = $"/personalize/{id}/regenerate";

        var first = await SendAsync(client, path, "regen-1");
        Assert.True(first.Status == HttpStatusCode.OK, first.Json.ToJsonString());
        Assert.False(first.Replayed);
        Assert.Equal(2, first.Json["attempt_set"]!.GetValue<int>());
        Assert.Equal(6, await ConsumedAsync(client));

        var again = await SendAsync(client, path, "regen-1");
        Assert.Equal(HttpStatusCode.OK, again.Status);
        Assert.True(again.Replayed);
        Assert.Equal(first.Json.ToJsonString(), again.Json.ToJsonString()); // the same body: variants, set, credits, regenerations left
        Assert.Equal(6, await ConsumedAsync(client));

        // The key names that regeneration only: as a select it is refused, and nothing is recorded.
        var misused = await SendAsync(client, $"/personalize/{id}/select", "regen-1", new JsonObject { ["variant_index"] = 0 });
        Assert.Equal(HttpStatusCode.UnprocessableEntity, misused.Status);
        Assert.Equal(ReusedType, misused.Json["type"]!.GetValue<string>());

        // Another key is another regeneration; once the limit is reached a new key is refused, a known one still answers.
        Assert.Equal(HttpStatusCode.OK, (await SendAsync(client, path, "regen-2")).Status);
        Assert.Equal(HttpStatusCode.Conflict, (await SendAsync(client, path, "regen-3")).Status);
        var late = await SendAsync(client, path, "regen-1");
        Assert.Equal(HttpStatusCode.OK, late.Status);
        Assert.Equal(first.Json.ToJsonString(), late.Json.ToJsonString());
        Assert.Equal(9, await ConsumedAsync(client));

        var (_, record) = await GetAsync(client, $"/personalize/{id}");
        Assert.Equal(3, record["attempt_sets"]!.AsArray().Count);
        Assert.Equal(2, record["regenerations"]!.GetValue<int>());
        Assert.Empty(record["selection_history"]!.AsArray());
        var keys = record["idempotency_keys"]!.AsArray();
        Assert.Equal(["regen-1", "regen-2"], keys.Select(k => k!["key"]!.GetValue<string>()));
        Assert.Equal([2, 3], keys.Select(k => k!["attempt_set"]!.GetValue<int>()));
        Assert.All(keys, k => Assert.Equal("regenerate", k!["operation"]!.GetValue<string>()));
        Assert.True(record["chain_valid"]!.GetValue<bool>());
    }

    [Fact]
    public async Task Concurrent_regenerations_with_one_key_make_one_attempt_set_and_one_charge()
    {
        await using var app = await OutreachApp.StartAsync();
        var client = await OrganizationAsync(app, "impatient regenerator");
        var id = await PersonalizeAsync(client, variants: 1);

        var outcomes = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => Task.Run(() => SendAsync(client, $"/personalize/{id}/regenerate", "burst"))));

        AssertAnswerOrInProgress(outcomes);
        Assert.Single(outcomes.Where(o => o.Status == HttpStatusCode.OK).Select(o => o.Json["attempt_set"]!.GetValue<int>()).Distinct());
        Assert.Equal(2, await ConsumedAsync(client));
        var (_, record) = await GetAsync(client, $"/personalize/{id}");
        Assert.Equal(2, record["attempt_sets"]!.AsArray().Count);
        Assert.Single(record["idempotency_keys"]!.AsArray());
    }

    [Fact]
    public async Task A_selection_named_by_a_key_is_recorded_once_and_another_body_is_refused()
    {
        await using var app = await OutreachApp.StartAsync();
        var client = await OrganizationAsync(app, "selecting client");
        var id = await PersonalizeAsync(client);
        var path = $"/personalize/{id}/select";
        var body = new JsonObject { ["variant_index"] = 1, ["edited_message"] = "Hi Sarah,\n\nI noticed Acme Logistics is focused on freight visibility.\n\nWould it make sense to book a 15-min call?" };

        var first = await SendAsync(client, path, "pick-1", body);
        Assert.True(first.Status == HttpStatusCode.OK, first.Json.ToJsonString());
        Assert.True(first.Json["edited"]!.GetValue<bool>());

        var concurrent = await Task.WhenAll(Enumerable.Range(0, 6).Select(_ => Task.Run(() => SendAsync(client, path, "pick-1", body.DeepClone()))));
        Assert.All(concurrent, o =>
        {
            Assert.Equal(HttpStatusCode.OK, o.Status);
            Assert.True(o.Replayed);
            Assert.Equal(first.Json.ToJsonString(), o.Json.ToJsonString());
        });

        var other = await SendAsync(client, path, "pick-1", new JsonObject { ["variant_index"] = 0 });
        Assert.Equal(HttpStatusCode.UnprocessableEntity, other.Status);
        Assert.Equal(ReusedType, other.Json["type"]!.GetValue<string>());

        var (_, record) = await GetAsync(client, $"/personalize/{id}");
        Assert.Single(record["selection_history"]!.AsArray());
        Assert.Equal(1, record["idempotency_keys"]![0]!["selection"]!.GetValue<int>());

        // Concurrent first sends of a new key: the stream's version lets one record the selection; the rest answer with it.
        var racing = await Task.WhenAll(Enumerable.Range(0, 6).Select(_ => Task.Run(() => SendAsync(client, path, "pick-2", new JsonObject { ["variant_index"] = 2 }))));
        Assert.All(racing, o => Assert.True(o.Status == HttpStatusCode.OK, $"{o.Status}: {o.Json}"));
        Assert.Single(racing.Select(o => o.Json.ToJsonString()).Distinct());
        (_, record) = await GetAsync(client, $"/personalize/{id}");
        Assert.Equal(2, record["selection_history"]!.AsArray().Count);
        Assert.Equal(2, record["selection"]!["variant_index"]!.GetValue<int>());
    }

    [Fact]
    public async Task A_replay_named_by_a_key_calls_the_model_once_even_when_sent_concurrently()
    {
        var clean = OpenAIStub.Variants(
            ("Freight visibility at Acme", "Hi Sarah,\n\nI noticed Acme Logistics is focused on freight visibility.\n\nWould it make sense to book a 15-min call?"),
            ("Carrier onboarding", "Hello Sarah,\n\nI saw that Acme Logistics runs on Salesforce and Snowflake.\n\nWould you be open to book a 15-min call?"));
        // Three model answers: the request, one replay per key. A fourth call would get a 500 from the stub.
        await using var stub = await OpenAIStub.StartAsync(clean, clean, clean);
        await using var app = await OutreachApp.StartAsync(stub.Settings());
        var client = await OrganizationAsync(app, "replaying client");
        var id = await PersonalizeAsync(client, variants: 2);
        var path = $"/personalize/{id}/replay";
        Assert.Equal(2, await ConsumedAsync(client));

        var first = await SendAsync(client, path, "replay-1", new JsonObject { ["model"] = "gpt-4.1-mini" });
        Assert.True(first.Status == HttpStatusCode.OK, first.Json.ToJsonString());
        Assert.Equal(2, first.Json["variants"]!.AsArray().Count);
        var again = await SendAsync(client, path, "replay-1", new JsonObject { ["model"] = "gpt-4.1-mini" });
        Assert.Equal(HttpStatusCode.OK, again.Status);
        Assert.True(again.Replayed);
        Assert.Equal(first.Json.ToJsonString(), again.Json.ToJsonString());
        Assert.Equal(2, stub.Bodies.Count);
        Assert.Equal(4, await ConsumedAsync(client));

        var otherModel = await SendAsync(client, path, "replay-1", new JsonObject { ["model"] = "gpt-4o" });
        Assert.Equal(HttpStatusCode.UnprocessableEntity, otherModel.Status);

        var burst = await Task.WhenAll(Enumerable.Range(0, 6).Select(_ => Task.Run(() => SendAsync(client, path, "replay-2", new JsonObject()))));
        AssertAnswerOrInProgress(burst);
        Assert.Single(burst.Where(o => o.Status == HttpStatusCode.OK).Select(o => o.Json["replay_id"]!.GetValue<Guid>()).Distinct());
        Assert.Equal(3, stub.Bodies.Count);
        Assert.Equal(6, await ConsumedAsync(client));

        var (_, record) = await GetAsync(client, $"/personalize/{id}");
        Assert.Equal(2, record["replays"]!.AsArray().Count);
        Assert.Equal(["replay", "replay"], record["idempotency_keys"]!.AsArray().Select(k => k!["operation"]!.GetValue<string>()));
        // Each replay's hold, charge and record: reserved, then settled, per replay; the request's own two movements first.
        Assert.Equal(["RESERVED", "SETTLED", "RESERVED", "SETTLED", "RESERVED", "SETTLED"],
            record["credit_movements"]!.AsArray().Select(m => m!["kind"]!.GetValue<string>()));
        Assert.True(record["chain_valid"]!.GetValue<bool>());
    }

    [Theory]
    [InlineData("regenerate")]
    [InlineData("select")]
    [InlineData("replay")]
    public async Task A_malformed_key_is_a_400_naming_the_header_and_changes_nothing(string operation)
    {
        await using var app = await OutreachApp.StartAsync();
        var client = await OrganizationAsync(app, "sloppy client");
        var id = await PersonalizeAsync(client);
        var (_, before) = await GetAsync(client, $"/personalize/{id}");

        var answer = await SendAsync(client, $"/personalize/{id}/{operation}", "has space",
            operation == "select" ? new JsonObject { ["variant_index"] = 0 } : new JsonObject());

        Assert.Equal(HttpStatusCode.BadRequest, answer.Status);
        Assert.NotNull(answer.Json["errors"]!["Idempotency-Key"]);
        var (_, after) = await GetAsync(client, $"/personalize/{id}");
        Assert.Equal(before["events"]!.AsArray().Count, after["events"]!.AsArray().Count);
        Assert.Equal(3, await ConsumedAsync(client));
    }

    [Fact]
    public async Task A_generation_whose_caller_gave_up_is_recorded_as_failed_and_refunded_and_its_key_answers_so()
    {
        await using var stub = await OpenAIStub.StartAsync(OpenAIStub.Variants(("Idea", "Hi Sarah,\n\nI noticed Acme Logistics is focused on freight visibility.\n\nWould it make sense to book a 15-min call?")));
        stub.Delay = TimeSpan.FromSeconds(30);
        await using var app = await OutreachApp.StartAsync(stub.Settings());
        var client = await OrganizationAsync(app, "client with a short timeout");

        using (var giveUp = new CancellationTokenSource(TimeSpan.FromSeconds(2)))
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, "/personalize") { Content = JsonContent.Create(Body(variantCount: 1)) };
            request.Headers.Add("Idempotency-Key", "slow-1");
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => client.SendAsync(request, giveUp.Token));
        }

        // The server notices the abort, releases the hold and records the end of the attempt set; until then the key is
        // in progress.
        Answer repeat;
        var deadline = DateTime.UtcNow.AddSeconds(20);
        do
        {
            await Task.Delay(200);
            repeat = await SendAsync(client, "/personalize", "slow-1", Body(variantCount: 1));
        } while (repeat.Status == HttpStatusCode.Conflict && DateTime.UtcNow < deadline);

        Assert.True(repeat.Status == HttpStatusCode.BadGateway, $"{repeat.Status}: {repeat.Json}");
        Assert.True(repeat.Replayed);
        Assert.Equal("https://outreachos.dev/problems/generation-failed", repeat.Json["type"]!.GetValue<string>());
        Assert.Contains("cancelled", repeat.Json["detail"]!.GetValue<string>());
        var (_, credits) = await GetAsync(client, "/credits");
        Assert.Equal(0, credits["consumed"]!.GetValue<int>());
        Assert.Equal(0, credits["reserved"]!.GetValue<int>());
        var (_, record) = await GetAsync(client, $"/personalize/{repeat.Json["request_id"]}");
        Assert.Equal(["RESERVED", "REFUNDED"], record["credit_movements"]!.AsArray().Select(m => m!["kind"]!.GetValue<string>()));
        Assert.Contains("cancelled", record["attempt_sets"]![0]!["failure"]!.GetValue<string>());
        Assert.True(record["chain_valid"]!.GetValue<bool>());
    }
}
