using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using OutreachOS.BuildingBlocks.EventStore;
using OutreachOS.Generation.Events;
using OutreachOS.IntegrationTests.Api;
using static OutreachOS.IntegrationTests.Generation.GenerationApi;

namespace OutreachOS.IntegrationTests.Generation;

/// <summary>
/// Select, replay and regenerate calls that arrive while an attempt set is waiting for a slow model (the OpenAI stub holds
/// the call until the test releases it). The set's paid answer must reach its record whatever lands meanwhile.
/// </summary>
public sealed class CallsDuringGenerationTests
{
    private static readonly string Clean = OpenAIStub.Variants(
        ("Freight visibility at Acme", "Hi Sarah,\n\nI noticed Acme Logistics is focused on freight visibility.\n\nWould it make sense to book a 15-min call?"),
        ("Carrier onboarding", "Hello Sarah,\n\nI saw that Acme Logistics runs on Salesforce and Snowflake.\n\nWould you be open to book a 15-min call?"));

    private static Dictionary<string, string?> Settings(OpenAIStub stub)
    {
        var settings = stub.Settings();
        settings["Llm:TimeoutSeconds"] = "240"; // the held call must not time out in the SDK while the test works (2 × 245 s stays under the 10-minute reservation)
        return settings;
    }

    [Fact]
    public async Task A_select_or_a_second_regeneration_while_a_regeneration_waits_for_the_model_is_refused_and_the_regeneration_answers()
    {
        await using var stub = await OpenAIStub.StartAsync(Clean, Clean);
        var held = stub.Hold(1);
        await using var app = await OutreachApp.StartAsync(Settings(stub));
        using var client = app.ClientWithKey();
        var (_, created) = await PostAsync(client, "/personalize", Body(variantCount: 2));
        var id = created["request_id"]!.GetValue<string>();

        var regenerating = PostAsync(client, $"/personalize/{id}/regenerate", null);
        await held.Arrived; // set 2 has reserved its credits and sent its prompt
        var (selected, selection) = await PostAsync(client, $"/personalize/{id}/select", new JsonObject { ["variant_index"] = 0 });
        var (again, _) = await PostAsync(client, $"/personalize/{id}/regenerate", null);
        held.Release();
        var (status, json) = await regenerating;

        Assert.True(status == HttpStatusCode.OK, Describe(json));
        Assert.Equal(2, json["attempt_set"]!.GetValue<int>());
        Assert.Equal(2, json["variants"]!.AsArray().Count);
        Assert.True(selected == HttpStatusCode.Conflict, $"{selected}: {Describe(selection)}");
        Assert.Equal(HttpStatusCode.Conflict, again);
        Assert.Equal(2, stub.Bodies.Count); // the refused regeneration never called the model

        var (_, record) = await GetAsync(client, $"/personalize/{id}");
        Assert.True(record["chain_valid"]!.GetValue<bool>());
        Assert.Equal(2, record["attempt_sets"]!.AsArray().Count);
        Assert.Equal(2, record["attempt_sets"]![1]!["variants"]!.AsArray().Count);
        Assert.Equal(1, record["regenerations"]!.GetValue<int>());
        Assert.Empty(record["selection_history"]!.AsArray()); // the refused select wrote nothing
        var types = Types(record);
        Assert.DoesNotContain("personalization_generation_failed.v1", types);
        Assert.DoesNotContain("personalization_variant_selected.v1", types);
        Assert.Equal(["personalization_variants_returned.v1", "personalization_credits_settled.v1"], types.TakeLast(2));
        Assert.Equal(["RESERVED", "SETTLED", "RESERVED", "SETTLED"], Kinds(record));

        // Once the set has answered, a select is accepted again.
        var (after, _) = await PostAsync(client, $"/personalize/{id}/select", new JsonObject { ["variant_index"] = 1 });
        Assert.Equal(HttpStatusCode.OK, after);
    }

    [Fact]
    public async Task A_replay_while_a_regeneration_waits_for_the_model_does_not_cost_the_regeneration_its_answer()
    {
        // The request, the held regeneration, the replay.
        await using var stub = await OpenAIStub.StartAsync(Clean, Clean, Clean);
        var held = stub.Hold(1);
        await using var app = await OutreachApp.StartAsync(Settings(stub));
        using var client = app.ClientWithKey();
        var (_, created) = await PostAsync(client, "/personalize", Body(variantCount: 2));
        var id = created["request_id"]!.GetValue<string>();

        var regenerating = PostAsync(client, $"/personalize/{id}/regenerate", null);
        await held.Arrived;
        var (replayed, replay) = await PostAsync(client, $"/personalize/{id}/replay", new JsonObject());
        held.Release();
        var (status, json) = await regenerating;

        Assert.True(replayed == HttpStatusCode.OK, Describe(replay));
        Assert.Equal(2, replay["attempt_set"]!.GetValue<int>()); // the running set's prompt was on record before it left
        Assert.True(status == HttpStatusCode.OK, Describe(json));
        Assert.Equal(2, json["variants"]!.AsArray().Count);
        Assert.Equal(2, json["credits"]!["charged"]!.GetValue<int>());

        var (_, record) = await GetAsync(client, $"/personalize/{id}");
        Assert.True(record["chain_valid"]!.GetValue<bool>());
        var set = record["attempt_sets"]![1]!;
        Assert.Equal(2, set["variants"]!.AsArray().Count);
        Assert.Null(set["failure"]);
        Assert.True(set["attempts"]![0]!["output"]!["cost_usd"]!.GetValue<decimal>() > 0); // the paid answer and its cost are on record
        Assert.Single(record["replays"]!.AsArray());
        var types = Types(record);
        Assert.DoesNotContain("personalization_generation_failed.v1", types);
        // The replay's events sit between the set's prompt and its outcome; the outcome ends the stream.
        Assert.True(types.IndexOf("personalization_replay_performed.v2") < types.LastIndexOf("personalization_model_responded.v1"), string.Join(", ", types));
        Assert.Equal(["personalization_variants_returned.v1", "personalization_credits_settled.v1"], types.TakeLast(2));
        Assert.Equal(["RESERVED", "SETTLED", "RESERVED", "RESERVED", "SETTLED", "SETTLED"], Kinds(record));
        var (_, credits) = await GetAsync(client, "/credits");
        Assert.Equal(0, credits["reserved"]!.GetValue<int>());
        Assert.Equal(6, credits["consumed"]!.GetValue<int>());
    }

    [Fact]
    public async Task A_replay_while_the_first_set_waits_for_the_model_does_not_cost_the_request_its_answer()
    {
        // The held request, the replay.
        await using var stub = await OpenAIStub.StartAsync(Clean, Clean);
        var held = stub.Hold(0);
        await using var app = await OutreachApp.StartAsync(Settings(stub));
        using var client = app.ClientWithKey();

        var personalizing = SendWithKeyAsync(client, "/personalize", "slow-first-send", Body(variantCount: 2));
        await held.Arrived;
        // A repeat of the key while the first send runs names the request (409 in progress).
        var (inProgress, pending) = await SendWithKeyAsync(client, "/personalize", "slow-first-send", Body(variantCount: 2));
        Assert.True(inProgress == HttpStatusCode.Conflict, Describe(pending));
        var id = pending["request_id"]!.GetValue<string>();
        var (replayed, replay) = await PostAsync(client, $"/personalize/{id}/replay", new JsonObject());
        held.Release();
        var (status, json) = await personalizing;

        Assert.True(replayed == HttpStatusCode.OK, Describe(replay));
        Assert.True(status == HttpStatusCode.OK, Describe(json));
        Assert.Equal(id, json["request_id"]!.GetValue<string>());
        Assert.Equal(2, json["variants"]!.AsArray().Count);

        var (_, record) = await GetAsync(client, $"/personalize/{id}");
        Assert.True(record["chain_valid"]!.GetValue<bool>());
        Assert.Equal(2, record["attempt_sets"]![0]!["variants"]!.AsArray().Count);
        var types = Types(record);
        Assert.DoesNotContain("personalization_generation_failed.v1", types);
        Assert.Equal(["personalization_variants_returned.v1", "personalization_credits_settled.v1"], types.TakeLast(2));
        var (repeated, repeat) = await SendWithKeyAsync(client, "/personalize", "slow-first-send", Body(variantCount: 2));
        Assert.Equal(HttpStatusCode.OK, repeated);
        Assert.Equal(json["variants"]!.ToJsonString(), repeat["variants"]!.ToJsonString());
    }

    /// <summary>
    /// A set a stopped process left without an answer (its regeneration and set start are on record, nothing after them)
    /// blocks a select or a regeneration only while it may still be running: once it started longer ago than
    /// <c>Credits:ReservationTimeout</c> (10 minutes), it counts as abandoned and both are accepted again.
    /// </summary>
    [Theory]
    [InlineData(11, HttpStatusCode.OK)]
    [InlineData(1, HttpStatusCode.Conflict)]
    public async Task A_set_a_stopped_process_left_unanswered_blocks_select_and_regenerate_only_until_it_counts_as_abandoned(int minutesAgo, HttpStatusCode expected)
    {
        await using var app = await OutreachApp.StartAsync();
        using var client = app.ClientWithKey();
        var (_, created) = await PostAsync(client, "/personalize", Body(variantCount: 2));
        var id = Guid.Parse(created["request_id"]!.GetValue<string>());
        var (_, me) = await GetAsync(client, "/organizations/me");
        var store = app.Services.GetRequiredService<IEventStore>();
        var startedAt = DateTimeOffset.UtcNow.AddMinutes(-minutesAgo);
        await store.AppendAsync(Guid.Parse(me["id"]!.GetValue<string>()), PersonalizationStreams.For(id), PersonalizationStreams.Type, ExpectedVersion.Any,
        [
            EventToAppend.Create(new RegenerationRequested(2, 1, startedAt)),
            EventToAppend.Create(new AttemptSetStarted(2, "regeneration", 2, 2, false, startedAt)),
        ]);

        var (selected, selection) = await PostAsync(client, $"/personalize/{id}/select", new JsonObject { ["variant_index"] = 0 });
        Assert.True(selected == expected, $"{selected}: {Describe(selection)}");
        var (regenerated, regeneration) = await PostAsync(client, $"/personalize/{id}/regenerate", null);
        Assert.True(regenerated == expected, $"{regenerated}: {Describe(regeneration)}");
        if (expected == HttpStatusCode.OK)
        {
            Assert.Equal(3, regeneration["attempt_set"]!.GetValue<int>());
            Assert.Equal(2, regeneration["variants"]!.AsArray().Count);
        }
        else
        {
            Assert.Equal("https://outreachos.dev/problems/generation-in-progress", selection["type"]!.GetValue<string>());
            Assert.Equal(2, regeneration["attempt_set"]!.GetValue<int>());
        }
    }

    private static List<string> Types(JsonObject record) =>
        [.. record["events"]!.AsArray().Select(e => e!["type"]!.GetValue<string>())];

    private static List<string> Kinds(JsonObject record) =>
        [.. record["credit_movements"]!.AsArray().Select(m => m!["kind"]!.GetValue<string>())];

    private static async Task<(HttpStatusCode Status, JsonObject Json)> SendWithKeyAsync(HttpClient client, string path, string key, JsonNode body)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = JsonContent.Create(body) };
        request.Headers.Add("Idempotency-Key", key);
        using var response = await client.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        return (response.StatusCode, text.Length == 0 ? [] : (JsonObject)JsonNode.Parse(text)!);
    }
}
