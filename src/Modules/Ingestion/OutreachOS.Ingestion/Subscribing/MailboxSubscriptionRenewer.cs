using System.Collections.Concurrent;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Npgsql;
using OutreachOS.BuildingBlocks.EventStore;
using OutreachOS.BuildingBlocks.Postgres;
using OutreachOS.BuildingBlocks.Privacy;
using OutreachOS.Ingestion.Contracts;
using OutreachOS.Ingestion.Mailbox;
using OutreachOS.Ingestion.Normalizing;

namespace OutreachOS.Ingestion.Subscribing;

/// <summary>
/// Creates and renews the provider subscriptions that make Gmail and Graph notify us: a Gmail <c>users.watch</c> per
/// mailbox with a topic, a Graph subscription per <c>Ingestion:Graph:Mailboxes</c> entry when a notification URL is set.
/// At start and then whenever <see cref="RenewalSchedule"/> says so, per mailbox: take a transaction-scoped advisory lock
/// (try, never wait: another host holding it is doing this mailbox now), fold the mailbox's stream, decide, call the
/// provider, append the outcome (and the Gmail start cursor / Graph subscription row) in the same transaction, commit.
/// A second host that gets the lock afterwards reads the new event and waits. Failures are logged, counted and retried
/// with backoff; nothing here stops the host.
/// </summary>
internal sealed partial class MailboxSubscriptionRenewer(
    NpgsqlDataSource dataSource,
    IEventStore store,
    IngestionOptions options,
    GmailWatchClient gmail,
    GraphSubscriptionClient graph,
    TimeProvider clock,
    ILogger<MailboxSubscriptionRenewer> logger) : BackgroundService
{
    /// <summary>The longest sleep between rounds, so a clock jump or a lost event never leaves a mailbox unattended for long.</summary>
    public static readonly TimeSpan MaxSleep = TimeSpan.FromHours(1);

    /// <summary>When another host holds a mailbox's lock, look again after this (it will normally be done by then).</summary>
    public static readonly TimeSpan BusyRecheck = TimeSpan.FromMinutes(1);

    private static readonly TimeSpan MinSleep = TimeSpan.FromSeconds(1);

    private readonly ConcurrentDictionary<string, RetryState> _retries = new(StringComparer.Ordinal);

    private readonly SemaphoreSlim _wake = new(0, 1);

    /// <summary>
    /// Something was recorded on a mailbox's stream that needs acting on now (a Graph lifecycle notification): forget the
    /// mailbox's backoff and start a round instead of sleeping until the next one is due.
    /// </summary>
    public void Wake(string streamId)
    {
        _retries.TryRemove(streamId, out _);
        lock (_wake)
        {
            if (_wake.CurrentCount == 0)
            {
                _wake.Release();
            }
        }
    }

    public bool Enabled => options.Gmail.Watched.Any() || options.Graph.Subscribe.Enabled && options.Graph.Mailboxes.Count > 0;

    /// <summary>One round over every configured mailbox; returns when the next one is due (the loop sleeps at most <see cref="MaxSleep"/>).</summary>
    public async Task<DateTimeOffset> RunOnceAsync(CancellationToken ct)
    {
        var next = DateTimeOffset.MaxValue;
        foreach (var mailbox in options.Gmail.Watched)
        {
            var due = await OneAsync(GmailTarget(mailbox), ct);
            next = due < next ? due : next;
        }
        if (options.Graph.Subscribe.Enabled)
        {
            foreach (var mailbox in options.Graph.Mailboxes)
            {
                var due = await OneAsync(GraphTarget(mailbox), ct);
                next = due < next ? due : next;
            }
        }
        return next;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!Enabled)
        {
            return;
        }
        await Task.Yield(); // never hold up the host's start
        while (!stoppingToken.IsCancellationRequested)
        {
            DateTimeOffset next;
            try
            {
                next = await RunOnceAsync(stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                // OneAsync handles each mailbox's failures; this is a defect or a bug in the loop itself.
                LogRoundFailed(e);
                next = clock.GetUtcNow() + BusyRecheck;
            }
            var now = clock.GetUtcNow();
            var delay = next >= now + MaxSleep ? MaxSleep : next - now;
            delay = delay < MinSleep ? MinSleep : delay;
            if (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            using var sleep = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
            var woken = _wake.WaitAsync(sleep.Token);
            await Task.WhenAny(woken, Task.Delay(delay, clock, sleep.Token));
            await sleep.CancelAsync();
        }
    }

    /// <summary>One mailbox: what it is, where its stream is, and how to (re)subscribe it.</summary>
    private sealed record Target(
        string Provider,
        string Mailbox,
        Guid Organization,
        string StreamId,
        string Fingerprint,
        RenewalPolicy Policy,
        Func<MailboxSubscription, RenewalDecision, NpgsqlTransaction, CancellationToken, Task<object>> ActAsync,
        Func<MailboxSubscription, NpgsqlTransaction, CancellationToken, Task<string?>>? ResubscribeBecauseAsync = null);

    private async Task<DateTimeOffset> OneAsync(Target t, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        _retries.TryGetValue(t.StreamId, out var retry);
        if (RenewalSchedule.RetryPending(retry, now) is { } pending)
        {
            return pending;
        }
        try
        {
            await using var connection = await dataSource.OpenConnectionAsync(ct);
            await using var tx = await connection.BeginTransactionAsync(ct);
            if (!await TryLockAsync(tx, t, ct))
            {
                LogBusy(t.Provider, t.Mailbox);
                return now + BusyRecheck;
            }
            var history = await store.ReadStreamAsync(t.Organization, t.StreamId, ct: ct);
            var state = history.Aggregate(MailboxSubscription.None, (s, e) => MailboxSubscription.Evolve(s, e.Data));
            var decision = RenewalSchedule.Decide(state, t.Fingerprint, now, t.Policy);
            if (decision is not RenewalDecision.Subscribe && t.ResubscribeBecauseAsync is { } check && await check(state, tx, ct) is { } why)
            {
                decision = new RenewalDecision.Subscribe(why);
            }
            if (decision is RenewalDecision.Wait wait)
            {
                await tx.CommitAsync(ct);
                _retries.TryRemove(t.StreamId, out _);
                return wait.Until;
            }
            var happened = await t.ActAsync(state, decision, tx, ct);
            var expected = history.Count == 0 ? ExpectedVersion.NoStream : ExpectedVersion.Exactly(history[^1].Version);
            await store.AppendManyAsync(tx, [new StreamAppend(t.Organization, t.StreamId, MailboxSubscription.StreamType, expected, [EventToAppend.Create(happened)])], ct);
            await tx.CommitAsync(ct);
            _retries.TryRemove(t.StreamId, out _);

            var after = MailboxSubscription.Evolve(state, happened);
            var outcome = happened switch
            {
                GraphMailboxCaughtUp => "caught up",
                GraphSubscriptionRenewed => "renewed",
                GmailWatchStarted when decision is RenewalDecision.Renew => "renewed",
                _ => "subscribed",
            };
            SubscriptionMetrics.Attempts.Add(1, new("provider", t.Provider), new("outcome", outcome));
            LogDone(t.Provider, t.Mailbox, outcome, ReasonOf(happened), after.Expiration);
            return RenewalSchedule.Decide(after, t.Fingerprint, now, t.Policy) is RenewalDecision.Wait w ? w.Until : now + t.Policy.RetryDelay;
        }
        catch (Exception e) when (e is not OperationCanceledException || !ct.IsCancellationRequested)
        {
            var failed = RenewalSchedule.Failed(retry, now, t.Policy);
            _retries[t.StreamId] = failed;
            SubscriptionMetrics.Attempts.Add(1, new("provider", t.Provider), new("outcome", "failed"));
            LogFailed(t.Provider, t.Mailbox, failed.Failures, failed.NextAttemptAt, e.GetType().Name, e.Message);
            return failed.NextAttemptAt;
        }
    }

    // Transaction-scoped: released by commit/rollback, also when the connection breaks; takes no transaction id.
    private static Task<bool> TryLockAsync(NpgsqlTransaction tx, Target t, CancellationToken ct) =>
        AdvisoryLocks.TryTransactionLockAsync(tx, $"oos-mailbox-subscription:{t.Organization:N}:{t.StreamId}", ct);

    private static string ReasonOf(object e) => e switch
    {
        GmailWatchStarted w => w.Reason,
        GraphSubscriptionCreated c => c.Reason,
        GraphSubscriptionRenewed r => r.Reason,
        GraphMailboxCaughtUp c => $"{c.Reason}: {c.Listed} message(s) since {c.Since:o}{(c.Truncated ? ", truncated" : "")}",
        _ => "",
    };

    private Target GmailTarget(GmailMailbox m)
    {
        var topic = options.Gmail.TopicFor(m)!;
        var labels = options.Gmail.LabelsFor(m);
        var behavior = labels.Count > 0 ? options.Gmail.Watch.LabelFilterBehavior : null;
        var email = EmailAddresses.Canonical(m.EmailAddress);
        return new Target("gmail", email, m.OrganizationId, MailboxSubscription.GmailStream(email),
            MailboxSubscription.GmailTarget(topic, labels, behavior), options.Gmail.Watch.Policy,
            async (_, decision, tx, ct) =>
            {
                var watch = await gmail.WatchAsync(email, topic, labels, behavior, ct);
                var now = clock.GetUtcNow();
                // Start the history cursor at the watch's history id when the mailbox has none yet, so the first push
                // reads everything since the watch began (without it, the first push starts one id before its own).
                await using (var cmd = new NpgsqlCommand("""
                    INSERT INTO oos.ingestion_mailbox_cursors (tenant_id, source, mailbox, cursor, updated_at) VALUES ($1, 'GMAIL', $2, $3, $4)
                    ON CONFLICT (tenant_id, source, mailbox) DO NOTHING
                    """, tx.Connection, tx))
                {
                    cmd.Parameters.Add(new NpgsqlParameter { Value = m.OrganizationId });
                    cmd.Parameters.Add(new NpgsqlParameter { Value = email });
                    cmd.Parameters.Add(new NpgsqlParameter { Value = watch.HistoryId });
                    cmd.Parameters.Add(new NpgsqlParameter { Value = now });
                    await cmd.ExecuteNonQueryAsync(ct);
                }
                return new GmailWatchStarted(email, topic, labels, behavior, watch.HistoryId, watch.Expiration, Reason(decision), now);
            });
    }

    private Target GraphTarget(GraphMailbox m)
    {
        var s = options.Graph.Subscribe;
        return new Target("graph", m.UserId, m.OrganizationId, MailboxSubscription.GraphStream(m.UserId),
            MailboxSubscription.GraphTarget(m.Resource, s.NotificationUrl!), s.Policy,
            async (state, decision, tx, ct) =>
            {
                if (decision is RenewalDecision.CatchUp catchUp)
                {
                    return await CatchUpAsync(m, state, catchUp, tx, ct);
                }
                var requested = clock.GetUtcNow() + TimeSpan.FromMinutes(s.ExpirationMinutes);
                object happened;
                if (decision is RenewalDecision.Renew && state.SubscriptionId is { } current)
                {
                    var renewed = await graph.RenewAsync(current, requested, ct);
                    happened = renewed is not null
                        ? new GraphSubscriptionRenewed(m.UserId, renewed.Id, renewed.Expiration, Reason(decision), clock.GetUtcNow())
                        : await CreateAsync(current, RenewalReasons.Gone);
                }
                else
                {
                    if (state.SubscriptionId is { } old && decision is RenewalDecision.Subscribe { Reason: RenewalReasons.ConfigurationChanged or RenewalReasons.ClientStateChanged })
                    {
                        // The old one would keep notifying the old URL (or for the old resource) until it expires.
                        await graph.DeleteAsync(old, ct);
                    }
                    happened = await CreateAsync(state.SubscriptionId, Reason(decision));
                }
                var (id, expiration) = happened switch
                {
                    GraphSubscriptionRenewed r => (r.SubscriptionId, r.Expiration),
                    GraphSubscriptionCreated c => (c.SubscriptionId, c.Expiration),
                    _ => throw new InvalidOperationException("unreachable"),
                };
                await GraphSubscriptionTable.SaveAsync(tx, m.OrganizationId, m.UserId, id, expiration, clock.GetUtcNow(), m.ClientState, ct);
                return happened;

                async Task<object> CreateAsync(string? replaces, string reason)
                {
                    var created = await graph.CreateAsync(m, requested, ct);
                    return new GraphSubscriptionCreated(m.UserId, created.Id, m.Resource, s.NotificationUrl!.ToString(), created.Expiration, replaces, reason, clock.GetUtcNow());
                }
            },
            // Graph sends the clientState a subscription was made with, which the webhook no longer accepts once the
            // configured one changed: such a subscription is made again with the new one.
            async (state, tx, ct) => state.SubscriptionId is { } id && await GraphSubscriptionTable.ClientStateChangedAsync(tx, id, m.ClientState, ct)
                ? RenewalReasons.ClientStateChanged
                : null);
    }

    /// <summary>
    /// Lists the messages received since the loss (less the catch-up window, never before the mailbox was first
    /// subscribed) and notifies each as Graph would have: the same append as the webhook's, so a message notified twice
    /// under one subscription is one notification, and the consumer drops what it already ingested by Message-ID.
    /// </summary>
    private async Task<object> CatchUpAsync(GraphMailbox m, MailboxSubscription state, RenewalDecision.CatchUp catchUp, NpgsqlTransaction tx, CancellationToken ct)
    {
        var s = options.Graph.Subscribe;
        var since = catchUp.From - s.CatchUpWindow;
        if (state.FirstSubscribedAt is { } first && first > since)
        {
            since = first;
        }
        var subscriptionId = state.SubscriptionId ?? throw new InvalidOperationException("A catch-up needs a current subscription.");
        var (ids, truncated) = await graph.ListReceivedSinceAsync(m, since, s.MaxCatchUpMessages, ct);
        var now = clock.GetUtcNow();
        var notifications = ids
            .Select(id => MailboxNotifications.Append(m.OrganizationId, InboundSource.Graph, subscriptionId, $"users/{m.UserId}/messages/{id}", now))
            .DistinctBy(a => a.StreamId)
            .ToList();
        if (notifications.Count > 0)
        {
            await store.AppendManyAsync(tx, notifications, ct);
        }
        if (truncated)
        {
            LogCatchUpTruncated(m.UserId, s.MaxCatchUpMessages, since);
        }
        return new GraphMailboxCaughtUp(m.UserId, subscriptionId, since, ids.Count, truncated, catchUp.Reason, now);
    }

    private static string Reason(RenewalDecision d) => d switch
    {
        RenewalDecision.Subscribe s => s.Reason,
        RenewalDecision.Renew r => r.Reason,
        _ => "",
    };

    [LoggerMessage(Level = LogLevel.Information, Message = "Mailbox subscription {Outcome}: {Provider} {Mailbox} ({Reason}), expires {Expiration:o}")]
    private partial void LogDone(string provider, string mailbox, string outcome, string reason, DateTimeOffset? expiration);

    [LoggerMessage(Level = LogLevel.Warning,
        Message = "Mailbox subscription failed: {Provider} {Mailbox}, {Failures} consecutive failure(s), next attempt {NextAttemptAt:o}: {ErrorType}: {Error}")]
    private partial void LogFailed(string provider, string mailbox, int failures, DateTimeOffset nextAttemptAt, string errorType, string error);

    [LoggerMessage(Level = LogLevel.Warning,
        Message = "Graph catch-up of {Mailbox} stopped at {Max} messages received since {Since:o}; later ones are only ingested if Graph notifies them")]
    private partial void LogCatchUpTruncated(string mailbox, int max, DateTimeOffset since);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Mailbox subscription of {Provider} {Mailbox} is being renewed by another host")]
    private partial void LogBusy(string provider, string mailbox);

    [LoggerMessage(Level = LogLevel.Error, Message = "Mailbox subscription round failed; next round in a minute")]
    private partial void LogRoundFailed(Exception exception);
}
