using System.Net.Http.Json;
using Microsoft.Extensions.Logging;
using OutreachOS.Triage.Drafts;

namespace OutreachOS.Triage.Slack;

/// <summary>
/// Posts a draft to the organization's Slack incoming webhook (its own from <c>PUT /integrations/slack</c>, else the
/// deployment's <c>Slack:WebhookUrl</c>) with Approve/Reject buttons. The button value carries the organization
/// and the draft ("{org:N}:{draft:N}"): the interaction callback is anonymous and trusts it only after the signature check.
/// Best effort: a Slack outage leaves the draft in the queue, reachable over the API.
/// Every string in the message that the sender controls (subject, address, the draft, which quotes their name and may
/// quote their words) is escaped as Slack's mrkdwn requires (<see cref="Escape"/>), so a subject such as
/// <c>&lt;!channel&gt; &lt;https://evil.example|Open the dashboard&gt;</c> shows as written: no mention, no link.
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
        // Escaping lengthens the text ("<" is "&lt;"): the lengths are counted after it, within Slack's 3000 characters a
        // section's text may have.
        var header = $"*From:* {Escape(draft.From.Email, 400)}\n*Subject:* {Escape(draft.OriginalSubject, 600)}\n"
            + $"*Intent:* {Escape(draft.Classification.Intent, 100)} ({Escape(draft.Classification.Urgency, 20)})\n*Draft:*\n";
        var preview = Escape(draft.Text, Math.Min(2500, SectionMaxChars - header.Length - 6), codeBlock: true);
        var payload = new
        {
            text = $"Draft reply waiting for review: {Escape(draft.Subject, 1000)}",
            blocks = new object[]
            {
                new
                {
                    type = "section",
                    text = new
                    {
                        type = "mrkdwn",
                        text = $"{header}```{preview}```",
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

    /// <summary>Slack's limit on a section block's text.</summary>
    internal const int SectionMaxChars = 3000;

    /// <summary>
    /// Text for Slack mrkdwn with no markup of its own: '&amp;', '&lt;' and '&gt;' as entities, as Slack's "Escaping text"
    /// asks (only those three), so <c>&lt;!channel&gt;</c>, <c>&lt;@U123&gt;</c> and <c>&lt;url|label&gt;</c> are shown, not
    /// acted on. At most <paramref name="max"/> characters after escaping, cut before a whole character and ended with "…".
    /// With <paramref name="codeBlock"/> (the inside of a ``` block) every backtick gets a zero-width space on each side,
    /// so no run of backticks in the text, or next to the fences, closes the block early and puts what follows outside it.
    /// </summary>
    internal static string Escape(string? text, int max, bool codeBlock = false)
    {
        if (string.IsNullOrEmpty(text) || max < 1)
        {
            return "";
        }

        var sb = new System.Text.StringBuilder(text.Length + 16);
        var keep = -1; // where to cut when the whole does not fit: before the first character that leaves no room for "…"
        for (var i = 0; i < text.Length; i++)
        {
            var start = sb.Length;
            var c = text[i];
            switch (c)
            {
                case '&':
                    sb.Append("&amp;");
                    break;
                case '<':
                    sb.Append("&lt;");
                    break;
                case '>':
                    sb.Append("&gt;");
                    break;
                case '`' when codeBlock:
                    sb.Append("\u200B`\u200B");
                    break;
                default:
                    sb.Append(c);
                    if (char.IsHighSurrogate(c) && i + 1 < text.Length)
                    {
                        sb.Append(text[++i]); // a character outside the BMP is kept or cut whole
                    }
                    break;
            }
            if (keep < 0 && sb.Length > max - 1)
            {
                keep = start;
            }
        }

        return sb.Length <= max ? sb.ToString() : sb.ToString(0, keep) + "…";
    }
}
