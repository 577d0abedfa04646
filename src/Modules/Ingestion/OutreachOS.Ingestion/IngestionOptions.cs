using System.Globalization;
using Microsoft.Extensions.Configuration;
using OutreachOS.Ingestion.OAuth;

namespace OutreachOS.Ingestion;

/// <summary>
/// <c>Ingestion</c> configuration. Size caps bound what one message can make downstream stages (models, rules) read;
/// webhook subscriptions map a provider's mailbox to the organization that owns it, because those calls carry no API key.
/// </summary>
internal sealed record IngestionOptions(
    int MaxTextChars,
    int MaxHtmlChars,
    int MaxSubjectChars,
    int MaxHeaders,
    int MaxHeaderValueChars,
    int MaxRecipients,
    GraphOptions Graph,
    GmailOptions Gmail)
{
    public static IngestionOptions From(IConfiguration configuration)
    {
        var s = configuration.GetSection("Ingestion");
        return new IngestionOptions(
            s.GetValue("MaxTextChars", 100_000),
            s.GetValue("MaxHtmlChars", 500_000),
            s.GetValue("MaxSubjectChars", 998),
            s.GetValue("MaxHeaders", 200),
            s.GetValue("MaxHeaderValueChars", 8_000),
            s.GetValue("MaxRecipients", 500),
            GraphOptions.From(s.GetSection("Graph")),
            GmailOptions.From(s.GetSection("Gmail")));
    }
}

/// <summary>One Graph subscription: its id, the secret clientState it was created with, and the owning organization.</summary>
internal sealed record GraphSubscription(string SubscriptionId, string ClientState, Guid OrganizationId);

/// <summary>
/// <c>Ingestion:Graph</c>: REST base URL, adapter (Rest | InMemory), subscriptions, and the credentials: an
/// <c>OAuth</c> section (client-credentials grant, tokens refreshed by the service) or else a static bearer token.
/// </summary>
internal sealed record GraphOptions(Uri BaseUrl, string? AccessToken, string Adapter, IReadOnlyList<GraphSubscription> Subscriptions, OAuthClientOptions? OAuth = null)
{
    public static GraphOptions From(IConfigurationSection s) => new(
        new Uri(WithSlash(s["BaseUrl"] ?? "https://graph.microsoft.com/v1.0/")),
        s["AccessToken"],
        s["Adapter"] ?? "Rest",
        s.GetSection("Subscriptions").GetChildren().Select(c => new GraphSubscription(
                c["SubscriptionId"] ?? throw Missing(c, "SubscriptionId"),
                c["ClientState"] ?? throw Missing(c, "ClientState"),
                Guid.Parse(c["OrganizationId"] ?? throw Missing(c, "OrganizationId"), CultureInfo.InvariantCulture)))
            .ToList(),
        OAuthClientOptions.Graph(s));

    internal static string WithSlash(string url) => url.EndsWith('/') ? url : url + "/";

    internal static InvalidOperationException Missing(IConfigurationSection c, string key) =>
        new($"{c.Path}:{key} is required.");
}

/// <summary>One Gmail mailbox watched through Pub/Sub, and the organization that owns it.</summary>
internal sealed record GmailMailbox(string EmailAddress, Guid OrganizationId);

/// <summary>
/// <c>Ingestion:Gmail</c>: Gmail API base URL and token, adapter (Rest | InMemory), Pub/Sub push OIDC verification
/// (on by default: the endpoint is anonymous, the token is its only authentication), the mailbox → organization map, and
/// an optional <c>OAuth</c> section (refresh-token grant) that replaces the static token when present.
/// </summary>
internal sealed record GmailOptions(
    Uri BaseUrl,
    string? AccessToken,
    string Adapter,
    bool VerifyOidc,
    string? Audience,
    string? ServiceAccountEmail,
    Uri JwksUrl,
    IReadOnlyList<GmailMailbox> Mailboxes,
    OAuthClientOptions? OAuth = null)
{
    public static GmailOptions From(IConfigurationSection s) => new(
        new Uri(GraphOptions.WithSlash(s["BaseUrl"] ?? "https://gmail.googleapis.com/")),
        s["AccessToken"],
        s["Adapter"] ?? "Rest",
        s.GetValue("VerifyOidc", true),
        s["Audience"],
        s["ServiceAccountEmail"],
        new Uri(s["JwksUrl"] ?? "https://www.googleapis.com/oauth2/v3/certs"),
        s.GetSection("Mailboxes").GetChildren().Select(c => new GmailMailbox(
                c["EmailAddress"] ?? throw GraphOptions.Missing(c, "EmailAddress"),
                Guid.Parse(c["OrganizationId"] ?? throw GraphOptions.Missing(c, "OrganizationId"), CultureInfo.InvariantCulture)))
            .ToList(),
        OAuthClientOptions.Gmail(s));
}
