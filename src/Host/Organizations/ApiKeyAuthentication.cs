using System.Security.Claims;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;
using OutreachOS.BuildingBlocks.Web;

namespace OutreachOS.Host.Organizations;

/// <summary>Authenticates <c>Authorization: Bearer &lt;key&gt;</c> or <c>X-Api-Key: &lt;key&gt;</c>; failures are RFC 7807 problems.</summary>
internal sealed class ApiKeyAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options,
    ILoggerFactory logger,
    UrlEncoder encoder,
    OrganizationService organizations) : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = "ApiKey";

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var key = ReadKey(Request);
        if (key is null)
        {
            return AuthenticateResult.NoResult();
        }
        if (key.Length > 200)
        {
            return AuthenticateResult.Fail("The API key is malformed (longer than 200 characters).");
        }
        var found = await organizations.AuthenticateAsync(key, Context.RequestAborted);
        if (found is null)
        {
            return AuthenticateResult.Fail("The API key is unknown or revoked.");
        }
        Context.Items[TenancyHttpContextExtensions.TenantItemKey] = found.TenantId;
        var identity = new ClaimsIdentity(
        [
            new Claim(TenancyHttpContextExtensions.TenantClaim, found.TenantId.ToString()),
            new Claim(TenancyHttpContextExtensions.ApiKeyClaim, found.KeyId.ToString()),
            new Claim(TenancyHttpContextExtensions.PlatformAdminClaim, found.IsPlatformAdmin ? "true" : "false"),
            new Claim(TenancyHttpContextExtensions.RoleClaim, ApiKeyRoles.ToText(found.Role)),
        ], SchemeName);
        return AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), SchemeName));
    }

    protected override async Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        // Why the key was refused, for the detail: the handler's own result of this request (computed once, cached). The
        // authentication middleware keeps only a successful result in IAuthenticateResultFeature.
        var failure = (await HandleAuthenticateOnceSafeAsync()).Failure?.Message;
        Response.StatusCode = StatusCodes.Status401Unauthorized;
        Response.Headers.WWWAuthenticate = "Bearer realm=\"outreachos\"";
        await Results.Problem(
            statusCode: StatusCodes.Status401Unauthorized,
            title: "Unauthorized",
            detail: failure ?? "Send an API key as 'Authorization: Bearer <key>' or 'X-Api-Key: <key>'.",
            type: "https://outreachos.dev/problems/unauthorized").ExecuteAsync(Context);
    }

    protected override async Task HandleForbiddenAsync(AuthenticationProperties properties)
    {
        // The role-based refusals (platform-only operations answer for themselves): a VIEWER key asking for a change, and
        // any other key asking for an ADMIN endpoint.
        var role = Context.GetCaller().Role;
        var needsAdmin = TenancyHttpContextExtensions.RequiresOrganizationAdmin(Context.GetEndpoint()?.Metadata ?? []);
        await Problems.Forbidden(needsAdmin || !Context.IsViewerWrite()
                ? $"This API key's role is {role}; changing the organization's API keys, policies, templates or integrations needs an ADMIN key."
                : $"This API key's role is {role}: it reads but changes nothing. {Context.Request.Method} {Context.Request.Path} needs a MEMBER or ADMIN key.")
            .ExecuteAsync(Context);
    }

    internal static string? ReadKey(HttpRequest request)
    {
        var auth = request.Headers.Authorization.ToString();
        if (auth.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            var token = auth["Bearer ".Length..].Trim();
            return token.Length == 0 ? null : token;
        }
        var header = request.Headers["X-Api-Key"].ToString().Trim();
        return header.Length == 0 ? null : header;
    }
}
