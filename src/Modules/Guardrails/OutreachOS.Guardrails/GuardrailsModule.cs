using Microsoft.Extensions.DependencyInjection;

namespace OutreachOS.Guardrails;

/// <summary>Entry point of the Guardrails module: the only public type of its implementation project.</summary>
public static class GuardrailsModule
{
    public static IServiceCollection AddGuardrailsModule(this IServiceCollection services) => services;
}
