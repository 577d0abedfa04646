using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using OutreachOS.Llm.Anthropic;
using OutreachOS.Llm.Offline;
using OutreachOS.Llm.OpenAI;
using OutreachOS.Llm.Pricing;

namespace OutreachOS.Llm;

public static class LlmServiceCollectionExtensions
{
    /// <summary>
    /// Registers <see cref="ILlmClient"/> for the provider named by <c>Llm:Provider</c> (Offline by default).
    /// Configuration is read and validated now, so a bad value stops startup instead of the first call.
    /// Modules add their offline answers with <see cref="AddOfflineTaskHandler{THandler}"/>.
    /// </summary>
    public static IServiceCollection AddLlm(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);

        var settings = LlmSettings.From(configuration);
        services.AddMetrics();
        services.AddLogging();
        services.TryAddSingleton(settings);
        services.TryAddSingleton<LlmPriceTable>();
        services.TryAddSingleton<LlmMetrics>();
        switch (settings.Provider)
        {
            case LlmProviderKind.OpenAI:
                // Built now: a missing key fails at startup, and the SDK client is one pipeline for the process.
                services.TryAddSingleton<ILlmProvider>(new OpenAILlmProvider(settings));
                break;
            case LlmProviderKind.Anthropic:
                services.TryAddSingleton<ILlmProvider>(_ => new AnthropicLlmProvider(settings));
                break;
            default:
                services.TryAddSingleton<ILlmProvider, OfflineLlmProvider>();
                break;
        }

        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton(sp => new LlmCircuit(settings.Circuit, sp.GetRequiredService<TimeProvider>()));
        services.TryAddSingleton<ILlmClient, LlmClient>();
        return services;
    }

    /// <summary>Registers a module's deterministic answer for one prompt task (used when the provider is Offline).</summary>
    public static IServiceCollection AddOfflineTaskHandler<THandler>(this IServiceCollection services)
        where THandler : class, IOfflineTaskHandler
    {
        ArgumentNullException.ThrowIfNull(services);
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IOfflineTaskHandler, THandler>());
        return services;
    }
}
