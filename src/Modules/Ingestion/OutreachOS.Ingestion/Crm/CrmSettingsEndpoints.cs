using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Logging;
using OutreachOS.BuildingBlocks.Web;

namespace OutreachOS.Ingestion.Crm;

internal sealed record CrmSettingsRequest(string? Provider, string? AccessToken, string? BaseUrl)
{
    /// <summary>Never the token: a record's generated ToString would print it into any log or exception that formats the body.</summary>
    public override string ToString() => $"CrmSettingsRequest {{ Provider = {Provider}, AccessToken set = {AccessToken is not null}, BaseUrl = {BaseUrl} }}";
}

/// <summary>
/// What an organization sees of its CRM settings: never the token, only the provider, the API's host and whether a token
/// is set. <see cref="Source"/>: ORGANIZATION (its own), DEPLOYMENT (the deployment's account serves it: it is the only
/// organization, or the deployment shares its account on purpose) or NONE (no CRM: the local contact store only).
/// </summary>
internal sealed record CrmSettingsView(bool Configured, string Source, string? Provider, string? BaseHost, bool AccessTokenSet, string? UpdatedBy,
    DateTimeOffset? UpdatedAt, bool EncryptedAtRest);

/// <summary><c>GET/PUT/DELETE /settings/crm</c>: the caller's organization's own CRM account (ADR 0032).</summary>
internal static class CrmSettingsEndpoints
{
    public const int MaxUrlLength = 2000;
    public const int MinTokenLength = 16;
    public const int MaxTokenLength = 1024;

    public static void Map(IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/settings/crm").WithTags("CRM");
        group.MapGet("", GetAsync).WithSummary("The organization's CRM settings: provider, API host and whether a token is set (never the token)");
        group.MapPut("", PutAsync).RequireOrganizationAdmin()
            .WithSummary("Set the organization's CRM: provider HUBSPOT, access_token (may be omitted to keep the stored one), optional base_url (ADMIN keys only)");
        group.MapDelete("", DeleteAsync).RequireOrganizationAdmin()
            .WithSummary("Remove the organization's CRM settings (no CRM afterwards unless the deployment's account serves it; ADMIN keys only)");
    }

    /// <summary>Pure validation; <paramref name="hasStoredToken"/> lets a PUT omit the token to keep it.</summary>
    public static FieldErrors Validate(CrmSettingsRequest? body, CrmOptions options, bool hasStoredToken, out Uri? baseUrl)
    {
        baseUrl = null;
        var errors = new FieldErrors();
        if (body is null)
        {
            return errors.Add("body", "must be a JSON object with provider and access_token");
        }

        errors.Required("provider", body.Provider, 50);
        if (!string.IsNullOrWhiteSpace(body.Provider) && !body.Provider.Trim().Equals(CrmSettingsStreams.HubSpot, StringComparison.OrdinalIgnoreCase))
        {
            errors.Add("provider", $"must be {CrmSettingsStreams.HubSpot} (the only CRM supported)");
        }

        if (body.AccessToken is null)
        {
            if (!hasStoredToken)
            {
                errors.Add("access_token", "is required (none is stored yet)");
            }
        }
        else if (body.AccessToken.Length < MinTokenLength || body.AccessToken.Length > MaxTokenLength)
        {
            errors.Add("access_token", $"must be {MinTokenLength} to {MaxTokenLength} characters (a HubSpot private app token)");
        }
        else if (body.AccessToken.Any(c => c is <= ' ' or >= (char)0x7F))
        {
            // It travels in an Authorization header: visible ASCII only.
            errors.Add("access_token", "must be visible ASCII characters without spaces");
        }

        if (body.BaseUrl is not null)
        {
            var raw = body.BaseUrl.Trim();
            if (raw.Length == 0 || raw.Length > MaxUrlLength || !Uri.TryCreate(raw, UriKind.Absolute, out var parsed) || parsed.Scheme is not ("https" or "http"))
            {
                errors.Add("base_url", "must be an absolute https URL");
            }
            else if (parsed.Scheme == "http" && !options.AllowHttp)
            {
                errors.Add("base_url", "must be an https URL");
            }
            else if (!string.IsNullOrEmpty(parsed.UserInfo) || !string.IsNullOrEmpty(parsed.Fragment) || !string.IsNullOrEmpty(parsed.Query))
            {
                errors.Add("base_url", "must not contain user information, a query or a fragment");
            }
            else if (!options.IsAllowedHost(parsed.Host))
            {
                errors.Add("base_url", $"host {parsed.Host} is not allowed on this deployment (allowed: {string.Join(", ", options.AllowedHosts)})");
            }
            else
            {
                baseUrl = new Uri(GraphOptions.WithSlash(parsed.AbsoluteUri), UriKind.Absolute);
            }
        }

        return errors;
    }

    private static async Task<IResult> GetAsync(HttpContext http, CrmSettingsStore settings, CrmCredentials credentials, CrmOptions options, CancellationToken ct)
    {
        var tenant = http.GetTenantId();
        var own = await settings.GetAsync(tenant, ct);
        var deployment = own is null ? await credentials.DeploymentAsync(tenant, ct) : null;
        return Results.Ok(ToView(own, deployment, options, settings.EncryptedAtRest));
    }

    private static async Task<IResult> PutAsync(CrmSettingsRequest? body, HttpContext http, CrmSettingsStore settings, CrmOptions options,
        ContactLookupCache cache, TimeProvider time, ILoggerFactory logs, CancellationToken ct)
    {
        var tenant = http.GetTenantId();
        var stored = await settings.GetAsync(tenant, ct);
        var errors = Validate(body, options, stored is not null, out var baseUrl);
        if (errors.Any)
        {
            return errors.ToProblem();
        }

        var by = $"api_key:{http.GetCaller().ApiKeyId}";
        var saved = await settings.SetAsync(tenant, CrmSettingsStreams.HubSpot, baseUrl, body!.AccessToken, by, time.GetUtcNow(), ct);
        if (saved is null)
        {
            // Deleted between the read and the write: the token that was to be kept is gone.
            return new FieldErrors().Add("access_token", "is required (none is stored yet)").ToProblem();
        }

        cache.Clear(tenant);
        logs.CreateLogger("OutreachOS.Ingestion.Crm.Settings").LogInformation(
            "CRM settings of organization {OrganizationId} set by {By}: {Provider} at {Host}", tenant, by, saved.Provider, (saved.BaseUrl ?? options.HubSpotBaseUrl).Host);
        return Results.Ok(ToView(saved, null, options, settings.EncryptedAtRest));
    }

    private static async Task<IResult> DeleteAsync(HttpContext http, CrmSettingsStore settings, ContactLookupCache cache, TimeProvider time, ILoggerFactory logs,
        CancellationToken ct)
    {
        var tenant = http.GetTenantId();
        var by = $"api_key:{http.GetCaller().ApiKeyId}";
        if (await settings.RemoveAsync(tenant, by, time.GetUtcNow(), ct))
        {
            cache.Clear(tenant);
            logs.CreateLogger("OutreachOS.Ingestion.Crm.Settings").LogInformation("CRM settings of organization {OrganizationId} removed by {By}", tenant, by);
        }

        return Results.NoContent();
    }

    private static CrmSettingsView ToView(OrganizationCrmSettings? own, CrmCredential? deployment, CrmOptions options, bool encrypted) =>
        (own, deployment) switch
        {
            ({ } o, _) => new CrmSettingsView(true, CrmCredential.Organization, o.Provider, (o.BaseUrl ?? options.HubSpotBaseUrl).Host, true, o.UpdatedBy,
                o.UpdatedAt, encrypted),
            (null, { } d) => new CrmSettingsView(false, CrmCredential.Deployment, d.Provider, d.BaseUrl.Host, false, null, null, encrypted),
            _ => new CrmSettingsView(false, CrmCredential.None, null, null, false, null, null, encrypted),
        };
}
