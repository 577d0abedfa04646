using System.Globalization;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.RateLimiting;
using OutreachOS.BuildingBlocks.Web;

namespace OutreachOS.Host.Hosting;

/// <summary>
/// <c>RateLimits:PerKey</c>: a token bucket per API key. <see cref="PermitsPerSecond"/> requests per second on average,
/// bursts up to <see cref="Burst"/>. Zero permits turns the limit off.
/// </summary>
internal sealed record ApiRateLimitOptions(int PermitsPerSecond, int Burst)
{
    public bool Enabled => PermitsPerSecond > 0;

    public static ApiRateLimitOptions From(IConfiguration configuration)
    {
        var s = configuration.GetSection("RateLimits:PerKey");
        var permits = s.GetValue("PermitsPerSecond", 100);
        var burst = s.GetValue("Burst", Math.Max(1, permits * 2));
        if (permits < 0 || permits > 1_000_000 || permits > 0 && (burst < 1 || burst > 10_000_000))
        {
            throw new InvalidOperationException($"{s.Path}:PermitsPerSecond must be 0 (off) to 1000000 and {s.Path}:Burst 1 to 10000000.");
        }
        return new ApiRateLimitOptions(permits, burst);
    }
}

/// <summary>
/// Per-API-key request rate limits (ADR 0028). Authenticated requests draw from their key's bucket, and a request over
/// the limit gets 429 with <c>Retry-After</c> and a problem detail. Unauthenticated requests (health, webhooks that
/// prove themselves otherwise, failed authentication) are not counted here. The buckets live in each host process.
/// </summary>
internal static class ApiRateLimits
{
    public static void AddApiRateLimits(this WebApplicationBuilder builder)
    {
        var options = ApiRateLimitOptions.From(builder.Configuration);
        builder.Services.AddSingleton(options);
        if (!options.Enabled)
        {
            return;
        }
        builder.Services.AddRateLimiter(o =>
        {
            o.GlobalLimiter = PartitionedRateLimiter.Create<HttpContext, string>(http =>
                http.User.FindFirst(TenancyHttpContextExtensions.ApiKeyClaim)?.Value is { } key
                    ? RateLimitPartition.GetTokenBucketLimiter(key, _ => new TokenBucketRateLimiterOptions
                    {
                        TokenLimit = options.Burst,
                        TokensPerPeriod = options.PermitsPerSecond,
                        ReplenishmentPeriod = TimeSpan.FromSeconds(1),
                        QueueLimit = 0,
                        AutoReplenishment = true,
                    })
                    : RateLimitPartition.GetNoLimiter(""));
            o.OnRejected = (context, ct) => RejectAsync(context, options, ct);
        });
    }

    /// <summary>After authentication (the key is the partition), before authorization and the endpoints.</summary>
    public static void UseApiRateLimits(this WebApplication app)
    {
        if (app.Services.GetRequiredService<ApiRateLimitOptions>().Enabled)
        {
            app.UseRateLimiter();
        }
    }

    private static async ValueTask RejectAsync(OnRejectedContext context, ApiRateLimitOptions options, CancellationToken ct)
    {
        var retryAfter = context.Lease.TryGetMetadata(MetadataName.RetryAfter, out var wait) ? wait : TimeSpan.FromSeconds(1);
        var seconds = Math.Max(1, (int)Math.Ceiling(retryAfter.TotalSeconds));
        var http = context.HttpContext;
        http.Response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
        await TypedResults.Problem(
            statusCode: StatusCodes.Status429TooManyRequests,
            title: "Too many requests",
            detail: $"This API key sent more than {options.PermitsPerSecond} requests per second (bursts up to {options.Burst}). Retry after {seconds} s.",
            type: "https://outreachos.dev/problems/rate-limited",
            extensions: new Dictionary<string, object?> { ["retry_after_seconds"] = seconds }).ExecuteAsync(http);
    }
}
