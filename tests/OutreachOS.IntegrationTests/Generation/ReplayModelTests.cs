using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using OutreachOS.IntegrationTests.Api;
using static OutreachOS.IntegrationTests.Generation.GenerationApi;

namespace OutreachOS.IntegrationTests.Generation;

/// <summary>
/// Which model a replay may name: the configured one or one of <c>Generation:ReplayModels</c>, each priced. Any other name
/// would let a caller spend the operator's provider key on any model it reaches, at the normal credit price.
/// </summary>
public sealed class ReplayModelTests
{
    private static readonly string Clean = OpenAIStub.Variants(
        ("Freight visibility at Acme", "Hi Sarah,\n\nI noticed Acme Logistics is focused on freight visibility.\n\nWould it make sense to book a 15-min call?"),
        ("Carrier onboarding", "Hello Sarah,\n\nI saw that Acme Logistics runs on Salesforce and Snowflake.\n\nWould you be open to book a 15-min call?"));

    [Fact]
    public async Task A_replay_naming_a_model_outside_the_allow_list_is_a_400_naming_model_and_calls_nothing()
    {
        await using var stub = await OpenAIStub.StartAsync(Clean, Clean, Clean);
        await using var app = await OutreachApp.StartAsync(stub.Settings()); // ReplayModels: gpt-4.1-mini
        using var client = app.ClientWithKey();
        var (_, created) = await PostAsync(client, "/personalize", Body(variantCount: 2));
        var id = created["request_id"]!.GetValue<string>();
        var (_, before) = await GetAsync(client, "/credits");

        var (refused, problem) = await PostAsync(client, $"/personalize/{id}/replay", new JsonObject { ["model"] = "o1-pro" });

        Assert.True(refused == HttpStatusCode.BadRequest, Describe(problem));
        Assert.Contains("model", problem["errors"]!.AsObject().Select(e => e.Key));
        Assert.Contains("gpt-4.1-mini", problem["errors"]!["model"]!.ToJsonString(), StringComparison.Ordinal); // says what is allowed
        Assert.Single(stub.Bodies); // only the request's own call
        var (_, after) = await GetAsync(client, "/credits");
        Assert.Equal(before["consumed"]!.GetValue<int>(), after["consumed"]!.GetValue<int>());
        Assert.Equal(0, after["reserved"]!.GetValue<int>());
        var (_, record) = await GetAsync(client, $"/personalize/{id}");
        Assert.Empty(record["replays"]!.AsArray());

        // The configured model and a listed one are accepted, and go to the provider as named.
        var (configured, _) = await PostAsync(client, $"/personalize/{id}/replay", new JsonObject { ["model"] = "gpt-4o-mini" });
        var (listed, _) = await PostAsync(client, $"/personalize/{id}/replay", new JsonObject { ["model"] = "gpt-4.1-mini" });
        Assert.Equal(HttpStatusCode.OK, configured);
        Assert.Equal(HttpStatusCode.OK, listed);
        Assert.Equal(["gpt-4o-mini", "gpt-4.1-mini"], stub.Bodies.Skip(1).Select(b => JsonDocument.Parse(b).RootElement.GetProperty("model").GetString()));
    }

    [Fact]
    public async Task A_refused_replay_reports_what_the_refusal_cost()
    {
        await using var stub = await OpenAIStub.StartAsync(Clean, Clean);
        await using var app = await OutreachApp.StartAsync(stub.Settings());
        using var client = app.ClientWithKey();
        var (_, created) = await PostAsync(client, "/personalize", Body(variantCount: 2));
        stub.RawAnswer = JsonSerializer.Serialize(new
        {
            id = "chatcmpl-r", @object = "chat.completion", created = 1_700_000_000, model = "gpt-4o-mini-2024-07-18",
            choices = new[] { new { index = 0, message = new { role = "assistant", content = (string?)null, refusal = "I can't help with that." }, finish_reason = "stop" } },
            usage = new { prompt_tokens = 400, completion_tokens = 12, total_tokens = 412 },
        });

        var (status, replay) = await PostAsync(client, $"/personalize/{created["request_id"]}/replay", new JsonObject());

        Assert.True(status == HttpStatusCode.OK, Describe(replay));
        Assert.Null(replay["output"]);
        Assert.Contains("refused", replay["failure"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.True(replay["failure_cost_usd"]!.GetValue<decimal>() > 0, replay.ToJsonString());
    }

    [Theory]
    [InlineData("Generation:ReplayModels:0", "o1-pro")]
    [InlineData("Llm:Model", "gpt-5-pro")]
    [InlineData("Generation:Model", "o3-deep-research")]
    public async Task A_billed_model_without_a_price_stops_start_up_with_a_message_naming_the_setting(string key, string model)
    {
        await using var stub = await OpenAIStub.StartAsync();
        var settings = stub.Settings();
        settings[key] = model;

        var e = await Assert.ThrowsAnyAsync<Exception>(async () =>
        {
            await using var app = await OutreachApp.StartAsync(settings);
        });

        var messages = string.Join(" | ", Flatten(e).Select(x => x.Message));
        Assert.Contains(model, messages, StringComparison.Ordinal);
        Assert.Contains($"Llm:Prices:{model}", messages, StringComparison.Ordinal);
    }

    private static IEnumerable<Exception> Flatten(Exception e)
    {
        for (Exception? x = e; x is not null; x = x.InnerException)
        {
            yield return x;
        }
    }
}
