using System.Globalization;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace OutreachOS.BuildingBlocks.Postgres;

/// <summary>
/// Host wiring for <see cref="EmbeddedPostgres"/>: the zero-configuration default of the service.
/// <code>
/// var builder = WebApplication.CreateBuilder(args);
/// await builder.UseEmbeddedPostgresWhenUnconfiguredAsync();   // before anything reads ConnectionStrings:Postgres
/// </code>
/// When <c>ConnectionStrings:Postgres</c> is empty, a private cluster is started from
/// <c>Postgres:Embedded:DataDirectory</c> (default <c>&lt;content root&gt;/.outreachos/pgdata</c>) on
/// <c>Postgres:Embedded:Port</c> (default: remembered, else 55433, else free) with database
/// <c>Postgres:Embedded:Database</c> (default <c>outreachos</c>); its connection string is put into configuration and the
/// cluster stops when the host stops. With a connection string configured nothing happens.
/// </summary>
public static class EmbeddedPostgresHosting
{
    /// <summary>The configuration key the rest of the service reads its PostgreSQL connection string from.</summary>
    public const string ConnectionStringKey = "ConnectionStrings:Postgres";

    /// <summary>The configuration section with the embedded cluster's settings.</summary>
    public const string SectionName = "Postgres:Embedded";

    /// <summary>Starts the embedded cluster when no connection string is configured; returns it, or <c>null</c> when not needed.</summary>
    public static async Task<EmbeddedPostgres?> UseEmbeddedPostgresWhenUnconfiguredAsync(
        this IHostApplicationBuilder builder, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(builder);
        if (!string.IsNullOrWhiteSpace(builder.Configuration[ConnectionStringKey]))
        {
            return null;
        }

        var section = builder.Configuration.GetSection(SectionName);
        var options = new EmbeddedPostgresOptions
        {
            // Path.Combine keeps an absolute configured folder as it is.
            DataDirectory = Path.Combine(builder.Environment.ContentRootPath, NullIfEmpty(section["DataDirectory"]) ?? Path.Combine(".outreachos", "pgdata")),
            Port = int.TryParse(section["Port"], NumberStyles.None, CultureInfo.InvariantCulture, out var port) ? port : null,
            Database = NullIfEmpty(section["Database"]) ?? "outreachos",
            BinDirectory = NullIfEmpty(section["BinDirectory"]),
        };

        // The app's logging is not built yet; a bootstrap factory with the same "Logging" settings covers start and stop.
        var loggerFactory = LoggerFactory.Create(logging => logging
            .AddConfiguration(builder.Configuration.GetSection("Logging"))
            .AddSimpleConsole());
        EmbeddedPostgres cluster;
        try
        {
            cluster = await EmbeddedPostgres.StartAsync(options, loggerFactory.CreateLogger<EmbeddedPostgres>(), cancellationToken);
        }
        catch
        {
            loggerFactory.Dispose();
            throw;
        }

        builder.Configuration.AddInMemoryCollection([new KeyValuePair<string, string?>(ConnectionStringKey, cluster.ConnectionString)]);
        builder.Services.AddSingleton(cluster);
        // First hosted service: started first and stopped last (hosts stop them in reverse order), so the database
        // outlives every relay or projection runner that still writes to it during shutdown.
        builder.Services.Insert(0, ServiceDescriptor.Singleton<IHostedService>(new EmbeddedPostgresLifetime(cluster, loggerFactory)));
        return cluster;
    }

    private static string? NullIfEmpty(string? value) => string.IsNullOrWhiteSpace(value) ? null : value;
}

/// <summary>Stops the embedded cluster when the host stops.</summary>
internal sealed class EmbeddedPostgresLifetime(EmbeddedPostgres cluster, ILoggerFactory bootstrapLoggerFactory) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        try
        {
            await cluster.StopAsync(cancellationToken);
        }
        finally
        {
            bootstrapLoggerFactory.Dispose();
        }
    }
}
