using Microsoft.Extensions.Configuration;
using OutreachOS.Generation;

namespace OutreachOS.UnitTests.Generation;

/// <summary>
/// A reservation must outlive its attempt set's model calls, or the sweeper refunds it while the retry still runs and the
/// settlement finds nothing to settle. Startup refuses such a configuration.
/// </summary>
public sealed class GenerationOptionsTests
{
    private static GenerationOptions From(params (string Key, string Value)[] settings) =>
        GenerationOptions.From(new ConfigurationBuilder()
            .AddInMemoryCollection(settings.Select(s => new KeyValuePair<string, string?>(s.Key, s.Value)))
            .Build());

    private static readonly (string, string)[] OpenAI =
    [
        ("Llm:Provider", "OpenAI"), ("Llm:Model", "gpt-4o-mini"), ("Llm:OpenAI:ApiKey", "sk-test"),
        ("Llm:Prices:gpt-4o-mini:InputPerMillion", "0.15"), ("Llm:Prices:gpt-4o-mini:OutputPerMillion", "0.6"),
    ];

    [Fact]
    public void A_reservation_shorter_than_two_model_calls_stops_startup()
    {
        // 60 s timeout + 5 s capped wait, 3 tries per call: 195 s per call, 390 s per attempt set.
        var e = Assert.Throws<InvalidOperationException>(() => From([.. OpenAI, ("Llm:TimeoutSeconds", "60"), ("Llm:MaxRetries", "2"),
            ("Credits:ReservationTimeout", "00:06:00")]));
        Assert.Contains("Credits:ReservationTimeout (00:06:00)", e.Message, StringComparison.Ordinal);
        Assert.Contains("00:06:30", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("00:06:31", "60", "2")]
    [InlineData("00:10:00", "60", "2")] // the defaults
    [InlineData("00:01:01", "10", "1")]
    public void A_reservation_that_outlives_the_calls_is_accepted(string timeout, string seconds, string retries)
    {
        var options = From([.. OpenAI, ("Credits:ReservationTimeout", timeout), ("Llm:TimeoutSeconds", seconds), ("Llm:MaxRetries", retries)]);
        Assert.Equal(TimeSpan.Parse(timeout, System.Globalization.CultureInfo.InvariantCulture), options.AbandonedAfter);
    }

    [Fact]
    public void A_reservation_exactly_as_long_as_the_calls_is_refused() =>
        // 2 calls × (10 s + 5 s) × 2 tries = 60 s.
        Assert.Throws<InvalidOperationException>(() =>
            From([.. OpenAI, ("Credits:ReservationTimeout", "00:01:00"), ("Llm:TimeoutSeconds", "10"), ("Llm:MaxRetries", "1")]));

    [Fact]
    public void The_offline_provider_and_free_generation_have_no_calls_to_outlive()
    {
        Assert.Equal(TimeSpan.FromSeconds(1), From(("Credits:ReservationTimeout", "00:00:01")).AbandonedAfter);
        Assert.Equal(0, From([.. OpenAI, ("Credits:ReservationTimeout", "00:00:01"), ("Generation:CreditsPerVariant", "0")]).CreditsPerVariant);
    }
}
