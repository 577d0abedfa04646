using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using OutreachOS.BuildingBlocks;
using OutreachOS.BuildingBlocks.Messaging;
using OutreachOS.BuildingBlocks.Security;
using OutreachOS.Llm;
using OutreachOS.Triage.Drafts;
using OutreachOS.Triage.Feedback;
using OutreachOS.Triage.Qa;
using OutreachOS.Triage.Slack;
using OutreachOS.Triage.Smtp;
using OutreachOS.Triage.Templates;

namespace OutreachOS.Triage.Responses;

/// <summary>The response paths of the Triage module (issue 4): consumer of InboundDecided, templates, SMTP, drafts, Slack, QA, feedback.</summary>
internal static class ResponsesRegistration
{
    public static void AddTriageResponses(IServiceCollection services, IConfiguration configuration)
    {
        services.TryAddSingleton(TimeProvider.System);
        services.AddEventTypes([.. ResponseEventTypes.All, .. DraftEventTypes.All, .. SlackSettingsStreams.EventTypes]);
        services.AddMigration(SendLedger.Migration);
        services.AddMigration(SlackSettingsStore.Migration);
        services.AddSingleton<OutreachOS.BuildingBlocks.Privacy.IPersonalDataEraser, Privacy.TriagePersonalDataEraser>();
        services.TryAddSingleton(ResponseOptions.From(configuration));
        services.TryAddSingleton(SmtpOptions.Load(configuration));
        services.TryAddSingleton(SlackOptions.From(configuration));
        services.TryAddSingleton<TemplateRenderer>();
        services.TryAddSingleton<TemplateStore>();
        services.TryAddSingleton<ReplyComposer>();
        services.TryAddSingleton<SendLedger>();
        services.TryAddSingleton<IMailSender, SmtpMailSender>();
        services.TryAddSingleton<ReplySender>();
        services.TryAddSingleton<CrmNotes>();
        services.TryAddSingleton<DraftGuardrails>();
        services.TryAddSingleton<DraftActions>();
        services.TryAddSingleton(SecretProtector.FromConfiguration(configuration));
        services.TryAddSingleton<SlackSettingsStore>();
        services.AddProtectedSecretsTable<SlackSettingsStore>();
        services.TryAddSingleton<SlackNotifier>();
        services.AddHttpClient(SlackNotifier.HttpClientName);
        services.AddOfflineTaskHandler<ParaphraseOfflineHandler>();
        services.AddOutreachConsumer<TriageResponseConsumer>();
    }

    public static void MapTriageResponses(IEndpointRouteBuilder app)
    {
        TemplatesEndpoints.Map(app);
        DraftsEndpoints.Map(app);
        QaEndpoints.Map(app);
        FeedbackEndpoints.Map(app);
        SlackEndpoints.Map(app);
        SlackSettingsEndpoints.Map(app);
    }
}
