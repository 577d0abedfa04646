using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;
using OutreachOS.Credits.Contracts;

namespace OutreachOS.Credits.Expiring;

/// <summary>
/// Releases reservations that were never settled nor refunded (the caller crashed between reserve and settle) once
/// <see cref="CreditOptions.ReservationTimeout"/> has passed. Each release is an ordinary idempotent refund under the
/// account lock, so a settle racing the sweeper, or sweepers on several hosts, still close a reservation exactly once.
/// </summary>
internal sealed partial class ReservationSweeper(
    NpgsqlDataSource dataSource,
    ICreditLedger ledger,
    IOptionsMonitor<CreditOptions> options,
    TimeProvider clock,
    ILogger<ReservationSweeper> logger) : BackgroundService
{
    public const string ExpiredReason = "expired";
    private const int BatchSize = 500;

    /// <summary>Refunds every open reservation whose deadline has passed; returns how many it released.</summary>
    public async Task<int> SweepOnceAsync(CancellationToken ct)
    {
        var released = 0;
        while (true)
        {
            var batch = new List<(Guid Tenant, Guid Id)>();
            // A cross-tenant query on purpose: the sweeper serves every organization; each refund is tenant-scoped.
            await using (var cmd = dataSource.CreateCommand(
                "SELECT tenant_id, id FROM oos.credit_reservations WHERE status = 'OPEN' AND expires_at <= @now ORDER BY expires_at LIMIT @n"))
            {
                cmd.Parameters.AddWithValue("now", clock.GetUtcNow());
                cmd.Parameters.AddWithValue("n", BatchSize);
                await using var r = await cmd.ExecuteReaderAsync(ct);
                while (await r.ReadAsync(ct))
                {
                    batch.Add((r.GetGuid(0), r.GetGuid(1)));
                }
            }
            foreach (var (tenant, id) in batch)
            {
                await ledger.RefundAsync(tenant, id, ExpiredReason, ct);
                released++;
                LogReleased(tenant, id);
            }
            if (batch.Count < BatchSize)
            {
                return released;
            }
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!options.CurrentValue.SweeperEnabled)
        {
            return;
        }
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await SweepOnceAsync(stoppingToken);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                // The database may be briefly unreachable or not migrated yet; the next round tries again.
                LogSweepFailed(e);
            }
            try
            {
                await Task.Delay(options.CurrentValue.SweepInterval, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Released expired credit reservation {ReservationId} of organization {TenantId}")]
    private partial void LogReleased(Guid tenantId, Guid reservationId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Credit reservation sweep failed; retrying at the next interval")]
    private partial void LogSweepFailed(Exception exception);
}
