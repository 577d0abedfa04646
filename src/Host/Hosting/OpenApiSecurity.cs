using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;
using OutreachOS.BuildingBlocks.Web;

namespace OutreachOS.Host.Hosting;

/// <summary>
/// The OpenAPI document says how to call the API: the API key as a bearer token (<c>ApiKey</c> security scheme), required
/// by every operation that is not anonymous, and the problem responses every such operation may give before it runs:
/// 401 (no or bad key), 403 (a role that may not: ADMIN-only endpoints, writes with a VIEWER key) and 429 (rate limit);
/// and the <c>Idempotency-Key</c> header where an endpoint honours it.
/// </summary>
internal static class OpenApiSecurity
{
    public const string SchemeName = "ApiKey";

    public static void AddOpenApiSecurity(this OpenApiOptions options)
    {
        options.AddDocumentTransformer((document, _, _) =>
        {
            document.Components ??= new OpenApiComponents();
            document.Components.SecuritySchemes ??= new Dictionary<string, IOpenApiSecurityScheme>();
            document.Components.SecuritySchemes[SchemeName] = new OpenApiSecurityScheme
            {
                Type = SecuritySchemeType.Http,
                Scheme = "bearer",
                Description = "An organization's API key (oos_…) as 'Authorization: Bearer <key>' (or the X-Api-Key header). " +
                              "Roles: ADMIN (everything), MEMBER (the work, no settings), VIEWER (reads only).",
            };
            return Task.CompletedTask;
        });
        options.AddOperationTransformer((operation, context, _) =>
        {
            var metadata = context.Description.ActionDescriptor.EndpointMetadata;
            if (metadata.OfType<IAllowAnonymous>().Any())
            {
                return Task.CompletedTask;
            }
            operation.Security ??= [];
            operation.Security.Add(new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference(SchemeName, context.Document)] = [] });
            operation.Responses ??= [];
            var changes = TenancyHttpContextExtensions.MayChangeData(context.Description.HttpMethod ?? HttpMethods.Get, metadata);
            var adminOnly = TenancyHttpContextExtensions.RequiresOrganizationAdmin(metadata);
            Add(operation, "401", "No API key, or an unknown or revoked one (problem details).");
            if (adminOnly || changes)
            {
                Add(operation, "403", adminOnly ? "The key is not an ADMIN key (problem details)." : "The key is a VIEWER key, which reads only (problem details).");
            }
            Add(operation, "429", "The key or its organization is over its rate limit (the problem's limit: api_key or organization); see Retry-After (problem details).");
            if (IdempotencyKeys.IsAccepted(metadata))
            {
                operation.Parameters ??= [];
                operation.Parameters.Add(new OpenApiParameter
                {
                    Name = IdempotencyKeys.Header,
                    In = ParameterLocation.Header,
                    Required = false,
                    Description = "A name for this call, chosen by the client (a UUID, say), scoped to the organization and the request. " +
                                  "A repeat with the same key gets the first call's answer with 'Idempotent-Replayed: true', and is not charged again.",
                    Schema = new OpenApiSchema { Type = JsonSchemaType.String, MinLength = 1, MaxLength = IdempotencyKeys.MaxLength, Pattern = "^[!-~]+$" },
                });
                Add(operation, "409", "A call with this Idempotency-Key is still running; send it again after Retry-After (problem details).");
                Add(operation, "422", "This Idempotency-Key already named another call or another body (problem details).");
            }
            return Task.CompletedTask;
        });
    }

    private static void Add(OpenApiOperation operation, string status, string description) =>
        operation.Responses!.TryAdd(status, new OpenApiResponse { Description = description });
}
