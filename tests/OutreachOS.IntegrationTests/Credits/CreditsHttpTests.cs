using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using OutreachOS.IntegrationTests.Api;

namespace OutreachOS.IntegrationTests.Credits;

/// <summary>The real host over HTTP: GET /credits, the admin ledger endpoints, 402 problem details.</summary>
public sealed class CreditsHttpTests
{
    private static StringContent Json(string json) => new(json, Encoding.UTF8, "application/json");

    private static async Task<JsonElement> JsonAsync(HttpResponseMessage r) => JsonDocument.Parse(await r.Content.ReadAsStringAsync()).RootElement;

    private static async Task<(Guid Id, HttpClient Client)> CreateOrganizationAsync(OutreachApp app, string tier)
    {
        var created = await app.ClientWithKey().PostAsync("/organizations", Json($$"""{"name":"Org {{tier}}","tier":"{{tier}}"}"""));
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var body = await JsonAsync(created);
        return (body.GetProperty("organization").GetProperty("id").GetGuid(), app.ClientWithKey(body.GetProperty("api_key").GetProperty("key").GetString()));
    }

    private static Task<HttpResponseMessage> ReserveAsync(HttpClient admin, Guid org, Guid reservation, int credits) =>
        admin.PostAsync("/credits/reservations", Json($$"""{"organization_id":"{{org}}","reservation_id":"{{reservation}}","credits":{{credits}},"reason":"test"}"""));

    [Fact]
    public async Task Get_credits_shows_the_callers_month_with_usage_by_day_alerts_and_the_alert_header()
    {
        await using var app = await OutreachApp.StartAsync(new Dictionary<string, string?> { ["Credits:Tiers:FREE"] = "10" });
        var admin = app.ClientWithKey();
        var (org, client) = await CreateOrganizationAsync(app, "FREE");

        var fresh = await client.GetAsync("/credits");
        Assert.Equal(HttpStatusCode.OK, fresh.StatusCode);
        Assert.Equal("NONE", Assert.Single(fresh.Headers.GetValues("X-Credits-Alert")));
        var empty = await JsonAsync(fresh);
        Assert.Equal(("FREE", 10, 10, "NONE"), (empty.GetProperty("tier").GetString(), empty.GetProperty("allowance").GetInt32(),
            empty.GetProperty("available").GetInt32(), empty.GetProperty("alert").GetString()));
        Assert.Equal(DateTime.UtcNow.ToString("yyyy-MM", CultureInfo.InvariantCulture), empty.GetProperty("period").GetString());

        var id = Guid.NewGuid();
        Assert.Equal(HttpStatusCode.OK, (await ReserveAsync(admin, org, id, 3)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await admin.PostAsync($"/credits/reservations/{id}/settle", Json($$"""{"organization_id":"{{org}}","used":2}"""))).StatusCode);
        var held = Guid.NewGuid();
        Assert.Equal(HttpStatusCode.OK, (await ReserveAsync(admin, org, held, 7)).StatusCode); // 1 left: 10%, held only
        var whileHeld = await client.GetAsync("/credits");
        Assert.Equal("LOW", Assert.Single(whileHeld.Headers.GetValues("X-Credits-Alert")));
        Assert.Empty((await JsonAsync(whileHeld)).GetProperty("alerts").EnumerateArray()); // nothing consumed yet: no alert recorded
        Assert.Equal(HttpStatusCode.OK, (await admin.PostAsync($"/credits/reservations/{held}/settle", Json($$"""{"organization_id":"{{org}}","used":7}"""))).StatusCode);

        var after = await client.GetAsync("/credits");
        Assert.Equal("LOW", Assert.Single(after.Headers.GetValues("X-Credits-Alert")));
        var body = await JsonAsync(after);
        Assert.Equal((9, 0, 1, "LOW"), (body.GetProperty("consumed").GetInt32(), body.GetProperty("reserved").GetInt32(),
            body.GetProperty("available").GetInt32(), body.GetProperty("alert").GetString()));
        var day = Assert.Single(body.GetProperty("usage_by_day").EnumerateArray().ToList());
        Assert.Equal((DateTime.UtcNow.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture), 9), (day.GetProperty("date").GetString(), day.GetProperty("consumed").GetInt32()));
        var alert = Assert.Single(body.GetProperty("alerts").EnumerateArray().ToList());
        Assert.Equal(("LOW", 1), (alert.GetProperty("level").GetString(), alert.GetProperty("available").GetInt32()));

        // Another organization sees none of it.
        var (_, other) = await CreateOrganizationAsync(app, "PRO");
        var otherBody = await JsonAsync(await other.GetAsync("/credits"));
        Assert.Equal((5000, 0, 0), (otherBody.GetProperty("available").GetInt32(), otherBody.GetProperty("consumed").GetInt32(),
            otherBody.GetProperty("usage_by_day").GetArrayLength()));
    }

    [Fact]
    public async Task Reserving_beyond_the_balance_gets_402_problem_details_with_available_and_requested()
    {
        await using var app = await OutreachApp.StartAsync(new Dictionary<string, string?> { ["Credits:Tiers:FREE"] = "4" });
        var admin = app.ClientWithKey();
        var (org, _) = await CreateOrganizationAsync(app, "FREE");
        Assert.Equal(HttpStatusCode.OK, (await ReserveAsync(admin, org, Guid.NewGuid(), 4)).StatusCode);

        var refused = await ReserveAsync(admin, org, Guid.NewGuid(), 2);

        Assert.Equal(HttpStatusCode.PaymentRequired, refused.StatusCode);
        Assert.Equal("application/problem+json", refused.Content.Headers.ContentType?.MediaType);
        var problem = await JsonAsync(refused);
        Assert.Equal(402, problem.GetProperty("status").GetInt32());
        Assert.Equal((0, 2), (problem.GetProperty("available").GetInt32(), problem.GetProperty("requested").GetInt32()));
        Assert.Contains("needs 2 credit(s) but only 0 of 4 remain", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task One_hundred_concurrent_reservations_over_http_with_credits_for_K_give_exactly_K_successes_and_the_rest_402()
    {
        const int k = 37;
        await using var app = await OutreachApp.StartAsync(new Dictionary<string, string?> { ["Credits:Tiers:FREE"] = k.ToString(CultureInfo.InvariantCulture) });
        var admin = app.ClientWithKey();
        var (org, client) = await CreateOrganizationAsync(app, "FREE");

        var responses = await Task.WhenAll(Enumerable.Range(0, 100).Select(_ => ReserveAsync(admin, org, Guid.NewGuid(), 1)));

        Assert.Equal(k, responses.Count(r => r.StatusCode == HttpStatusCode.OK));
        Assert.Equal(100 - k, responses.Count(r => r.StatusCode == HttpStatusCode.PaymentRequired));
        var balance = await JsonAsync(await client.GetAsync("/credits"));
        Assert.Equal((k, 0, "EXHAUSTED"), (balance.GetProperty("reserved").GetInt32(), balance.GetProperty("available").GetInt32(), balance.GetProperty("alert").GetString()));
        Assert.Equal(0, balance.GetProperty("alerts").GetArrayLength()); // held, not consumed: alerts follow consumption
    }

    [Fact]
    public async Task Moving_credits_of_an_organization_that_does_not_exist_is_404_problem_details_naming_it()
    {
        await using var app = await OutreachApp.StartAsync();
        var admin = app.ClientWithKey();
        var missing = Guid.CreateVersion7();
        var reservation = Guid.NewGuid();

        foreach (var response in new[]
        {
            await ReserveAsync(admin, missing, reservation, 1),
            await admin.PostAsync($"/credits/reservations/{reservation}/settle", Json($$"""{"organization_id":"{{missing}}","used":1}""")),
            await admin.PostAsync($"/credits/reservations/{reservation}/refund", Json($$"""{"organization_id":"{{missing}}"}""")),
        })
        {
            Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
            var problem = await JsonAsync(response);
            Assert.Equal(404, problem.GetProperty("status").GetInt32());
            Assert.Equal($"Organization {missing} was not found.", problem.GetProperty("detail").GetString());
        }
        // Nothing was recorded for it.
        await using var count = app.Services.GetRequiredService<NpgsqlDataSource>().CreateCommand(
            "SELECT (SELECT count(*) FROM oos.streams WHERE tenant_id = @t) + (SELECT count(*) FROM oos.credit_accounts WHERE tenant_id = @t)");
        count.Parameters.AddWithValue("t", missing);
        Assert.Equal(0L, await count.ExecuteScalarAsync());
    }

    [Fact]
    public async Task Only_platform_admins_move_credits_over_http_and_bad_input_names_the_field()
    {
        await using var app = await OutreachApp.StartAsync();
        var admin = app.ClientWithKey();
        var (org, client) = await CreateOrganizationAsync(app, "FREE");

        Assert.Equal(HttpStatusCode.Forbidden, (await ReserveAsync(client, org, Guid.NewGuid(), 1)).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await client.PostAsync($"/credits/reservations/{Guid.NewGuid()}/settle", Json("""{"used":0}"""))).StatusCode);

        var bad = await admin.PostAsync("/credits/reservations", Json("""{"credits":0,"reason":"x"}"""));
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        var errors = (await JsonAsync(bad)).GetProperty("errors");
        Assert.True(errors.TryGetProperty("credits", out _) && errors.TryGetProperty("reservation_id", out _));

        Assert.Equal(HttpStatusCode.NotFound, (await admin.PostAsync($"/credits/reservations/{Guid.NewGuid()}/settle", Json("""{"used":1}"""))).StatusCode);
        var id = Guid.NewGuid();
        await ReserveAsync(admin, org, id, 2);
        var tooMuch = await admin.PostAsync($"/credits/reservations/{id}/settle", Json($$"""{"organization_id":"{{org}}","used":3}"""));
        Assert.Equal(HttpStatusCode.BadRequest, tooMuch.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await app.ClientWithKey(null).GetAsync("/credits")).StatusCode);
    }
}
