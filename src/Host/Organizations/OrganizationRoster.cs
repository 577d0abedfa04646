using Npgsql;
using OutreachOS.Ingestion.Contracts;

namespace OutreachOS.Host.Organizations;

/// <summary>
/// Answers the CRM fallback's question from the inline-projected organizations table, which is consistent with the write:
/// once a second organization is committed, no request of any organization gets the deployment's HubSpot token. Organizations
/// are never deleted, so "there are several" is remembered for the life of the process and costs nothing afterwards; while
/// there is one, every question is one indexed read (never cached: the next organization may be created on another host).
/// </summary>
internal sealed class OrganizationRoster(NpgsqlDataSource dataSource) : IOrganizationRoster
{
    private volatile bool _several;

    public async ValueTask<bool> IsOnlyOrganizationAsync(Guid organizationId, CancellationToken ct = default)
    {
        if (_several)
        {
            return false;
        }

        await using var cmd = dataSource.CreateCommand("SELECT id FROM oos.organizations LIMIT 2");
        var ids = new List<Guid>(2);
        await using (var reader = await cmd.ExecuteReaderAsync(ct))
        {
            while (await reader.ReadAsync(ct))
            {
                ids.Add(reader.GetGuid(0));
            }
        }

        if (ids.Count > 1)
        {
            _several = true;
            return false;
        }

        return ids.Count == 1 && ids[0] == organizationId;
    }
}
