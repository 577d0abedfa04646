using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;
using OutreachOS.BuildingBlocks.EventStore;

namespace OutreachOS.Host.Organizations;

/// <summary>
/// <c>Auth:BootstrapApiKey</c> lets automation drive a fresh install: on start, the platform organization is created
/// with that key if it does not exist, and the key is (re-)added to it if missing. Safe when several hosts start at once.
/// </summary>
internal static class BootstrapOrganization
{
    public static readonly Guid PlatformOrganizationId = Guid.Parse("00000000-0000-7000-8000-00000000b007");

    public static async Task EnsureAsync(IServiceProvider services, CancellationToken ct)
    {
        var config = services.GetRequiredService<IConfiguration>();
        var logger = services.GetRequiredService<ILoggerFactory>().CreateLogger("OutreachOS.Bootstrap");
        var key = config["Auth:BootstrapApiKey"];
        var orgs = services.GetRequiredService<OrganizationService>();
        if (string.IsNullOrWhiteSpace(key))
        {
            if (!await orgs.AnyOrganizationAsync(ct))
            {
                logger.LogWarning("No organization exists and Auth:BootstrapApiKey is not set: no request can authenticate. Set Auth__BootstrapApiKey and restart.");
            }
            return;
        }
        if (key.Length < 16)
        {
            throw new InvalidOperationException("Auth:BootstrapApiKey must be at least 16 characters.");
        }
        var name = config["Auth:BootstrapOrganizationName"] ?? "Default organization";
        var tier = Enum.TryParse<Tier>(config["Auth:BootstrapTier"], ignoreCase: true, out var t) ? t : Tier.Enterprise;
        if (await orgs.GetAsync(PlatformOrganizationId, ct) is null)
        {
            try
            {
                await orgs.CreateAsync(name, tier, platformAdmin: true, ct, PlatformOrganizationId, key);
                logger.LogInformation("Created the platform organization {OrganizationId} with the bootstrap API key", PlatformOrganizationId);
                return;
            }
            catch (Exception ex) when (ex is ConcurrencyException or DuplicateEventException)
            {
                // Another host created it at the same moment: fall through and make sure the key is there.
            }
        }
        // Exists already (earlier start or another host): make sure the configured key is one of its keys. A key found
        // (even revoked, which it stays) is left as it is, in whichever form it was stored; otherwise it is issued, under
        // an id derived from the key, so that hosts starting together append it once.
        if (await orgs.FindKeyAsync(PlatformOrganizationId, key, ct) is { } found)
        {
            if (found.Legacy)
            {
                logger.LogWarning(
                    "The bootstrap API key {KeyId} was issued before keyed hashes: its unsalted SHA-256 is in the platform organization's events, "
                    + "which its VIEWER keys can read. Unless it is a long random secret, replace it: set a new Auth__BootstrapApiKey, restart, "
                    + "then revoke the old key (ADR 0009).", found.Key.Id);
            }
            return;
        }
        await orgs.IssueKeyAsync(PlatformOrganizationId, "bootstrap", ApiKeyRole.Admin, ct, key);
    }
}
