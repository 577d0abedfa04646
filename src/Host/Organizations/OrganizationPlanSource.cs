using System.Collections.Concurrent;
using Npgsql;
using OutreachOS.Credits.Contracts;

namespace OutreachOS.Host.Organizations;

/// <summary>
/// The Credits module learns an organization's tier (FREE, PRO, ENTERPRISE) from the inline-projected organizations table.
/// The ledger asks up to three times per metered request, so answers are kept for a few seconds: a tier change reaches
/// the ledger of every host within <see cref="Ttl"/>.
/// </summary>
internal sealed class OrganizationPlanSource(NpgsqlDataSource dataSource, TimeProvider clock) : ICreditPlanSource
{
    internal static readonly TimeSpan Ttl = TimeSpan.FromSeconds(5);

    private readonly ConcurrentDictionary<Guid, (string Tier, DateTimeOffset Until)> _cache = new();

    public async ValueTask<string> GetTierAsync(Guid tenantId, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        if (_cache.TryGetValue(tenantId, out var hit) && hit.Until > now)
        {
            return hit.Tier;
        }

        await using var cmd = dataSource.CreateCommand("SELECT tier FROM oos.organizations WHERE id = @id");
        cmd.Parameters.AddWithValue("id", tenantId);
        var tier = await cmd.ExecuteScalarAsync(ct) as string
            ?? throw new CreditOrganizationNotFoundException(tenantId);
        _cache[tenantId] = (tier, now + Ttl);
        return tier;
    }
}
