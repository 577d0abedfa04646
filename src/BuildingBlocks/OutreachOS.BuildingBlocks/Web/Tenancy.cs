using System.Security.Claims;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace OutreachOS.BuildingBlocks.Web;

/// <summary>The authenticated caller: every read and write is scoped to its organization (tenant).</summary>
/// <param name="Role">The key's role in its organization: <c>ADMIN</c> or <c>MEMBER</c> (ADR 0022).</param>
public sealed record Caller(Guid TenantId, Guid ApiKeyId, bool IsPlatformAdmin, string Role);

public static class TenancyHttpContextExtensions
{
    /// <summary>Key under which authentication stores the caller's tenant id (a <see cref="Guid"/>) in HttpContext.Items.</summary>
    public const string TenantItemKey = "outreachos.tenant";
    public const string TenantClaim = "outreachos:tenant";
    public const string ApiKeyClaim = "outreachos:api_key";
    public const string PlatformAdminClaim = "outreachos:platform_admin";

    /// <summary>The API key's role in its organization: <see cref="AdminRole"/> or <see cref="MemberRole"/>.</summary>
    public const string RoleClaim = "outreachos:role";
    public const string AdminRole = "ADMIN";
    public const string MemberRole = "MEMBER";

    /// <summary>
    /// Authorization policy of the endpoints that change how an organization works — its API keys, guardrail and triage
    /// policies, templates, integrations — and of the platform's admin operations: an <see cref="AdminRole"/> key only.
    /// </summary>
    public const string OrganizationAdminPolicy = "organization-admin";

    /// <summary>The caller's organization. Endpoints behind authorization always have one; others throw.</summary>
    public static Guid GetTenantId(this HttpContext context) =>
        context.Items.TryGetValue(TenantItemKey, out var v) && v is Guid g
            ? g
            : throw new InvalidOperationException("No authenticated organization on this request.");

    /// <summary>Only an ADMIN key of the organization may call these endpoints (others get 403 before the body is read).</summary>
    public static TBuilder RequireOrganizationAdmin<TBuilder>(this TBuilder builder) where TBuilder : IEndpointConventionBuilder =>
        builder.RequireAuthorization(OrganizationAdminPolicy);

    public static Caller GetCaller(this HttpContext context)
    {
        var user = context.User;
        return new Caller(
            context.GetTenantId(),
            Guid.TryParse(user.FindFirstValue(ApiKeyClaim), out var k) ? k : Guid.Empty,
            user.HasClaim(PlatformAdminClaim, "true"),
            user.FindFirstValue(RoleClaim) ?? MemberRole);
    }
}
