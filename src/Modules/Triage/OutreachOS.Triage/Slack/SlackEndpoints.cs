using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.WebUtilities;
using OutreachOS.BuildingBlocks.Web;
using OutreachOS.Triage.Drafts;

namespace OutreachOS.Triage.Slack;

/// <summary>
/// <c>POST /slack/interactions</c>: Slack's interactive callback (anonymous; form-encoded <c>payload</c>). The v0
/// signature over the raw body and the 5-minute window are checked before anything is parsed.
/// </summary>
internal static class SlackEndpoints
{
    public const int MaxBodyBytes = 64 * 1024;

    public static void Map(IEndpointRouteBuilder app) =>
        app.MapPost("/slack/interactions", HandleAsync).AllowAnonymous().WithTags("Slack")
            .WithSummary("Slack interactive callback: Approve/Reject buttons of draft notifications");

    private static async Task<IResult> HandleAsync(HttpContext http, SlackOptions options, DraftActions actions, TimeProvider time, CancellationToken ct)
    {
        if (http.Request.ContentLength > MaxBodyBytes)
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status413PayloadTooLarge, title: "Payload too large");
        }

        using var reader = new StreamReader(http.Request.Body, Encoding.UTF8);
        var body = await reader.ReadToEndAsync(ct);
        var verification = SlackSignature.Verify(options.SigningSecret, http.Request.Headers["X-Slack-Request-Timestamp"],
            http.Request.Headers["X-Slack-Signature"], body, time.GetUtcNow(), SlackOptions.ReplayWindow);
        if (verification != SlackVerification.Valid)
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status401Unauthorized, title: "Unauthorized",
                detail: verification switch
                {
                    SlackVerification.NotConfigured => "Slack:SigningSecret is not configured.",
                    SlackVerification.MissingHeaders => "X-Slack-Request-Timestamp and X-Slack-Signature are required.",
                    SlackVerification.Stale => "The request timestamp is outside the 5-minute window.",
                    _ => "The Slack signature does not match.",
                },
                type: "https://outreachos.dev/problems/slack-signature");
        }

        var form = QueryHelpers.ParseQuery(body);
        if (!form.TryGetValue("payload", out var raw) || string.IsNullOrWhiteSpace(raw))
        {
            return new FieldErrors().Add("payload", "is required (Slack's form-encoded interaction payload)").ToProblem();
        }

        string? actionId, value, user;
        try
        {
            using var json = JsonDocument.Parse(raw.ToString());
            var root = json.RootElement;
            var action = root.GetProperty("actions")[0];
            actionId = action.GetProperty("action_id").GetString();
            value = action.TryGetProperty("value", out var v) ? v.GetString() : null;
            user = root.TryGetProperty("user", out var u)
                ? (u.TryGetProperty("username", out var n) ? n.GetString() : null) ?? (u.TryGetProperty("id", out var id) ? id.GetString() : null)
                : null;
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or IndexOutOfRangeException or InvalidOperationException)
        {
            return new FieldErrors().Add("payload", "must be a block_actions payload with actions[0].action_id and value").ToProblem();
        }

        var parts = (value ?? string.Empty).Split(':');
        if (parts.Length != 2 || !Guid.TryParse(parts[0], out var tenant) || !Guid.TryParse(parts[1], out var draftId))
        {
            return new FieldErrors().Add("payload.actions[0].value", "must be \"{organization}:{draft}\"").ToProblem();
        }

        var by = $"slack:{user ?? "unknown"}";
        return actionId switch
        {
            SlackNotifier.ApproveAction => await actions.ApproveAsync(tenant, draftId, null, by, ct),
            SlackNotifier.RejectAction => await actions.RejectAsync(tenant, draftId, $"Rejected in Slack by {user ?? "unknown"}", by, ct),
            _ => new FieldErrors().Add("payload.actions[0].action_id", $"must be {SlackNotifier.ApproveAction} or {SlackNotifier.RejectAction}").ToProblem(),
        };
    }
}
