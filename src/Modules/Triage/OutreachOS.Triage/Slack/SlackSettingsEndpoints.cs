using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Logging;
using OutreachOS.BuildingBlocks.Web;

namespace OutreachOS.Triage.Slack;

internal sealed record SlackSettingsRequest(string? WebhookUrl, string? SigningSecret);

/// <summary>
/// What an organization sees of its Slack settings: never the secret nor the webhook's path (Slack's token), only the
/// host and whether a secret is set. <see cref="Source"/>: ORGANIZATION (its own), DEPLOYMENT (the host's fallback
/// configuration is in force) or NONE.
/// </summary>
internal sealed record SlackSettingsView(bool Configured, string Source, string? WebhookHost, bool SigningSecretSet, string? UpdatedBy, DateTimeOffset? UpdatedAt,
    bool EncryptedAtRest);

/// <summary><c>GET/PUT/DELETE /integrations/slack</c>: the caller's organization's own Slack webhook and signing secret.</summary>
internal static class SlackSettingsEndpoints
{
    public const int MaxUrlLength = 2000;
    public const int MinSecretLength = 16;
    public const int MaxSecretLength = 256;

    public static void Map(IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/integrations/slack").WithTags("Slack");
        group.MapGet("", GetAsync).WithSummary("The organization's Slack settings: webhook host and whether a signing secret is set (never the secret)");
        group.MapPut("", PutAsync).RequireOrganizationAdmin()
            .WithSummary("Set the organization's Slack webhook_url (https) and signing_secret (may be omitted to keep the stored one; ADMIN keys only)");
        group.MapDelete("", DeleteAsync).RequireOrganizationAdmin().WithSummary("Remove the organization's Slack settings (the deployment's apply again; ADMIN keys only)");
    }

    /// <summary>Pure validation; <paramref name="hasStoredSecret"/> lets a PUT omit the secret to keep it.</summary>
    public static FieldErrors Validate(SlackSettingsRequest? body, SlackOptions options, bool hasStoredSecret, out Uri? url)
    {
        url = null;
        var errors = new FieldErrors();
        if (body is null)
        {
            return errors.Add("body", "must be a JSON object with webhook_url and signing_secret");
        }

        errors.Required("webhook_url", body.WebhookUrl, MaxUrlLength);
        if (!string.IsNullOrWhiteSpace(body.WebhookUrl) && body.WebhookUrl.Length <= MaxUrlLength)
        {
            if (!Uri.TryCreate(body.WebhookUrl.Trim(), UriKind.Absolute, out var parsed) || parsed.Scheme is not ("https" or "http"))
            {
                errors.Add("webhook_url", "must be an absolute https URL");
            }
            else if (parsed.Scheme == "http" && !options.AllowHttpWebhooks)
            {
                errors.Add("webhook_url", "must be an https URL");
            }
            else if (!string.IsNullOrEmpty(parsed.UserInfo) || !string.IsNullOrEmpty(parsed.Fragment))
            {
                errors.Add("webhook_url", "must not contain user information or a fragment");
            }
            else if (!options.IsAllowedHost(parsed.Host))
            {
                errors.Add("webhook_url", $"host {parsed.Host} is not allowed on this deployment (allowed: {string.Join(", ", options.AllowedWebhookHosts)})");
            }
            else
            {
                url = parsed;
            }
        }

        if (body.SigningSecret is null)
        {
            if (!hasStoredSecret)
            {
                errors.Add("signing_secret", "is required (none is stored yet)");
            }
        }
        else if (body.SigningSecret.Length < MinSecretLength || body.SigningSecret.Length > MaxSecretLength)
        {
            errors.Add("signing_secret", $"must be {MinSecretLength} to {MaxSecretLength} characters (Slack's app signing secret)");
        }
        else if (body.SigningSecret.Any(c => char.IsWhiteSpace(c) || char.IsControl(c)))
        {
            errors.Add("signing_secret", "must not contain whitespace");
        }

        return errors;
    }

    private static async Task<IResult> GetAsync(HttpContext http, SlackSettingsStore settings, SlackOptions deployment, CancellationToken ct) =>
        Results.Ok(ToView(await settings.GetAsync(http.GetTenantId(), ct), deployment, settings.EncryptedAtRest));

    private static async Task<IResult> PutAsync(SlackSettingsRequest? body, HttpContext http, SlackSettingsStore settings, SlackOptions deployment,
        TimeProvider time, ILoggerFactory logs, CancellationToken ct)
    {
        var tenant = http.GetTenantId();
        var stored = await settings.GetAsync(tenant, ct);
        var errors = Validate(body, deployment, stored is not null, out var url);
        if (errors.Any)
        {
            return errors.ToProblem();
        }

        var by = $"api_key:{http.GetCaller().ApiKeyId}";
        var saved = await settings.SetAsync(tenant, url!, body!.SigningSecret, by, time.GetUtcNow(), ct);
        if (saved is null)
        {
            // Deleted between the read and the write: the secret that was to be kept is gone.
            return new FieldErrors().Add("signing_secret", "is required (none is stored yet)").ToProblem();
        }

        logs.CreateLogger("OutreachOS.Triage.Slack.Settings").LogInformation(
            "Slack settings of organization {OrganizationId} set by {By}: webhook host {Host}", tenant, by, url!.Host);
        return Results.Ok(ToView(saved, deployment, settings.EncryptedAtRest));
    }

    private static async Task<IResult> DeleteAsync(HttpContext http, SlackSettingsStore settings, TimeProvider time, ILoggerFactory logs, CancellationToken ct)
    {
        var tenant = http.GetTenantId();
        var by = $"api_key:{http.GetCaller().ApiKeyId}";
        if (await settings.RemoveAsync(tenant, by, time.GetUtcNow(), ct))
        {
            logs.CreateLogger("OutreachOS.Triage.Slack.Settings").LogInformation("Slack settings of organization {OrganizationId} removed by {By}", tenant, by);
        }

        return Results.NoContent();
    }

    private static SlackSettingsView ToView(OrganizationSlackSettings? own, SlackOptions deployment, bool encrypted) => own is not null
        ? new SlackSettingsView(true, EffectiveSlackSettings.Organization, own.WebhookUrl.Host, true, own.UpdatedBy, own.UpdatedAt, encrypted)
        : new SlackSettingsView(false, deployment.WebhookUrl is not null || deployment.SigningSecret is not null ? EffectiveSlackSettings.Deployment : "NONE",
            null, false, null, null, encrypted);
}
