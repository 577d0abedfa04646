namespace OutreachOS.Llm.Anthropic;

/// <summary>The Anthropic SDK retries above its HttpClient, so a handler in it sees every HTTP attempt.</summary>
internal sealed class HttpAttemptCountingHandler : DelegatingHandler
{
    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        HttpAttemptCounter.Increment();
        return base.SendAsync(request, cancellationToken);
    }

    protected override HttpResponseMessage Send(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        HttpAttemptCounter.Increment();
        return base.Send(request, cancellationToken);
    }
}
