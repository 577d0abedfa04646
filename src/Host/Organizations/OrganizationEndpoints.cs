using OutreachOS.BuildingBlocks.Web;

namespace OutreachOS.Host.Organizations;

internal sealed record CreateOrganizationRequest(string? Name, Tier? Tier);

/// <summary><c>role</c>: ADMIN, MEMBER (the default: a key that does the work) or VIEWER (reads only).</summary>
internal sealed record CreateApiKeyRequest(string? Name, ApiKeyRole? Role);

/// <summary>The caller's organization and the key it called with (its id and role: what it may do, ADR 0022).</summary>
internal sealed record CurrentOrganizationResponse(Guid Id, string Name, Tier Tier, bool IsPlatformAdmin, DateTimeOffset CreatedAt, CallerKey ApiKey);

internal sealed record CallerKey(Guid Id, string Role);

internal sealed record CreatedOrganizationResponse(OrganizationView Organization, CreatedApiKeyResponse ApiKey);

/// <summary><c>key</c> is the only time the secret is ever returned.</summary>
internal sealed record CreatedApiKeyResponse(Guid Id, string Name, string Prefix, ApiKeyRole Role, DateTimeOffset CreatedAt, string Key);

internal static class OrganizationEndpoints
{
    public static void MapOrganizationEndpoints(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("").WithTags("Organizations");

        group.MapGet("/organizations/me", async (HttpContext http, OrganizationService orgs, CancellationToken ct) =>
        {
            var caller = http.GetCaller();
            return await orgs.GetAsync(caller.TenantId, ct) is { } org
                ? Results.Ok(new CurrentOrganizationResponse(org.Id, org.Name, org.Tier, org.IsPlatformAdmin, org.CreatedAt,
                    new CallerKey(caller.ApiKeyId, caller.Role)))
                : Problems.NotFound("Organization");
        })
            .WithSummary("The caller's organization, and the calling key's id and role (ADMIN, MEMBER or VIEWER)");

        group.MapPost("/organizations", async (CreateOrganizationRequest body, HttpContext http, OrganizationService orgs, CancellationToken ct) =>
        {
            if (!http.GetCaller().IsPlatformAdmin)
            {
                return Problems.Forbidden("Only the platform organization's keys can create organizations.");
            }
            var errors = new FieldErrors().Required("name", body.Name, 200);
            if (body.Tier is null)
            {
                errors.Add("tier", "is required (FREE, PRO or ENTERPRISE)");
            }
            if (errors.Any)
            {
                return errors.ToProblem();
            }
            var (org, key) = await orgs.CreateAsync(body.Name!.Trim(), body.Tier!.Value, platformAdmin: false, ct);
            return Results.Created($"/organizations/{org.Id}", new CreatedOrganizationResponse(org, ToResponse(key)));
        }).RequireOrganizationAdmin().WithSummary("Create an organization with its first (ADMIN) API key (ADMIN keys of the platform organization only)");

        group.MapGet("/api-keys", async (HttpContext http, OrganizationService orgs, CancellationToken ct) =>
            Results.Ok(await orgs.ListKeysAsync(http.GetTenantId(), ct)))
            .WithSummary("List the organization's API keys (never the secrets)");

        group.MapPost("/api-keys", async (CreateApiKeyRequest body, HttpContext http, OrganizationService orgs, CancellationToken ct) =>
        {
            var errors = new FieldErrors().Required("name", body.Name, 100);
            if (errors.Any)
            {
                return errors.ToProblem();
            }
            var key = await orgs.IssueKeyAsync(http.GetTenantId(), body.Name!.Trim(), body.Role ?? ApiKeyRole.Member, ct);
            return Results.Created($"/api-keys/{key.Key.Id}", ToResponse(key));
        }).RequireOrganizationAdmin().WithSummary("Issue an API key (role ADMIN, MEMBER or VIEWER, default MEMBER; ADMIN keys only); the response is the only time the key is shown");

        group.MapDelete("/api-keys/{id:guid}", async (Guid id, HttpContext http, OrganizationService orgs, CancellationToken ct) =>
            await orgs.RevokeKeyAsync(http.GetTenantId(), id, ct) switch
            {
                RevokeOutcome.Revoked => Results.NoContent(),
                RevokeOutcome.LastAdmin => Problems.Conflict("This is the organization's last active ADMIN key: issue another ADMIN key before revoking it."),
                _ => Problems.NotFound("API key"),
            })
            .RequireOrganizationAdmin().WithSummary("Revoke an API key (ADMIN keys only; never the last active ADMIN key)");
    }

    private static CreatedApiKeyResponse ToResponse(IssuedKey k) => new(k.Key.Id, k.Key.Name, k.Key.Prefix, k.Key.Role, k.Key.CreatedAt, k.Secret);
}
