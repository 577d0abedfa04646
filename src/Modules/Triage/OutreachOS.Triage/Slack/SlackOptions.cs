using Microsoft.Extensions.Configuration;

namespace OutreachOS.Triage.Slack;

/// <summary><c>Slack:WebhookUrl</c> (draft notifications; none = off) and <c>Slack:SigningSecret</c> (interactions; none = 401).</summary>
internal sealed record SlackOptions(Uri? WebhookUrl, string? SigningSecret)
{
    public static readonly TimeSpan ReplayWindow = TimeSpan.FromMinutes(5);

    public static SlackOptions From(IConfiguration configuration)
    {
        var s = configuration.GetSection("Slack");
        var url = s["WebhookUrl"];
        return new SlackOptions(
            string.IsNullOrWhiteSpace(url) ? null : new Uri(url, UriKind.Absolute),
            string.IsNullOrWhiteSpace(s["SigningSecret"]) ? null : s["SigningSecret"]);
    }
}
