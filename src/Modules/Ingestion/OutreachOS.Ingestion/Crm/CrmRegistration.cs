using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using OutreachOS.BuildingBlocks;
using OutreachOS.BuildingBlocks.Security;
using OutreachOS.Ingestion.Contracts;

namespace OutreachOS.Ingestion.Crm;

/// <summary>
/// The CRM adapter (HubSpot, one instance with its lookup cache), the organizations' own CRM settings (ADR 0032) and the
/// deployment's fallback account of <c>Crm:Provider</c>. The adapter is always registered: an organization may set its own
/// account on any deployment; one without an account simply has no CRM.
/// </summary>
internal static class CrmRegistration
{
    public static void Add(IServiceCollection services, CrmOptions crm, IConfiguration configuration)
    {
        services.AddMigration(CrmSettingsStore.Migration);
        services.AddEventTypes(CrmSettingsStreams.EventTypes);
        services.TryAddSingleton(SecretProtector.FromConfiguration(configuration));
        services.AddSingleton<CrmSettingsStore>();
        services.AddProtectedSecretsTable<CrmSettingsStore>();
        // The host provides the roster (it owns the organizations); without one, the deployment's account serves an
        // organization only when shared on purpose.
        services.AddSingleton(sp => new CrmCredentials(sp.GetRequiredService<CrmSettingsStore>(), crm, sp.GetService<IOrganizationRoster>(),
            sp.GetRequiredService<ILogger<CrmCredentials>>()));

        services.AddHttpClient(nameof(HubSpotCrmAdapter), c => c.Timeout = TimeSpan.FromSeconds(10));
        services.AddSingleton(CrmCacheOptions.From(configuration));
        services.AddSingleton(sp => new ContactLookupCache(sp.GetRequiredService<CrmCacheOptions>(), sp.GetRequiredService<TimeProvider>()));
        // One adapter for the process: the cache it holds must be shared by every caller.
        services.AddSingleton<ICrmAdapter>(sp => new HubSpotCrmAdapter(
            sp.GetRequiredService<IHttpClientFactory>().CreateClient(nameof(HubSpotCrmAdapter)), sp.GetRequiredService<CrmCredentials>().ResolveAsync,
            sp.GetRequiredService<ContactLookupCache>(), sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<ILogger<HubSpotCrmAdapter>>()));
    }
}
