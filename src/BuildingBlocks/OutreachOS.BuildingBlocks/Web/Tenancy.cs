using System.Security.Claims;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace OutreachOS.BuildingBlocks.Web;

/// <summary>The authenticated caller: every read and write is scoped to its organization (tenant).</summary>
/// <param name="Role">The key's role in its organization: <c>ADMIN</c>, <c>MEMBER</c> or <c>VIEWER</c> (ADR 0022, 0025).</param>
public sealed record Caller(Guid TenantId, Guid ApiKeyId, bool IsPlatformAdmin, string Role);

public static class TenancyHttpContextExtensions
{
    /// <summary>Key under which authentication stores the caller's tenant id (a <see cref="Guid"/>) in HttpContext.Items.</summary>
    public const string TenantItemKey = "outreachos.tenant";
    public const string TenantClaim = "outreachos:tenant";
    public const string ApiKeyClaim = "outreachos:api_key";
    public const string PlatformAdminClaim = "outreachos:platform_admin";

    /// <summary>The API key's role in its organization: <see cref="AdminRole"/>, <see cref="MemberRole"/> or <see cref="ViewerRole"/>.</summary>
    public const string RoleClaim = "outreachos:role";
    public const string AdminRole = "ADMIN";
    public const string MemberRole = "MEMBER";

    /// <summary>Reads everything of its organization and changes nothing (ADR 0025): dashboards, auditors, BI exports.</summary>
    public const string ViewerRole = "VIEWER";

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

    /// <summary>
    /// Marks an endpoint whose method is not GET but which changes nothing (a GraphQL read, a hash-chain verification), so
    /// that a <see cref="ViewerRole"/> key may call it. Every other POST, PUT, PATCH and DELETE refuses a VIEWER key.
    /// </summary>
    public static TBuilder ChangesNothing<TBuilder>(this TBuilder builder) where TBuilder : IEndpointConventionBuilder =>
        builder.WithMetadata(ChangesNothingMetadata.Instance);

    /// <summary>Whether a call with <paramref name="method"/> to an endpoint with <paramref name="metadata"/> may change data
    /// (what a VIEWER key may not do): any method but GET, HEAD and OPTIONS, unless the endpoint is marked <see cref="ChangesNothing{TBuilder}"/>.</summary>
    public static bool MayChangeData(string method, IEnumerable<object> metadata) =>
        !(HttpMethods.IsGet(method) || HttpMethods.IsHead(method) || HttpMethods.IsOptions(method))
        && !metadata.OfType<ChangesNothingMetadata>().Any();

    /// <summary>Whether the endpoint with <paramref name="metadata"/> needs an ADMIN key (<see cref="RequireOrganizationAdmin{TBuilder}"/>).</summary>
    public static bool RequiresOrganizationAdmin(IEnumerable<object> metadata) =>
        metadata.OfType<IAuthorizeData>().Any(a => a.Policy == OrganizationAdminPolicy);

    /// <summary>Whether the request is a <see cref="ViewerRole"/> key asking for something that may change data.</summary>
    public static bool IsViewerWrite(this HttpContext context) =>
        context.User.HasClaim(RoleClaim, ViewerRole) && MayChangeData(context.Request.Method, context.GetEndpoint()?.Metadata ?? []);

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

/// <summary>Endpoint metadata of <see cref="TenancyHttpContextExtensions.ChangesNothing{TBuilder}"/>.</summary>
public sealed class ChangesNothingMetadata
{
    public static ChangesNothingMetadata Instance { get; } = new();

    private ChangesNothingMetadata()
    {
    }
}

/// <summary>
/// Part of every authorization policy of the API (the default and the fallback): a <see cref="TenancyHttpContextExtensions.ViewerRole"/>
/// key may only read. Checked with the other requirements, before model binding, so a refused body is never read.
/// </summary>
public sealed class ViewerReadsOnlyRequirement : AuthorizationHandler<ViewerReadsOnlyRequirement>, IAuthorizationRequirement
{
    protected override Task HandleRequirementAsync(AuthorizationHandlerContext context, ViewerReadsOnlyRequirement requirement)
    {
        if (context.Resource is HttpContext http && !http.IsViewerWrite())
        {
            context.Succeed(requirement);
        }
        return Task.CompletedTask;
    }
}
