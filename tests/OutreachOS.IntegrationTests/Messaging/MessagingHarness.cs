using MassTransit;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Npgsql;
using OutreachOS.BuildingBlocks;
using OutreachOS.BuildingBlocks.EventStore;
using OutreachOS.BuildingBlocks.Messaging;
using OutreachOS.BuildingBlocks.Projections;
using OutreachOS.IntegrationTests.Infrastructure;

namespace OutreachOS.IntegrationTests.Messaging;

/// <summary>A generic host with the real event store (fresh database) and messaging (RabbitMQ vhost or in-memory).</summary>
internal sealed class MessagingHarness : IAsyncDisposable
{
    private MessagingHarness(IHost host, string connectionString)
    {
        Host = host;
        ConnectionString = connectionString;
    }

    public IHost Host { get; }
    public string ConnectionString { get; }
    public IServiceProvider Services => Host.Services;
    public IEventStore Store => Services.GetRequiredService<IEventStore>();
    public NpgsqlDataSource DataSource => Services.GetRequiredService<NpgsqlDataSource>();
    public IBus Bus => Services.GetRequiredService<IBus>();
    public DeadLetterService DeadLetters => Services.GetRequiredService<DeadLetterService>();
    public SubscriptionEngine Engine => Services.GetRequiredService<SubscriptionEngine>();

    /// <param name="rabbit">null = in-memory transport.</param>
    public static async Task<MessagingHarness> StartAsync(string? connectionString, RabbitVhost? rabbit,
        Action<IBusRegistrationConfigurator>? consumers = null, Action<IServiceCollection>? services = null,
        IDictionary<string, string?>? settings = null)
    {
        connectionString ??= await TestPostgres.CreateDatabaseAsync("msg");
        // Development: the container validates scopes (a singleton taking a scoped service fails here, as in the host).
        var builder = Microsoft.Extensions.Hosting.Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { EnvironmentName = "Development" });
        var config = new Dictionary<string, string?>
        {
            ["Messaging:Retry:Limit"] = "2",
            ["Messaging:Retry:IntervalMs"] = "20",
        };
        if (rabbit is not null)
        {
            config["Messaging:Transport"] = "RabbitMQ";
            config["ConnectionStrings:RabbitMQ"] = rabbit.Uri.ToString();
        }
        foreach (var (k, v) in settings ?? new Dictionary<string, string?>())
        {
            config[k] = v;
        }
        builder.Configuration.AddInMemoryCollection(config);
        builder.Services.AddOutreachEventStore(connectionString, o => o.PollInterval = TimeSpan.FromMilliseconds(100));
        builder.Services.AddEventTypes(typeof(RelayTestHappened), typeof(PlainTestHappened), typeof(TestEffect));
        builder.Services.AddSingleton<TestProbe>();
        services?.Invoke(builder.Services);
        builder.Services.AddOutreachMessaging(builder.Configuration, consumers);
        var host = builder.Build();
        await host.Services.GetRequiredService<SchemaMigrator>().MigrateAsync();
        await host.StartAsync();
        await host.Services.GetRequiredService<IBusControl>().WaitForHealthStatus(BusHealthStatus.Healthy, TimeSpan.FromSeconds(30));
        return new MessagingHarness(host, connectionString);
    }

    public async Task<long> ScalarAsync(string sql, params (string Name, object Value)[] parameters)
    {
        await using var cmd = DataSource.CreateCommand(sql);
        foreach (var (name, value) in parameters)
        {
            cmd.Parameters.AddWithValue(name, value);
        }
        return Convert.ToInt64(await cmd.ExecuteScalarAsync(), System.Globalization.CultureInfo.InvariantCulture);
    }

    public async ValueTask DisposeAsync()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        try
        {
            await Host.StopAsync(cts.Token);
        }
        finally
        {
            Host.Dispose();
        }
    }
}

/// <summary>The relay's position as stored in <c>oos.checkpoints</c> (written lazily, and at a graceful stop).</summary>
internal static class RelayCheckpoint
{
    /// <summary>Whether the stored relay position is at or past the event.</summary>
    public static async Task<bool> IsPastAsync(string connectionString, Guid eventId)
    {
        await using var ds = NpgsqlDataSource.Create(connectionString);
        await using var cmd = ds.CreateCommand("""
            SELECT EXISTS (SELECT 1 FROM oos.checkpoints c JOIN oos.events e ON e.id = @id
                           WHERE c.name = 'integration-relay' AND (c.tx, c.seq) >= (e.tx, e.seq))
            """);
        cmd.Parameters.AddWithValue("id", eventId);
        return (bool)(await cmd.ExecuteScalarAsync())!;
    }
}

internal static class Eventually
{
    public static async Task TrueAsync(Func<Task<bool>> condition, string what, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(45)); // generous: CI shares 2 cores with parallel tests
        while (!await condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"Timed out waiting for: {what}");
            }
            await Task.Delay(50);
        }
    }
}
