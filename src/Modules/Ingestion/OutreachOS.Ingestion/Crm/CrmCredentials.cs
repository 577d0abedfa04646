using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Logging;
using OutreachOS.Ingestion.Contracts;

namespace OutreachOS.Ingestion.Crm;

/// <summary>The CRM account a call of one organization goes to: its API, its token and where they came from.</summary>
/// <param name="Source"><see cref="Organization"/> (its own settings) or <see cref="Deployment"/> (the fallback).</param>
internal sealed record CrmCredential(string Provider, Uri BaseUrl, string AccessToken, string Source)
{
    public const string Organization = "ORGANIZATION";
    public const string Deployment = "DEPLOYMENT";
    public const string None = "NONE";

    /// <summary>
    /// Names the account (API + token) without being the token: the contact cache keeps an organization's entries only
    /// while its account stays the same, on every host, whichever host changed the settings.
    /// </summary>
    public string Account { get; } = Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(BaseUrl.AbsoluteUri + "\n" + AccessToken)), 0, 16);

    public override string ToString() => $"CrmCredential {{ Provider = {Provider}, BaseUrl = {BaseUrl}, Source = {Source} }}";
}

/// <summary>
/// Resolves an organization's CRM account on every call (one primary-key read, like the Slack settings): its own settings
/// (<c>PUT /settings/crm</c>), else the deployment's token when it may serve this organization (ADR 0032): while the
/// organization is the deployment's only one, or for all with <c>Crm:HubSpot:SharedAcrossOrganizations</c>. Otherwise none.
/// </summary>
internal sealed class CrmCredentials(CrmSettingsStore settings, CrmOptions options, IOrganizationRoster? roster, ILogger<CrmCredentials> logger)
{
    private int _warned;

    public async Task<CrmCredential?> ResolveAsync(Guid organizationId, CancellationToken ct) =>
        await settings.GetAsync(organizationId, ct) is { } own
            ? new CrmCredential(own.Provider, own.BaseUrl ?? options.HubSpotBaseUrl, own.AccessToken, CrmCredential.Organization)
            : await DeploymentAsync(organizationId, ct);

    /// <summary>The deployment's account, if it serves <paramref name="organizationId"/> (which has no settings of its own).</summary>
    public async Task<CrmCredential?> DeploymentAsync(Guid organizationId, CancellationToken ct)
    {
        if (options.DeploymentToken is not { } token)
        {
            return null;
        }
        if (options.SharedAcrossOrganizations || (roster is not null && await roster.IsOnlyOrganizationAsync(organizationId, ct)))
        {
            return new CrmCredential(CrmSettingsStreams.HubSpot, options.HubSpotBaseUrl, token, CrmCredential.Deployment);
        }
        if (Interlocked.Exchange(ref _warned, 1) == 0)
        {
            logger.LogWarning("Crm:HubSpot:AccessToken is configured but this deployment has several organizations and "
                + "Crm:HubSpot:SharedAcrossOrganizations is not true: the deployment's HubSpot account serves none of them. "
                + "Organizations without their own settings (PUT /settings/crm) have no CRM (ADR 0032).");
        }
        return null;
    }
}
