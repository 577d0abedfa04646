using Microsoft.Extensions.Configuration;

namespace OutreachOS.Triage.Slack;

/// <summary>
/// Deployment-wide Slack settings: <c>Slack:WebhookUrl</c> (draft notifications; none = off) and <c>Slack:SigningSecret</c>
/// (interactions; none = 401), the fallback for organizations without their own (<c>PUT /integrations/slack</c>).
/// <see cref="AllowedWebhookHosts"/> (<c>Slack:AllowedWebhookHosts</c>, default <c>hooks.slack.com</c>; <c>*</c> = any) and
/// <see cref="AllowHttpWebhooks"/> (<c>Slack:AllowHttpWebhooks</c>, default false) bound what an organization may set as its
/// webhook: the host posts to it, so an open setting would let a tenant aim the host's requests at internal addresses.
/// </summary>
internal sealed record SlackOptions(Uri? WebhookUrl, string? SigningSecret, IReadOnlyList<string> AllowedWebhookHosts, bool AllowHttpWebhooks)
{
    public static readonly TimeSpan ReplayWindow = TimeSpan.FromMinutes(5);

    public static SlackOptions From(IConfiguration configuration)
    {
        var s = configuration.GetSection("Slack");
        var url = s["WebhookUrl"];
        var hosts = (s["AllowedWebhookHosts"] ?? "hooks.slack.com")
            .Split([',', ';', ' '], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(h => h.ToLowerInvariant())
            .ToList();
        return new SlackOptions(
            string.IsNullOrWhiteSpace(url) ? null : new Uri(url, UriKind.Absolute),
            string.IsNullOrWhiteSpace(s["SigningSecret"]) ? null : s["SigningSecret"],
            hosts,
            bool.TryParse(s["AllowHttpWebhooks"], out var http) && http);
    }

    public bool IsAllowedHost(string host) =>
        AllowedWebhookHosts.Contains("*") || AllowedWebhookHosts.Contains(host.ToLowerInvariant(), StringComparer.Ordinal);
}
