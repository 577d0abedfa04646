using Microsoft.Extensions.Configuration;
using OutreachOS.Llm;

namespace OutreachOS.UnitTests.Llm;

/// <summary>The retry-delay policy both providers share (ADR 0008 addendum).</summary>
public sealed class RetryDelayCapTests
{
    private static readonly DateTimeOffset Now = new(2026, 12, 3, 8, 0, 0, TimeSpan.Zero);

    [Theory]
    [InlineData(null, "600", 600_000)]
    [InlineData(null, "2", 2_000)]
    [InlineData(null, "0.5", 500)]
    [InlineData("1500", "600", 1_500)] // retry-after-ms wins: it is the more precise of the two
    [InlineData(null, "Thu, 03 Dec 2026 08:10:00 GMT", 600_000)]
    [InlineData(null, "Thu, 03 Dec 2026 07:00:00 GMT", 0)]
    public void Reads_the_wait_the_provider_asked_for(string? retryAfterMs, string retryAfter, int expectedMs) =>
        Assert.Equal(TimeSpan.FromMilliseconds(expectedMs), RetryDelayCap.RetryAfter(retryAfterMs, retryAfter, Now));

    [Theory]
    [InlineData(null, null)]
    [InlineData(null, "")]
    [InlineData(null, "soon")]
    public void No_readable_retry_after_is_no_wait_asked(string? retryAfterMs, string? retryAfter) =>
        Assert.Null(RetryDelayCap.RetryAfter(retryAfterMs, retryAfter, Now));

    [Fact]
    public void Waits_above_the_cap_are_cut_to_it_and_a_longer_retry_after_is_too_long()
    {
        Assert.Equal(RetryDelayCap.MaxDelay, RetryDelayCap.Cap(TimeSpan.FromMinutes(10)));
        Assert.Equal(TimeSpan.FromSeconds(1), RetryDelayCap.Cap(TimeSpan.FromSeconds(1)));
        Assert.True(RetryDelayCap.AsksTooLong(TimeSpan.FromSeconds(600)));
        Assert.False(RetryDelayCap.AsksTooLong(RetryDelayCap.MaxDelay));
        Assert.False(RetryDelayCap.AsksTooLong(null));
    }

    [Fact]
    public void The_whole_call_is_bounded_by_each_attempts_timeout_plus_the_capped_wait_before_it()
    {
        var settings = LlmSettings.From(new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Llm:TimeoutSeconds"] = "10",
            ["Llm:MaxRetries"] = "2",
        }).Build());

        Assert.Equal(TimeSpan.FromSeconds(3 * (10 + RetryDelayCap.MaxDelay.TotalSeconds)), RetryDelayCap.CallDeadline(settings));
    }
}
