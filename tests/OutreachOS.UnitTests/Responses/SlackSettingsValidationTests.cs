using OutreachOS.Triage.Slack;

namespace OutreachOS.UnitTests.Responses;

public sealed class SlackSettingsValidationTests
{
    private const string Secret = "8f742231b10e8888abcd99yyyzzz85a5";
    private static readonly SlackOptions Defaults = new(null, null, ["hooks.slack.com"], false);

    [Fact]
    public void A_slack_https_webhook_and_a_secret_are_accepted()
    {
        var errors = SlackSettingsEndpoints.Validate(new SlackSettingsRequest("https://hooks.slack.com/services/T1/B2/abc", Secret), Defaults, false, out var url);
        Assert.False(errors.Any);
        Assert.Equal("hooks.slack.com", url!.Host);
    }

    [Theory]
    [InlineData("http://hooks.slack.com/services/T1/B2/abc")]
    [InlineData("https://169.254.169.254/latest/meta-data")]
    [InlineData("https://user:pw@hooks.slack.com/services/T1/B2/abc")]
    [InlineData("hooks.slack.com/services/T1/B2/abc")]
    [InlineData("")]
    public void Other_webhooks_are_refused_by_default(string url)
    {
        var errors = SlackSettingsEndpoints.Validate(new SlackSettingsRequest(url, Secret), Defaults, false, out var parsed);
        Assert.True(errors.Any);
        Assert.Null(parsed);
    }

    [Fact]
    public void Http_and_other_hosts_only_when_the_deployment_allows_them()
    {
        var open = new SlackOptions(null, null, ["*"], true);
        Assert.False(SlackSettingsEndpoints.Validate(new SlackSettingsRequest("http://127.0.0.1:8080/hook", Secret), open, false, out _).Any);
    }

    [Fact]
    public void The_secret_may_be_omitted_only_when_one_is_stored()
    {
        var request = new SlackSettingsRequest("https://hooks.slack.com/services/T1/B2/abc", null);
        Assert.True(SlackSettingsEndpoints.Validate(request, Defaults, false, out _).Any);
        Assert.False(SlackSettingsEndpoints.Validate(request, Defaults, true, out _).Any);
    }
}
