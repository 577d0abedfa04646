using System.Security.Claims;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.Http;
using OutreachOS.BuildingBlocks.Web;
using OutreachOS.Host.Hosting;

namespace OutreachOS.UnitTests.Security;

/// <summary>The order of the two buckets (ADR 0028): what a refusal costs, and which limit it names.</summary>
public sealed class RateLimitChainTests
{
    /// <summary>Buckets that never refill during the test (one token per hour), so counts are exact.</summary>
    private static PartitionedRateLimiter<HttpContext> Bucket(string claim, int tokens) =>
        PartitionedRateLimiter.Create<HttpContext, string>(http => RateLimitPartition.GetTokenBucketLimiter(http.User.FindFirst(claim)!.Value,
            _ => new TokenBucketRateLimiterOptions
            {
                TokenLimit = tokens,
                TokensPerPeriod = 1,
                ReplenishmentPeriod = TimeSpan.FromHours(1),
                QueueLimit = 0,
                AutoReplenishment = false,
            }));

    private static HttpContext Request(string key, string organization) => new DefaultHttpContext
    {
        User = new ClaimsPrincipal(new ClaimsIdentity(
            [new Claim(TenancyHttpContextExtensions.ApiKeyClaim, key), new Claim(TenancyHttpContextExtensions.TenantClaim, organization)], "test")),
    };

    /// <summary>As the middleware does: a try, and when it fails, an acquire (which would queue if the options allowed it).</summary>
    private static async Task<RateLimitLease> AcquireAsync(PartitionedRateLimiter<HttpContext> limiter, HttpContext http)
    {
        var lease = limiter.AttemptAcquire(http);
        if (lease.IsAcquired)
        {
            return lease;
        }
        lease.Dispose();
        return await limiter.AcquireAsync(http);
    }

    private static string? Limit(RateLimitLease lease) => lease.TryGetMetadata(KeyThenOrganizationLimiter.LimitMetadata, out var limit) ? limit : null;

    [Fact]
    public async Task A_key_refused_by_its_own_limit_spends_nothing_of_its_organizations_budget()
    {
        using var limiter = new KeyThenOrganizationLimiter(Bucket(TenancyHttpContextExtensions.ApiKeyClaim, 2), Bucket(TenancyHttpContextExtensions.TenantClaim, 3));
        for (var i = 0; i < 2; i++)
        {
            Assert.True((await AcquireAsync(limiter, Request("runaway", "org"))).IsAcquired);
        }
        for (var i = 0; i < 5; i++)
        {
            var refused = await AcquireAsync(limiter, Request("runaway", "org"));
            Assert.False(refused.IsAcquired);
            Assert.Equal("api_key", Limit(refused));
        }
        // The organization spent 2 of its 3: its other key still gets the last one.
        Assert.True((await AcquireAsync(limiter, Request("dashboard", "org"))).IsAcquired);
        var organization = await AcquireAsync(limiter, Request("dashboard", "org"));
        Assert.False(organization.IsAcquired);
        Assert.Equal("organization", Limit(organization));
    }

    [Fact]
    public async Task A_request_the_organization_refuses_costs_its_key_one_token_however_often_the_middleware_asks()
    {
        using var limiter = new KeyThenOrganizationLimiter(Bucket(TenancyHttpContextExtensions.ApiKeyClaim, 3), Bucket(TenancyHttpContextExtensions.TenantClaim, 1));
        Assert.True((await AcquireAsync(limiter, Request("a", "org"))).IsAcquired);
        Assert.Equal("organization", Limit(await AcquireAsync(limiter, Request("a", "org"))));
        // Key "a" has spent 2 of its 3; another organization's bucket shows the key still has exactly one.
        Assert.True((await AcquireAsync(limiter, Request("a", "other"))).IsAcquired);
        Assert.Equal("api_key", Limit(await AcquireAsync(limiter, Request("a", "other"))));
    }
}
