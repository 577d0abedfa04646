using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using OutreachOS.BuildingBlocks;
using OutreachOS.Credits.Balance;
using OutreachOS.Credits.Contracts;
using OutreachOS.Credits.Expiring;
using OutreachOS.Credits.Ledger;

namespace OutreachOS.Credits;

/// <summary>Entry point of the Credits module: the only public type of its implementation project.</summary>
public static class CreditsModule
{
    /// <summary>
    /// Registers the ledger (<see cref="ICreditLedger"/>), its events, inline projection, migration and the expired
    /// reservation sweeper. The host must register an <see cref="ICreditPlanSource"/> (where tiers come from).
    /// </summary>
    public static IServiceCollection AddCreditsModule(this IServiceCollection services, IConfiguration? configuration = null)
    {
        var optionsBuilder = services.AddOptions<CreditOptions>();
        if (configuration is not null)
        {
            optionsBuilder.Bind(configuration.GetSection(CreditOptions.Section));
        }
        optionsBuilder.Validate(Valid, "Credits settings are invalid: tiers ≥ 0, CostPerVariant ≥ 1, MaxRegenerationsPerRequest ≥ 0, " +
            "ReservationTimeout and SweepInterval > 0, 0 ≤ CriticalAlertPercent ≤ LowAlertPercent ≤ 100.").ValidateOnStart();
        services.AddEventTypes(CreditEventTypes.All);
        services.AddInlineProjection<CreditAccountProjection>();
        services.AddMigration(CreditAccountProjection.Migration);
        services.AddSingleton<ICreditLedger, PostgresCreditLedger>();
        services.AddSingleton<CreditsReadModel>();
        services.AddSingleton<ReservationSweeper>();
        services.AddHostedService(sp => sp.GetRequiredService<ReservationSweeper>());
        return services;
    }

    /// <summary>Maps <c>GET /credits</c> and the platform-admin ledger endpoints under <c>/credits/reservations</c>.</summary>
    public static IEndpointRouteBuilder MapCreditsEndpoints(this IEndpointRouteBuilder app)
    {
        CreditsEndpoints.Map(app);
        return app;
    }

    private static bool Valid(CreditOptions o) =>
        o.Tiers.Values.All(v => v >= 0) && o.CostPerVariant >= 1 && o.MaxRegenerationsPerRequest >= 0 &&
        o.ReservationTimeout > TimeSpan.Zero && o.SweepInterval > TimeSpan.Zero &&
        o.CriticalAlertPercent >= 0 && o.CriticalAlertPercent <= o.LowAlertPercent && o.LowAlertPercent <= 100;
}
