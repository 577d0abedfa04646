namespace OutreachOS.Ingestion.Contracts;

/// <summary>
/// What the CRM fallback needs to know about the deployment's organizations (ADR 0032): the deployment-wide HubSpot token
/// serves an organization without its own CRM settings only while it is the only organization. Implemented by the host,
/// which owns the organizations; without an implementation every organization counts as one of several.
/// </summary>
public interface IOrganizationRoster
{
    /// <summary>True when <paramref name="organizationId"/> exists and no other organization does.</summary>
    ValueTask<bool> IsOnlyOrganizationAsync(Guid organizationId, CancellationToken ct = default);
}
