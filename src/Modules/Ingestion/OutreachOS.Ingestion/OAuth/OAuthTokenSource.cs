using System.Globalization;
using System.Net;
using System.Text.Json;
using Microsoft.Extensions.Logging;

namespace OutreachOS.Ingestion.OAuth;

/// <summary>
/// Obtains access tokens from a token endpoint and keeps the current one in memory until
/// <see cref="TokenLifetime.UsableUntil"/>. One refresh at a time: concurrent callers wait for it and share its token
/// (they re-check the cache after the lock), so a burst of notifications at start-up costs one token request. 5xx
/// answers and timeouts are retried up to <see cref="OAuthClientOptions.MaxAttempts"/>; 4xx (invalid_grant, ...) are not —
/// retrying a revoked grant only hammers the endpoint. One instance per provider for the process.
/// </summary>
internal sealed class OAuthTokenSource(HttpClient http, OAuthClientOptions options, TimeProvider clock, ILogger<OAuthTokenSource> logger)
    : IAccessTokenSource, IDisposable
{
    private readonly SemaphoreSlim _refresh = new(1, 1);
    private volatile Cached? _current;

    public bool CanRefresh => true;

    public async ValueTask<string?> GetAsync(CancellationToken ct)
    {
        if (Valid(_current) is { } hit)
        {
            return hit;
        }
        await _refresh.WaitAsync(ct);
        try
        {
            if (Valid(_current) is { } shared)
            {
                return shared;
            }
            var fresh = await RequestAsync(ct);
            _current = fresh;
            return fresh.Token;
        }
        finally
        {
            _refresh.Release();
        }
    }

    public void Invalidate(string token)
    {
        var current = _current;
        if (current is not null && current.Token == token)
        {
            // Compare-and-swap: a token that replaced the rejected one meanwhile stays.
            Interlocked.CompareExchange(ref _current, null, current);
            logger.LogInformation("{Provider} access token rejected by the API; a new one will be requested", options.Provider);
        }
    }

    public void Dispose() => _refresh.Dispose();

    private string? Valid(Cached? c) => c is not null && clock.GetUtcNow() < c.UsableUntil ? c.Token : null;

    private async Task<Cached> RequestAsync(CancellationToken ct)
    {
        for (var attempt = 1; ; attempt++)
        {
            var last = attempt >= options.MaxAttempts;
            try
            {
                using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
                timeout.CancelAfter(options.Timeout);
                using var content = new FormUrlEncodedContent(options.Form(clock.GetUtcNow()));
                using var response = await http.PostAsync(options.TokenUrl, content, timeout.Token);
                var body = await response.Content.ReadAsStringAsync(timeout.Token);
                if (response.IsSuccessStatusCode)
                {
                    return Parse(body);
                }
                var (error, description) = ErrorOf(body);
                var status = (int)response.StatusCode;
                var transient = status >= 500 || response.StatusCode == HttpStatusCode.TooManyRequests;
                logger.LogWarning("{Provider} token endpoint answered {Status} {Error} (attempt {Attempt} of {Max})",
                    options.Provider, status, error ?? "-", attempt, transient ? options.MaxAttempts : attempt);
                if (!transient || last)
                {
                    throw new OAuthTokenException(options.Provider, status, error, description);
                }
            }
            catch (Exception e) when (e is HttpRequestException or OperationCanceledException && !ct.IsCancellationRequested)
            {
                // Connection failure or our per-attempt timeout (not the caller's cancellation).
                logger.LogWarning("{Provider} token endpoint unreachable or timed out: {Kind} (attempt {Attempt} of {Max})",
                    options.Provider, e.GetType().Name, attempt, options.MaxAttempts);
                if (last)
                {
                    throw new OAuthTokenException(options.Provider, null, e is OperationCanceledException ? "timeout" : "unreachable",
                        e is OperationCanceledException ? $"no answer within {options.Timeout.TotalSeconds:0.#} s" : null, e);
                }
            }
            await Task.Delay(options.RetryDelay * attempt, clock, ct);
        }
    }

    private Cached Parse(string body)
    {
        string? token = null;
        var lifetime = TokenLifetime.DefaultLifetime;
        try
        {
            using var doc = JsonDocument.Parse(body);
            var root = doc.RootElement;
            if (root.ValueKind == JsonValueKind.Object)
            {
                token = root.TryGetProperty("access_token", out var t) && t.ValueKind == JsonValueKind.String ? t.GetString() : null;
                if (root.TryGetProperty("expires_in", out var e))
                {
                    // Google sends a number; some Microsoft endpoints have sent a string.
                    if (e.ValueKind == JsonValueKind.Number && e.TryGetInt64(out var n)
                        || e.ValueKind == JsonValueKind.String && long.TryParse(e.GetString(), NumberStyles.None, CultureInfo.InvariantCulture, out n))
                    {
                        lifetime = TimeSpan.FromSeconds(n);
                    }
                }
            }
        }
        catch (JsonException)
        {
        }
        if (string.IsNullOrEmpty(token))
        {
            throw new OAuthTokenException(options.Provider, 200, "invalid_response", "the token response has no access_token");
        }
        return new Cached(token, TokenLifetime.UsableUntil(clock.GetUtcNow(), lifetime));
    }

    /// <summary>RFC 6749 §5.2 error fields; the description is cut short and scrubbed of our own secrets just in case.</summary>
    private (string? Error, string? Description) ErrorOf(string body)
    {
        try
        {
            using var doc = JsonDocument.Parse(body);
            var root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                return (null, null);
            }
            var error = root.TryGetProperty("error", out var e) && e.ValueKind == JsonValueKind.String ? e.GetString() : null;
            var description = root.TryGetProperty("error_description", out var d) && d.ValueKind == JsonValueKind.String ? d.GetString() : null;
            return (Scrub(error, 64), Scrub(description, 300));
        }
        catch (JsonException)
        {
            return (null, null);
        }
    }

    private string? Scrub(string? text, int max)
    {
        if (string.IsNullOrEmpty(text))
        {
            return null;
        }
        foreach (var secret in options.Secrets())
        {
            text = text.Replace(secret, "***", StringComparison.Ordinal);
        }
        return text.Length <= max ? text : text[..max] + "…";
    }

    private sealed record Cached(string Token, DateTimeOffset UsableUntil);
}
