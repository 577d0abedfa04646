using System.ClientModel.Primitives;

namespace OutreachOS.Llm.OpenAI;

/// <summary>
/// The SDK's retry policy with <see cref="RetryDelayCap"/>: no wait above the cap, and no retry at all when the
/// provider's <c>Retry-After</c> asks for longer (the call then fails with the provider's status, at once).
/// </summary>
internal sealed class BoundedRetryPolicy(int maxRetries, TimeProvider time) : ClientRetryPolicy(maxRetries)
{
    protected override bool ShouldRetry(PipelineMessage message, Exception? exception) =>
        base.ShouldRetry(message, exception) && !AsksTooLong(message);

    protected override async ValueTask<bool> ShouldRetryAsync(PipelineMessage message, Exception? exception) =>
        await base.ShouldRetryAsync(message, exception) && !AsksTooLong(message);

    protected override TimeSpan GetNextDelay(PipelineMessage message, int tryCount) =>
        RetryDelayCap.Cap(base.GetNextDelay(message, tryCount));

    private bool AsksTooLong(PipelineMessage message)
    {
        if (message.Response is not { } response)
        {
            return false;
        }

        response.Headers.TryGetValue("retry-after-ms", out var retryAfterMs);
        response.Headers.TryGetValue("Retry-After", out var retryAfter);
        return RetryDelayCap.AsksTooLong(RetryDelayCap.RetryAfter(retryAfterMs, retryAfter, time.GetUtcNow()));
    }
}
