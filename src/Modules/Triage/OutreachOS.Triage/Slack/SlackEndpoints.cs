using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.Logging;
using OutreachOS.BuildingBlocks.Documents;
using OutreachOS.BuildingBlocks.Web;
using OutreachOS.Triage.Drafts;

namespace OutreachOS.Triage.Slack;

/// <summary>
/// <c>POST /slack/interactions</c>: Slack's interactive callback (anonymous; form-encoded <c>payload</c>). The headers and
/// the 5-minute window are checked first. The secret that must have signed the raw body is the one of the organization
/// the draft belongs to (its own, else the deployment's), so the payload's draft reference is read before the MAC is
/// checked, and nothing in it is acted on before: the draft is looked up in the organization the button names, and a
/// draft that is not there fails exactly like a bad signature (no oracle for draft ids or organizations).
/// </summary>
internal static class SlackEndpoints
{
    public const int MaxBodyBytes = 64 * 1024;

    public static void Map(IEndpointRouteBuilder app) =>
        app.MapPost("/slack/interactions", HandleAsync).AllowAnonymous().WithTags("Slack")
            .WithSummary("Slack interactive callback: Approve/Reject buttons of draft notifications");

    private sealed record Interaction(string? ActionId, string? Value, string? User);

    private static async Task<IResult> HandleAsync(HttpContext http, SlackOptions options, SlackSettingsStore settings, DocumentStore docs,
        DraftActions actions, TimeProvider time, ILoggerFactory logs, CancellationToken ct)
    {
        if (http.Request.ContentLength > MaxBodyBytes)
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status413PayloadTooLarge, title: "Payload too large");
        }

        var logger = logs.CreateLogger("OutreachOS.Triage.Slack.Interactions");
        using var reader = new StreamReader(http.Request.Body, Encoding.UTF8);
        var body = await reader.ReadToEndAsync(ct);
        if (body.Length > MaxBodyBytes)
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status413PayloadTooLarge, title: "Payload too large");
        }

        string? timestamp = http.Request.Headers["X-Slack-Request-Timestamp"];
        string? signature = http.Request.Headers["X-Slack-Signature"];
        var now = time.GetUtcNow();
        var fresh = SlackSignature.CheckFreshness(timestamp, signature, now, SlackOptions.ReplayWindow);
        if (fresh != SlackVerification.Valid)
        {
            return Unauthorized(fresh);
        }

        var (interaction, shapeError) = Parse(body);
        if (interaction is null || !TryDraftReference(interaction.Value, out var tenant, out var draftId))
        {
            // No draft to take an organization from: only the deployment's secret can vouch for the request, and only a
            // request it signed learns what is wrong with its payload.
            var check = SlackSignature.Verify(options.SigningSecret, timestamp, signature, body, now, SlackOptions.ReplayWindow);
            if (check != SlackVerification.Valid)
            {
                logger.LogWarning("Slack interaction without a draft reference refused: {Reason}", check);
                return Unauthorized(SlackVerification.BadSignature);
            }

            return shapeError ?? new FieldErrors().Add("payload.actions[0].value", "must be \"{organization}:{draft}\"").ToProblem();
        }

        var draft = await docs.GetAsync<DraftRecord>(tenant, draftId.ToString(), ct);
        string? secret;
        if (draft is null)
        {
            // Same work and same answer as a wrong signature: a MAC under a secret nobody knows.
            secret = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32));
        }
        else
        {
            secret = (await settings.ResolveAsync(tenant, ct)).SigningSecret;
        }

        var verification = SlackSignature.Verify(secret, timestamp, signature, body, now, SlackOptions.ReplayWindow);
        if (verification != SlackVerification.Valid)
        {
            logger.LogWarning("Slack interaction for draft {DraftId} of organization {OrganizationId} refused: {Reason}", draftId, tenant,
                draft is null ? "UnknownDraft" : verification.ToString());
            return Unauthorized(SlackVerification.BadSignature);
        }

        var by = $"slack:{interaction.User ?? "unknown"}";
        return interaction.ActionId switch
        {
            SlackNotifier.ApproveAction => await actions.ApproveAsync(tenant, draftId, null, by, ct),
            SlackNotifier.RejectAction => await actions.RejectAsync(tenant, draftId, $"Rejected in Slack by {interaction.User ?? "unknown"}", by, ct),
            _ => new FieldErrors().Add("payload.actions[0].action_id", $"must be {SlackNotifier.ApproveAction} or {SlackNotifier.RejectAction}").ToProblem(),
        };
    }

    private static IResult Unauthorized(SlackVerification reason) =>
        TypedResults.Problem(statusCode: StatusCodes.Status401Unauthorized, title: "Unauthorized",
            detail: reason switch
            {
                SlackVerification.MissingHeaders => "X-Slack-Request-Timestamp and X-Slack-Signature are required.",
                SlackVerification.Stale => "The request timestamp is outside the 5-minute window.",
                _ => "The Slack signature does not match.",
            },
            type: "https://outreachos.dev/problems/slack-signature");

    private static (Interaction? Interaction, IResult? Problem) Parse(string body)
    {
        var form = QueryHelpers.ParseQuery(body);
        if (!form.TryGetValue("payload", out var raw) || string.IsNullOrWhiteSpace(raw))
        {
            return (null, new FieldErrors().Add("payload", "is required (Slack's form-encoded interaction payload)").ToProblem());
        }

        try
        {
            using var json = JsonDocument.Parse(raw.ToString());
            var root = json.RootElement;
            var action = root.GetProperty("actions")[0];
            var actionId = action.GetProperty("action_id").GetString();
            var value = action.TryGetProperty("value", out var v) ? v.GetString() : null;
            var user = root.TryGetProperty("user", out var u)
                ? (u.TryGetProperty("username", out var n) ? n.GetString() : null) ?? (u.TryGetProperty("id", out var id) ? id.GetString() : null)
                : null;
            return (new Interaction(actionId, value, user), null);
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or IndexOutOfRangeException or InvalidOperationException)
        {
            return (null, new FieldErrors().Add("payload", "must be a block_actions payload with actions[0].action_id and value").ToProblem());
        }
    }

    private static bool TryDraftReference(string? value, out Guid tenant, out Guid draftId)
    {
        tenant = draftId = Guid.Empty;
        var parts = (value ?? string.Empty).Split(':');
        return parts.Length == 2 && Guid.TryParse(parts[0], out tenant) && Guid.TryParse(parts[1], out draftId);
    }
}
