using MassTransit;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Npgsql;
using OutreachOS.BuildingBlocks.EventStore;
using OutreachOS.BuildingBlocks.Privacy;

namespace OutreachOS.BuildingBlocks.Messaging;

public static class MessagingServiceCollectionExtensions
{
    /// <summary>
    /// Registers a module's bus consumer. Modules call this from their <c>AddXModule</c>, which the host runs before
    /// <see cref="AddOutreachMessaging"/>: MassTransit's consumer list is fixed when the bus is configured.
    /// </summary>
    public static IServiceCollection AddOutreachConsumer<TConsumer>(this IServiceCollection services) where TConsumer : class, IConsumer
    {
        ArgumentNullException.ThrowIfNull(services);
        if (services.Any(d => d.ServiceType == typeof(MessagingConfigured)))
        {
            throw new InvalidOperationException(
                $"AddOutreachConsumer<{typeof(TConsumer).Name}> was called after AddOutreachMessaging: register modules first.");
        }
        services.AddSingleton(new ConsumerRegistration(typeof(TConsumer)));
        return services;
    }

    /// <summary>
    /// MassTransit on the in-memory transport (default) or RabbitMQ (<c>Messaging:Transport=RabbitMQ</c>,
    /// <c>ConnectionStrings:RabbitMQ</c>), with bounded retry and dead-letter recording on every endpoint, the integration
    /// relay (unless <c>Messaging:Relay:Enabled=false</c>) and the messaging probe. Call after AddOutreachEventStore.
    /// </summary>
    public static IServiceCollection AddOutreachMessaging(this IServiceCollection services, IConfiguration configuration,
        Action<IBusRegistrationConfigurator>? configureConsumers = null)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var options = MessagingOptions.From(configuration);
        var rabbitUri = options.UseRabbitMq
            ? configuration.GetConnectionString("RabbitMQ") is { Length: > 0 } cs ? new Uri(cs)
                : throw new InvalidOperationException("Messaging:Transport is RabbitMQ but ConnectionStrings:RabbitMQ is not set.")
            : null;

        var moduleConsumers = services
            .Where(d => d.ServiceType == typeof(ConsumerRegistration))
            .Select(d => ((ConsumerRegistration)d.ImplementationInstance!).ConsumerType)
            .Distinct()
            .ToList();
        services.AddSingleton(new MessagingConfigured());
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton(options);
        services.AddSingleton(options.Relay);
        services.AddMigration(DeadLetterMigration.Instance);
        services.AddSingleton<IPersonalDataEraser, DeadLetterPersonalDataEraser>();
        services.AddEventTypes(typeof(MessagingProbeRequested), typeof(MessagingProbeHandled));
        services.TryAddSingleton<DeadLetterService>();
        services.TryAddSingleton<MessagingProbe>();
        services.TryAddSingleton<DeadLetterFilter>();
        if (!options.UseRabbitMq)
        {
            // Embedded mode: the relay's checkpoint waits for the consumers (ADR 0003, addendum 2026-12-03).
            services.TryAddSingleton<DeliveryLedger>();
            services.TryAddSingleton<InMemoryRoutes>();
            services.TryAddSingleton<InMemoryDelivery>();
        }
        if (options.Relay.Enabled)
        {
            services.AddSubscription<IntegrationEventRelay>();
            services.TryAddSingleton<PublishOnCommit>();
            services.AddSingleton<IAppendCommitObserver>(sp => sp.GetRequiredService<PublishOnCommit>());
        }

        services.AddMassTransit(x =>
        {
            x.SetKebabCaseEndpointNameFormatter();
            x.AddConsumer<MessagingProbeConsumer>();
            x.ConfigureHealthCheckOptions(h =>
            {
                h.Name = "masstransit-bus";
                h.Tags.Add("ready");
            });
            x.AddConfigureEndpointsCallback((context, _, endpoint) => ConfigureEndpoint(context, endpoint, options.Retry));
            foreach (var consumer in moduleConsumers)
            {
                x.AddConsumer(consumer);
            }
            configureConsumers?.Invoke(x);

            if (rabbitUri is not null)
            {
                x.UsingRabbitMq((context, cfg) =>
                {
                    cfg.Host(rabbitUri, h => h.PublisherConfirmation = true);
                    if (options.ConcurrentMessageLimit > 0)
                    {
                        cfg.ConcurrentMessageLimit = options.ConcurrentMessageLimit;
                        cfg.PrefetchCount = Math.Max(options.ConcurrentMessageLimit * 2, 4);
                    }
                    cfg.ConfigureEndpoints(context);
                });
            }
            else
            {
                x.UsingInMemory((context, cfg) => cfg.ConfigureEndpoints(context));
            }
        });
        return services;
    }

    /// <summary>
    /// Every receive endpoint: bounded retry that skips already-retried failures, then the dead-letter record, the fault
    /// event and the move to <c>&lt;queue&gt;_error</c> (MassTransit's default error filters, re-added after ours). With the
    /// in-memory transport, first of all the filter that tells the relay when the endpoint is done with a message: outside
    /// the retry, so it sees the outcome after the last attempt.
    /// </summary>
    internal static void ConfigureEndpoint(IRegistrationContext context, IReceiveEndpointConfigurator endpoint, RetryOptions retry)
    {
        if (context.GetService<InMemoryDelivery>() is { } delivery)
        {
            delivery.Routes.Observe(DeadLetterFilter.QueueName(endpoint.InputAddress));
            endpoint.UseFilter(new DeliveryFinishedFilter(delivery));
        }
        endpoint.UseMessageRetry(r =>
        {
            r.Interval(Math.Max(0, retry.Limit), TimeSpan.FromMilliseconds(Math.Max(0, retry.IntervalMs)));
            r.Ignore<Exception>(IsAlreadyRetried);
        });
        var recorder = context.GetRequiredService<DeadLetterFilter>();
        endpoint.ConfigureError(e =>
        {
            e.UseFilter(recorder);
            e.UseFilter(new MassTransit.Middleware.GenerateFaultFilter());
            e.UseFilter(new MassTransit.Middleware.ErrorTransportFilter());
        });
    }

    internal static bool IsAlreadyRetried(Exception exception)
    {
        for (var e = exception; e is not null; e = e.InnerException)
        {
            if (e is IAlreadyRetriedException)
            {
                return true;
            }
        }
        return exception is AggregateException agg && agg.InnerExceptions.Any(IsAlreadyRetried);
    }
}

internal sealed record ConsumerRegistration(Type ConsumerType);

internal sealed record MessagingConfigured;
