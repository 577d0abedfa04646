using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;
using OutreachOS.BuildingBlocks.Documents;
using OutreachOS.BuildingBlocks.EventStore;
using OutreachOS.BuildingBlocks.Projections;

namespace OutreachOS.BuildingBlocks;

public static class EventStoreServiceCollectionExtensions
{
    /// <summary>Registers the event store, document store, schema migrator and subscription daemon on one data source.</summary>
    public static IServiceCollection AddOutreachEventStore(this IServiceCollection services, string connectionString, Action<SubscriptionOptions>? configure = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(connectionString);
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton(_ =>
        {
            var builder = new NpgsqlDataSourceBuilder(connectionString);
            builder.ConnectionStringBuilder.ApplicationName ??= "outreachos";
            // Npgsql resets every pooled connection (DISCARD ALL, one extra round trip) each time it is reused: about
            // a third of the statements of a /personalize request. Nothing here leaves session state behind: settings
            // are SET LOCAL, advisory locks and LISTEN are released explicitly by their owners (the subscription runner
            // drops the pool entry when it cannot). An explicit "No Reset On Close=false" in the string is kept.
            if (!connectionString.Contains("Reset On Close", StringComparison.OrdinalIgnoreCase))
            {
                builder.ConnectionStringBuilder.NoResetOnClose = true;
            }
            // Automatic preparation: the same few dozen statements run for every request and message, and PostgreSQL
            // parsed and planned each one every time. An explicit "Max Auto Prepare" in the string is kept (0 turns it off).
            if (!connectionString.Contains("Auto Prepare", StringComparison.OrdinalIgnoreCase))
            {
                builder.ConnectionStringBuilder.MaxAutoPrepare = 64;
            }
            return builder.Build();
        });
        services.TryAddSingleton(sp =>
        {
            var registry = new EventTypeRegistry();
            foreach (var registration in sp.GetServices<EventTypeRegistration>())
            {
                foreach (var type in registration.Types)
                {
                    registry.Register(type);
                }
            }
            return registry;
        });
        services.TryAddSingleton<IEventStore, PostgresEventStore>();
        services.TryAddSingleton<DocumentStore>();
        services.TryAddSingleton<SchemaMigrator>();
        // One window of the recent global log per process, shared by every subscription runner (see LogTail).
        services.TryAddSingleton(sp => new LogTail(
            sp.GetRequiredService<IEventStore>() is PostgresEventStore postgres
                ? postgres.ReadAllForSubscriberAsync
                : throw new InvalidOperationException("The shared log tail reads through PostgresEventStore."),
            sp.GetRequiredService<IOptions<SubscriptionOptions>>().Value));
        services.TryAddSingleton(sp =>
        {
            var store = sp.GetRequiredService<IEventStore>();
            return new SubscriptionEngine(sp.GetRequiredService<NpgsqlDataSource>(), store, sp.GetServices<ISubscription>(),
                sp.GetRequiredService<ILogger<SubscriptionEngine>>(), store is PostgresEventStore ? sp.GetRequiredService<LogTail>() : null,
                sp.GetRequiredService<IOptions<SubscriptionOptions>>().Value.ParkAfterFailures);
        });
        services.AddOptions<SubscriptionOptions>().Configure(o => configure?.Invoke(o));
        services.AddLogging();
        services.AddHostedService<SubscriptionDaemon>();
        return services;
    }

    public static IServiceCollection AddSubscription<T>(this IServiceCollection services) where T : class, ISubscription =>
        services.AddSingleton<ISubscription, T>();

    public static IServiceCollection AddInlineProjection<T>(this IServiceCollection services) where T : class, IInlineProjection =>
        services.AddSingleton<IInlineProjection, T>();

    public static IServiceCollection AddMigration(this IServiceCollection services, Migration migration) =>
        services.AddSingleton(migration);

    /// <summary>Registers event types so that stored payloads deserialise to them.</summary>
    public static IServiceCollection AddEventTypes(this IServiceCollection services, params Type[] types)
    {
        services.AddSingleton(new EventTypeRegistration(types));
        return services;
    }
}

/// <summary>Event types contributed by a module; applied to the registry when it is first resolved.</summary>
public sealed record EventTypeRegistration(IReadOnlyList<Type> Types);
