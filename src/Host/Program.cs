using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using OutreachOS.BuildingBlocks;
using OutreachOS.BuildingBlocks.EventStore;
using OutreachOS.BuildingBlocks.Json;
using OutreachOS.BuildingBlocks.Messaging;
using OutreachOS.BuildingBlocks.Postgres;
using OutreachOS.BuildingBlocks.Web;
using OutreachOS.Analytics;
using OutreachOS.Generation;
using OutreachOS.Ingestion;
using OutreachOS.Triage;
using OutreachOS.Guardrails;
using OutreachOS.Credits;
using OutreachOS.Credits.Contracts;
using OutreachOS.Host.Audit;
using OutreachOS.Host.Cli;
using OutreachOS.Host.Hosting;
using OutreachOS.Host.Organizations;
using OutreachOS.Host.Privacy;
using OutreachOS.Host.ReadSide;
using OutreachOS.Llm;

var cli = CliVerbs.TryParse(args);
var builder = WebApplication.CreateBuilder(cli?.RemainingArgs ?? args);
AppSettingsFiles.ReadBesideBinariesWhenMissing(builder.Configuration, builder.Environment);
// Default: loopback port 5080, unless the deployment names its own addresses or ports (--urls, ASPNETCORE_URLS, *_HTTP_PORTS).
if (new[] { "urls", "ASPNETCORE_URLS", "http_ports", "ASPNETCORE_HTTP_PORTS", "https_ports", "ASPNETCORE_HTTPS_PORTS" }
    .All(k => string.IsNullOrWhiteSpace(builder.Configuration[k])))
{
    builder.WebHost.UseUrls("http://127.0.0.1:5080");
}
// Structured logs by default (one JSON object per line); Logging__Console__FormatterName=simple for humans.
if (string.IsNullOrWhiteSpace(builder.Configuration["Logging:Console:FormatterName"]))
{
    builder.Logging.AddJsonConsole(o =>
    {
        o.IncludeScopes = true;
        o.UseUtcTimestamp = true;
        o.TimestampFormat = "yyyy-MM-ddTHH:mm:ss.fffZ";
    });
}
await builder.UseEmbeddedPostgresWhenUnconfiguredAsync();
var connectionString = builder.Configuration.GetConnectionString("Postgres")!;

builder.Services.AddOutreachEventStore(connectionString, o =>
{
    o.Enabled = cli is null && builder.Configuration.GetValue("Projections:Enabled", true);
    o.HeldBackMaxWait = TimeSpan.FromMilliseconds(builder.Configuration.GetValue("Projections:HeldBackMaxWaitMs", o.HeldBackMaxWait.TotalMilliseconds));
    o.HeldBackWarnAfter = TimeSpan.FromSeconds(builder.Configuration.GetValue("Projections:HeldBackWarnAfterSeconds", o.HeldBackWarnAfter.TotalSeconds));
    o.LogTailEvents = builder.Configuration.GetValue("Projections:LogTailEvents", o.LogTailEvents);
    o.LogTailBytes = builder.Configuration.GetValue("Projections:LogTailMegabytes", o.LogTailBytes / (1024 * 1024)) * 1024 * 1024;
    o.ParkAfterFailures = builder.Configuration.GetValue("Projections:ParkAfterFailures", o.ParkAfterFailures) is var park and >= 0
        ? park
        : throw new InvalidOperationException("Projections:ParkAfterFailures must be 0 (never park) or more.");
});
builder.Services.AddEventTypes(typeof(OrganizationCreated), typeof(ApiKeyIssued), typeof(ApiKeyIssuedV2), typeof(ApiKeyRevoked));
builder.Services.AddInlineProjection<OrganizationProjection>();
builder.Services.AddMigration(OrganizationProjection.Migration);
builder.Services.AddMigration(OrganizationProjection.RolesMigration);
builder.Services.AddMigration(OrganizationProjection.ViewerRoleMigration);
builder.Services.AddMigration(ApiKeyVerifier.Migration);
builder.Services.AddSingleton<ApiKeyVerifier>();
builder.Services.AddMigration(ApiKeyCache.Migration);
builder.Services.AddSingleton(ApiKeyCacheOptions.From(builder.Configuration));
builder.Services.AddSingleton<ApiKeyCache>();
builder.Services.AddHostedService<ApiKeyChangeListener>();
builder.Services.AddSingleton<OrganizationService>();
builder.Services.AddEventTypes(typeof(ErasurePerformed), typeof(RetentionApplied));
builder.Services.AddSingleton<ErasureService>();
builder.Services.AddSingleton(RetentionOptions.From(builder.Configuration));
builder.Services.AddHostedService<InboundRetentionSweeper>();
builder.Services.AddLlm(builder.Configuration);
builder.Services.AddGuardrailsModule();
builder.Services.AddGenerationModule(builder.Configuration);
builder.Services.AddCreditsModule(builder.Configuration);
builder.Services.AddIngestionModule(builder.Configuration);
builder.Services.AddTriageModule(builder.Configuration);
builder.Services.AddAnalyticsModule(builder.Configuration);
// With the offline model every consumer is CPU-bound: more messages in flight than cores only interleave transactions
// (each holds back the log's readers while it waits for a core). Measured on 2 cores: inbound p50 at 50 msg/s roughly
// halves against MassTransit's default (docs/benchmarks.md, 2026-12-02). A remote model's consumers wait on the network,
// so they keep MassTransit's default. An explicit Messaging:ConcurrentMessageLimit always wins.
if (string.IsNullOrEmpty(builder.Configuration["Messaging:ConcurrentMessageLimit"])
    && string.Equals(builder.Configuration["Llm:Provider"] ?? "Offline", "Offline", StringComparison.OrdinalIgnoreCase))
{
    builder.Configuration["Messaging:ConcurrentMessageLimit"] = Math.Max(2, Environment.ProcessorCount).ToString(System.Globalization.CultureInfo.InvariantCulture);
}
// After the modules: their bus consumers are registered by then.
builder.Services.AddOutreachMessaging(builder.Configuration);
builder.Services.AddSingleton<ICreditPlanSource, OrganizationPlanSource>();
builder.Services.AddSingleton<OutreachOS.Ingestion.Contracts.IOrganizationRoster, OrganizationRoster>();

builder.Services.Configure<JsonOptions>(o =>
{
    o.SerializerOptions.PropertyNamingPolicy = OutreachJson.Options.PropertyNamingPolicy;
    foreach (var c in OutreachJson.Options.Converters)
    {
        o.SerializerOptions.Converters.Add(c);
    }
    o.SerializerOptions.UnmappedMemberHandling = System.Text.Json.Serialization.JsonUnmappedMemberHandling.Disallow;
    o.SerializerOptions.Converters.Add(new OutreachOS.BuildingBlocks.Json.StorableStringConverter());
});
builder.Services.AddProblemDetails(o => o.CustomizeProblemDetails = c =>
{
    c.ProblemDetails.Instance ??= c.HttpContext.Request.Path;
    c.ProblemDetails.Extensions["trace_id"] = System.Diagnostics.Activity.Current?.TraceId.ToString() ?? c.HttpContext.TraceIdentifier;
});
builder.Services.AddExceptionHandler<ProblemExceptionHandler>();
// Binding failures (malformed JSON, wrong types, unknown enum values) reach ProblemExceptionHandler, which names the field.
builder.Services.Configure<Microsoft.AspNetCore.Routing.RouteHandlerOptions>(o => o.ThrowOnBadRequest = true);
builder.Services.AddAuthentication(ApiKeyAuthenticationHandler.SchemeName)
    .AddScheme<AuthenticationSchemeOptions, ApiKeyAuthenticationHandler>(ApiKeyAuthenticationHandler.SchemeName, null);
// Every authenticated endpoint, whichever policy it names: a VIEWER key reads only (ADR 0025).
var authenticatedReadsOrWrites = new Microsoft.AspNetCore.Authorization.AuthorizationPolicyBuilder()
    .RequireAuthenticatedUser().AddRequirements(new ViewerReadsOnlyRequirement()).Build();
builder.Services.AddAuthorizationBuilder()
    .SetDefaultPolicy(authenticatedReadsOrWrites)
    .SetFallbackPolicy(authenticatedReadsOrWrites)
    .AddPolicy(TenancyHttpContextExtensions.OrganizationAdminPolicy, p => p.RequireAuthenticatedUser()
        .RequireClaim(TenancyHttpContextExtensions.RoleClaim, TenancyHttpContextExtensions.AdminRole));
builder.Services.AddOpenApi(o => o.AddOpenApiSecurity());
builder.Services.AddHealthChecks().AddCheck<PostgresHealthCheck>("postgres", tags: ["ready"]);
var maxBody = RequestSizeLimit.MaxBytes(builder.Configuration);
builder.WebHost.ConfigureKestrel(k => k.Limits.MaxRequestBodySize = maxBody);
builder.AddOutreachTelemetry();
builder.AddApiRateLimits();

var app = builder.Build();
await app.Services.GetRequiredService<SchemaMigrator>().MigrateAsync();
await BootstrapOrganization.EnsureAsync(app.Services, CancellationToken.None);

if (cli is not null)
{
    return await cli.RunAsync(app.Services);
}

app.UseExceptionHandler();
app.UseRequestSizeLimit(maxBody);
app.UseJsonBodyBuffering(maxBody);
app.UseStatusCodePages();
app.UseDashboard(); // before authentication: the SPA's files are public, the APIs it calls are not
app.UseAuthentication();
app.UseApiRateLimits(); // per API key and organization: after authentication names them, before anything reads the body
app.UseAuthorization();

app.MapOpenApi("/openapi/v1.json").AllowAnonymous();
app.MapHealthChecks("/health/live", new HealthCheckOptions { Predicate = _ => false }).AllowAnonymous();
app.MapHealthChecks("/health/ready", new HealthCheckOptions { Predicate = c => c.Tags.Contains("ready"), ResponseWriter = HealthResponse.WriteAsync }).AllowAnonymous();
app.MapOrganizationEndpoints();
app.MapAuditEndpoints();
app.MapPrivacyEndpoints();
app.MapMessagingAdmin();
app.MapGuardrailsEndpoints();
app.MapGenerationEndpoints();
app.MapCreditsEndpoints();
app.MapIngestionEndpoints();
app.MapTriageEndpoints();
app.MapAnalyticsEndpoints();
app.MapReadGraphQL();

await app.RunAsync();
return 0;

/// <summary>Entry point type, visible to WebApplicationFactory in the integration tests.</summary>
public partial class Program;
