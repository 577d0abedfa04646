using System.Net;
using Microsoft.Extensions.Configuration;
using OutreachOS.Ingestion;
using OutreachOS.Ingestion.Graph;
using OutreachOS.Ingestion.OAuth;

namespace OutreachOS.UnitTests.Ingestion;

/// <summary>The Graph adapter sends its bearer token to the configured Graph origin and nowhere else, whatever resource it is handed.</summary>
public sealed class GraphMailboxAdapterTests
{
    private sealed class Recorder : HttpMessageHandler
    {
        public List<(Uri Uri, string? Authorization)> Sent { get; } = [];

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            Sent.Add((request.RequestUri!, request.Headers.Authorization?.ToString()));
            return Task.FromResult(new HttpResponseMessage(HttpStatusCode.OK)
            {
                Content = new StringContent("""{"internetMessageId":"<m@o.test>","subject":"S","from":{"emailAddress":{"address":"a@b.test"}}}"""),
            });
        }
    }

    private static (GraphMailboxAdapter Adapter, Recorder Handler) Adapter()
    {
        var options = IngestionOptions.From(new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Ingestion:Graph:BaseUrl"] = "https://graph.example.test/v1.0/",
        }).Build());
        var handler = new Recorder();
        return (new GraphMailboxAdapter(new HttpClient(handler), options, new StaticAccessToken("secret-token")), handler);
    }

    [Theory]
    [InlineData("https://evil.example/x")]
    [InlineData("http://graph.example.test/v1.0/users/u1/messages/1")]
    [InlineData("https://graph.example.test:8443/v1.0/users/u1/messages/1")]
    [InlineData("//evil.example/x")]
    [InlineData("../../other/users/u1/messages/1")]
    public async Task A_resource_outside_the_configured_graph_base_url_is_refused_without_a_request(string resource)
    {
        var (adapter, handler) = Adapter();
        await Assert.ThrowsAsync<InvalidOperationException>(() => adapter.FetchAsync("sub-1", resource, CancellationToken.None));
        Assert.Empty(handler.Sent);
    }

    [Fact]
    public async Task A_message_path_is_fetched_under_the_base_url_with_the_token()
    {
        var (adapter, handler) = Adapter();
        var raw = await adapter.FetchAsync("sub-1", "users/u1/messages/AAMk1=", CancellationToken.None);
        Assert.Equal("<m@o.test>", raw!.MessageId);
        var (uri, authorization) = Assert.Single(handler.Sent);
        Assert.StartsWith("https://graph.example.test/v1.0/users/u1/messages/AAMk1=?$select=", uri.ToString(), StringComparison.Ordinal);
        Assert.Equal("Bearer secret-token", authorization);
    }
}
