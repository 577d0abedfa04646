using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace OutreachOS.BuildingBlocks.Security;

/// <summary>A table of organizations' secrets protected by <see cref="SecretProtector"/> (ADR 0023).</summary>
public interface IProtectedSecretsTable
{
    /// <summary>What the rows hold, for the start-up log ("organizations' CRM access tokens").</summary>
    string Holds { get; }

    /// <summary>Moves rows stored in clear or under a retired key to the active key; returns how many it rewrote.</summary>
    Task<int> ReencryptAsync(ILogger logger, CancellationToken ct);
}

/// <summary>
/// At start: says whether each protected table is encrypted at rest, and moves rows stored before a key was configured
/// (or under a retired key) to the active key. Never stops the host: every row stays readable either way.
/// </summary>
public sealed class SecretsAtRest(IEnumerable<IProtectedSecretsTable> tables, SecretProtector secrets, ILogger<SecretsAtRest> logger) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        foreach (var table in tables)
        {
            if (!secrets.Enabled)
            {
                logger.LogWarning("Secrets:Keys is not configured: {Holds} are stored unencrypted. "
                    + "Set Secrets__Keys__<id> to 32 random bytes in base64 (openssl rand -base64 32); see ADR 0023.", table.Holds);
                continue;
            }
            try
            {
                var rewritten = await table.ReencryptAsync(logger, cancellationToken);
                logger.LogInformation("{Holds} at rest are encrypted with key {KeyId}; {Rewritten} rows re-encrypted at start", table.Holds, secrets.ActiveKey, rewritten);
            }
            catch (Exception ex) when (ex is NpgsqlException or TimeoutException)
            {
                logger.LogError(ex, "{Holds} could not be re-encrypted at start; rows stored earlier stay as they are until the next start", table.Holds);
            }
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}

public static class SecretsAtRestServiceCollectionExtensions
{
    /// <summary>Registers <typeparamref name="TTable"/> (already a singleton) for re-encryption at start.</summary>
    public static IServiceCollection AddProtectedSecretsTable<TTable>(this IServiceCollection services) where TTable : class, IProtectedSecretsTable
    {
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IProtectedSecretsTable, TTable>(sp => sp.GetRequiredService<TTable>()));
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IHostedService, SecretsAtRest>());
        return services;
    }
}
