using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using OutreachOS.Guardrails.Contracts;
using OutreachOS.Guardrails.Evaluation;

namespace OutreachOS.Guardrails;

/// <summary>Entry point of the Guardrails module: the only public type of its implementation project.</summary>
public static class GuardrailsModule
{
    /// <summary>Registers <see cref="IGuardrailEvaluator"/> as a stateless singleton with the built-in checks.</summary>
    public static IServiceCollection AddGuardrailsModule(this IServiceCollection services)
    {
        services.TryAddSingleton<IGuardrailEvaluator>(_ => GuardrailEvaluator.CreateDefault());
        return services;
    }
}
