using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using OutreachOS.Ingestion.Contracts;

namespace OutreachOS.Ingestion.Crm;

/// <summary>The CRM adapter of <c>Crm:Provider</c>: HubSpot (one instance, with its lookup cache) or none.</summary>
internal static class CrmRegistration
{
    public static void Add(IServiceCollection services, CrmOptions crm, IConfiguration configuration)
    {
        if (!crm.IsHubSpot)
        {
            services.AddSingleton<ICrmAdapter, NoCrmAdapter>();
            return;
        }

        services.AddHttpClient(nameof(HubSpotCrmAdapter), c => c.Timeout = TimeSpan.FromSeconds(10));
        services.AddSingleton(CrmCacheOptions.From(configuration));
        services.AddSingleton(sp => new ContactLookupCache(sp.GetRequiredService<CrmCacheOptions>(), sp.GetRequiredService<TimeProvider>()));
        // One adapter for the process: the cache it holds must be shared by every caller.
        services.AddSingleton<ICrmAdapter>(sp => new HubSpotCrmAdapter(
            sp.GetRequiredService<IHttpClientFactory>().CreateClient(nameof(HubSpotCrmAdapter)), crm, sp.GetRequiredService<ContactLookupCache>(),
            sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<ILogger<HubSpotCrmAdapter>>()));
    }
}
