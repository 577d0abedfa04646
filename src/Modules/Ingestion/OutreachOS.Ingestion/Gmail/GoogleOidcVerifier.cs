using System.Security.Cryptography;
using Microsoft.Extensions.Logging;

namespace OutreachOS.Ingestion.Gmail;

/// <summary>
/// Verifies the bearer token of a Pub/Sub push against Google's JWKS (<c>Ingestion:Gmail:JwksUrl</c>), cached for an
/// hour and re-fetched early (at most every 30 s) when a token names a key we do not have — Google rotates keys.
/// </summary>
internal sealed class GoogleOidcVerifier(HttpClient http, IngestionOptions options, TimeProvider clock, ILogger<GoogleOidcVerifier> logger)
{
    private readonly SemaphoreSlim _gate = new(1, 1);
    private IReadOnlyDictionary<string, RSAParameters> _keys = new Dictionary<string, RSAParameters>();
    private DateTimeOffset _fetchedAt = DateTimeOffset.MinValue;

    public async Task<OidcResult> VerifyAsync(string? authorization, CancellationToken ct)
    {
        var gmail = options.Gmail;
        if (string.IsNullOrWhiteSpace(gmail.Audience))
        {
            return OidcResult.Fail("Ingestion:Gmail:Audience is not configured");
        }
        if (string.IsNullOrWhiteSpace(gmail.ServiceAccountEmail))
        {
            return OidcResult.Fail("Ingestion:Gmail:ServiceAccountEmail is not configured");
        }
        if (authorization is null || !authorization.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            return OidcResult.Fail("missing bearer token");
        }
        var token = authorization["Bearer ".Length..].Trim();
        var expected = new OidcExpectations(gmail.Audience, gmail.ServiceAccountEmail, TimeSpan.FromMinutes(5));
        var now = clock.GetUtcNow();
        var result = JwtRs256.Validate(token, await KeysAsync(false, ct), expected, now);
        if (result.Error == "unknown signing key" && now - _fetchedAt > TimeSpan.FromSeconds(30))
        {
            result = JwtRs256.Validate(token, await KeysAsync(true, ct), expected, now);
        }
        return result;
    }

    private async Task<IReadOnlyDictionary<string, RSAParameters>> KeysAsync(bool refresh, CancellationToken ct)
    {
        if (!refresh && clock.GetUtcNow() - _fetchedAt < TimeSpan.FromHours(1))
        {
            return _keys;
        }
        await _gate.WaitAsync(ct);
        try
        {
            if (!refresh && clock.GetUtcNow() - _fetchedAt < TimeSpan.FromHours(1))
            {
                return _keys;
            }
            try
            {
                _keys = JwtRs256.ParseJwks(await http.GetStringAsync(options.Gmail.JwksUrl, ct));
            }
            catch (Exception e) when (e is HttpRequestException or System.Text.Json.JsonException or TaskCanceledException)
            {
                logger.LogWarning(e, "Could not fetch the JWKS from {JwksUrl}; keeping {Count} cached keys", options.Gmail.JwksUrl, _keys.Count);
            }
            _fetchedAt = clock.GetUtcNow();
            return _keys;
        }
        finally
        {
            _gate.Release();
        }
    }
}
