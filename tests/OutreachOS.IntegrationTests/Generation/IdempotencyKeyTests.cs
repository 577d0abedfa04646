using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using OutreachOS.IntegrationTests.Api;
using static OutreachOS.IntegrationTests.Generation.GenerationApi;

namespace OutreachOS.IntegrationTests.Generation;

/// <summary><c>Idempotency-Key</c> on <c>POST /personalize</c>: a repeated send gets the first answer and is charged once.</summary>
public sealed class IdempotencyKeyTests
{
    private const int IdempotencyKeyMaxLength = 255;

    private static async Task<HttpClient> OrganizationAsync(OutreachApp app, string name)
    {
        using var created = await app.ClientWithKey().PostAsJsonAsync("/organizations", new { name, tier = "PRO" });
        return app.ClientWithKey(JsonNode.Parse(await created.Content.ReadAsStringAsync())!["api_key"]!["key"]!.GetValue<string>());
    }

    private static async Task<(HttpStatusCode Status, JsonObject Json, HttpResponseMessage Response)> SendAsync(HttpClient client, string? key, JsonNode body)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/personalize") { Content = JsonContent.Create(body) };
        if (key is not null)
        {
            request.Headers.Add("Idempotency-Key", key);
        }
        var response = await client.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        return (response.StatusCode, JsonNode.Parse(text)!.AsObject(), response);
    }

    private static async Task<int> ConsumedAsync(HttpClient client) => (await GetAsync(client, "/credits")).Json["consumed"]!.GetValue<int>();

    [Fact]
    public async Task A_repeated_send_with_the_same_key_gets_the_first_answer_and_is_charged_once()
    {
        await using var app = await OutreachApp.StartAsync();
        var client = await OrganizationAsync(app, "retrying client");

        var (status, first, firstResponse) = await SendAsync(client, "order-4711", Body());
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.False(firstResponse.Headers.Contains("Idempotent-Replayed"));
        var consumed = await ConsumedAsync(client);
        Assert.Equal(3, consumed);

        var (again, replayed, replayResponse) = await SendAsync(client, "order-4711", Body());
        Assert.Equal(HttpStatusCode.OK, again);
        Assert.Equal("true", replayResponse.Headers.GetValues("Idempotent-Replayed").Single());
        Assert.Equal(first["request_id"]!.GetValue<Guid>(), replayed["request_id"]!.GetValue<Guid>());
        Assert.Equal(first["variants"]!.ToJsonString(), replayed["variants"]!.ToJsonString());
        Assert.Equal(first["credits"]!.ToJsonString(), replayed["credits"]!.ToJsonString());
        Assert.Equal(first["attempts"]!.GetValue<int>(), replayed["attempts"]!.GetValue<int>());
        Assert.Equal(consumed, await ConsumedAsync(client)); // no second charge

        // Another key, or no key: a new request.
        var (_, other, _) = await SendAsync(client, "order-4712", Body());
        Assert.NotEqual(first["request_id"]!.GetValue<Guid>(), other["request_id"]!.GetValue<Guid>());
        Assert.Equal(6, await ConsumedAsync(client));

        // The same key with another body names a different request: refused, nothing charged.
        var (reused, problem, _) = await SendAsync(client, "order-4711", Body(tone: "FRIENDLY"));
        Assert.Equal(HttpStatusCode.UnprocessableEntity, reused);
        Assert.Equal("https://outreachos.dev/problems/idempotency-key-reused", problem["type"]!.GetValue<string>());
        Assert.Equal(first["request_id"]!.GetValue<Guid>(), problem["request_id"]!.GetValue<Guid>());
        Assert.Equal(6, await ConsumedAsync(client));

        // Keys are per organization: another organization's "order-4711" is its own request.
        var stranger = await OrganizationAsync(app, "another company");
        var (theirs, theirFirst, _) = await SendAsync(stranger, "order-4711", Body());
        Assert.Equal(HttpStatusCode.OK, theirs);
        Assert.NotEqual(first["request_id"]!.GetValue<Guid>(), theirFirst["request_id"]!.GetValue<Guid>());
    }

    [Fact]
    public async Task Concurrent_sends_with_one_key_make_one_request_and_one_charge()
    {
        await using var app = await OutreachApp.StartAsync();
        var client = await OrganizationAsync(app, "impatient client");

        var outcomes = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => Task.Run(() => SendAsync(client, "burst-1", Body(variantCount: 1)))));

        // Each gets the answer, or is told the first one is still running (and when to ask again).
        Assert.All(outcomes, o => Assert.True(o.Status is HttpStatusCode.OK or HttpStatusCode.Conflict, $"{o.Status}: {o.Json}"));
        Assert.Contains(outcomes, o => o.Status == HttpStatusCode.OK);
        Assert.All(outcomes.Where(o => o.Status == HttpStatusCode.Conflict), o => Assert.Equal("1", o.Response.Headers.GetValues("Retry-After").Single()));
        Assert.Single(outcomes.Where(o => o.Status == HttpStatusCode.OK).Select(o => o.Json["request_id"]!.GetValue<Guid>()).Distinct());
        Assert.Equal(1, await ConsumedAsync(client));
        var streams = JsonNode.Parse(await client.GetStringAsync("/audit/streams?type=personalization"))!.AsArray();
        Assert.Single(streams);

        // Asked again afterwards: the answer.
        var (status, json, _) = await SendAsync(client, "burst-1", Body(variantCount: 1));
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(outcomes.First(o => o.Status == HttpStatusCode.OK).Json["request_id"]!.GetValue<Guid>(), json["request_id"]!.GetValue<Guid>());
    }

    [Theory]
    [InlineData("TOO_LONG")]
    [InlineData("has space")]
    [InlineData("ключ")]
    public async Task A_malformed_key_is_a_400_naming_the_header(string key)
    {
        await using var app = await OutreachApp.StartAsync();
        var client = await OrganizationAsync(app, "sloppy client");
        using var request = new HttpRequestMessage(HttpMethod.Post, "/personalize") { Content = JsonContent.Create(Body()) };
        request.Headers.TryAddWithoutValidation("Idempotency-Key", key == "TOO_LONG" ? new string('k', IdempotencyKeyMaxLength + 1) : key);
        var response = await client.SendAsync(request);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problem = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
        Assert.NotNull(problem["errors"]!["Idempotency-Key"]);
        Assert.Equal(0, await ConsumedAsync(client));
    }
}
