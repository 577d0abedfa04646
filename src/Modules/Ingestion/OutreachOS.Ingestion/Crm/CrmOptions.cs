using Microsoft.Extensions.Configuration;

namespace OutreachOS.Ingestion.Crm;

/// <summary><c>Crm:Provider</c> = None (default) | HubSpot; <c>Crm:HubSpot:BaseUrl</c>, <c>Crm:HubSpot:AccessToken</c> (private app token).</summary>
internal sealed record CrmOptions(string Provider, Uri HubSpotBaseUrl, string? HubSpotAccessToken)
{
    public static CrmOptions From(IConfiguration configuration)
    {
        var s = configuration.GetSection("Crm");
        var provider = s["Provider"] is { Length: > 0 } p ? p : "None";
        if (!provider.Equals("None", StringComparison.OrdinalIgnoreCase) && !provider.Equals("HubSpot", StringComparison.OrdinalIgnoreCase))
        {
            throw new InvalidOperationException($"Crm:Provider '{provider}' is not supported (None or HubSpot).");
        }
        return new CrmOptions(provider, new Uri(GraphOptions.WithSlash(s["HubSpot:BaseUrl"] ?? "https://api.hubapi.com/")), s["HubSpot:AccessToken"]);
    }

    public bool IsHubSpot => Provider.Equals("HubSpot", StringComparison.OrdinalIgnoreCase);
}

internal sealed class NoCrmAdapter : Contracts.ICrmAdapter
{
    public string Name => "None";

    public Task<Contracts.ContactRecord?> FindContactAsync(Guid organizationId, string email, CancellationToken ct = default) =>
        Task.FromResult<Contracts.ContactRecord?>(null);

    public Task<string?> LogNoteAsync(Guid organizationId, string email, string note, CancellationToken ct = default) =>
        Task.FromResult<string?>(null);
}
