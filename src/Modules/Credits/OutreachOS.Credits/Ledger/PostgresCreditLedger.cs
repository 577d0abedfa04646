using System.Collections.Concurrent;
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
/// The ledger's command side. A command locks the (organization, period) account row, loads the state the decision
/// needs, decides, appends with the expected version, and lets the inline projection move the account row, all in one
/// transaction. Contenders would queue on the row lock for the whole of a transaction, so commands for one account that
/// arrive while a transaction on it runs in this process wait and then go together in the next one (group commit):
/// decided in arrival order against the evolving state, one lock, one append, one commit. Exactly as many reservations
/// succeed as the balance covers. When a group's transaction fails (a conflict on one caller's stream, say), each of its
/// commands is run again alone, so one caller's failure is never another's.
/// </summary>
internal sealed class PostgresCreditLedger(
    NpgsqlDataSource dataSource,
    IEventStore store,
    ICreditPlanSource plans,
    IOptionsMonitor<CreditOptions> options,
    TimeProvider clock) : ICreditLedger
{
    private const int MaxGroup = 64;

    private static readonly ActivitySource Activity = new("OutreachOS.Credits");

    private readonly ConcurrentDictionary<(Guid TenantId, string Period), AccountQueue> _queues = new();

    // The period of reservations made here and not yet closed, so that closing them needs no lookup; a reservation closed
    // elsewhere (the sweeper, another host) is looked up. Bounded: cleared when it grows past what normal traffic leaves.
    private readonly ConcurrentDictionary<Guid, string> _periods = new();

    private AlertThresholds Thresholds => new(options.CurrentValue.LowAlertPercent, options.CurrentValue.CriticalAlertPercent);

    public Task<CreditReservation> ReserveAsync(Guid tenantId, Guid reservationId, int credits, string reason, CancellationToken ct) =>
        ReserveAsync(tenantId, reservationId, credits, reason, static _ => [], ct);

    public Task<CreditReservation> ReserveAsync(Guid tenantId, Guid reservationId, int credits, string reason,
        Func<CreditReservation, IReadOnlyList<StreamAppend>> alsoAppend, CancellationToken ct)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(credits);
        return ReserveAsync(tenantId, reservationId, _ => credits, reason, alsoAppend, ct);
    }

    public async Task<CreditReservation> ReserveAsync(Guid tenantId, Guid reservationId, Func<CreditBalance, int> creditsFor, string reason,
        Func<CreditReservation, IReadOnlyList<StreamAppend>> alsoAppend, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(creditsFor);
        ArgumentNullException.ThrowIfNull(alsoAppend);
        ArgumentException.ThrowIfNullOrWhiteSpace(reason);
        using var activity = Activity.StartActivity("credits.reserve");
        var (tier, allowance) = await PlanAsync(tenantId, ct);
        var now = clock.GetUtcNow();
        var command = new Reserve(reservationId, reason, tier, CreditPeriod.Of(now), allowance, now, now + options.CurrentValue.ReservationTimeout,
            creditsFor, alsoAppend, Thresholds);
        var reservation = (CreditReservation)await SubmitAsync(tenantId, command, ct);
        if (command.Created)
        {
            // Only a reservation made now is of the current period (a retry may return one from an earlier period).
            if (_periods.Count > 100_000)
            {
                _periods.Clear();
            }
            _periods[reservationId] = command.Period;
        }
        activity?.SetTag("outreachos.credits.available", reservation.Balance.Available);
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
        // The reservation's period never changes, so it is read before queueing for that period's account (its status is
        // read again under the account lock).
        var period = _periods.TryRemove(reservationId, out var known) ? known : await ReadPeriodAsync(tenantId, reservationId, ct);
        if (period is null)
        {
            return throwWhenUnknown ? throw new CreditReservationNotFoundException(reservationId) : await GetBalanceAsync(tenantId, ct);
        }
        return (CreditBalance)await SubmitAsync(tenantId, new Close(reservationId, tier, period, allowance, clock.GetUtcNow(), decide, alsoAppend, Thresholds), ct);
    }

    /// <summary>Queues the command for its account; the first caller to find no transaction running runs the group.</summary>
    private async Task<object> SubmitAsync(Guid tenantId, Command command, CancellationToken ct)
    {
        var queue = _queues.GetOrAdd((tenantId, command.Period), static _ => new AccountQueue());
        bool lead;
        lock (queue)
        {
            queue.Waiting.Add(command);
            lead = !queue.Running;
            queue.Running = true;
        }
        if (lead)
        {
            await RunGroupAsync(tenantId, command.Period, queue);
            bool more;
            lock (queue)
            {
                more = queue.Waiting.Count > 0;
                queue.Running = more;
            }
            if (more)
            {
                // Commands that arrived meanwhile are run by a drainer, so this caller returns now.
                _ = Task.Run(() => DrainAsync(tenantId, command.Period, queue), CancellationToken.None);
            }
        }
        return await command.Outcome.Task.WaitAsync(ct);
    }

    private async Task DrainAsync(Guid tenantId, string period, AccountQueue queue)
    {
        while (true)
        {
            await RunGroupAsync(tenantId, period, queue);
            lock (queue)
            {
                if (queue.Waiting.Count == 0)
                {
                    queue.Running = false;
                    return;
                }
            }
        }
    }

    /// <summary>Takes what is waiting and runs it as one transaction; if that fails, each command alone.</summary>
    private async Task RunGroupAsync(Guid tenantId, string period, AccountQueue queue)
    {
        List<Command> group;
        lock (queue)
        {
            group = queue.Waiting.Count <= MaxGroup ? [.. queue.Waiting] : queue.Waiting.GetRange(0, MaxGroup);
            queue.Waiting.RemoveRange(0, group.Count);
        }
        if (group.Count == 0)
        {
            return;
        }
        try
        {
            // Commands of callers that gave up are still run: the caller may have been cancelled after its command was
            // taken, and a reservation nobody settles is refunded by the sweeper when it expires.
            await ExecuteAsync(tenantId, period, group, CancellationToken.None);
        }
        catch (Exception) when (group.Count > 1)
        {
            foreach (var command in group)
            {
                try
                {
                    await ExecuteAsync(tenantId, period, [command], CancellationToken.None);
                }
                catch (Exception e)
                {
                    command.Outcome.TrySetException(e);
                }
            }
        }
        catch (Exception e)
        {
            group[0].Outcome.TrySetException(e);
        }
    }

    /// <summary>
    /// One transaction for the commands: lock the account and read their reservations and the alerts raised (one round
    /// trip), decide each against the state the previous ones left, append the ledger's events and every caller's (one
    /// batched append), commit, then hand each caller its outcome.
    /// </summary>
    private async Task ExecuteAsync(Guid tenantId, string period, List<Command> commands, CancellationToken ct)
    {
        var now = commands.Max(c => c.At);
        await using var conn = await dataSource.OpenConnectionAsync(ct);
        await using var tx = await conn.BeginTransactionAsync(ct);
        var (account, reservations, alerts) = await LockAndReadAsync(tx, tenantId, period, now, commands.Select(c => c.ReservationId).Distinct().ToArray(), ct);
        var state = new CreditLedgerState(account.Consumed, account.Reserved, alerts, reservations);
        var ledgerEvents = new List<object>();
        var callers = new List<StreamAppend>();
        var outcomes = new (object? Result, Exception? Error)[commands.Count];
        for (var i = 0; i < commands.Count; i++)
        {
            try
            {
                var (events, result, appends) = commands[i].Decide(state);
                state = events.Aggregate(state, CreditLedgerState.Evolve);
                ledgerEvents.AddRange(events);
                callers.AddRange(appends.Where(a => a.Events.Count > 0));
                outcomes[i] = (result, null);
            }
            catch (Exception e) when (e is InsufficientCreditsException or CreditReservationNotFoundException or ArgumentOutOfRangeException)
            {
                outcomes[i] = (null, e);
            }
        }

        var appendsAll = new List<StreamAppend>(callers.Count + 1);
        if (ledgerEvents.Count > 0)
        {
            appendsAll.Add(new StreamAppend(tenantId, CreditStreams.For(period), CreditStreams.Type, ExpectedVersion.Exactly(account.Version),
                ledgerEvents.Select(e => new EventToAppend(CreditEventIds.For(tenantId, e, period), e)).ToList()));
        }
        appendsAll.AddRange(callers);
        if (appendsAll.Count > 0)
        {
            await store.AppendManyAsync(tx, appendsAll, ct);
            await tx.CommitAsync(ct);
        }
        else
        {
            await tx.RollbackAsync(ct);
        }
        for (var i = 0; i < commands.Count; i++)
        {
            if (outcomes[i].Error is { } error)
            {
                commands[i].Outcome.TrySetException(error);
            }
            else
            {
                commands[i].Outcome.TrySetResult(outcomes[i].Result!);
            }
        }
    }

    private async Task<(string Tier, int Allowance)> PlanAsync(Guid tenantId, CancellationToken ct)
    {
        var tier = (await plans.GetTierAsync(tenantId, ct)).ToUpperInvariant();
        return (tier, options.CurrentValue.AllowanceFor(tier));
    }

    private sealed record Account(int Consumed, int Reserved, long Version);

    /// <summary>The commands waiting for one account, and whether a transaction on it is running in this process.</summary>
    private sealed class AccountQueue
    {
        public List<Command> Waiting { get; } = [];

        public bool Running { get; set; }
    }

    /// <summary>A ledger command waiting for its group: what it decides, and the caller's events built from the outcome.</summary>
    private abstract class Command
    {
        public TaskCompletionSource<object> Outcome { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public abstract Guid ReservationId { get; }

        public abstract string Period { get; }

        public abstract DateTimeOffset At { get; }

        /// <summary>The ledger's events, the caller's result and the caller's appends; throws when the command is refused.
        /// May run more than once (a failed group is retried command by command), so the caller's builder must be pure.</summary>
        public abstract (object[] Events, object Result, IReadOnlyList<StreamAppend> Appends) Decide(CreditLedgerState state);
    }

    private sealed class Reserve(Guid reservationId, string reason, string tier, string period, int allowance, DateTimeOffset at,
        DateTimeOffset expiresAt, Func<CreditBalance, int> creditsFor, Func<CreditReservation, IReadOnlyList<StreamAppend>> alsoAppend,
        AlertThresholds thresholds) : Command
    {
        public override Guid ReservationId => reservationId;

        public override string Period => period;

        public override DateTimeOffset At => at;

        /// <summary>Whether the last decision made a new reservation (rather than returning an existing one).</summary>
        public bool Created { get; private set; }

        public override (object[] Events, object Result, IReadOnlyList<StreamAppend> Appends) Decide(CreditLedgerState state)
        {
            var balance = Balances.Of(tier, period, allowance, state, thresholds);
            if (state.Reservations.TryGetValue(reservationId, out var existing))
            {
                // A retry, possibly from an earlier period: the original reservation is the answer.
                var again = new CreditReservation(reservationId, existing.Credits, balance);
                Created = false;
                return ([], again, alsoAppend(again));
            }
            // The amount is decided here, under the account lock, from the balance the previous commands left.
            var credits = creditsFor(balance);
            ArgumentOutOfRangeException.ThrowIfNegativeOrZero(credits);
            var command = new ReserveCredits(reservationId, credits, reason, tier, period, allowance, at, expiresAt);
            var events = ReserveCreditsDecider.Decide(command, state, thresholds);
            var after = events.Aggregate(state, CreditLedgerState.Evolve);
            var reservation = new CreditReservation(reservationId, credits, Balances.Of(tier, period, allowance, after, thresholds));
            Created = true;
            return (events, reservation, alsoAppend(reservation));
        }
    }

    private sealed class Close(Guid reservationId, string tier, string period, int allowance, DateTimeOffset at,
        Func<CreditLedgerState, DateTimeOffset, object[]> decide, Func<CreditBalance, IReadOnlyList<StreamAppend>> alsoAppend,
        AlertThresholds thresholds) : Command
    {
        public override Guid ReservationId => reservationId;

        public override string Period => period;

        public override DateTimeOffset At => at;

        public override (object[] Events, object Result, IReadOnlyList<StreamAppend> Appends) Decide(CreditLedgerState state)
        {
            var events = decide(state, at);
            var balance = Balances.Of(tier, period, allowance, events.Aggregate(state, CreditLedgerState.Evolve), thresholds);
            return (events, balance, alsoAppend(balance));
        }
    }

    /// <summary>
    /// One round trip: creates the period's account row if needed and locks it for the rest of the transaction, then reads
    /// the named reservations and the period's alerts. Separate statements, so under READ COMMITTED the reads take their
    /// snapshots after the lock is granted and see what the previous holder committed.
    /// </summary>
    private static async Task<(Account Account, ImmutableDictionary<Guid, ReservationState> Reservations, ImmutableHashSet<CreditAlertLevel> Alerts)> LockAndReadAsync(
        NpgsqlTransaction tx, Guid tenantId, string period, DateTimeOffset now, Guid[] reservationIds, CancellationToken ct)
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
        var reservations = new NpgsqlBatchCommand(
            "SELECT id, credits, status, coalesce(used, 0), expires_at FROM oos.credit_reservations WHERE tenant_id = @t AND id = ANY(@ids)");
        reservations.Parameters.AddWithValue("t", tenantId);
        reservations.Parameters.AddWithValue("ids", reservationIds);
        var alerts = new NpgsqlBatchCommand("SELECT level FROM oos.credit_alerts WHERE tenant_id = @t AND period = @p");
        alerts.Parameters.AddWithValue("t", tenantId);
        alerts.Parameters.AddWithValue("p", period);
        await using var batch = new NpgsqlBatch(tx.Connection, tx) { BatchCommands = { lockAccount, reservations, alerts } };
        await using var r = await batch.ExecuteReaderAsync(ct);
        await r.ReadAsync(ct);
        var account = new Account(r.GetInt32(0), r.GetInt32(1), r.GetInt64(2));
        await r.NextResultAsync(ct);
        var found = ImmutableDictionary.CreateBuilder<Guid, ReservationState>();
        while (await r.ReadAsync(ct))
        {
            var id = r.GetGuid(0);
            var status = Enum.Parse<ReservationStatus>(r.GetString(2), ignoreCase: true);
            found[id] = new ReservationState(id, r.GetInt32(1), status, r.GetInt32(3), r.GetFieldValue<DateTimeOffset>(4));
        }
        await r.NextResultAsync(ct);
        var levels = ImmutableHashSet.CreateBuilder<CreditAlertLevel>();
        while (await r.ReadAsync(ct))
        {
            levels.Add(Enum.Parse<CreditAlertLevel>(r.GetString(0), ignoreCase: true));
        }
        return (account, found.ToImmutable(), levels.ToImmutable());
    }

    private async Task<string?> ReadPeriodAsync(Guid tenantId, Guid reservationId, CancellationToken ct)
    {
        await using var cmd = dataSource.CreateCommand("SELECT period FROM oos.credit_reservations WHERE tenant_id = @t AND id = @id");
        cmd.Parameters.AddWithValue("t", tenantId);
        cmd.Parameters.AddWithValue("id", reservationId);
        return await cmd.ExecuteScalarAsync(ct) as string;
    }
}
