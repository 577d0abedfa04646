using System.Globalization;
using System.Net;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging.Abstractions;
using OutreachOS.Ingestion;
using OutreachOS.Ingestion.Gmail;
using OutreachOS.Ingestion.Graph;
using OutreachOS.Ingestion.OAuth;

namespace OutreachOS.IntegrationTests.Ingestion.OAuth;

/// <summary>
/// The Gmail and Graph adapters against <see cref="OAuthStub"/> over real HTTP: token caching, expiry on a hand-moved
/// clock, 401 → one refresh and one retry, token endpoint errors, and the form fields each grant sends.
/// </summary>
public sealed class MailboxOAuthTests : IAsyncLifetime
{
    private const string GmailSecret = "gmail-client-secret-xyz";
    private const string GmailRefresh = "1//gmail-refresh-token-abc";
    private const string GraphSecret = "graph-client-secret-qrs";
    private const string Mailbox = "inbox@acme.test";

    private readonly OAuthClock _clock = new(DateTimeOffset.Parse("2026-11-22T08:00:00Z", CultureInfo.InvariantCulture));
    private readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(30) };
    private OAuthStub _stub = null!;
    private IngestionOptions _options = null!;
    private OAuthTokenSource _gmailTokens = null!;
    private OAuthTokenSource _graphTokens = null!;

    public async Task InitializeAsync()
    {
        _stub = await OAuthStub.StartAsync();
        var config = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Ingestion:Gmail:BaseUrl"] = new Uri(_stub.BaseUrl, "gmail-api/").ToString(),
            ["Ingestion:Gmail:OAuth:TokenUrl"] = new Uri(_stub.BaseUrl, "google/token").ToString(),
            ["Ingestion:Gmail:OAuth:ClientId"] = "gmail-client",
            ["Ingestion:Gmail:OAuth:ClientSecret"] = GmailSecret,
            ["Ingestion:Gmail:OAuth:RefreshToken"] = GmailRefresh,
            ["Ingestion:Gmail:OAuth:RetryDelayMs"] = "0",
            ["Ingestion:Graph:BaseUrl"] = new Uri(_stub.BaseUrl, "graph/v1.0/").ToString(),
            ["Ingestion:Graph:OAuth:TokenUrl"] = new Uri(_stub.BaseUrl, "tenant-1/oauth2/v2.0/token").ToString(),
            ["Ingestion:Graph:OAuth:ClientId"] = "graph-client",
            ["Ingestion:Graph:OAuth:ClientSecret"] = GraphSecret,
            ["Ingestion:Graph:OAuth:RetryDelayMs"] = "0",
        }).Build();
        _options = IngestionOptions.From(config);
        _gmailTokens = new OAuthTokenSource(_http, _options.Gmail.OAuth!, _clock, NullLogger<OAuthTokenSource>.Instance);
        _graphTokens = new OAuthTokenSource(_http, _options.Graph.OAuth!, _clock, NullLogger<OAuthTokenSource>.Instance);
    }

    public async Task DisposeAsync()
    {
        _gmailTokens.Dispose();
        _graphTokens.Dispose();
        _http.Dispose();
        await _stub.DisposeAsync();
    }

    private GmailMailboxAdapter Gmail() => new(_http, _options, _gmailTokens, NullLogger<GmailMailboxAdapter>.Instance);

    private GraphMailboxAdapter Graph() => new(_http, _options, _graphTokens);

    [Fact]
    public async Task Many_gmail_fetches_cost_one_refresh_token_request_with_the_right_form_fields()
    {
        for (var i = 0; i < 5; i++)
        {
            var email = await Gmail().FetchAsync(Mailbox, $"m{i}", default);
            Assert.Equal($"<m{i}@gmail.test>", email!.MessageId);
        }
        var (path, form) = Assert.Single(_stub.TokenRequests);
        Assert.Equal("/google/token", path);
        Assert.Equal("refresh_token", form["grant_type"]);
        Assert.Equal("gmail-client", form["client_id"]);
        Assert.Equal(GmailSecret, form["client_secret"]);
        Assert.Equal(GmailRefresh, form["refresh_token"]);
        Assert.Equal(5, _stub.ApiRequests.Count(r => r.Status == 200));
    }

    [Fact]
    public async Task An_expired_token_is_refreshed_before_the_next_fetch()
    {
        await Gmail().FetchAsync(Mailbox, "a", default);
        _clock.Now += TimeSpan.FromMinutes(56);
        await Gmail().FetchAsync(Mailbox, "b", default);
        Assert.Equal(2, _stub.TokenRequests.Count);
        var auths = _stub.ApiRequests.Select(r => r.Authorization).ToList();
        Assert.NotEqual(auths[0], auths[1]);
        Assert.All(_stub.ApiRequests, r => Assert.Equal(200, r.Status));
    }

    [Fact]
    public async Task A_401_refreshes_the_token_and_retries_once_successfully()
    {
        await Gmail().FetchAsync(Mailbox, "a", default);
        _stub.RevokeAll();
        var email = await Gmail().FetchAsync(Mailbox, "b", default);
        Assert.Equal("<b@gmail.test>", email!.MessageId);
        Assert.Equal(2, _stub.TokenRequests.Count);
        Assert.Equal([200, 401, 200], _stub.ApiRequests.Select(r => r.Status));
    }

    [Fact]
    public async Task A_second_401_is_an_error_not_a_loop()
    {
        _stub.RejectAll = true;
        var e = await Assert.ThrowsAsync<HttpRequestException>(() => Gmail().FetchAsync(Mailbox, "a", default));
        Assert.Equal(HttpStatusCode.Unauthorized, e.StatusCode);
        Assert.Equal(2, _stub.ApiRequests.Count);
        Assert.Equal(2, _stub.TokenRequests.Count);
    }

    [Fact]
    public async Task Invalid_grant_is_a_clear_error_that_names_the_oauth_error_but_no_secret()
    {
        _stub.TokenError = "invalid_grant";
        var e = await Assert.ThrowsAsync<OAuthTokenException>(() => Gmail().FetchAsync(Mailbox, "a", default));
        Assert.StartsWith("Gmail OAuth token request failed (HTTP 400): invalid_grant (Token has been expired or revoked.).", e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(GmailSecret, e.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain(GmailRefresh, e.ToString(), StringComparison.Ordinal);
        Assert.Single(_stub.TokenRequests);
        Assert.Empty(_stub.ApiRequests);
    }

    [Fact]
    public async Task Concurrent_first_graph_fetches_share_one_client_credentials_request()
    {
        _stub.TokenDelayMs = 200;
        var fetches = Enumerable.Range(0, 6).Select(i => Graph().FetchAsync(Mailbox, $"users/u1/messages/g{i}", default)).ToList();
        var emails = await Task.WhenAll(fetches);
        Assert.All(emails, e => Assert.NotNull(e));
        var (path, form) = Assert.Single(_stub.TokenRequests);
        Assert.Equal("/tenant-1/oauth2/v2.0/token", path);
        Assert.Equal("client_credentials", form["grant_type"]);
        Assert.Equal("graph-client", form["client_id"]);
        Assert.Equal(GraphSecret, form["client_secret"]);
        Assert.Equal("https://graph.microsoft.com/.default", form["scope"]);
        Assert.False(form.ContainsKey("refresh_token"));
        Assert.Equal(6, _stub.ApiRequests.Count(r => r.Status == 200));
    }

    [Fact]
    public async Task A_graph_401_refreshes_and_retries_once()
    {
        await Graph().FetchAsync(Mailbox, "users/u1/messages/x", default);
        _stub.RevokeAll();
        var email = await Graph().FetchAsync(Mailbox, "users/u1/messages/y", default);
        Assert.Equal("<y@graph.test>", email!.MessageId);
        Assert.Equal(2, _stub.TokenRequests.Count);
    }
}

internal sealed class OAuthClock(DateTimeOffset now) : TimeProvider
{
    public DateTimeOffset Now { get; set; } = now;

    public override DateTimeOffset GetUtcNow() => Now;
}
