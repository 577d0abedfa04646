using Microsoft.Extensions.Configuration;

namespace OutreachOS.Ingestion.Crm;

/// <summary>
/// The deployment's CRM configuration (ADR 0032). Organizations set their own HubSpot account with <c>PUT /settings/crm</c>;
/// these keys are the fallback and the bounds:
/// <list type="bullet">
/// <item><c>Crm:Provider</c> = None (default) | HubSpot, with <c>Crm:HubSpot:AccessToken</c> (private app token): the
/// deployment's own account. It serves an organization without its own settings only while that organization is the
/// deployment's only one, or for every such organization when <c>Crm:HubSpot:SharedAcrossOrganizations</c> is true
/// (default false: one HubSpot account shared by several organizations shows each of them the others' contacts and
/// receives their notes).</item>
/// <item><c>Crm:HubSpot:BaseUrl</c> (https://api.hubapi.com/): the deployment account's API, and the API of an organization
/// that sets no <c>base_url</c>.</item>
/// <item><c>Crm:HubSpot:AllowedHosts</c> (api.hubapi.com; comma-separated, <c>*</c> = any) and <c>Crm:HubSpot:AllowHttp</c>
/// (false; loopback stubs in tests): what an organization may set as its <c>base_url</c>. The host sends the token there,
/// so an open setting would let a tenant aim the host's requests at internal addresses.</item>
/// </list>
/// </summary>
internal sealed record CrmOptions(
    string Provider,
    Uri HubSpotBaseUrl,
    string? HubSpotAccessToken,
    bool SharedAcrossOrganizations,
    IReadOnlyList<string> AllowedHosts,
    bool AllowHttp)
{
    public static CrmOptions From(IConfiguration configuration)
    {
        var s = configuration.GetSection("Crm");
        var provider = s["Provider"] is { Length: > 0 } p ? p : "None";
        if (!provider.Equals("None", StringComparison.OrdinalIgnoreCase) && !provider.Equals("HubSpot", StringComparison.OrdinalIgnoreCase))
        {
            throw new InvalidOperationException($"Crm:Provider '{provider}' is not supported (None or HubSpot).");
        }
        var hosts = (s["HubSpot:AllowedHosts"] ?? "api.hubapi.com")
            .Split([',', ';', ' '], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(h => h.ToLowerInvariant())
            .ToList();
        return new CrmOptions(
            provider,
            new Uri(GraphOptions.WithSlash(s["HubSpot:BaseUrl"] ?? "https://api.hubapi.com/")),
            string.IsNullOrWhiteSpace(s["HubSpot:AccessToken"]) ? null : s["HubSpot:AccessToken"],
            Bool(s, "HubSpot:SharedAcrossOrganizations"),
            hosts,
            Bool(s, "HubSpot:AllowHttp"));
    }

    public bool IsHubSpot => Provider.Equals("HubSpot", StringComparison.OrdinalIgnoreCase);

    /// <summary>The deployment's own HubSpot token, when the deployment has a HubSpot account at all.</summary>
    public string? DeploymentToken => IsHubSpot ? HubSpotAccessToken : null;

    public bool IsAllowedHost(string host) => AllowedHosts.Contains("*") || AllowedHosts.Contains(host.ToLowerInvariant(), StringComparer.Ordinal);

    /// <summary>Never the token: a record's generated ToString would print it into any log that formats the options.</summary>
    public override string ToString() =>
        $"CrmOptions {{ Provider = {Provider}, HubSpotBaseUrl = {HubSpotBaseUrl}, AccessToken set = {HubSpotAccessToken is not null}, "
        + $"SharedAcrossOrganizations = {SharedAcrossOrganizations}, AllowedHosts = {string.Join(",", AllowedHosts)}, AllowHttp = {AllowHttp} }}";

    private static bool Bool(IConfigurationSection s, string key) =>
        s[key] is not { Length: > 0 } raw
            ? false
            : bool.TryParse(raw, out var v) ? v : throw new InvalidOperationException($"Crm:{key} must be true or false (got '{raw}').");
}
