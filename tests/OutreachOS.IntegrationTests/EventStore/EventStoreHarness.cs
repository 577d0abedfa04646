using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using OutreachOS.BuildingBlocks;
using OutreachOS.BuildingBlocks.EventStore;
using OutreachOS.BuildingBlocks.Projections;
using OutreachOS.IntegrationTests.Infrastructure;

namespace OutreachOS.IntegrationTests.EventStore;

public sealed record TestDeposited(string Account, decimal Amount, string Note);
public sealed record TestWithdrawn(string Account, decimal Amount);

/// <summary>A service provider with the real event store on a fresh database.</summary>
internal sealed class EventStoreHarness : IAsyncDisposable
{
    private EventStoreHarness(ServiceProvider services, string connectionString)
    {
        Services = services;
        ConnectionString = connectionString;
    }

    public ServiceProvider Services { get; }
    public string ConnectionString { get; }
    public IEventStore Store => Services.GetRequiredService<IEventStore>();
    public NpgsqlDataSource DataSource => Services.GetRequiredService<NpgsqlDataSource>();
    public SubscriptionEngine Engine => Services.GetRequiredService<SubscriptionEngine>();

    public static async Task<EventStoreHarness> CreateAsync(string? connectionString = null, Action<IServiceCollection>? configure = null, Action<SubscriptionOptions>? options = null)
    {
        connectionString ??= await TestPostgres.CreateDatabaseAsync("es");
        var services = new ServiceCollection();
        services.AddOutreachEventStore(connectionString, options);
        services.AddEventTypes(typeof(TestDeposited), typeof(TestWithdrawn));
        configure?.Invoke(services);
        var provider = services.BuildServiceProvider();
        await provider.GetRequiredService<SchemaMigrator>().MigrateAsync();
        return new EventStoreHarness(provider, connectionString);
    }

    public async Task<long> ScalarAsync(string sql)
    {
        await using var cmd = DataSource.CreateCommand(sql);
        return Convert.ToInt64(await cmd.ExecuteScalarAsync(), System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>A stream's versions in the order readers of the log see them: (transaction id, sequence).</summary>
    public async Task<List<long>> LogVersionsAsync(Guid tenantId, string streamId)
    {
        await using var cmd = DataSource.CreateCommand("SELECT version FROM oos.events WHERE tenant_id = $1 AND stream_id = $2 ORDER BY tx, seq");
        cmd.Parameters.Add(new NpgsqlParameter { Value = tenantId });
        cmd.Parameters.Add(new NpgsqlParameter { Value = streamId });
        var versions = new List<long>();
        await using var r = await cmd.ExecuteReaderAsync();
        while (await r.ReadAsync())
        {
            versions.Add(r.GetInt64(0));
        }
        return versions;
    }

    public async Task ExecAsync(string sql)
    {
        await using var cmd = DataSource.CreateCommand(sql);
        await cmd.ExecuteNonQueryAsync();
    }

    /// <summary>Starts the subscription daemon (the hosted services) by hand: the harness is not a host.</summary>
    public async Task StartDaemonAsync()
    {
        foreach (var hosted in Services.GetServices<Microsoft.Extensions.Hosting.IHostedService>())
        {
            await hosted.StartAsync(CancellationToken.None);
        }
    }

    public async Task StopDaemonAsync()
    {
        foreach (var hosted in Services.GetServices<Microsoft.Extensions.Hosting.IHostedService>())
        {
            await hosted.StopAsync(CancellationToken.None);
        }
    }

    public ValueTask DisposeAsync() => Services.DisposeAsync();
}
