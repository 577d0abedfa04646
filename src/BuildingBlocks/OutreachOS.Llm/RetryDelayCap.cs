using System.Globalization;

namespace OutreachOS.Llm;

/// <summary>
/// How long the SDKs may wait between retries (ADR 0008 addendum). A provider's <c>Retry-After</c> can ask for minutes
/// (a 429 with <c>Retry-After: 600</c>); the SDKs would sleep that long per retry, far beyond <c>Llm:TimeoutSeconds</c>
/// and the credit reservation. A wait up to <see cref="MaxDelay"/> is honoured; a longer one is not waited for: the
/// call fails at once as a transient provider failure with the provider's status.
/// </summary>
internal static class RetryDelayCap
{
    public static readonly TimeSpan MaxDelay = TimeSpan.FromSeconds(5);

    /// <summary>The delay the SDK computed, never more than <see cref="MaxDelay"/>.</summary>
    public static TimeSpan Cap(TimeSpan delay) => delay > MaxDelay ? MaxDelay : delay < TimeSpan.Zero ? TimeSpan.Zero : delay;

    /// <summary>True when the provider asked to wait longer than <see cref="MaxDelay"/> before retrying.</summary>
    public static bool AsksTooLong(TimeSpan? retryAfter) => retryAfter > MaxDelay;

    /// <summary>
    /// The wait the provider asked for: <c>retry-after-ms</c> (OpenAI, Anthropic) before <c>Retry-After</c>
    /// (seconds or an HTTP date). Null when neither is present or readable.
    /// </summary>
    public static TimeSpan? RetryAfter(string? retryAfterMs, string? retryAfter, DateTimeOffset now)
    {
        if (double.TryParse(retryAfterMs, NumberStyles.Float, CultureInfo.InvariantCulture, out var ms) && double.IsFinite(ms))
        {
            return TimeSpan.FromMilliseconds(Math.Max(0, ms));
        }

        if (string.IsNullOrWhiteSpace(retryAfter))
        {
            return null;
        }

        if (double.TryParse(retryAfter, NumberStyles.Float, CultureInfo.InvariantCulture, out var seconds) && double.IsFinite(seconds))
        {
            return TimeSpan.FromSeconds(Math.Clamp(seconds, 0, TimeSpan.MaxValue.TotalSeconds / 2));
        }

        return DateTimeOffset.TryParseExact(retryAfter.Trim(), "r", CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var at)
            ? at > now ? at - now : TimeSpan.Zero
            : null;
    }

    /// <summary>
    /// The longest a whole call may take, retries included: every attempt its <c>Llm:TimeoutSeconds</c> plus the longest
    /// wait before each. The SDKs' own backoff stays well inside it; anything slower is cut off as a transient failure.
    /// </summary>
    public static TimeSpan CallDeadline(LlmSettings settings) =>
        (settings.Timeout + MaxDelay) * (settings.MaxRetries + 1);
}
