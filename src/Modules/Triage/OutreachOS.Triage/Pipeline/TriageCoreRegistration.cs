using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using OutreachOS.BuildingBlocks;
using OutreachOS.BuildingBlocks.Messaging;
using OutreachOS.Ingestion.Contracts;
using OutreachOS.Llm;
using OutreachOS.Triage.Classification;
using OutreachOS.Triage.Contracts;
using OutreachOS.Triage.InboundView;
using OutreachOS.Triage.Policies;

namespace OutreachOS.Triage.Pipeline;

/// <summary>The triage core's registrations (pre-filter, classification, policy, router, inbound view), kept apart from the response paths'.</summary>
internal static class TriageCoreRegistration
{
    public static IServiceCollection AddTriageCore(IServiceCollection services, IConfiguration configuration)
    {
        services.TryAddSingleton(configuration);
        services.TryAddSingleton(TimeProvider.System);
        // InboundMessageReceived is Ingestion's event: the Ingestion module registers it.
        services.AddEventTypes(typeof(InboundFiltered), typeof(InboundPiiRedacted), typeof(InboundPiiRedactedV2), typeof(InboundClassified),
            typeof(InboundDecided), typeof(InboundSenderSuppressed), typeof(TriagePolicyUpdated));
        services.AddInlineProjection<TriagePolicyProjection>();
        services.TryAddSingleton<TriagePolicySource>();
        services.TryAddSingleton<TriageClassifier>();
        services.TryAddSingleton<TriagePipeline>();
        services.TryAddSingleton<LlmClassifier>();
        services.AddOfflineTaskHandler<ClassifyOfflineTaskHandler>();
        services.AddOutreachConsumer<InboundTriageConsumer>();
        return services;
    }

    public static IEndpointRouteBuilder MapTriageCore(IEndpointRouteBuilder app)
    {
        PolicyEndpoints.Map(app);
        InboundViewEndpoint.Map(app);
        return app;
    }
}
