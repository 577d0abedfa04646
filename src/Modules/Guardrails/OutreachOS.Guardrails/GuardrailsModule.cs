using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using OutreachOS.BuildingBlocks;
using OutreachOS.BuildingBlocks.Documents;
using OutreachOS.Guardrails.Contracts;
using OutreachOS.Guardrails.Evaluation;
using OutreachOS.Guardrails.Policy;

namespace OutreachOS.Guardrails;

/// <summary>Entry point of the Guardrails module: the only public type of its implementation project.</summary>
public static class GuardrailsModule
{
    /// <summary>
    /// Registers <see cref="IGuardrailEvaluator"/> (the built-in checks, plus the organization's own policy when the input names
    /// its organization and an event store is registered) and <see cref="IGuardrailPolicyReader"/> (that policy's lists; none
    /// without an event store).
    /// </summary>
    public static IServiceCollection AddGuardrailsModule(this IServiceCollection services)
    {
        services.TryAddSingleton<IGuardrailEvaluator>(sp =>
        {
            var pure = GuardrailEvaluator.CreateDefault();
            return sp.GetService<DocumentStore>() is { } documents ? new OrganizationPolicyEvaluator(pure, documents) : pure;
        });
        services.TryAddSingleton<IGuardrailPolicyReader>(sp =>
            sp.GetRequiredService<IGuardrailEvaluator>() as IGuardrailPolicyReader ?? NoOrganizationPolicy.Instance);
        services.AddEventTypes(typeof(GuardrailPolicySet));
        services.AddInlineProjection<GuardrailPolicyProjection>();
        return services;
    }

    /// <summary><c>GET/PUT /guardrails/policy</c>: per-organization forbidden phrases and competitor names.</summary>
    public static IEndpointRouteBuilder MapGuardrailsEndpoints(this IEndpointRouteBuilder app)
    {
        PolicyEndpoints.Map(app);
        return app;
    }

    private sealed class NoOrganizationPolicy : IGuardrailPolicyReader
    {
        public static readonly NoOrganizationPolicy Instance = new();

        public ValueTask<OrganizationGuardrailLists> ReadAsync(Guid organizationId, CancellationToken ct) => ValueTask.FromResult(OrganizationGuardrailLists.None);
    }
}
