using Microsoft.Extensions.Configuration;

namespace OutreachOS.Ingestion.OAuth;

/// <summary>
/// One OAuth client: Gmail uses the refresh-token grant (a user consented once; <see cref="RefreshToken"/> set) or a
/// service account's domain-wide delegation (<see cref="Delegation"/> set: the JWT-bearer grant), Graph the
/// client-credentials grant (an app registration with application permissions; <see cref="Scope"/> set).
/// <see cref="ToString"/> leaves the secrets out, so a logged or printed options object does not leak them.
/// </summary>
internal sealed record OAuthClientOptions(
    string Provider,
    Uri TokenUrl,
    string ClientId,
    string ClientSecret,
    string? RefreshToken,
    string? Scope,
    int MaxAttempts,
    TimeSpan RetryDelay,
    TimeSpan Timeout,
    ServiceAccountDelegation? Delegation = null)
{
    public const string GoogleTokenUrl = "https://oauth2.googleapis.com/token";
    public const string GraphScope = "https://graph.microsoft.com/.default";

    public string GrantType => Delegation is not null ? ServiceAccountDelegation.GrantType : RefreshToken is null ? "client_credentials" : "refresh_token";

    /// <summary>
    /// The form fields of the token request (RFC 6749 §6 and §4.4; RFC 7523 §2.1 with an assertion signed for
    /// <paramref name="now"/> when delegated).
    /// </summary>
    public IEnumerable<KeyValuePair<string, string>> Form(DateTimeOffset now)
    {
        yield return new("grant_type", GrantType);
        if (Delegation is not null)
        {
            yield return new("assertion", Delegation.Assertion(now));
            yield break;
        }
        yield return new("client_id", ClientId);
        yield return new("client_secret", ClientSecret);
        if (RefreshToken is not null)
        {
            yield return new("refresh_token", RefreshToken);
        }
        if (Scope is not null)
        {
            yield return new("scope", Scope);
        }
    }

    /// <summary>The values that must never appear in a message or log line.</summary>
    public IEnumerable<string> Secrets() =>
        Delegation is not null ? [Delegation.Key.PrivateKeyPem] : RefreshToken is null ? [ClientSecret] : [ClientSecret, RefreshToken];

    public override string ToString() => Delegation is not null
        ? $"{Provider} OAuth ({GrantType}, {Delegation}, {TokenUrl})"
        : $"{Provider} OAuth ({GrantType}, client {ClientId}, {TokenUrl})";

    /// <summary>
    /// A mailbox served by the service account of <c>Ingestion:Gmail:ServiceAccount</c> (domain-wide delegation): the
    /// retry and timeout settings come from that section.
    /// </summary>
    public static OAuthClientOptions Delegated(IConfigurationSection gmail, ServiceAccountKey key, string scope, string emailAddress)
    {
        var s = gmail.GetSection("ServiceAccount");
        return new OAuthClientOptions(
            $"Gmail ({emailAddress})",
            key.TokenUri,
            key.ClientEmail,
            "",
            null,
            null,
            Attempts(s),
            Delay(s),
            TimeSpan.FromSeconds(s.GetValue("TimeoutSeconds", 15)),
            new ServiceAccountDelegation(key, emailAddress.Trim(), scope));
    }

    /// <summary>
    /// <c>Ingestion:Gmail:OAuth</c>: null when the section is absent (the static AccessToken is used); otherwise
    /// ClientId, ClientSecret and RefreshToken are required, TokenUrl defaults to Google's.
    /// </summary>
    /// <remarks>
    /// When every configured mailbox has its own refresh token (<see cref="GmailMailbox"/>), the shared section may hold
    /// only the client id/secret and defaults: it then yields null here (no shared token) and serves as the fallback.
    /// </remarks>
    public static OAuthClientOptions? Gmail(IConfigurationSection gmail, bool refreshTokenRequired = true)
    {
        var s = gmail.GetSection("OAuth");
        if (!Configured(s))
        {
            return null;
        }
        if (!refreshTokenRequired && string.IsNullOrWhiteSpace(s["RefreshToken"]))
        {
            return null;
        }
        return new OAuthClientOptions(
            "Gmail",
            new Uri(s["TokenUrl"] ?? GoogleTokenUrl),
            Required(s, "ClientId"),
            Required(s, "ClientSecret"),
            Required(s, "RefreshToken"),
            s["Scope"],
            Attempts(s),
            Delay(s),
            TimeSpan.FromSeconds(s.GetValue("TimeoutSeconds", 15)));
    }

    /// <summary>
    /// <c>Ingestion:Gmail:Mailboxes:n:OAuth</c>: null when the mailbox has no section of its own (it uses the shared
    /// credential). Otherwise RefreshToken is required (a Gmail refresh token belongs to one user), and ClientId,
    /// ClientSecret, TokenUrl, MaxAttempts, RetryDelayMs and TimeoutSeconds fall back to <c>Ingestion:Gmail:OAuth</c>.
    /// </summary>
    public static OAuthClientOptions? GmailMailbox(IConfigurationSection mailbox, IConfigurationSection gmail, string emailAddress)
    {
        var own = mailbox.GetSection("OAuth");
        if (!Configured(own))
        {
            return null;
        }
        var shared = gmail.GetSection("OAuth");
        string Either(string key) =>
            !string.IsNullOrWhiteSpace(own[key]) ? own[key]!
            : !string.IsNullOrWhiteSpace(shared[key]) ? shared[key]!
            : throw new InvalidOperationException($"{own.Path}:{key} (or {shared.Path}:{key}) is required when {own.Path} is configured.");
        var settings = Configured(shared) ? shared : own;
        return new OAuthClientOptions(
            $"Gmail ({emailAddress})",
            new Uri(own["TokenUrl"] ?? shared["TokenUrl"] ?? GoogleTokenUrl),
            Either("ClientId"),
            Either("ClientSecret"),
            Required(own, "RefreshToken"),
            own["Scope"] ?? shared["Scope"],
            Attempts(own["MaxAttempts"] is null ? settings : own),
            Delay(own["RetryDelayMs"] is null ? settings : own),
            TimeSpan.FromSeconds((own["TimeoutSeconds"] is null ? settings : own).GetValue("TimeoutSeconds", 15)));
    }

    /// <summary>
    /// <c>Ingestion:Graph:OAuth</c>: null when absent; otherwise ClientId and ClientSecret are required, and TenantId
    /// unless TokenUrl is given (the default URL is built from it). Scope defaults to Graph's <c>.default</c>.
    /// </summary>
    public static OAuthClientOptions? Graph(IConfigurationSection graph)
    {
        var s = graph.GetSection("OAuth");
        if (!Configured(s))
        {
            return null;
        }
        var tokenUrl = s["TokenUrl"] is { Length: > 0 } url
            ? url
            : $"https://login.microsoftonline.com/{Uri.EscapeDataString(Required(s, "TenantId"))}/oauth2/v2.0/token";
        return new OAuthClientOptions(
            "Graph",
            new Uri(tokenUrl),
            Required(s, "ClientId"),
            Required(s, "ClientSecret"),
            null,
            s["Scope"] ?? GraphScope,
            Attempts(s),
            Delay(s),
            TimeSpan.FromSeconds(s.GetValue("TimeoutSeconds", 15)));
    }

    /// <summary>Any non-empty value below the section counts: a half-filled section is an error, not "OAuth off".</summary>
    private static bool Configured(IConfigurationSection s) =>
        s.AsEnumerable(makePathsRelative: true).Any(kv => !string.IsNullOrWhiteSpace(kv.Value));

    private static string Required(IConfigurationSection s, string key) =>
        s[key] is { Length: > 0 } v && !string.IsNullOrWhiteSpace(v)
            ? v
            : throw new InvalidOperationException($"{s.Path}:{key} is required when {s.Path} is configured.");

    private static int Attempts(IConfigurationSection s)
    {
        var n = s.GetValue("MaxAttempts", 3);
        return n is >= 1 and <= 10 ? n : throw new InvalidOperationException($"{s.Path}:MaxAttempts must be between 1 and 10.");
    }

    private static TimeSpan Delay(IConfigurationSection s) => TimeSpan.FromMilliseconds(Math.Max(0, s.GetValue("RetryDelayMs", 500)));
}
