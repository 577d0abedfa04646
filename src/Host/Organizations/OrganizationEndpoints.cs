using OutreachOS.BuildingBlocks.Web;

namespace OutreachOS.Host.Organizations;

internal sealed record CreateOrganizationRequest(string? Name, Tier? Tier);

internal sealed record CreateApiKeyRequest(string? Name);

internal sealed record CreatedOrganizationResponse(OrganizationView Organization, CreatedApiKeyResponse ApiKey);

/// <summary><c>key</c> is the only time the secret is ever returned.</summary>
internal sealed record CreatedApiKeyResponse(Guid Id, string Name, string Prefix, DateTimeOffset CreatedAt, string Key);

internal static class OrganizationEndpoints
{
    public static void MapOrganizationEndpoints(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("").WithTags("Organizations");

        group.MapGet("/organizations/me", async (HttpContext http, OrganizationService orgs, CancellationToken ct) =>
            await orgs.GetAsync(http.GetTenantId(), ct) is { } org ? Results.Ok(org) : Problems.NotFound("Organization"))
            .WithSummary("The caller's organization");

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
        }).WithSummary("Create an organization with its first API key (platform admins only)");

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
            var key = await orgs.IssueKeyAsync(http.GetTenantId(), body.Name!.Trim(), ct);
            return Results.Created($"/api-keys/{key.Key.Id}", ToResponse(key));
        }).WithSummary("Issue an API key; the response is the only time the key is shown");

        group.MapDelete("/api-keys/{id:guid}", async (Guid id, HttpContext http, OrganizationService orgs, CancellationToken ct) =>
            await orgs.RevokeKeyAsync(http.GetTenantId(), id, ct) ? Results.NoContent() : Problems.NotFound("API key"))
            .WithSummary("Revoke an API key");
    }

    private static CreatedApiKeyResponse ToResponse(IssuedKey k) => new(k.Key.Id, k.Key.Name, k.Key.Prefix, k.Key.CreatedAt, k.Secret);
}
