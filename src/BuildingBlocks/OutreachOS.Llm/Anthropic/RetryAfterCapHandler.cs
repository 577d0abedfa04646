using System.Globalization;

namespace OutreachOS.Llm.Anthropic;

/// <summary>
/// Applies <see cref="RetryDelayCap"/> to the Anthropic SDK, which has no retry-delay option: an answer whose
/// <c>Retry-After</c> asks for longer than the cap gets <c>x-should-retry: false</c>, which the SDK obeys, so the call
/// fails with the provider's status at once instead of sleeping.
/// </summary>
internal sealed class RetryAfterCapHandler(TimeProvider time) : DelegatingHandler
{
    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken) =>
        Cap(await base.SendAsync(request, cancellationToken));

    protected override HttpResponseMessage Send(HttpRequestMessage request, CancellationToken cancellationToken) =>
        Cap(base.Send(request, cancellationToken));

    private HttpResponseMessage Cap(HttpResponseMessage response)
    {
        if (response.IsSuccessStatusCode)
        {
            return response;
        }

        var retryAfterMs = response.Headers.TryGetValues("retry-after-ms", out var ms) ? ms.FirstOrDefault() : null;
        var retryAfter = response.Headers.RetryAfter switch
        {
            { Delta: { } delta } => delta.TotalSeconds.ToString(CultureInfo.InvariantCulture),
            { Date: { } date } => date.ToString("r", CultureInfo.InvariantCulture),
            _ => null,
        };
        if (RetryDelayCap.AsksTooLong(RetryDelayCap.RetryAfter(retryAfterMs, retryAfter, time.GetUtcNow())))
        {
            response.Headers.Remove("x-should-retry");
            response.Headers.TryAddWithoutValidation("x-should-retry", "false");
        }

        return response;
    }
}
