using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using OutreachOS.Triage.Pipeline;

namespace OutreachOS.Triage;

/// <summary>Entry point of the Triage module: the only public type of its implementation project.</summary>
public static class TriageModule
{
    public static IServiceCollection AddTriageModule(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        TriageCoreRegistration.AddTriageCore(services, configuration);
        Responses.ResponsesRegistration.AddTriageResponses(services, configuration);
        return services;
    }

    public static IEndpointRouteBuilder MapTriageEndpoints(this IEndpointRouteBuilder app)
    {
        TriageCoreRegistration.MapTriageCore(app);
        Responses.ResponsesRegistration.MapTriageResponses(app);
        return app;
    }
}
