using System.Net.Http.Headers;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using OutreachOS.IntegrationTests.Infrastructure;

namespace OutreachOS.IntegrationTests.Api;

/// <summary>The real host (Program) in-process on a fresh PostgreSQL database, with a bootstrap API key.</summary>
public sealed class OutreachApp : WebApplicationFactory<Program>
{
    public const string BootstrapKey = "test-bootstrap-key-0123456789";

    private readonly Dictionary<string, string?> _settings;
    private readonly Action<IServiceCollection>? _services;

    private OutreachApp(string connectionString, IDictionary<string, string?>? settings, Action<IServiceCollection>? services)
    {
        ConnectionString = connectionString;
        _services = services;
        _settings = new Dictionary<string, string?>
        {
            ["ConnectionStrings:Postgres"] = connectionString,
            ["Auth:BootstrapApiKey"] = BootstrapKey,
            ["Projections:Enabled"] = "true",
            ["Logging:LogLevel:Default"] = "Warning",
        };
        foreach (var (k, v) in settings ?? new Dictionary<string, string?>())
        {
            _settings[k] = v;
        }
    }

    public string ConnectionString { get; }

    /// <param name="services">Registrations applied after the host's own (test doubles, log capture).</param>
    public static async Task<OutreachApp> StartAsync(IDictionary<string, string?>? settings = null, string? connectionString = null,
        Action<IServiceCollection>? services = null)
    {
        var app = new OutreachApp(connectionString ?? await TestPostgres.CreateDatabaseAsync("host"), settings, services);
        _ = app.Server; // build and start now, so migrations and bootstrap have run
        return app;
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        foreach (var (k, v) in _settings)
        {
            builder.UseSetting(k, v);
        }
        builder.UseEnvironment("Testing");
        if (_services is not null)
        {
            builder.ConfigureTestServices(_services);
        }
    }

    public HttpClient ClientWithKey(string? key = BootstrapKey)
    {
        var client = CreateClient();
        if (key is not null)
        {
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);
        }
        return client;
    }
}
