using System.Globalization;
using System.Net;
using Microsoft.Extensions.Logging.Abstractions;
using OutreachOS.Ingestion.OAuth;

namespace OutreachOS.UnitTests.Ingestion.OAuth;

public sealed class OAuthTokenSourceTests : IDisposable
{
    private const string Secret = "s3cr3t-client-secret";
    private const string Refresh = "1//refresh-token-value";
    private static readonly DateTimeOffset Start = DateTimeOffset.Parse("2026-11-22T08:00:00Z", CultureInfo.InvariantCulture);

    private readonly ManualClock _clock = new(Start);
    private readonly FakeTokenEndpoint _endpoint = new();
    private readonly HttpClient _http;
    private readonly OAuthTokenSource _source;

    public OAuthTokenSourceTests()
    {
        _http = new HttpClient(_endpoint);
        _source = new OAuthTokenSource(_http, Options(), _clock, NullLogger<OAuthTokenSource>.Instance);
    }

    public void Dispose()
    {
        _source.Dispose();
        _http.Dispose();
        _endpoint.Dispose();
    }

    private static OAuthClientOptions Options(int attempts = 3) => new(
        "Gmail", new Uri("https://oauth.test/token"), "client-1", Secret, Refresh, null, attempts, TimeSpan.Zero, TimeSpan.FromSeconds(5));

    [Fact]
    public async Task Repeated_calls_within_the_lifetime_share_one_token_request()
    {
        for (var i = 0; i < 5; i++)
        {
            Assert.Equal("token-1", await _source.GetAsync(default));
            _clock.Now += TimeSpan.FromMinutes(10);
        }
        Assert.Equal(1, _endpoint.Requests);
    }

    [Fact]
    public async Task A_token_is_replaced_once_the_clock_reaches_expiry_minus_the_five_minute_margin()
    {
        Assert.Equal("token-1", await _source.GetAsync(default));
        _clock.Now = Start + TimeSpan.FromMinutes(55) - TimeSpan.FromSeconds(1);
        Assert.Equal("token-1", await _source.GetAsync(default));
        _clock.Now = Start + TimeSpan.FromMinutes(55);
        Assert.Equal("token-2", await _source.GetAsync(default));
        Assert.Equal(2, _endpoint.Requests);
    }

    [Fact]
    public async Task A_short_token_keeps_a_ten_percent_margin()
    {
        _endpoint.Responder = n => (HttpStatusCode.OK, $$"""{"access_token":"short-{{n}}","expires_in":"600"}""");
        Assert.Equal("short-1", await _source.GetAsync(default));
        _clock.Now = Start + TimeSpan.FromSeconds(539);
        Assert.Equal("short-1", await _source.GetAsync(default));
        _clock.Now = Start + TimeSpan.FromSeconds(540);
        Assert.Equal("short-2", await _source.GetAsync(default));
    }

    [Fact]
    public async Task Invalidating_the_current_token_forces_a_new_request_but_a_stale_one_does_not()
    {
        Assert.Equal("token-1", await _source.GetAsync(default));
        _source.Invalidate("token-1");
        Assert.Equal("token-2", await _source.GetAsync(default));
        _source.Invalidate("token-1");
        Assert.Equal("token-2", await _source.GetAsync(default));
        Assert.Equal(2, _endpoint.Requests);
    }

    [Fact]
    public async Task Concurrent_first_callers_wait_for_one_refresh_and_get_its_token()
    {
        _endpoint.Gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var calls = Enumerable.Range(0, 8).Select(_ => _source.GetAsync(default).AsTask()).ToList();
        await Task.Yield();
        _endpoint.Gate.SetResult();
        var tokens = await Task.WhenAll(calls);
        Assert.All(tokens, t => Assert.Equal("token-1", t));
        Assert.Equal(1, _endpoint.Requests);
    }

    [Fact]
    public async Task The_refresh_token_grant_posts_grant_type_client_and_refresh_token()
    {
        await _source.GetAsync(default);
        var form = Parse(Assert.Single(_endpoint.Forms));
        Assert.Equal("refresh_token", form["grant_type"]);
        Assert.Equal("client-1", form["client_id"]);
        Assert.Equal(Secret, form["client_secret"]);
        Assert.Equal(Refresh, form["refresh_token"]);
        Assert.False(form.ContainsKey("scope"));
    }

    [Fact]
    public async Task Invalid_grant_is_a_clear_error_without_secrets_and_is_not_retried()
    {
        // A hostile or careless endpoint echoing our refresh token must not get it into the message.
        _endpoint.Responder = _ => (HttpStatusCode.BadRequest, $$"""{"error":"invalid_grant","error_description":"Token {{Refresh}} has been expired or revoked."}""");
        var e = await Assert.ThrowsAsync<OAuthTokenException>(() => _source.GetAsync(default).AsTask());
        Assert.Equal("invalid_grant", e.Error);
        Assert.Equal(400, e.Status);
        Assert.Contains("invalid_grant", e.Message, StringComparison.Ordinal);
        Assert.Contains("expired or revoked", e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(Refresh, e.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain(Secret, e.ToString(), StringComparison.Ordinal);
        Assert.Equal(1, _endpoint.Requests);
    }

    [Fact]
    public async Task A_5xx_is_retried_and_the_next_success_is_used()
    {
        _endpoint.Responder = n => n == 1 ? (HttpStatusCode.ServiceUnavailable, "") : (HttpStatusCode.OK, """{"access_token":"after-retry","expires_in":3600}""");
        Assert.Equal("after-retry", await _source.GetAsync(default));
        Assert.Equal(2, _endpoint.Requests);
    }

    [Fact]
    public async Task Persistent_5xx_gives_up_after_the_configured_attempts()
    {
        _endpoint.Responder = _ => (HttpStatusCode.BadGateway, """{"error":"temporarily_unavailable"}""");
        var e = await Assert.ThrowsAsync<OAuthTokenException>(() => _source.GetAsync(default).AsTask());
        Assert.Equal(502, e.Status);
        Assert.Equal(3, _endpoint.Requests);
    }

    [Fact]
    public async Task A_success_without_an_access_token_is_an_error_not_a_null_token()
    {
        _endpoint.Responder = _ => (HttpStatusCode.OK, """{"token_type":"Bearer"}""");
        var e = await Assert.ThrowsAsync<OAuthTokenException>(() => _source.GetAsync(default).AsTask());
        Assert.Equal("invalid_response", e.Error);
    }

    [Fact]
    public void The_options_text_names_the_client_but_not_its_secrets()
    {
        var text = Options().ToString();
        Assert.Contains("client-1", text, StringComparison.Ordinal);
        Assert.DoesNotContain(Secret, text, StringComparison.Ordinal);
        Assert.DoesNotContain(Refresh, text, StringComparison.Ordinal);
    }

    private static Dictionary<string, string> Parse(string form) => form.Split('&')
        .Select(p => p.Split('=', 2))
        .ToDictionary(p => Uri.UnescapeDataString(p[0].Replace('+', ' ')), p => Uri.UnescapeDataString(p[1].Replace('+', ' ')));
}
