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
/// transaction. Contenders would queue on the row lock for the whole of a transaction, so commands that arrive while a
/// transaction runs in their shard of organizations wait and then go together in the next one (group commit, ADR 0018):
/// their accounts locked in key order, each command decided in arrival order against the state the previous ones left
/// on its account, one append, one commit. Exactly as many reservations succeed as the balance covers. When a group's
/// transaction fails (a conflict on one caller's stream, say), each of its commands is run again alone, so one caller's
/// failure is never another's.
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

    // Commands queue per shard of organizations (not per account): a group may span several accounts, so many
    // organizations with one request each share transactions too. Several shards keep one organization's slow lock (held
    // by another host) from stalling everyone's commands.
    private const int Shards = 4;

    private readonly ShardQueue[] _queues = [.. Enumerable.Range(0, Shards).Select(_ => new ShardQueue())];

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
        var command = new Reserve(tenantId, reservationId, reason, tier, CreditPeriod.Of(now), allowance, now, now + options.CurrentValue.ReservationTimeout,
            creditsFor, alsoAppend, Thresholds);
        var reservation = (CreditReservation)await SubmitAsync(command, ct);
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

    public async Task<CreditCharge?> ChargeAsync(Guid tenantId, Guid reservationId, Func<CreditBalance, int> creditsFor, int expected, int used, string reason,
        Func<CreditReservation, CreditBalance, IReadOnlyList<StreamAppend>> alsoAppend, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(creditsFor);
        ArgumentNullException.ThrowIfNull(alsoAppend);
        ArgumentException.ThrowIfNullOrWhiteSpace(reason);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(expected);
        ArgumentOutOfRangeException.ThrowIfNegative(used);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(used, expected);
        using var activity = Activity.StartActivity("credits.charge");
        var (tier, allowance) = await PlanAsync(tenantId, ct);
        var now = clock.GetUtcNow();
        var charge = Charge.Unwrap(await SubmitAsync(new Charge(tenantId, reservationId, reason, tier, CreditPeriod.Of(now), allowance, now,
            now + options.CurrentValue.ReservationTimeout, creditsFor, expected, used, alsoAppend, Thresholds), ct));
        activity?.SetTag("outreachos.credits.charged", charge is not null);
        return charge;
    }

    public Task<CreditBalance> SettleAsync(Guid tenantId, Guid reservationId, int usedCredits, CancellationToken ct) =>
        SettleAsync(tenantId, reservationId, usedCredits, static _ => [], ct);

    public Task<CreditBalance> SettleAsync(Guid tenantId, Guid reservationId, int usedCredits,
        Func<CreditBalance, IReadOnlyList<StreamAppend>> alsoAppend, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(alsoAppend);
        return CloseAsync(tenantId, reservationId, "credits.settle", throwWhenUnknown: true,
            (state, now, allowance) => SettleReservationDecider.Decide(new SettleReservation(reservationId, usedCredits, allowance, now), state, Thresholds), alsoAppend, ct);
    }

    public Task<CreditBalance> RefundAsync(Guid tenantId, Guid reservationId, string reason, CancellationToken ct) =>
        RefundAsync(tenantId, reservationId, reason, static _ => [], ct);

    public Task<CreditBalance> RefundAsync(Guid tenantId, Guid reservationId, string reason,
        Func<CreditBalance, IReadOnlyList<StreamAppend>> alsoAppend, CancellationToken ct)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(reason);
        ArgumentNullException.ThrowIfNull(alsoAppend);
        return CloseAsync(tenantId, reservationId, "credits.refund", throwWhenUnknown: false,
            (state, now, _) => RefundReservationDecider.Decide(new RefundReservation(reservationId, reason, now), state), alsoAppend, ct);
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
        Func<CreditLedgerState, DateTimeOffset, int, object[]> decide, Func<CreditBalance, IReadOnlyList<StreamAppend>> alsoAppend, CancellationToken ct)
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
        return (CreditBalance)await SubmitAsync(new Close(tenantId, reservationId, tier, period, allowance, clock.GetUtcNow(), decide, alsoAppend, Thresholds), ct);
    }

    /// <summary>Queues the command for its shard; the first caller to find no transaction running there runs the group.</summary>
    private async Task<object> SubmitAsync(Command command, CancellationToken ct)
    {
        var queue = _queues[(int)((uint)command.TenantId.GetHashCode() % Shards)];
        bool lead;
        lock (queue)
        {
            queue.Waiting.Add(command);
            lead = !queue.Running;
            queue.Running = true;
        }
        if (lead)
        {
            await RunGroupAsync(queue);
            if (!ReleaseIfEmpty(queue))
            {
                // Commands that arrived meanwhile are run by a drainer, so this caller returns now.
                _ = Task.Run(() => DrainAsync(queue), CancellationToken.None);
            }
        }
        return await command.Outcome.Task.WaitAsync(ct);
    }

    private async Task DrainAsync(ShardQueue queue)
    {
        do
        {
            await RunGroupAsync(queue);
        }
        while (!ReleaseIfEmpty(queue));
    }

    /// <summary>Stops the shard's runner when nothing waits (true); otherwise the caller keeps running it.</summary>
    private static bool ReleaseIfEmpty(ShardQueue queue)
    {
        lock (queue)
        {
            queue.Running = queue.Waiting.Count > 0;
            return !queue.Running;
        }
    }

    /// <summary>Takes what is waiting and runs it as one transaction; if that fails, each command alone.</summary>
    private async Task RunGroupAsync(ShardQueue queue)
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
            await ExecuteAsync(group, lockStreamsFirst: true, CancellationToken.None);
        }
        catch (Exception)
        {
            // Each alone, with the store's own checks (an event id appended before is then a retry, not an error).
            foreach (var command in group)
            {
                try
                {
                    await ExecuteAsync([command], lockStreamsFirst: false, CancellationToken.None);
                }
                catch (Exception e)
                {
                    command.Outcome.TrySetException(e);
                }
            }
        }
    }

    /// <summary>
    /// One transaction for the commands: lock their accounts (in key order, so two groups cannot deadlock) and read their
    /// reservations and the alerts raised (one round trip), decide each against the state the previous ones left on its
    /// account, append every account's ledger events and every caller's (one batched append), commit, then hand each
    /// caller its outcome.
    /// </summary>
    /// <param name="lockStreamsFirst">Lock the streams of the append (the ledger's and the callers', which each command
    /// previews) in the first round trip, with the accounts: one round trip fewer while the accounts are locked. The
    /// append then does not look up existing event ids (see <see cref="StreamLocks"/>); the retry of a failed group runs
    /// without it.</param>
    private async Task ExecuteAsync(List<Command> commands, bool lockStreamsFirst, CancellationToken ct)
    {
        var now = commands.Max(c => c.At);
        var keys = commands.Select(c => (c.TenantId, c.Period)).Distinct()
            .OrderBy(k => k.TenantId).ThenBy(k => k.Period, StringComparer.Ordinal).ToList();
        var streams = lockStreamsFirst
            ? store.LockStreams([.. keys.Select(k => (k.TenantId, CreditStreams.For(k.Period), CreditStreams.Type)),
                .. commands.SelectMany(c => c.PreviewStreams())])
            : null;
        await using var conn = await dataSource.OpenConnectionAsync(ct);
        await using var tx = await conn.BeginTransactionAsync(ct);
        var (accounts, reservations, alerts) = await LockAndReadAsync(tx, keys, now,
            commands.Select(c => (c.TenantId, c.ReservationId)).Distinct().ToList(), streams, ct);
        var states = keys.ToDictionary(k => k, k => new CreditLedgerState(accounts[k].Consumed, accounts[k].Reserved,
            alerts.GetValueOrDefault(k, []),
            reservations.Where(r => r.Key.TenantId == k.TenantId).ToImmutableDictionary(r => r.Key.ReservationId, r => r.Value)));
        var ledgerEvents = keys.ToDictionary(k => k, _ => new List<object>());
        var callers = new List<StreamAppend>();
        var outcomes = new (object? Result, Exception? Error)[commands.Count];
        for (var i = 0; i < commands.Count; i++)
        {
            var key = (commands[i].TenantId, commands[i].Period);
            try
            {
                var (events, result, appends) = commands[i].Decide(states[key]);
                states[key] = events.Aggregate(states[key], CreditLedgerState.Evolve);
                ledgerEvents[key].AddRange(events);
                callers.AddRange(appends.Where(a => a.Events.Count > 0));
                // A refusal that records events (alerts) is an outcome with an error, handed over after the commit.
                outcomes[i] = result is Exception refused ? (null, refused) : (result, null);
            }
            catch (Exception e) when (e is InsufficientCreditsException or CreditReservationNotFoundException or ArgumentOutOfRangeException)
            {
                outcomes[i] = (null, e);
            }
        }

        var appendsAll = new List<StreamAppend>(callers.Count + keys.Count);
        foreach (var (key, events) in ledgerEvents.Where(x => x.Value.Count > 0))
        {
            appendsAll.Add(new StreamAppend(key.TenantId, CreditStreams.For(key.Period), CreditStreams.Type, ExpectedVersion.Exactly(accounts[key].Version),
                events.Select(e => new EventToAppend(CreditEventIds.For(key.TenantId, e, key.Period), e)).ToList()));
        }
        appendsAll.AddRange(callers);
        if (appendsAll.Count > 0)
        {
            // The account rows move in the same round trip (CreditAccountProjection rides with the insert), and so does
            // the COMMIT.
            await store.AppendManyAndCommitAsync(tx, appendsAll, streams, ct);
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

    /// <summary>The commands waiting in one shard, and whether a transaction of that shard is running in this process.</summary>
    private sealed class ShardQueue
    {
        public List<Command> Waiting { get; } = [];

        public bool Running { get; set; }
    }

    /// <summary>A ledger command waiting for its group: what it decides, and the caller's events built from the outcome.</summary>
    private abstract class Command(Guid tenantId, Guid reservationId, string period, DateTimeOffset at)
    {
        public TaskCompletionSource<object> Outcome { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public Guid TenantId => tenantId;

        public Guid ReservationId => reservationId;

        public string Period => period;

        public DateTimeOffset At => at;

        /// <summary>
        /// The streams the caller's append goes to, from its builder called with a stand-in outcome (builders are pure;
        /// the one called in <see cref="Decide"/> is the one that counts). None when the builder cannot say.
        /// </summary>
        public IEnumerable<(Guid TenantId, string StreamId, string StreamType)> PreviewStreams()
        {
            try
            {
                // Streams the append opens too: the lock creates them, and the append removes those a refused command leaves empty.
                return [.. Preview().Where(a => a.Events.Count > 0).Select(a => (a.TenantId, a.StreamId, a.StreamType))];
            }
            catch (Exception)
            {
                return [];
            }
        }

        protected abstract IReadOnlyList<StreamAppend> Preview();

        /// <summary>The ledger's events, the caller's result and the caller's appends; throws when the command is refused.
        /// May run more than once (a failed group is retried command by command), so the caller's builder must be pure.</summary>
        public abstract (object[] Events, object Result, IReadOnlyList<StreamAppend> Appends) Decide(CreditLedgerState state);
    }

    private sealed class Reserve(Guid tenantId, Guid reservationId, string reason, string tier, string period, int allowance, DateTimeOffset at,
        DateTimeOffset expiresAt, Func<CreditBalance, int> creditsFor, Func<CreditReservation, IReadOnlyList<StreamAppend>> alsoAppend,
        AlertThresholds thresholds) : Command(tenantId, reservationId, period, at)
    {
        /// <summary>Whether the last decision made a new reservation (rather than returning an existing one).</summary>
        public bool Created { get; private set; }

        protected override IReadOnlyList<StreamAppend> Preview() =>
            alsoAppend(new CreditReservation(ReservationId, 1, Balances.Of(tier, Period, allowance, 0, 0, thresholds)));

        public override (object[] Events, object Result, IReadOnlyList<StreamAppend> Appends) Decide(CreditLedgerState state)
        {
            var balance = Balances.Of(tier, Period, allowance, state, thresholds);
            if (state.Reservations.TryGetValue(ReservationId, out var existing))
            {
                // A retry, possibly from an earlier period: the original reservation is the answer.
                var again = new CreditReservation(ReservationId, existing.Credits, balance);
                Created = false;
                return ([], again, alsoAppend(again));
            }
            // The amount is decided here, under the account lock, from the balance the previous commands left.
            var credits = creditsFor(balance);
            ArgumentOutOfRangeException.ThrowIfNegativeOrZero(credits);
            var command = new ReserveCredits(ReservationId, credits, reason, tier, Period, allowance, At, expiresAt);
            object[] events;
            try
            {
                events = ReserveCreditsDecider.Decide(command, state, thresholds);
            }
            catch (InsufficientCreditsException refused) when (ReserveCreditsDecider.OnRefusal(command, state, thresholds) is { Length: > 0 } alerts)
            {
                // Refused, but with alerts to record: they are appended with the group and the caller still gets the refusal.
                Created = false;
                return (alerts, refused, []);
            }
            var after = events.Aggregate(state, CreditLedgerState.Evolve);
            var reservation = new CreditReservation(ReservationId, credits, Balances.Of(tier, Period, allowance, after, thresholds));
            Created = true;
            return (events, reservation, alsoAppend(reservation));
        }
    }

    /// <summary>
    /// A reservation and its settlement decided together (<see cref="ICreditLedger.ChargeAsync"/>): the same deciders, one
    /// after the other, on the state the previous commands of the group left. Declined (no events, null) when the amount
    /// the balance decides is not the one the caller's work was done for, or the id was reserved before.
    /// </summary>
    private sealed class Charge(Guid tenantId, Guid reservationId, string reason, string tier, string period, int allowance, DateTimeOffset at,
        DateTimeOffset expiresAt, Func<CreditBalance, int> creditsFor, int expected, int used,
        Func<CreditReservation, CreditBalance, IReadOnlyList<StreamAppend>> alsoAppend, AlertThresholds thresholds) : Command(tenantId, reservationId, period, at)
    {
        private static readonly object Declined = new();

        protected override IReadOnlyList<StreamAppend> Preview()
        {
            var stand = Balances.Of(tier, Period, allowance, 0, 0, thresholds);
            return alsoAppend(new CreditReservation(ReservationId, expected, stand), stand);
        }

        public override (object[] Events, object Result, IReadOnlyList<StreamAppend> Appends) Decide(CreditLedgerState state)
        {
            var balance = Balances.Of(tier, Period, allowance, state, thresholds);
            if (state.Reservations.ContainsKey(ReservationId) || creditsFor(balance) != expected)
            {
                return ([], Declined, []);
            }
            var reserve = new ReserveCredits(ReservationId, expected, reason, tier, Period, allowance, At, expiresAt);
            object[] reserved;
            try
            {
                reserved = ReserveCreditsDecider.Decide(reserve, state, thresholds);
            }
            catch (InsufficientCreditsException refused) when (ReserveCreditsDecider.OnRefusal(reserve, state, thresholds) is { Length: > 0 } alerts)
            {
                return (alerts, refused, []);
            }
            var held = reserved.Aggregate(state, CreditLedgerState.Evolve);
            var settled = SettleReservationDecider.Decide(new SettleReservation(ReservationId, used, allowance, At), held, thresholds);
            var after = settled.Aggregate(held, CreditLedgerState.Evolve);
            var reservation = new CreditReservation(ReservationId, expected, Balances.Of(tier, Period, allowance, held, thresholds));
            var final = Balances.Of(tier, Period, allowance, after, thresholds);
            return ([.. reserved, .. settled], new CreditCharge(reservation, final), alsoAppend(reservation, final));
        }

        /// <summary>The caller's answer: the charge, or null when declined.</summary>
        public static CreditCharge? Unwrap(object outcome) => outcome as CreditCharge;
    }

    private sealed class Close(Guid tenantId, Guid reservationId, string tier, string period, int allowance, DateTimeOffset at,
        Func<CreditLedgerState, DateTimeOffset, int, object[]> decide, Func<CreditBalance, IReadOnlyList<StreamAppend>> alsoAppend,
        AlertThresholds thresholds) : Command(tenantId, reservationId, period, at)
    {
        protected override IReadOnlyList<StreamAppend> Preview() => alsoAppend(Balances.Of(tier, Period, allowance, 0, 0, thresholds));

        public override (object[] Events, object Result, IReadOnlyList<StreamAppend> Appends) Decide(CreditLedgerState state)
        {
            var events = decide(state, At, allowance);
            var balance = Balances.Of(tier, Period, allowance, events.Aggregate(state, CreditLedgerState.Evolve), thresholds);
            return (events, balance, alsoAppend(balance));
        }
    }

    /// <summary>
    /// One round trip: creates the accounts' rows if needed and locks them for the rest of the transaction (in the order
    /// given: key order), then reads the named reservations and the accounts' alerts. Separate statements, so under READ
    /// COMMITTED the reads take their snapshots after the locks are granted and see what the previous holders committed.
    /// </summary>
    private static async Task<(Dictionary<(Guid, string), Account> Accounts, Dictionary<(Guid TenantId, Guid ReservationId), ReservationState> Reservations,
        Dictionary<(Guid, string), ImmutableHashSet<CreditAlertLevel>> Alerts)> LockAndReadAsync(
        NpgsqlTransaction tx, List<(Guid TenantId, string Period)> accounts, DateTimeOffset now, List<(Guid TenantId, Guid ReservationId)> reservationIds,
        StreamLocks? streams, CancellationToken ct)
    {
        // ON CONFLICT DO UPDATE takes each row lock and returns the current (committed) row;
        // a contender waits here until the holder commits, then sees its result.
        var lockAccounts = new NpgsqlBatchCommand("""
            INSERT INTO oos.credit_accounts (tenant_id, period, consumed, reserved, version, updated_at)
            SELECT x.t, x.p, 0, 0, 0, @now FROM unnest(@t, @p) WITH ORDINALITY AS x(t, p, n) ORDER BY x.n
            ON CONFLICT (tenant_id, period) DO UPDATE SET tenant_id = EXCLUDED.tenant_id
            RETURNING tenant_id, period, consumed, reserved, version
            """);
        lockAccounts.Parameters.AddWithValue("t", accounts.Select(a => a.TenantId).ToArray());
        lockAccounts.Parameters.AddWithValue("p", accounts.Select(a => a.Period).ToArray());
        lockAccounts.Parameters.AddWithValue("now", now);
        var reservations = new NpgsqlBatchCommand(ReservationLookupSql);
        reservations.Parameters.AddWithValue("t", reservationIds.Select(r => r.TenantId).ToArray());
        reservations.Parameters.AddWithValue("ids", reservationIds.Select(r => r.ReservationId).ToArray());
        var alerts = new NpgsqlBatchCommand("""
            SELECT a.tenant_id, a.period, a.level FROM oos.credit_alerts a
            JOIN unnest(@t, @p) AS k(t, p) ON a.tenant_id = k.t AND a.period = k.p
            """);
        alerts.Parameters.AddWithValue("t", accounts.Select(a => a.TenantId).ToArray());
        alerts.Parameters.AddWithValue("p", accounts.Select(a => a.Period).ToArray());
        await using var batch = new NpgsqlBatch(tx.Connection, tx) { BatchCommands = { lockAccounts, reservations, alerts } };
        if (streams is not null)
        {
            // After the accounts: every ledger transaction locks accounts, then streams (each set in key order).
            batch.BatchCommands.Add(streams.Command);
        }
        await using var r = await batch.ExecuteReaderAsync(ct);
        var locked = new Dictionary<(Guid, string), Account>(accounts.Count);
        while (await r.ReadAsync(ct))
        {
            locked[(r.GetGuid(0), r.GetString(1))] = new Account(r.GetInt32(2), r.GetInt32(3), r.GetInt64(4));
        }
        await r.NextResultAsync(ct);
        var found = new Dictionary<(Guid, Guid), ReservationState>();
        while (await r.ReadAsync(ct))
        {
            var id = r.GetGuid(1);
            var status = Enum.Parse<ReservationStatus>(r.GetString(3), ignoreCase: true);
            found[(r.GetGuid(0), id)] = new ReservationState(id, r.GetInt32(2), status, r.GetInt32(4), r.GetFieldValue<DateTimeOffset>(5));
        }
        await r.NextResultAsync(ct);
        var levels = new Dictionary<(Guid, string), ImmutableHashSet<CreditAlertLevel>>();
        while (await r.ReadAsync(ct))
        {
            var key = (r.GetGuid(0), r.GetString(1));
            levels[key] = levels.GetValueOrDefault(key, []).Add(Enum.Parse<CreditAlertLevel>(r.GetString(2), ignoreCase: true));
        }
        if (streams is not null)
        {
            await r.NextResultAsync(ct);
            await streams.ReadAsync(r, ct);
        }
        return (locked, found, levels);
    }

    /// <summary>
    /// The named reservations: one key lookup each (a LATERAL … LIMIT 1 is never flattened into a join). As a plain join
    /// the planner hashed a sequential scan of the whole table whenever it guessed the table small.
    /// </summary>
    internal const string ReservationLookupSql = """
        SELECT r.tenant_id, r.id, r.credits, r.status, coalesce(r.used, 0), r.expires_at FROM unnest(@t, @ids) AS k(t, id)
        CROSS JOIN LATERAL (SELECT * FROM oos.credit_reservations r WHERE r.tenant_id = k.t AND r.id = k.id LIMIT 1) r
        """;

    private async Task<string?> ReadPeriodAsync(Guid tenantId, Guid reservationId, CancellationToken ct)
    {
        await using var cmd = dataSource.CreateCommand("SELECT period FROM oos.credit_reservations WHERE tenant_id = @t AND id = @id");
        cmd.Parameters.AddWithValue("t", tenantId);
        cmd.Parameters.AddWithValue("id", reservationId);
        return await cmd.ExecuteScalarAsync(ct) as string;
    }
}
