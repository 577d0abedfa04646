using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using OutreachOS.Llm;

namespace OutreachOS.UnitTests.Llm;

/// <summary>A container with AddLlm over in-memory configuration, as the host builds it.</summary>
internal sealed class LlmTestHost : IDisposable
{
    private readonly ServiceProvider _services;

    public LlmTestHost(IDictionary<string, string?> settings, Action<IServiceCollection>? configure = null)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        var services = new ServiceCollection();
        services.AddSingleton(Logs);
        services.AddLogging(b => b.AddProvider(Logs));
        services.AddLlm(configuration);
        configure?.Invoke(services);
        _services = services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true, ValidateScopes = true });
    }

    public CapturingLoggerProvider Logs { get; } = new();

    public IServiceProvider Services => _services;

    public ILlmClient Client => _services.GetRequiredService<ILlmClient>();

    public void Dispose() => _services.Dispose();
}
