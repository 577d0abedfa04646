using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Npgsql;
using OutreachOS.BuildingBlocks;
using OutreachOS.BuildingBlocks.EventStore;
using OutreachOS.BuildingBlocks.Messaging;
using OutreachOS.BuildingBlocks.Privacy;
using OutreachOS.BuildingBlocks.Web;
using OutreachOS.Ingestion.Accepting;
using OutreachOS.Ingestion.Contacts;
using OutreachOS.Ingestion.Contracts;
using OutreachOS.Ingestion.Crm;
using OutreachOS.Ingestion.Email;
using OutreachOS.Ingestion.Gmail;
using OutreachOS.Ingestion.Graph;
using OutreachOS.Ingestion.Mailbox;
using OutreachOS.Ingestion.Normalizing;
using OutreachOS.Ingestion.OAuth;
using OutreachOS.Ingestion.Outbound;
using OutreachOS.Ingestion.Privacy;
using OutreachOS.Ingestion.Storage;
using OutreachOS.Ingestion.Subscribing;
using OutreachOS.Ingestion.Suppressions;

namespace OutreachOS.Ingestion;

/// <summary>Entry point of the Ingestion module: the only public type of its implementation project.</summary>
public static class IngestionModule
{
    /// <summary>
    /// Registers inbound acceptance (email, Graph, Gmail), the mailbox adapters and their bus consumer, outbound send and
    /// reply tracking, the contact store (<see cref="IContactDirectory"/>) and the CRM adapter (<see cref="ICrmAdapter"/>).
    /// Call before AddOutreachMessaging (consumers).
    /// </summary>
    public static IServiceCollection AddIngestionModule(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var options = IngestionOptions.From(configuration);
        var crm = CrmOptions.From(configuration);
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton(options);
        services.AddSingleton(crm);
        services.AddMigration(IngestionSchema.Migration);
        services.AddMigration(IngestionSchema.CursorSyncedAtMigration);
        services.AddMigration(GraphSubscriptionTable.Migration);
        services.AddMigration(GraphSubscriptionTable.ClientStateMigration);
        services.AddEventTypes([typeof(InboundMessageReceived), typeof(MailboxNotified), .. OutboundStreams.EventTypes, .. MailboxSubscription.EventTypes]);
        services.AddSingleton<InboundAcceptor>();

        services.AddHttpClient(nameof(GraphMailboxAdapter), c => c.Timeout = TimeSpan.FromSeconds(30));
        services.AddHttpClient(nameof(GmailMailboxAdapter), c => c.Timeout = TimeSpan.FromSeconds(30));
        // Per-attempt timeouts are the token source's own (OAuth:TimeoutSeconds); this is only the outer bound.
        services.AddHttpClient(nameof(OAuthTokenSource), c => c.Timeout = TimeSpan.FromSeconds(120));
        AddTokenSource(services, InboundSource.Graph, options.Graph.OAuth, options.Graph.AccessToken);
        AddTokenSource(services, InboundSource.Gmail, options.Gmail.OAuth, options.Gmail.AccessToken);
        services.AddHttpClient<GoogleOidcVerifier>(c => c.Timeout = TimeSpan.FromSeconds(10));
        // The verifier caches keys: one instance for the process (a typed client is transient by default).
        services.AddSingleton(sp => new GoogleOidcVerifier(
            sp.GetRequiredService<IHttpClientFactory>().CreateClient(nameof(GoogleOidcVerifier)), options,
            sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<ILogger<GoogleOidcVerifier>>()));
        AddMailbox(services, InboundSource.Graph, options.Graph.Adapter, sp => new GraphMailboxAdapter(
            sp.GetRequiredService<IHttpClientFactory>().CreateClient(nameof(GraphMailboxAdapter)), options,
            sp.GetRequiredKeyedService<IAccessTokenSource>(InboundSource.Graph)));
        // Per-mailbox Gmail credentials: one token source per mailbox with its own refresh token, kept for the process.
        services.AddSingleton(sp => new MailboxTokenSources(sp.GetRequiredKeyedService<IAccessTokenSource>(InboundSource.Gmail), options.Gmail.Mailboxes,
            oauth => new OAuthTokenSource(sp.GetRequiredService<IHttpClientFactory>().CreateClient(nameof(OAuthTokenSource)), oauth,
                sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<ILogger<OAuthTokenSource>>())));
        AddMailbox(services, InboundSource.Gmail, options.Gmail.Adapter, sp => new GmailMailboxAdapter(
            sp.GetRequiredService<IHttpClientFactory>().CreateClient(nameof(GmailMailboxAdapter)), options,
            sp.GetRequiredService<MailboxTokenSources>(), sp.GetRequiredService<ILogger<GmailMailboxAdapter>>()));

        // Gmail watch and Graph subscription renewal (a no-op unless a watch topic or a notification URL is configured).
        services.AddHttpClient(nameof(MailboxSubscriptionRenewer), c => c.Timeout = TimeSpan.FromSeconds(30));
        services.AddSingleton(sp => new GmailWatchClient(
            sp.GetRequiredService<IHttpClientFactory>().CreateClient(nameof(MailboxSubscriptionRenewer)), options, sp.GetRequiredService<MailboxTokenSources>()));
        services.AddSingleton(sp => new GraphSubscriptionClient(
            sp.GetRequiredService<IHttpClientFactory>().CreateClient(nameof(MailboxSubscriptionRenewer)), options,
            sp.GetRequiredKeyedService<IAccessTokenSource>(InboundSource.Graph)));
        services.AddSingleton<MailboxSubscriptionRenewer>();
        services.AddHostedService(sp => sp.GetRequiredService<MailboxSubscriptionRenewer>());

        CrmRegistration.Add(services, crm, configuration);
        services.AddMigration(ContactHistorySchema.Migration);
        services.AddSubscription<ContactHistoryProjection>();
        services.AddSingleton<IPersonalDataEraser, IngestionPersonalDataEraser>();
        services.AddSingleton<ContactStore>();
        services.AddSingleton<IContactDirectory>(sp => sp.GetRequiredService<ContactStore>());
        services.AddMigration(SuppressionStreams.Migration);
        services.AddEventTypes(SuppressionStreams.EventTypes);
        services.AddInlineProjection<SuppressionProjection>();
        services.AddSingleton<SuppressionList>();
        services.AddSingleton<ISuppressionList>(sp => sp.GetRequiredService<SuppressionList>());

        services.AddOutreachConsumer<MailboxNotificationConsumer>();
        services.AddOutreachConsumer<ReplyTrackingConsumer>();
        return services;
    }

    /// <summary>
    /// One token source per provider for the process (it holds the cached token): OAuth when its section is configured,
    /// otherwise the static AccessToken setting.
    /// </summary>
    private static void AddTokenSource(IServiceCollection services, InboundSource source, OAuthClientOptions? oauth, string? staticToken)
    {
        if (oauth is null)
        {
            services.AddKeyedSingleton<IAccessTokenSource>(source, new StaticAccessToken(staticToken));
            return;
        }
        services.AddKeyedSingleton<IAccessTokenSource>(source, (sp, _) => new OAuthTokenSource(
            sp.GetRequiredService<IHttpClientFactory>().CreateClient(nameof(OAuthTokenSource)), oauth,
            sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<ILogger<OAuthTokenSource>>()));
    }

    private static void AddMailbox(IServiceCollection services, InboundSource source, string adapter, Func<IServiceProvider, IMailboxAdapter> rest)
    {
        if (adapter.Equals("InMemory", StringComparison.OrdinalIgnoreCase))
        {
            services.AddSingleton<IMailboxAdapter>(new InMemoryMailboxAdapter(source));
        }
        else if (adapter.Equals("Rest", StringComparison.OrdinalIgnoreCase))
        {
            services.AddTransient(rest);
        }
        else
        {
            throw new InvalidOperationException($"Ingestion:{source}:Adapter '{adapter}' is not supported (Rest or InMemory).");
        }
    }

    /// <summary>
    /// Maps <c>/ingest/email</c> (API key), <c>/ingest/graph</c> and <c>/ingest/gmail</c> (anonymous: provider
    /// verification), <c>/outbound/sends</c>, <c>/outbound/{request_id}/meeting</c>, <c>/contacts/import</c> and
    /// <c>/contacts/{email}</c>, the do-not-contact list under <c>/suppressions</c> and the organization's CRM account under
    /// <c>/settings/crm</c>.
    /// </summary>
    public static IEndpointRouteBuilder MapIngestionEndpoints(this IEndpointRouteBuilder app)
    {
        var ingest = app.MapGroup("/ingest").WithTags("Ingestion");
        ingest.MapPost("/email", (RawEmail body, HttpContext http, IngestionOptions options, InboundAcceptor acceptor, TimeProvider clock, CancellationToken ct) =>
                IngestEmail.HandleAsync(body, http.GetTenantId(), options, acceptor, clock, ct))
            .WithSummary("Accept a normalized inbound message: 202 {inbound_id}; the same message_id again → same id, no second event");
        ingest.MapPost("/graph", (HttpContext http, IngestionOptions options, IEventStore store, NpgsqlDataSource dataSource, TimeProvider clock,
                ILogger<GraphWebhookLog> logger, CancellationToken ct) =>
                GraphWebhook.HandleAsync(http, options, store, dataSource, clock, logger, ct))
            .AllowAnonymous()
            .WithSummary("Microsoft Graph change notifications (validationToken handshake; clientState checked per subscription)");
        ingest.MapPost("/gmail", (HttpContext http, IngestionOptions options, GoogleOidcVerifier verifier, IEventStore store, TimeProvider clock,
                ILogger<GoogleOidcVerifier> logger, CancellationToken ct) =>
                GmailWebhook.HandleAsync(http, options, verifier, store, clock, logger, ct))
            .AllowAnonymous()
            .WithSummary("Google Pub/Sub push of Gmail watch notifications (OIDC bearer verified when configured)");

        var outbound = app.MapGroup("/outbound").WithTags("Outbound tracking");
        outbound.MapPost("/sends", (RecordSendRequest body, HttpContext http, NpgsqlDataSource dataSource, IEventStore store, TimeProvider clock, CancellationToken ct) =>
                RecordSend.HandleAsync(body, http.GetTenantId(), dataSource, store, clock, ct))
            .WithSummary("Record that a variant was sent with this Message-ID (for reply tracking)");
        outbound.MapPost("/{request_id:guid}/meeting", (Guid request_id, BookMeetingRequest? body, HttpContext http, IEventStore store, TimeProvider clock, CancellationToken ct) =>
                BookMeeting.HandleAsync(request_id, body, http.GetTenantId(), store, clock, ct))
            .WithSummary("Record that the outreach led to a booked meeting");

        var contacts = app.MapGroup("/contacts").WithTags("Contacts");
        contacts.MapPost("/import", ContactEndpoints.ImportAsync)
            .WithSummary("Import contacts from text/csv (email,name,company,vip,tags); bad lines reported, good lines kept");
        contacts.MapGet("/{email}", ContactEndpoints.GetAsync)
            .WithSummary("A contact from the built-in store merged with the CRM");
        SuppressionEndpoints.Map(app);
        CrmSettingsEndpoints.Map(app);
        return app;
    }
}
