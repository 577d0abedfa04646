using System.Globalization;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.RateLimiting;
using OutreachOS.BuildingBlocks.Web;

namespace OutreachOS.Host.Hosting;

/// <summary>A token bucket: <see cref="PermitsPerSecond"/> requests per second on average, bursts up to <see cref="Burst"/>. Zero permits turns it off.</summary>
internal sealed record TokenBucket(int PermitsPerSecond, int Burst)
{
    public bool Enabled => PermitsPerSecond > 0;

    public static TokenBucket From(IConfigurationSection s, int defaultPermits, int defaultBurst)
    {
        var permits = s.GetValue("PermitsPerSecond", defaultPermits);
        var burst = s.GetValue("Burst", s["PermitsPerSecond"] is null ? defaultBurst : Math.Max(1, permits * 2));
        if (permits < 0 || permits > 1_000_000 || permits > 0 && (burst < 1 || burst > 10_000_000))
        {
            throw new InvalidOperationException($"{s.Path}:PermitsPerSecond must be 0 (off) to 1000000 and {s.Path}:Burst 1 to 10000000.");
        }
        return new TokenBucket(permits, burst);
    }

    public TokenBucketRateLimiterOptions ToLimiterOptions() => new()
    {
        TokenLimit = Burst,
        TokensPerPeriod = PermitsPerSecond,
        ReplenishmentPeriod = TimeSpan.FromSeconds(1),
        QueueLimit = 0,
        AutoReplenishment = true,
    };
}

/// <summary>
/// <c>RateLimits:PerKey</c>: a bucket per API key. <c>RateLimits:PerOrganization</c>: a bucket shared by all of an
/// organization's keys, so that issuing more keys does not multiply what an organization may send. Unless configured,
/// the organization's bucket is twice the key's: one runaway key takes at most half of its organization's budget.
/// </summary>
internal sealed record ApiRateLimitOptions(TokenBucket PerKey, TokenBucket PerOrganization)
{
    public const int OrganizationMultiple = 2;

    public bool Enabled => PerKey.Enabled || PerOrganization.Enabled;

    public static ApiRateLimitOptions From(IConfiguration configuration)
    {
        var perKey = TokenBucket.From(configuration.GetSection("RateLimits:PerKey"), 100, 200);
        var perOrganization = TokenBucket.From(configuration.GetSection("RateLimits:PerOrganization"),
            perKey.PermitsPerSecond * OrganizationMultiple, perKey.Burst * OrganizationMultiple);
        return new ApiRateLimitOptions(perKey, perOrganization);
    }
}

/// <summary>
/// Per-API-key and per-organization request rate limits (ADR 0028). Authenticated requests draw from their key's bucket,
/// then from their organization's; a request over either gets 429 with <c>Retry-After</c> and a problem detail naming
/// the limit. Unauthenticated requests (health, webhooks that prove themselves otherwise, failed authentication) are not
/// counted. The buckets live in each host process.
/// </summary>
internal static class ApiRateLimits
{
    public const string KeyLimit = "api_key";
    public const string OrganizationLimit = "organization";

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
            o.GlobalLimiter = new KeyThenOrganizationLimiter(
                Partitioned(options.PerKey, TenancyHttpContextExtensions.ApiKeyClaim),
                Partitioned(options.PerOrganization, TenancyHttpContextExtensions.TenantClaim));
            o.OnRejected = (context, ct) => RejectAsync(context, options, ct);
        });
    }

    /// <summary>After authentication (the key and its organization are the partitions), before authorization and the endpoints.</summary>
    public static void UseApiRateLimits(this WebApplication app)
    {
        if (app.Services.GetRequiredService<ApiRateLimitOptions>().Enabled)
        {
            app.UseRateLimiter();
        }
    }

    private static PartitionedRateLimiter<HttpContext> Partitioned(TokenBucket bucket, string claim) =>
        PartitionedRateLimiter.Create<HttpContext, string>(http =>
            bucket.Enabled && http.User.FindFirst(claim)?.Value is { } partition
                ? RateLimitPartition.GetTokenBucketLimiter(partition, _ => bucket.ToLimiterOptions())
                : RateLimitPartition.GetNoLimiter(""));

    private static async ValueTask RejectAsync(OnRejectedContext context, ApiRateLimitOptions options, CancellationToken ct)
    {
        var retryAfter = context.Lease.TryGetMetadata(MetadataName.RetryAfter, out var wait) ? wait : TimeSpan.FromSeconds(1);
        var seconds = Math.Max(1, (int)Math.Ceiling(retryAfter.TotalSeconds));
        var http = context.HttpContext;
        var limit = context.Lease.TryGetMetadata(KeyThenOrganizationLimiter.LimitMetadata, out var hit) ? hit : KeyLimit;
        var detail = limit == OrganizationLimit
            ? $"This organization's API keys together sent more than {options.PerOrganization.PermitsPerSecond} requests per second (bursts up to {options.PerOrganization.Burst})."
            : $"This API key sent more than {options.PerKey.PermitsPerSecond} requests per second (bursts up to {options.PerKey.Burst}).";
        http.Response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
        await TypedResults.Problem(
            statusCode: StatusCodes.Status429TooManyRequests,
            title: "Too many requests",
            detail: $"{detail} Retry after {seconds} s.",
            type: "https://outreachos.dev/problems/rate-limited",
            extensions: new Dictionary<string, object?> { ["retry_after_seconds"] = seconds, ["limit"] = limit }).ExecuteAsync(http);
    }
}

/// <summary>
/// The key's bucket first, then the organization's. In that order a key refused by its own limit spends none of its
/// organization's budget, so a runaway key does not starve its organization's other keys; a request the organization
/// refuses has spent one of its key's tokens, which only costs that key. A refusal's lease names the limit it hit.
/// </summary>
internal sealed class KeyThenOrganizationLimiter(PartitionedRateLimiter<HttpContext> perKey, PartitionedRateLimiter<HttpContext> perOrganization)
    : PartitionedRateLimiter<HttpContext>
{
    public static readonly MetadataName<string> LimitMetadata = new("outreachos.rate_limit");

    public override RateLimiterStatistics? GetStatistics(HttpContext resource) => perKey.GetStatistics(resource);

    protected override RateLimitLease AttemptAcquireCore(HttpContext resource, int permitCount)
    {
        var key = perKey.AttemptAcquire(resource, permitCount);
        if (!key.IsAcquired)
        {
            return new Refused(key, ApiRateLimits.KeyLimit);
        }
        var organization = perOrganization.AttemptAcquire(resource, permitCount);
        if (!organization.IsAcquired)
        {
            // The middleware tries again with AcquireAsync: that try must not take a second token from the key.
            resource.Items[KeyTokenTaken] = true;
        }
        return Combine(key, organization);
    }

    protected override async ValueTask<RateLimitLease> AcquireAsyncCore(HttpContext resource, int permitCount, CancellationToken cancellationToken)
    {
        RateLimitLease key;
        if (resource.Items.Remove(KeyTokenTaken))
        {
            key = Taken.Instance;
        }
        else
        {
            key = await perKey.AcquireAsync(resource, permitCount, cancellationToken);
            if (!key.IsAcquired)
            {
                return new Refused(key, ApiRateLimits.KeyLimit);
            }
        }
        return Combine(key, await perOrganization.AcquireAsync(resource, permitCount, cancellationToken));
    }

    private static readonly object KeyTokenTaken = new();

    private static RateLimitLease Combine(RateLimitLease key, RateLimitLease organization)
    {
        if (organization.IsAcquired)
        {
            return new Both(key, organization);
        }
        key.Dispose();
        return new Refused(organization, ApiRateLimits.OrganizationLimit);
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            perKey.Dispose();
            perOrganization.Dispose();
        }
    }

    protected override async ValueTask DisposeAsyncCore()
    {
        await perKey.DisposeAsync();
        await perOrganization.DisposeAsync();
    }

    private sealed class Both(RateLimitLease key, RateLimitLease organization) : RateLimitLease
    {
        public override bool IsAcquired => true;

        public override IEnumerable<string> MetadataNames => [];

        public override bool TryGetMetadata(string metadataName, out object? metadata)
        {
            metadata = null;
            return false;
        }

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                key.Dispose();
                organization.Dispose();
            }
        }
    }

    /// <summary>Stands for the key's token when it was taken by the first try.</summary>
    private sealed class Taken : RateLimitLease
    {
        public static readonly Taken Instance = new();

        public override bool IsAcquired => true;

        public override IEnumerable<string> MetadataNames => [];

        public override bool TryGetMetadata(string metadataName, out object? metadata)
        {
            metadata = null;
            return false;
        }
    }

    private sealed class Refused(RateLimitLease refusal, string limit) : RateLimitLease
    {
        public override bool IsAcquired => false;

        public override IEnumerable<string> MetadataNames => [.. refusal.MetadataNames, LimitMetadata.Name];

        public override bool TryGetMetadata(string metadataName, out object? metadata)
        {
            if (metadataName == LimitMetadata.Name)
            {
                metadata = limit;
                return true;
            }
            return refusal.TryGetMetadata(metadataName, out metadata);
        }

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                refusal.Dispose();
            }
        }
    }
}
