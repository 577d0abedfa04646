using Microsoft.Extensions.DependencyInjection;

namespace OutreachOS.Generation;

/// <summary>Entry point of the Generation module: the only public type of its implementation project.</summary>
public static class GenerationModule
{
    public static IServiceCollection AddGenerationModule(this IServiceCollection services) => services;
}
