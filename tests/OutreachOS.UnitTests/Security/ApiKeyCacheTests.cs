using Microsoft.Extensions.Configuration;
using OutreachOS.Host.Organizations;

namespace OutreachOS.UnitTests.Security;

/// <summary>The rules of the API key cache that make it safe to use: it keeps nothing it may not keep (ADR 0009).</summary>
public sealed class ApiKeyCacheTests
{
    private sealed class StepClock : TimeProvider
    {
        public long Ticks { get; set; } = 1_000;

        public override long GetTimestamp() => Ticks;

        public override long TimestampFrequency => TimeSpan.TicksPerSecond;
    }

    private static readonly AuthenticatedKey Key = new(Guid.NewGuid(), Guid.NewGuid(), false, ApiKeyRole.Member);

    private static (ApiKeyCache Cache, StepClock Clock) Listening(int maxEntries = 100)
    {
        var clock = new StepClock();
        var cache = new ApiKeyCache(new ApiKeyCacheOptions(true, TimeSpan.FromSeconds(60), maxEntries), clock);
        cache.SetListening(true);
        return (cache, clock);
    }

    [Fact]
    public void A_key_read_while_nothing_changed_is_answered_from_the_cache_until_its_lifetime_ends()
    {
        var (cache, clock) = Listening();
        cache.Add("v1", Key, cache.Generation);

        Assert.True(cache.TryGet("v1", out var found));
        Assert.Equal(Key, found);
        Assert.Equal(1, cache.Hits);

        clock.Ticks += TimeSpan.FromSeconds(59).Ticks;
        Assert.True(cache.TryGet("v1", out _));
        clock.Ticks += TimeSpan.FromSeconds(2).Ticks;
        Assert.False(cache.TryGet("v1", out _));
        Assert.Equal(0, cache.Count); // the expired entry is gone, not only hidden
    }

    [Fact]
    public void A_read_that_a_change_overtook_is_not_kept()
    {
        var (cache, _) = Listening();
        var before = cache.Generation;
        cache.Invalidate(); // a revocation committed while the read ran: the read may have seen the key before it
        cache.Add("v1", Key, before);

        Assert.False(cache.TryGet("v1", out _));
        Assert.Equal(0, cache.Count);
    }

    [Fact]
    public void A_change_forgets_every_key()
    {
        var (cache, _) = Listening();
        cache.Add("v1", Key, cache.Generation);
        cache.Add("v2", Key with { KeyId = Guid.NewGuid() }, cache.Generation);

        cache.Invalidate();

        Assert.False(cache.TryGet("v1", out _));
        Assert.False(cache.TryGet("v2", out _));
    }

    [Fact]
    public void Nothing_is_kept_or_answered_while_the_listener_is_not_connected()
    {
        var clock = new StepClock();
        var cache = new ApiKeyCache(new ApiKeyCacheOptions(true, TimeSpan.FromSeconds(60), 100), clock);
        cache.Add("v1", Key, cache.Generation); // before the first LISTEN
        Assert.False(cache.TryGet("v1", out _));

        cache.SetListening(true);
        cache.Add("v1", Key, cache.Generation);
        Assert.True(cache.TryGet("v1", out _));

        // The connection failed: changes may go unannounced from now on, so what is known is forgotten and nothing new kept.
        cache.SetListening(false);
        Assert.False(cache.TryGet("v1", out _));
        cache.Add("v1", Key, cache.Generation);
        Assert.Equal(0, cache.Count);

        // A read that started before the listener came back may have missed a change made while nobody listened.
        var beforeReconnect = cache.Generation;
        cache.SetListening(true);
        cache.Add("v1", Key, beforeReconnect);
        Assert.False(cache.TryGet("v1", out _));
    }

    [Fact]
    public void A_disabled_cache_keeps_nothing_even_while_listening()
    {
        var cache = new ApiKeyCache(new ApiKeyCacheOptions(false, TimeSpan.FromSeconds(60), 100), new StepClock());
        cache.SetListening(true);
        cache.Add("v1", Key, cache.Generation);
        Assert.False(cache.TryGet("v1", out _));
    }

    [Fact]
    public void A_full_cache_keeps_no_more_keys_and_still_answers_the_ones_it_has()
    {
        var (cache, _) = Listening(maxEntries: 2);
        cache.Add("v1", Key, cache.Generation);
        cache.Add("v2", Key, cache.Generation);
        cache.Add("v3", Key, cache.Generation);

        Assert.Equal(2, cache.Count);
        Assert.True(cache.TryGet("v1", out _));
        Assert.False(cache.TryGet("v3", out _));
    }

    [Fact]
    public void A_full_cache_makes_room_by_dropping_expired_keys()
    {
        var (cache, clock) = Listening(maxEntries: 2);
        cache.Add("v1", Key, cache.Generation);
        clock.Ticks += TimeSpan.FromSeconds(30).Ticks;
        cache.Add("v2", Key, cache.Generation);
        clock.Ticks += TimeSpan.FromSeconds(31).Ticks; // v1 expired, v2 not

        cache.Add("v3", Key, cache.Generation);

        Assert.Equal(2, cache.Count);
        Assert.True(cache.TryGet("v2", out _));
        Assert.True(cache.TryGet("v3", out _));
    }

    [Theory]
    [InlineData("0", null)]
    [InlineData("-5", null)]
    [InlineData("7200", null)]
    [InlineData(null, "0")]
    public void Settings_out_of_range_are_refused_at_start_with_the_setting_named(string? seconds, string? maxEntries)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Auth:KeyCache:Seconds"] = seconds,
            ["Auth:KeyCache:MaxEntries"] = maxEntries,
        }).Build();

        var error = Assert.Throws<InvalidOperationException>(() => ApiKeyCacheOptions.From(configuration));
        Assert.Contains(seconds is null ? "Auth:KeyCache:MaxEntries" : "Auth:KeyCache:Seconds", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_defaults_keep_keys_for_a_minute()
    {
        var options = ApiKeyCacheOptions.From(new ConfigurationBuilder().Build());
        Assert.Equal(new ApiKeyCacheOptions(true, TimeSpan.FromSeconds(60), 10_000), options);
    }
}
