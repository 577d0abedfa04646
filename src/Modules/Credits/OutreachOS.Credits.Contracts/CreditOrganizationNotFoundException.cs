namespace OutreachOS.Credits.Contracts;

/// <summary>
/// The organization whose credits were asked for does not exist, so it has no plan (thrown by
/// <see cref="ICreditPlanSource.GetTierAsync"/>, hence by every ledger command before it does anything). Only a platform
/// admin naming another organization can meet it: HTTP 404 on the ledger API.
/// </summary>
public sealed class CreditOrganizationNotFoundException(Guid organizationId) : Exception($"Organization {organizationId} does not exist, so it has no credit plan.")
{
    public Guid OrganizationId { get; } = organizationId;
}
