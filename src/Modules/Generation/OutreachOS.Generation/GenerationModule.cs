using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using OutreachOS.BuildingBlocks;
using OutreachOS.BuildingBlocks.EventStore;
using OutreachOS.BuildingBlocks.Privacy;
using OutreachOS.BuildingBlocks.Web;
using OutreachOS.Generation.Contracts;
using OutreachOS.Generation.Events;
using OutreachOS.Generation.Offline;
using OutreachOS.Generation.Personalizing;
using OutreachOS.Generation.Privacy;
using OutreachOS.Generation.Prompting;
using OutreachOS.Generation.Telemetry;
using OutreachOS.Llm;

namespace OutreachOS.Generation;

/// <summary>Entry point of the Generation module: the only public type of its implementation project.</summary>
public static class GenerationModule
{
    /// <summary>
    /// Registers outbound personalization: event types, the offline composer for
    /// "personalize.v1", and the use cases. Needs <c>AddLlm</c>, the Guardrails module and an <c>ICreditLedger</c>.
    /// </summary>
    public static IServiceCollection AddGenerationModule(this IServiceCollection services, IConfiguration configuration)
    {
        services.TryAddSingleton(TimeProvider.System);
        services.AddMetrics();
        services.TryAddSingleton(GenerationOptions.From(configuration));
        services.AddEventTypes(PersonalizationStreams.EventTypes);
        // Records are folded from their streams on read (ADR 0021); the documents an inline projection used to keep are dropped.
        services.AddMigration(new Migration(310, "personalization records folded from their streams",
            "DELETE FROM oos.documents WHERE type = 'PersonalizationRecord';"));
        services.AddOfflineTaskHandler<PersonalizeOfflineComposer>();
        services.TryAddSingleton<GenerationMetrics>();
        services.TryAddSingleton<PromptRenderer>();
        services.TryAddSingleton<AttemptSetRunner>();
        services.TryAddSingleton<PersonalizationService>();
        services.AddSingleton<IPersonalDataEraser, GenerationPersonalDataEraser>();
        return services;
    }

    /// <summary>Maps <c>/personalize</c> and its sub-resources (authenticated; every read and write is scoped to the caller's organization).</summary>
    public static IEndpointRouteBuilder MapGenerationEndpoints(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/personalize").WithTags("Personalization");

        group.MapPost("", (PersonalizeRequest body, HttpContext http, PersonalizationService service, CancellationToken ct) =>
            service.PersonalizeAsync(http.GetCaller(), body, IdempotencyKey(http), ct))
            .WithSummary("Write 1-3 personalized variants, checked by the guardrails and metered in credits (Idempotency-Key: a repeated send gets the first answer)")
            .AcceptsIdempotencyKey();

        group.MapGet("/{id:guid}", (Guid id, HttpContext http, PersonalizationService service, CancellationToken ct) =>
            service.GetAsync(http.GetTenantId(), id, ct))
            .WithSummary("The request's full audit record: prompts, raw outputs, verdicts, selection, credits, events with hashes");

        group.MapPost("/{id:guid}/select", (Guid id, SelectVariantRequest body, HttpContext http, PersonalizationService service, CancellationToken ct) =>
            service.SelectAsync(http.GetCaller(), id, body, IdempotencyKey(http), ct))
            .WithSummary("Select (and optionally edit) a variant; blocked variants need \"override\": true (Idempotency-Key: a repeat gets the first answer)")
            .AcceptsIdempotencyKey();

        group.MapPost("/{id:guid}/regenerate", (Guid id, HttpContext http, PersonalizationService service, CancellationToken ct) =>
            service.RegenerateAsync(http.GetTenantId(), id, IdempotencyKey(http), ct))
            .WithSummary("A new attempt set on the same request (charged again; limited per request; Idempotency-Key: a repeat gets the first answer, charged once)")
            .AcceptsIdempotencyKey();

        group.MapPost("/{id:guid}/replay", (Guid id, ReplayRequest? body, HttpContext http, PersonalizationService service, CancellationToken ct) =>
            service.ReplayAsync(http.GetTenantId(), id, body ?? new ReplayRequest(null), IdempotencyKey(http), ct))
            .WithSummary("Re-run the exact stored prompt (optionally on another model) and compare with the original (Idempotency-Key: a repeat gets the first answer, one model call)")
            .AcceptsIdempotencyKey();

        return app;
    }

    private static string? IdempotencyKey(HttpContext http) =>
        http.Request.Headers.TryGetValue(IdempotentRequests.Header, out var key) ? key.ToString() : null;
}
