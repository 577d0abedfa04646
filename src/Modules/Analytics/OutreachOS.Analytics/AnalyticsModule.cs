using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using OutreachOS.Analytics.Contracts;
using OutreachOS.Analytics.Projection;
using OutreachOS.Analytics.Queries;
using OutreachOS.BuildingBlocks;

namespace OutreachOS.Analytics;

/// <summary>Entry point of the Analytics module: the only public type of its implementation project.</summary>
public static class AnalyticsModule
{
    /// <summary>
    /// Registers the KPI async projection (<c>analytics-kpis</c>), its tables (migrations 500-509) and <see cref="IKpiQueries"/>.
    /// Reads other modules' events by name and payload JSON only (ADR 0014). The host provides <c>ICreditPlanSource</c>.
    /// </summary>
    public static IServiceCollection AddAnalyticsModule(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        foreach (var migration in AnalyticsSchema.Migrations)
        {
            services.AddMigration(migration);
        }
        services.AddSubscription<KpiProjection>();
        services.AddSingleton<IKpiQueries, PostgresKpiQueries>();
        return services;
    }

    /// <summary>KPIs are served over GraphQL (the host's read schema); there is no REST surface yet.</summary>
    public static IEndpointRouteBuilder MapAnalyticsEndpoints(this IEndpointRouteBuilder app) => app;
}
