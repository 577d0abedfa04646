using System.Net;
using System.Text.Json;

namespace OutreachOS.IntegrationTests.Api;

/// <summary>Per-API-key and per-organization rate limits through the real host (ADR 0028).</summary>
public sealed class RateLimitTests
{
    [Fact]
    public async Task A_key_over_its_rate_gets_429_with_retry_after_while_other_keys_and_anonymous_endpoints_carry_on()
    {
        await using var app = await OutreachApp.StartAsync(new Dictionary<string, string?>
        {
            ["RateLimits:PerKey:PermitsPerSecond"] = "1",
            ["RateLimits:PerKey:Burst"] = "4",
        });
        var platform = app.ClientWithKey();
        var created = await platform.PostAsync("/organizations", HostTests.Json("""{"name":"Busy","tier":"PRO"}"""));
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var admin = app.ClientWithKey((await HostTests.JsonAsync(created)).GetProperty("api_key").GetProperty("key").GetString());
        var issued = await admin.PostAsync("/api-keys", HostTests.Json("""{"name":"second"}"""));
        Assert.Equal(HttpStatusCode.Created, issued.StatusCode);
        var second = app.ClientWithKey((await HostTests.JsonAsync(issued)).GetProperty("key").GetString());

        // The admin key has used 1 of its 4 (issuing the second key): the next three requests pass whatever the timing
        // (tokens only come back), then the bucket runs dry and the key is refused. A refused request runs nothing:
        // exactly the accepted ones left a request stream.
        var statuses = new List<HttpStatusCode>();
        HttpResponseMessage? refused = null;
        for (var i = 0; i < 12 && refused is null; i++)
        {
            var r = await admin.PostAsync("/personalize", HostTests.Json("""
                {"channel":"EMAIL","tone":"PROFESSIONAL","goal":"book a 15-min call","variant_count":1,
                 "lead":{"first_name":"Sarah","last_name":"Chen","title":"VP of Sales","company_name":"Acme Logistics","domain":"acmelogistics.com"},
                 "company_context":{"summary":"Acme Logistics runs same-day freight for regional retailers.","keywords":["freight visibility"]}}
                """));
            statuses.Add(r.StatusCode);
            if (r.StatusCode == HttpStatusCode.TooManyRequests)
            {
                refused = r;
            }
        }
        Assert.NotNull(refused);
        var accepted = statuses.Count(s => s == HttpStatusCode.OK);
        Assert.True(accepted >= 3, string.Join(",", statuses));
        Assert.Equal(statuses.Count - 1, accepted);
        Assert.Equal("application/problem+json", refused.Content.Headers.ContentType?.MediaType);
        Assert.True(int.Parse(refused.Headers.RetryAfter!.ToString(), System.Globalization.CultureInfo.InvariantCulture) >= 1);
        var problem = await HostTests.JsonAsync(refused);
        Assert.Equal(429, problem.GetProperty("status").GetInt32());
        Assert.Equal("https://outreachos.dev/problems/rate-limited", problem.GetProperty("type").GetString());
        Assert.Contains("1 requests per second", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.StartsWith("This API key", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Equal("api_key", problem.GetProperty("limit").GetString());
        var streams = await HostTests.JsonAsync(await second.GetAsync("/audit/streams?type=personalization"));
        Assert.Equal(accepted, streams.GetArrayLength());

        // Another key of the same organization has its own bucket; anonymous endpoints are not counted.
        Assert.Equal(HttpStatusCode.OK, (await second.GetAsync("/organizations/me")).StatusCode);
        for (var i = 0; i < 10; i++)
        {
            Assert.Equal(HttpStatusCode.OK, (await app.ClientWithKey(null).GetAsync("/health/live")).StatusCode);
        }
    }

    [Fact]
    public async Task Keys_of_one_organization_share_its_budget_while_another_organization_carries_on()
    {
        // Each key alone could send 20 at once; the organization as a whole only 6. Creating more keys must not multiply
        // what an organization may send.
        await using var app = await OutreachApp.StartAsync(new Dictionary<string, string?>
        {
            ["RateLimits:PerKey:PermitsPerSecond"] = "1",
            ["RateLimits:PerKey:Burst"] = "20",
            ["RateLimits:PerOrganization:PermitsPerSecond"] = "1",
            ["RateLimits:PerOrganization:Burst"] = "6",
        });
        var (admin, _, _) = await TestOrganizations.CreateAsync(app, "Shared");
        var (quiet, _, _) = await TestOrganizations.CreateAsync(app, "Quiet");
        var (second, _, _) = await TestOrganizations.IssueKeyAsync(app, admin, """{"name":"second"}""");

        // Issuing the second key took 1 of the organization's 6: the next five pass whatever the timing (tokens only
        // come back). The two keys take turns, so neither gets near its own 20 before the shared bucket runs dry.
        var accepted = new int[2];
        HttpResponseMessage? refused = null;
        for (var i = 0; i < 40 && refused is null; i++)
        {
            var r = await (i % 2 == 0 ? admin : second).GetAsync("/organizations/me");
            if (r.StatusCode == HttpStatusCode.TooManyRequests)
            {
                refused = r;
            }
            else
            {
                Assert.Equal(HttpStatusCode.OK, r.StatusCode);
                accepted[i % 2]++;
            }
        }
        Assert.NotNull(refused);
        Assert.True(accepted.Sum() >= 5, string.Join(",", accepted));
        Assert.True(accepted[0] >= 2 && accepted[1] >= 2, string.Join(",", accepted));
        Assert.Equal("application/problem+json", refused.Content.Headers.ContentType?.MediaType);
        Assert.True(int.Parse(refused.Headers.RetryAfter!.ToString(), System.Globalization.CultureInfo.InvariantCulture) >= 1);
        var problem = await HostTests.JsonAsync(refused);
        Assert.Equal(429, problem.GetProperty("status").GetInt32());
        Assert.Equal("https://outreachos.dev/problems/rate-limited", problem.GetProperty("type").GetString());
        Assert.Equal("organization", problem.GetProperty("limit").GetString());
        Assert.StartsWith("This organization's API keys together", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.True(problem.GetProperty("retry_after_seconds").GetInt32() >= 1);

        // Another organization has its own budget.
        Assert.Equal(HttpStatusCode.OK, (await quiet.GetAsync("/organizations/me")).StatusCode);
    }

    [Theory]
    [InlineData("RateLimits:PerKey:PermitsPerSecond")]
    [InlineData("RateLimits:PerOrganization:PermitsPerSecond")]
    public async Task Bad_limits_fail_at_start_up_naming_the_setting(string setting)
    {
        var e = await Assert.ThrowsAnyAsync<Exception>(async () =>
        {
            await using var app = await OutreachApp.StartAsync(new Dictionary<string, string?> { [setting] = "-1" });
            await app.ClientWithKey().GetAsync("/organizations/me");
        });
        Assert.Contains(setting, e.ToString(), StringComparison.Ordinal);
    }
}
