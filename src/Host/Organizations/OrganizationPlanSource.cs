using Npgsql;
using OutreachOS.Credits.Contracts;

namespace OutreachOS.Host.Organizations;

/// <summary>The Credits module learns an organization's tier (FREE, PRO, ENTERPRISE) from the inline-projected organizations table.</summary>
internal sealed class OrganizationPlanSource(NpgsqlDataSource dataSource) : ICreditPlanSource
{
    public async ValueTask<string> GetTierAsync(Guid tenantId, CancellationToken ct)
    {
        await using var cmd = dataSource.CreateCommand("SELECT tier FROM oos.organizations WHERE id = @id");
        cmd.Parameters.AddWithValue("id", tenantId);
        return await cmd.ExecuteScalarAsync(ct) as string
            ?? throw new InvalidOperationException($"Organization {tenantId} does not exist, so it has no credit plan.");
    }
}
