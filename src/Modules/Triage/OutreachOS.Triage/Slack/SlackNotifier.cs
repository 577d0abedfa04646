using System.Net.Http.Json;
using Microsoft.Extensions.Logging;
using OutreachOS.Triage.Drafts;

namespace OutreachOS.Triage.Slack;

/// <summary>
/// Posts a draft to the organization's Slack incoming webhook (its own from <c>PUT /integrations/slack</c>, else the
/// deployment's <c>Slack:WebhookUrl</c>) with Approve/Reject buttons. The button value carries the organization
/// and the draft ("{org:N}:{draft:N}"): the interaction callback is anonymous and trusts it only after the signature check.
/// Best effort: a Slack outage leaves the draft in the queue, reachable over the API.
/// </summary>
internal sealed class SlackNotifier(IHttpClientFactory http, SlackSettingsStore settings, ILogger<SlackNotifier> logger)
{
    public const string HttpClientName = "triage-slack";
    public const string ApproveAction = "approve_draft";
    public const string RejectAction = "reject_draft";

    /// <param name="proceed">Asked right before the webhook is called (when there is one); false means no call is made.</param>
    public async Task NotifyDraftAsync(Guid tenantId, DraftRecord draft, CancellationToken ct, Func<CancellationToken, Task<bool>>? proceed = null)
    {
        var effective = await settings.ResolveAsync(tenantId, ct);
        if (effective.WebhookUrl is not { } webhook || (proceed is not null && !await proceed(ct)))
        {
            return;
        }

        var value = $"{tenantId:N}:{draft.DraftId:N}";
        var preview = draft.Text.Length > 2500 ? draft.Text[..2500] + "…" : draft.Text;
        var payload = new
        {
            text = $"Draft reply waiting for review: {draft.Subject}",
            blocks = new object[]
            {
                new
                {
                    type = "section",
                    text = new
                    {
                        type = "mrkdwn",
                        text = $"*From:* {draft.From.Email}\n*Subject:* {draft.OriginalSubject}\n*Intent:* {draft.Classification.Intent} ({draft.Classification.Urgency})\n*Draft:*\n```{preview}```",
                    },
                },
                new
                {
                    type = "actions",
                    block_id = $"draft_{draft.DraftId:N}",
                    elements = new object[]
                    {
                        new { type = "button", action_id = ApproveAction, style = "primary", value, text = new { type = "plain_text", text = "Approve and send" } },
                        new { type = "button", action_id = RejectAction, style = "danger", value, text = new { type = "plain_text", text = "Reject" } },
                    },
                },
            },
        };
        try
        {
            using var client = http.CreateClient(HttpClientName);
            client.Timeout = TimeSpan.FromSeconds(10);
            using var response = await client.PostAsJsonAsync(webhook, payload, ct);
            if (!response.IsSuccessStatusCode)
            {
                // The host only: the webhook's path is Slack's token.
                logger.LogWarning("Slack webhook {Host} ({Source} settings) answered {Status} for draft {DraftId} of organization {OrganizationId}",
                    webhook.Host, effective.Source, (int)response.StatusCode, draft.DraftId, tenantId);
            }
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException && !ct.IsCancellationRequested)
        {
            logger.LogWarning("Slack notification for draft {DraftId} of organization {OrganizationId} to {Host} failed: {Error}",
                draft.DraftId, tenantId, webhook.Host, e.Message);
        }
    }
}
