using System.Collections.Immutable;
using System.Diagnostics;
using Microsoft.Extensions.Options;
using Npgsql;
using OutreachOS.BuildingBlocks.EventStore;
using OutreachOS.Credits.Contracts;
using OutreachOS.Credits.Refunding;
using OutreachOS.Credits.Reserving;
using OutreachOS.Credits.Settling;

namespace OutreachOS.Credits.Ledger;

/// <summary>
/// The ledger's command side. Each command runs in one transaction: lock the (organization, period) account row,
/// load the state the decision needs, decide, append with the expected version, and let the inline projection move the
/// account row. Contenders queue on the row lock instead of failing and retrying, so N parallel reservations cost N
/// short transactions and exactly as many succeed as the balance covers.
/// </summary>
internal sealed class PostgresCreditLedger(
    NpgsqlDataSource dataSource,
    IEventStore store,
    ICreditPlanSource plans,
    IOptionsMonitor<CreditOptions> options,
    TimeProvider clock) : ICreditLedger
{
    private static readonly ActivitySource Activity = new("OutreachOS.Credits");

    private AlertThresholds Thresholds => new(options.CurrentValue.LowAlertPercent, options.CurrentValue.CriticalAlertPercent);

    public Task<CreditReservation> ReserveAsync(Guid tenantId, Guid reservationId, int credits, string reason, CancellationToken ct) =>
        ReserveAsync(tenantId, reservationId, credits, reason, static _ => [], ct);

    public async Task<CreditReservation> ReserveAsync(Guid tenantId, Guid reservationId, int credits, string reason,
        Func<CreditReservation, IReadOnlyList<StreamAppend>> alsoAppend, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(alsoAppend);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(credits);
        ArgumentException.ThrowIfNullOrWhiteSpace(reason);
        using var activity = Activity.StartActivity("credits.reserve");
        var (tier, allowance) = await PlanAsync(tenantId, ct);
        var now = clock.GetUtcNow();
        var period = CreditPeriod.Of(now);

        await using var conn = await dataSource.OpenConnectionAsync(ct);
        await using var tx = await conn.BeginTransactionAsync(ct);
        var (account, existing, alerts) = await LockAndReadAsync(tx, tenantId, period, now, reservationId, withAlerts: true, ct);
        if (existing is not null)
        {
            // A retry, possibly from an earlier period: the original reservation is the answer.
            var again = new CreditReservation(reservationId, existing.Value.State.Credits, Balances.Of(tier, period, allowance, account.Consumed, account.Reserved, Thresholds));
            await AppendAsync(tx, tenantId, period, account.Version, [], alsoAppend(again), ct);
            await tx.CommitAsync(ct);
            return again;
        }
        var state = new CreditLedgerState(account.Consumed, account.Reserved, alerts, ImmutableDictionary<Guid, ReservationState>.Empty);
        var command = new ReserveCredits(reservationId, credits, reason, tier, period, allowance, now, now + options.CurrentValue.ReservationTimeout);
        var events = ReserveCreditsDecider.Decide(command, state, Thresholds);
        var newState = events.Aggregate(state, CreditLedgerState.Evolve);
        var reservation = new CreditReservation(reservationId, credits, Balances.Of(tier, period, allowance, newState, Thresholds));
        await AppendAsync(tx, tenantId, period, account.Version, events, alsoAppend(reservation), ct);
        await tx.CommitAsync(ct);
        activity?.SetTag("outreachos.credits.available", newState.Available(allowance));
        return reservation;
    }

    public Task<CreditBalance> SettleAsync(Guid tenantId, Guid reservationId, int usedCredits, CancellationToken ct) =>
        SettleAsync(tenantId, reservationId, usedCredits, static _ => [], ct);

    public Task<CreditBalance> SettleAsync(Guid tenantId, Guid reservationId, int usedCredits,
        Func<CreditBalance, IReadOnlyList<StreamAppend>> alsoAppend, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(alsoAppend);
        return CloseAsync(tenantId, reservationId, "credits.settle", throwWhenUnknown: true,
            (state, now) => SettleReservationDecider.Decide(new SettleReservation(reservationId, usedCredits, now), state), alsoAppend, ct);
    }

    public Task<CreditBalance> RefundAsync(Guid tenantId, Guid reservationId, string reason, CancellationToken ct)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(reason);
        return CloseAsync(tenantId, reservationId, "credits.refund", throwWhenUnknown: false,
            (state, now) => RefundReservationDecider.Decide(new RefundReservation(reservationId, reason, now), state), static _ => [], ct);
    }

    public async Task<CreditBalance> GetBalanceAsync(Guid tenantId, CancellationToken ct)
    {
        var (tier, allowance) = await PlanAsync(tenantId, ct);
        var period = CreditPeriod.Of(clock.GetUtcNow());
        await using var cmd = dataSource.CreateCommand("SELECT consumed, reserved FROM oos.credit_accounts WHERE tenant_id = @t AND period = @p");
        cmd.Parameters.AddWithValue("t", tenantId);
        cmd.Parameters.AddWithValue("p", period);
        await using var r = await cmd.ExecuteReaderAsync(ct);
        return await r.ReadAsync(ct)
            ? Balances.Of(tier, period, allowance, r.GetInt32(0), r.GetInt32(1), Thresholds)
            : Balances.Of(tier, period, allowance, 0, 0, Thresholds);
    }

    private async Task<CreditBalance> CloseAsync(Guid tenantId, Guid reservationId, string operation, bool throwWhenUnknown,
        Func<CreditLedgerState, DateTimeOffset, object[]> decide, Func<CreditBalance, IReadOnlyList<StreamAppend>> alsoAppend, CancellationToken ct)
    {
        using var activity = Activity.StartActivity(operation);
        var (tier, allowance) = await PlanAsync(tenantId, ct);
        var now = clock.GetUtcNow();

        await using var conn = await dataSource.OpenConnectionAsync(ct);
        await using var tx = await conn.BeginTransactionAsync(ct);
        // The reservation's period never changes, so it can be read before taking the account lock (lock order is
        // always account, then reservation); its status is read again under the lock.
        var located = await ReadReservationAsync(tx, tenantId, reservationId, ct);
        if (located is null)
        {
            await tx.RollbackAsync(ct);
            return throwWhenUnknown ? throw new CreditReservationNotFoundException(reservationId) : await GetBalanceAsync(tenantId, ct);
        }
        var period = located.Value.Period;
        var (account, locked, _) = await LockAndReadAsync(tx, tenantId, period, now, reservationId, withAlerts: false, ct);
        var reservation = locked!.Value.State;
        var state = new CreditLedgerState(account.Consumed, account.Reserved, [],
            ImmutableDictionary<Guid, ReservationState>.Empty.Add(reservationId, reservation));
        var events = decide(state, now);
        var balance = Balances.Of(tier, period, allowance, events.Aggregate(state, CreditLedgerState.Evolve), Thresholds);
        await AppendAsync(tx, tenantId, period, account.Version, events, alsoAppend(balance), ct);
        await tx.CommitAsync(ct);
        return balance;
    }

    /// <summary>The ledger's events and the caller's, in one batched append (one set of round trips).</summary>
    private async Task AppendAsync(NpgsqlTransaction tx, Guid tenantId, string period, long version,
        object[] events, IReadOnlyList<StreamAppend> callers, CancellationToken ct)
    {
        var appends = new List<StreamAppend>(callers.Count + 1);
        if (events.Length > 0)
        {
            appends.Add(new StreamAppend(tenantId, CreditStreams.For(period), CreditStreams.Type, ExpectedVersion.Exactly(version),
                events.Select(e => new EventToAppend(CreditEventIds.For(tenantId, e, period), e)).ToList()));
        }
        appends.AddRange(callers.Where(a => a.Events.Count > 0));
        if (appends.Count > 0)
        {
            await store.AppendManyAsync(tx, appends, ct);
        }
    }

    private async Task<(string Tier, int Allowance)> PlanAsync(Guid tenantId, CancellationToken ct)
    {
        var tier = (await plans.GetTierAsync(tenantId, ct)).ToUpperInvariant();
        return (tier, options.CurrentValue.AllowanceFor(tier));
    }

    private sealed record Account(int Consumed, int Reserved, long Version);

    /// <summary>
    /// One round trip: creates the period's account row if needed and locks it for the rest of the transaction, then reads
    /// the reservation and (optionally) the period's alerts. Separate statements, so under READ COMMITTED the reads take
    /// their snapshots after the lock is granted and see what the previous holder committed.
    /// </summary>
    private static async Task<(Account Account, (string Period, ReservationState State)? Reservation, ImmutableHashSet<CreditAlertLevel> Alerts)> LockAndReadAsync(
        NpgsqlTransaction tx, Guid tenantId, string period, DateTimeOffset now, Guid reservationId, bool withAlerts, CancellationToken ct)
    {
        // ON CONFLICT DO UPDATE takes the row lock and returns the current (committed) row;
        // a contender waits here until the holder commits, then sees its result.
        var lockAccount = new NpgsqlBatchCommand("""
            INSERT INTO oos.credit_accounts (tenant_id, period, consumed, reserved, version, updated_at) VALUES (@t, @p, 0, 0, 0, @now)
            ON CONFLICT (tenant_id, period) DO UPDATE SET tenant_id = EXCLUDED.tenant_id
            RETURNING consumed, reserved, version
            """);
        lockAccount.Parameters.AddWithValue("t", tenantId);
        lockAccount.Parameters.AddWithValue("p", period);
        lockAccount.Parameters.AddWithValue("now", now);
        var reservation = new NpgsqlBatchCommand(ReservationQuery);
        reservation.Parameters.AddWithValue("t", tenantId);
        reservation.Parameters.AddWithValue("id", reservationId);
        await using var batch = new NpgsqlBatch(tx.Connection, tx) { BatchCommands = { lockAccount, reservation } };
        if (withAlerts)
        {
            var alerts = new NpgsqlBatchCommand("SELECT level FROM oos.credit_alerts WHERE tenant_id = @t AND period = @p");
            alerts.Parameters.AddWithValue("t", tenantId);
            alerts.Parameters.AddWithValue("p", period);
            batch.BatchCommands.Add(alerts);
        }
        await using var r = await batch.ExecuteReaderAsync(ct);
        await r.ReadAsync(ct);
        var account = new Account(r.GetInt32(0), r.GetInt32(1), r.GetInt64(2));
        await r.NextResultAsync(ct);
        var found = await r.ReadAsync(ct) ? ReadReservation(r, reservationId) : ((string, ReservationState)?)null;
        var levels = ImmutableHashSet.CreateBuilder<CreditAlertLevel>();
        if (withAlerts && await r.NextResultAsync(ct))
        {
            while (await r.ReadAsync(ct))
            {
                levels.Add(Enum.Parse<CreditAlertLevel>(r.GetString(0), ignoreCase: true));
            }
        }
        return (account, found, levels.ToImmutable());
    }

    private const string ReservationQuery =
        "SELECT period, credits, status, coalesce(used, 0), expires_at FROM oos.credit_reservations WHERE tenant_id = @t AND id = @id";

    private static (string Period, ReservationState State) ReadReservation(NpgsqlDataReader r, Guid id)
    {
        var status = Enum.Parse<ReservationStatus>(r.GetString(2), ignoreCase: true);
        return (r.GetString(0), new ReservationState(id, r.GetInt32(1), status, r.GetInt32(3), r.GetFieldValue<DateTimeOffset>(4)));
    }

    private static async Task<(string Period, ReservationState State)?> ReadReservationAsync(NpgsqlTransaction tx, Guid tenantId, Guid id, CancellationToken ct)
    {
        await using var cmd = new NpgsqlCommand(ReservationQuery, tx.Connection, tx);
        cmd.Parameters.AddWithValue("t", tenantId);
        cmd.Parameters.AddWithValue("id", id);
        await using var r = await cmd.ExecuteReaderAsync(ct);
        return await r.ReadAsync(ct) ? ReadReservation(r, id) : null;
    }
}
