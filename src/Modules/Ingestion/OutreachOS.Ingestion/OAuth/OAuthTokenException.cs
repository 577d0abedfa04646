namespace OutreachOS.Ingestion.OAuth;

/// <summary>
/// The token endpoint refused or failed. Carries the OAuth <c>error</c> / <c>error_description</c> (RFC 6749 §5.2) and the
/// HTTP status, never the client secret, refresh token or any access token.
/// </summary>
internal sealed class OAuthTokenException(string provider, int? status, string? error, string? description, Exception? inner = null)
    : InvalidOperationException(Describe(provider, status, error, description), inner)
{
    public string Provider { get; } = provider;

    public int? Status { get; } = status;

    /// <summary>The OAuth error code (invalid_grant, invalid_client, ...), or null when the endpoint sent none.</summary>
    public string? Error { get; } = error;

    public string? ErrorDescription { get; } = description;

    private static string Describe(string provider, int? status, string? error, string? description)
    {
        var what = status is { } s ? $"HTTP {s}" : "no response";
        var detail = error is null ? "" : description is null ? $": {error}" : $": {error} ({description})";
        var hint = error == "invalid_grant"
            ? " The refresh token is expired or revoked, or the client id/secret do not match it: obtain a new one."
            : error is "invalid_client" or "unauthorized_client" ? " Check the OAuth client id and secret." : "";
        return $"{provider} OAuth token request failed ({what}){detail}.{hint}";
    }
}
