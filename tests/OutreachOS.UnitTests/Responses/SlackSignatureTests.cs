using OutreachOS.Triage.Slack;

namespace OutreachOS.UnitTests.Responses;

public sealed class SlackSignatureTests
{
    // Slack's published example (api.slack.com/authentication/verifying-requests-from-slack).
    private const string Secret = "8f742231b10e8888abcd99yyyzzz85a5";
    private const string Timestamp = "1531420618";
    private const string Body = "token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow&channel_id=G8PSS9T3V&channel_name=foobar&user_id=U2CERLKJA&user_name=roadrunner&command=%2Fwebhook-collect&text=&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2FT1DC2JH3J%2F397700885554%2F96rGlfmibIGlgcZRskXaIFfN&trigger_id=398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c";
    private const string Expected = "v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503";
    private static readonly DateTimeOffset SentAt = DateTimeOffset.FromUnixTimeSeconds(1531420618);

    [Fact]
    public void Slacks_published_example_computes_the_published_signature() =>
        Assert.Equal(Expected, SlackSignature.Compute(Secret, Timestamp, Body));

    [Fact]
    public void Slacks_published_example_is_accepted_within_the_window() =>
        Assert.Equal(SlackVerification.Valid, SlackSignature.Verify(Secret, Timestamp, Expected, Body, SentAt.AddSeconds(30), SlackOptions.ReplayWindow));

    [Fact]
    public void A_changed_body_is_rejected() =>
        Assert.Equal(SlackVerification.BadSignature, SlackSignature.Verify(Secret, Timestamp, Expected, Body.Replace("roadrunner", "coyote", StringComparison.Ordinal), SentAt, SlackOptions.ReplayWindow));

    [Fact]
    public void Another_secret_is_rejected() =>
        Assert.Equal(SlackVerification.BadSignature, SlackSignature.Verify(Secret + "x", Timestamp, Expected, Body, SentAt, SlackOptions.ReplayWindow));

    [Theory]
    [InlineData(301)]
    [InlineData(-301)]
    public void A_valid_signature_outside_the_five_minute_window_is_refused_as_a_replay(int offsetSeconds) =>
        Assert.Equal(SlackVerification.Stale, SlackSignature.Verify(Secret, Timestamp, Expected, Body, SentAt.AddSeconds(offsetSeconds), SlackOptions.ReplayWindow));

    [Theory]
    [InlineData(299)]
    [InlineData(-299)]
    public void A_request_just_inside_the_window_is_accepted(int offsetSeconds) =>
        Assert.Equal(SlackVerification.Valid, SlackSignature.Verify(Secret, Timestamp, Expected, Body, SentAt.AddSeconds(offsetSeconds), SlackOptions.ReplayWindow));

    [Theory]
    [InlineData(null, Expected)]
    [InlineData(Timestamp, null)]
    [InlineData("12ab", Expected)]
    public void Missing_or_malformed_headers_are_refused(string? timestamp, string? signature) =>
        Assert.Equal(SlackVerification.MissingHeaders, SlackSignature.Verify(Secret, timestamp, signature, Body, SentAt, SlackOptions.ReplayWindow));

    [Fact]
    public void Without_a_configured_secret_nothing_is_accepted() =>
        Assert.Equal(SlackVerification.NotConfigured, SlackSignature.Verify(null, Timestamp, Expected, Body, SentAt, SlackOptions.ReplayWindow));
}
