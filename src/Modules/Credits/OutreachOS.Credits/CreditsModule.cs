using Microsoft.Extensions.DependencyInjection;

namespace OutreachOS.Credits;

/// <summary>Entry point of the Credits module: the only public type of its implementation project.</summary>
public static class CreditsModule
{
    public static IServiceCollection AddCreditsModule(this IServiceCollection services) => services;
}
