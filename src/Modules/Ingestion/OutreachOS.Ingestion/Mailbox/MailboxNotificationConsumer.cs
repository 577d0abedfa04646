using MassTransit;
using Microsoft.Extensions.Logging;
using Npgsql;
using OutreachOS.BuildingBlocks.EventStore;
using OutreachOS.BuildingBlocks.Messaging;
using OutreachOS.BuildingBlocks.Postgres;
using OutreachOS.Ingestion.Accepting;
using OutreachOS.Ingestion.Normalizing;

namespace OutreachOS.Ingestion.Mailbox;

/// <summary>
/// Off the webhook request: resolves a mailbox notification to messages through the provider's adapter, fetches each,
/// normalizes it and opens its inbound stream — all in the inbox transaction, so a redelivered notification has no
/// second effect, and the mailbox cursor moves only with the messages it covers. When the adapter read a bounded part of
/// the changes (<see cref="MailboxChanges.More"/>), a continuation notification is appended in the same transaction. A
/// failed fetch throws: the bus retries, then the notification lands in the error queue (listable and replayable), never
/// silently lost.
/// One message that cannot be stored (<see cref="IsRefusal"/>: a value the serializer or the database refuses, which a
/// retry refuses again) must not hold back the messages read with it, nor the cursor, for good. A first attempt runs as
/// one transaction; a retried or redriven one (<see cref="Careful"/>), when it covers more than one message or moves a
/// cursor, appends each message under a savepoint, and a refused one is rolled back, logged, counted
/// (<see cref="MailboxMetrics.MessagesRefused"/>) and handed to a notification of its own (resource
/// <c>message:{id}</c>), which fails alone and lands in the error queue and <c>oos.dead_letters</c>, to be redriven once
/// the cause is fixed. (Savepoints only then: each is a subtransaction and two round trips, and a catch-up may hold
/// a thousand messages.)
/// </summary>
internal sealed class MailboxNotificationConsumer(
    NpgsqlDataSource dataSource,
    IEnumerable<IMailboxAdapter> adapters,
    InboundAcceptor acceptor,
    IEventStore store,
    IngestionOptions options,
    TimeProvider clock,
    ILogger<MailboxNotificationConsumer> logger) : IdempotentConsumer<MailboxNotified>(dataSource)
{
    protected override string ConsumerName => "ingestion-mailbox-fetch";

    protected override async Task HandleAsync(ConsumeContext<MailboxNotified> context, NpgsqlTransaction transaction, Guid? tenantId, CancellationToken ct)
    {
        var n = context.Message;
        if (tenantId is { } t && t != n.OrganizationId)
        {
            throw new InvalidOperationException("A mailbox notification's tenant header does not match its organization.");
        }
        var adapter = adapters.FirstOrDefault(a => a.Source == n.Source)
            ?? throw new InvalidOperationException($"No mailbox adapter is registered for {n.Source}.");
        var source = n.Source.ToString().ToUpperInvariant();
        var (cursor, syncedAt) = await ReadCursorAsync(transaction, n.OrganizationId, source, n.Mailbox, ct);
        // Taken before the provider is asked: whatever it held by then is covered when the read reaches the end.
        var readAt = clock.GetUtcNow();
        // A message set apart by an earlier read (see IsRefusal) is read alone, and the cursor is not touched.
        var changes = n.Resource.StartsWith(MessagePrefix, StringComparison.Ordinal)
            ? new MailboxChanges([n.Resource[MessagePrefix.Length..]], null)
            : await adapter.ChangesAsync(n.Mailbox, n.Resource, cursor, syncedAt, ct);
        // Fetch everything before the first write: a write gives the transaction an id, and while it is open every event
        // committed by anyone is held back from the relay and the projections (provider calls can take seconds).
        var fetched = new List<(string ResourceId, NormalizedEmail Email)>(changes.ResourceIds.Count);
        var setApart = new List<string>();
        // A message refused on every attempt goes to a notification of its own (appended below), logged and counted.
        void SetApart(string id, Exception ex, string what, string reason)
        {
            logger.LogError(ex, "Mailbox message {ResourceId} of {Source} cannot be {What} ({Reason}); set apart in a notification of its own so the rest of the read goes on",
                id, n.Source, what, reason);
            MailboxMetrics.MessagesRefused.Add(1, new KeyValuePair<string, object?>("source", source.ToLowerInvariant()));
            setApart.Add(id);
        }
        // With others or a cursor behind it, a message the provider refuses on every attempt (or that cannot be read) is set
        // apart on a retry, like one the database refuses (below).
        var isolateFetch = Careful(context) && (changes.ResourceIds.Count > 1 || changes.Cursor is not null);
        foreach (var id in changes.ResourceIds)
        {
            RawEmail? raw;
            NormalizedEmail? email;
            try
            {
                raw = await adapter.FetchAsync(n.Mailbox, id, ct);
                email = raw is null ? null : EmailNormalizer.Normalize(raw, options, clock.GetUtcNow(), fromMailbox: true).Email;
            }
            catch (Exception ex) when (isolateFetch && IsPermanentFetchFailure(ex))
            {
                SetApart(id, ex, "fetched", ex is HttpRequestException { StatusCode: { } status } ? $"HTTP {(int)status}" : ex.GetType().Name);
                continue;
            }
            if (raw is null)
            {
                logger.LogInformation("Mailbox message {ResourceId} of {Source} is gone; skipped", id, n.Source);
                continue;
            }
            if (email is null)
            {
                // Only a message without a usable sender (or Message-ID, which the adapters fill) gets here: recipients,
                // headers... are trimmed, not refused. A fact about that message, not a transient failure.
                logger.LogWarning("Mailbox message {ResourceId} of {Source} has no usable From address or Message-ID; skipped", id, n.Source);
                continue;
            }
            if (email.RecipientsDropped > 0)
            {
                logger.LogInformation("Mailbox message {ResourceId} of {Source}: {Dropped} unusable or surplus recipients left out", id, n.Source, email.RecipientsDropped);
            }
            fetched.Add((id, email));
        }
        // Alone (a Graph notification, a message set apart), a refused message fails the notification, as it should: the
        // error queue is where it waits. With others or a cursor behind it, a retry sets it apart instead.
        var isolate = Careful(context) && (fetched.Count > 1 || changes.Cursor is not null);
        foreach (var (id, email) in fetched)
        {
            AcceptResult accepted;
            if (!isolate)
            {
                accepted = await acceptor.AcceptAsync(n.OrganizationId, n.Source, email, transaction, ct);
            }
            else
            {
                await transaction.SaveAsync(Savepoint, ct);
                try
                {
                    accepted = await acceptor.AcceptAsync(n.OrganizationId, n.Source, email, transaction, ct);
                }
                catch (Exception ex) when (IsRefusal(ex))
                {
                    await transaction.RollbackAsync(Savepoint, ct);
                    await transaction.ReleaseAsync(Savepoint, ct);
                    SetApart(id, ex, "stored", ex is PostgresException pg ? pg.SqlState : ex.GetType().Name);
                    continue;
                }
                await transaction.ReleaseAsync(Savepoint, ct);
            }
            if (accepted is { ReusedFrom: { } first, Duplicate: false })
            {
                // Kept, not dropped: another message already holds this Message-ID (a broken generator, or a spoof).
                logger.LogWarning("Mailbox message {ResourceId} of {Source} re-uses the Message-ID of inbound message {FirstInboundId} with other content; kept as inbound message {InboundId}",
                    id, n.Source, first, accepted.InboundId);
                MailboxMetrics.MessageIdReused.Add(1, new KeyValuePair<string, object?>("source", source.ToLowerInvariant()));
            }
        }
        if (setApart.Count > 0)
        {
            // The id derives from the message: a redelivery of this notification sets it apart once.
            await store.AppendManyAsync(transaction,
                [.. setApart.Select(id => MailboxNotifications.Append(n.OrganizationId, n.Source, n.Mailbox, MessagePrefix + id, clock.GetUtcNow()))], ct);
        }
        if (changes.Cursor is not null)
        {
            await WriteCursorAsync(transaction, n.OrganizationId, source, n.Mailbox, changes.Cursor, changes.More ? null : readAt, ct);
        }
        if (changes.More && changes.Cursor is not null && changes.Cursor != cursor)
        {
            // A bounded read stopped with changes left: notify ourselves to go on from the cursor just written, in this
            // transaction (the id derives from the cursor: a redelivery of this notification appends nothing new).
            logger.LogInformation("Mailbox {Source} has more changes after cursor {Cursor}; continuing in a new notification", n.Source, changes.Cursor);
            await store.AppendManyAsync(transaction,
                [MailboxNotifications.Append(n.OrganizationId, n.Source, n.Mailbox, ContinuePrefix + changes.Cursor, clock.GetUtcNow())], ct);
        }
    }

    /// <summary>The resource of a notification the consumer sends itself to continue a mailbox's changes.</summary>
    internal const string ContinuePrefix = "continue:";

    /// <summary>The resource of a notification the consumer sends itself for one message that could not be stored with the
    /// others: <c>message:{provider id}</c>.</summary>
    internal const string MessagePrefix = "message:";

    private const string Savepoint = "mailbox_message";

    /// <summary>A retry by the bus, or a redrive of the dead letter (DeadLetterService sets <c>outreachos-redriven-from</c>):
    /// an earlier attempt of this notification failed.</summary>
    private static bool Careful(ConsumeContext context) =>
        context.GetRetryAttempt() > 0 || context.GetRedeliveryCount() > 0 || context.Headers.TryGetHeader("outreachos-redriven-from", out _);

    /// <summary>
    /// A failure that the same message meets again on every retry: a value the event serializer refuses (an
    /// <see cref="ArgumentException"/>, e.g. a NUL character, or JSON it cannot write) or the database refuses as data
    /// (SQLSTATE class 22) or as beyond a limit (class 54). Connection, timeout, lock and serialization failures are
    /// not: they fail the notification, which the bus retries.
    /// </summary>
    internal static bool IsRefusal(Exception ex) => ex switch
    {
        PostgresException pg => pg.SqlState.StartsWith("22", StringComparison.Ordinal) || pg.SqlState.StartsWith("54", StringComparison.Ordinal),
        ArgumentException or System.Text.Json.JsonException or NotSupportedException => true,
        _ => false,
    };

    /// <summary>
    /// A fetch that fails the same way on every attempt: the provider refuses that message (400, 403, 410, 413, 422: an id
    /// it will not serve, content it will not return) or answers something that cannot be read as a message. Not: 401
    /// (the mailbox's credentials), 404 (gone: skipped), 408, 429 and 5xx (transient), or a connection failure.
    /// </summary>
    internal static bool IsPermanentFetchFailure(Exception ex) => ex switch
    {
        HttpRequestException { StatusCode: System.Net.HttpStatusCode.BadRequest or System.Net.HttpStatusCode.Forbidden or System.Net.HttpStatusCode.Gone
            or System.Net.HttpStatusCode.RequestEntityTooLarge or System.Net.HttpStatusCode.UnprocessableEntity } => true,
        _ => IsRefusal(ex) || ex is FormatException or KeyNotFoundException,
    };

    private static async Task<(string? Cursor, DateTimeOffset? SyncedAt)> ReadCursorAsync(NpgsqlTransaction tx, Guid tenant, string source, string mailbox, CancellationToken ct)
    {
        // One notification per mailbox at a time. An advisory lock rather than SELECT ... FOR UPDATE: a row lock would
        // give the transaction an id before the provider calls (see HandleAsync).
        await using var batch = new NpgsqlBatch(tx.Connection, tx)
        {
            BatchCommands =
            {
                AdvisoryLocks.TransactionLock($"oos-mailbox-cursor:{tenant:N}:{source}:{mailbox.ToLowerInvariant()}"),
                new NpgsqlBatchCommand("""
                    SELECT cursor, coalesce(synced_at, updated_at) FROM oos.ingestion_mailbox_cursors WHERE tenant_id = $1 AND source = $2 AND mailbox = $3
                    """)
                {
                    Parameters = { new NpgsqlParameter { Value = tenant }, new NpgsqlParameter { Value = source }, new NpgsqlParameter { Value = mailbox.ToLowerInvariant() } },
                },
            },
        };
        await using var reader = await batch.ExecuteReaderAsync(ct);
        await reader.NextResultAsync(ct);
        // A row written before synced_at existed (or by the Gmail watch, which starts the cursor at the mailbox's current
        // history id): its updated_at is when that cursor was current.
        return await reader.ReadAsync(ct) && !await reader.IsDBNullAsync(0, ct)
            ? (reader.GetString(0), reader.GetFieldValue<DateTimeOffset>(1)) // updated_at is never null
            : (null, null);
    }

    /// <param name="syncedAt">When this read began, if it read to the end of the changes; null keeps the stored one.</param>
    private async Task WriteCursorAsync(NpgsqlTransaction tx, Guid tenant, string source, string mailbox, string cursor, DateTimeOffset? syncedAt,
        CancellationToken ct)
    {
        await using var cmd = new NpgsqlCommand("""
            INSERT INTO oos.ingestion_mailbox_cursors (tenant_id, source, mailbox, cursor, updated_at, synced_at) VALUES (@t, @s, @m, @c, @now, @synced)
            ON CONFLICT (tenant_id, source, mailbox) DO UPDATE SET cursor = EXCLUDED.cursor, updated_at = EXCLUDED.updated_at,
                synced_at = coalesce(EXCLUDED.synced_at, oos.ingestion_mailbox_cursors.synced_at)
            """, tx.Connection, tx);
        cmd.Parameters.AddWithValue("t", tenant);
        cmd.Parameters.AddWithValue("s", source);
        cmd.Parameters.AddWithValue("m", mailbox.ToLowerInvariant());
        cmd.Parameters.AddWithValue("c", cursor);
        cmd.Parameters.AddWithValue("now", clock.GetUtcNow());
        cmd.Parameters.Add(new NpgsqlParameter("synced", NpgsqlTypes.NpgsqlDbType.TimestampTz) { Value = (object?)syncedAt ?? DBNull.Value });
        await cmd.ExecuteNonQueryAsync(ct);
    }
}
