using System.Security.Cryptography;
using System.Text;
using Npgsql;
using NpgsqlTypes;
using OutreachOS.BuildingBlocks.EventStore;
using OutreachOS.BuildingBlocks.Privacy;
using OutreachOS.BuildingBlocks.Projections;
using OutreachOS.BuildingBlocks.Web;

namespace OutreachOS.Host.Privacy;

/// <summary><c>POST /privacy/erasures</c>: the data subject's address, why, and whether only to report what would be erased.</summary>
internal sealed record ErasureRequest(string? Email, string? Reason, bool? DryRun);

/// <summary>
/// An erased stream: all its events are erased; <c>EventsMentioning</c> of them mentioned the address. Its hash chain was
/// verified just before (<c>ChainValidBefore</c>, and where it broke): an erasure cannot hide an earlier tampering.
/// </summary>
internal sealed record ErasedStream(string StreamId, string StreamType, int EventsMentioning, bool ChainValidBefore, long? FirstBrokenVersionBefore);

/// <summary>A stream that mentions the address but is the system's own record (configuration, a ledger): not erased.</summary>
internal sealed record KeptStream(string StreamId, string StreamType, int EventsMentioning, string Why);

/// <summary>
/// The answer, and (without <c>DryRun</c>) the erasure's record. <c>SubjectSha256</c> is SHA-256 of "{organization id:N}:{address}":
/// whoever knows the address can check that it was erased; the record itself does not hold it.
/// </summary>
internal sealed record ErasureReport(
    Guid? ErasureId,
    bool DryRun,
    string SubjectSha256,
    string Reason,
    IReadOnlyList<ErasedStream> Streams,
    int PreviouslyErasedStreams,
    int EventsErased,
    IReadOnlyList<KeptStream> Kept,
    IReadOnlyDictionary<string, int> ReadModels,
    bool SubscriptionsCaughtUp,
    IReadOnlyList<string> NotCovered,
    DateTimeOffset At);

/// <summary>The erasure's record, on stream <c>privacy-erasure-{id:N}</c> (type <c>privacy_erasure</c>).</summary>
[EventName(Name)]
internal sealed record ErasurePerformed(
    Guid ErasureId,
    string SubjectSha256,
    string Reason,
    IReadOnlyList<ErasedStream> Streams,
    int EventsErased,
    IReadOnlyList<KeptStream> Kept,
    IReadOnlyDictionary<string, int> ReadModels,
    Guid ApiKeyId,
    DateTimeOffset At)
{
    public const string Name = EventErasure.PerformedRecordType;
}

/// <summary>
/// Erasure of a data subject's personal data by email address (ADR 0030), for one organization. In one transaction:
/// the organization's streams whose events mention the address are found; those of the types the modules declare
/// erasable are erased (<see cref="EventErasure"/>); every module's <see cref="IPersonalDataEraser"/> cleans its tables;
/// the erasure's record is appended. Then, once the subscriptions have passed the erased events, the erasers run again.
/// </summary>
internal sealed class ErasureService(
    NpgsqlDataSource dataSource,
    IEventStore store,
    IEnumerable<IPersonalDataEraser> erasers,
    SubscriptionEngine subscriptions,
    TimeProvider clock,
    ILogger<ErasureService> logger)
{
    public const string StreamType = "privacy_erasure";
    public const int MaxReasonLength = 500;

    /// <summary>How long an erasure waits for the subscriptions to pass the erased events before its second cleaning.</summary>
    public static readonly TimeSpan CatchUpWait = TimeSpan.FromSeconds(10);

    /// <summary>What the erasure cannot reach; the answer says so, so that the administrator can act on it.</summary>
    public static readonly IReadOnlyList<string> NotCovered =
    [
        "notes already written to the CRM (HubSpot) and messages posted to Slack: erase them there",
        "copies of failed messages in RabbitMQ's _error queues",
        "mail in the mailboxes themselves, and database backups taken before the erasure",
        "the recent log each running host keeps in memory for its subscriptions, until it is evicted or the host restarts",
    ];

    public async Task<IResult> EraseAsync(Caller caller, ErasureRequest body, CancellationToken ct)
    {
        var errors = new FieldErrors().Required("reason", body.Reason, MaxReasonLength);
        if (string.IsNullOrWhiteSpace(body.Email))
        {
            errors.Add("email", "is required");
        }
        else if (!EmailAddresses.IsValid(body.Email.Trim()))
        {
            errors.Add("email", "must be one email address");
        }
        else if (body.Reason?.Contains(body.Email.Trim(), StringComparison.OrdinalIgnoreCase) == true)
        {
            errors.Add("reason", "must not contain the address: the erasure's record keeps the reason");
        }
        if (errors.Any)
        {
            return errors.ToProblem();
        }

        var email = EmailAddresses.Canonical(body.Email!);
        var spellings = EmailAddresses.Spellings(email);
        var reason = body.Reason!.Trim();
        var dryRun = body.DryRun == true;
        var erasable = erasers.SelectMany(e => e.ErasableStreamTypes).ToHashSet(StringComparer.Ordinal);
        var subject = SubjectHash(caller.TenantId, email);
        var now = clock.GetUtcNow();

        await using var conn = await dataSource.OpenConnectionAsync(ct);
        await using var tx = await conn.BeginTransactionAsync(ct);
        var mentions = await EventErasure.FindStreamsAsync(tx, caller.TenantId, spellings, ct);
        var streams = new List<ErasedStream>();
        foreach (var m in mentions.Where(m => erasable.Contains(m.StreamType)))
        {
            var before = await store.VerifyAsync(caller.TenantId, m.StreamId, ct);
            streams.Add(new ErasedStream(m.StreamId, m.StreamType, m.Events, before.Valid, before.FirstBrokenVersion));
        }
        // Streams an earlier erasure of this address erased: their tables are cleaned again, and whatever was appended to
        // them since (a message in flight at the time) is erased too. A repeat therefore finishes an interrupted erasure.
        // By the subject of any spelling of the address: an earlier erasure may have been asked for in another one.
        var earlier = (await PreviouslyErasedAsync(tx, caller.TenantId, [.. spellings.Select(s => SubjectHash(caller.TenantId, s))], ct)).Except(streams.Select(s => s.StreamId)).ToList();
        var kept = mentions.Where(m => !erasable.Contains(m.StreamType))
            .Select(m => new KeptStream(m.StreamId, m.StreamType, m.Events,
                "a record of the system itself (configuration, ledger, mailbox), not a correspondence: change it through its own endpoint"))
            .ToList();
        if (dryRun)
        {
            var wouldErase = await EventCountAsync(tx, caller.TenantId, streams, ct);
            await tx.RollbackAsync(ct);
            return TypedResults.Ok(new ErasureReport(null, true, subject, reason, streams, earlier.Count, wouldErase, kept, new Dictionary<string, int>(), true, NotCovered, now));
        }

        var erasureId = Guid.CreateVersion7();
        var scope = new ErasureScope(caller.TenantId, email, [.. streams.Select(s => s.StreamId), .. earlier]);
        var (erased, readModels) = await EraseAndCleanAsync(tx, scope, erasureId, now, ct);
        // The record must not hold the address: a kept stream whose id contains it (a mailbox's own stream) is named by type only.
        var recordedKept = kept.Select(k => spellings.Any(s => k.StreamId.Contains(s, StringComparison.OrdinalIgnoreCase)) ? k with { StreamId = "[id contains the address]" } : k).ToList();
        var performed = new ErasurePerformed(erasureId, subject, reason, streams, erased.Count, recordedKept, readModels, caller.ApiKeyId, now);
        await store.AppendManyAsync(tx, [new StreamAppend(caller.TenantId, EventErasure.RecordStreamId(erasureId), StreamType, ExpectedVersion.NoStream,
            [EventToAppend.Create(performed)])], ct);
        await tx.CommitAsync(ct);
        logger.LogInformation("Erasure {ErasureId}: {Events} events of {Streams} streams erased, {Kept} streams kept", erasureId, erased.Count, streams.Count, kept.Count);

        // Committed: the rest runs to its end even if the caller goes. A subscription that read the erased events just
        // before the commit may still write them into its read model, and a consumer may have appended to an erased
        // stream from a message in flight: once every subscription has passed the erased events, the streams are erased
        // again (only what is new) and the erasers run again (they are idempotent).
        // Nothing newly erased (a repeat): the first pass already cleaned everything again, and nothing can be written back.
        var caughtUp = erased.Last is not { } last || await subscriptions.WaitForAllAsync(last, CatchUpWait, CancellationToken.None);
        var total = erased.Count;
        if (erased.Last is not null)
        {
            await using var again = await conn.BeginTransactionAsync(CancellationToken.None);
            var (late, cleaned) = await EraseAndCleanAsync(again, scope, erasureId, clock.GetUtcNow(), CancellationToken.None);
            total += late.Count;
            foreach (var (name, rows) in cleaned)
            {
                readModels[name] += rows;
            }
            await again.CommitAsync(CancellationToken.None);
        }
        if (!caughtUp)
        {
            logger.LogWarning("Erasure {ErasureId}: subscriptions had not passed the erased events after {Wait}; erase the address again once they have (a repeat cleans the streams erased before)", erasureId, CatchUpWait);
        }
        return TypedResults.Ok(new ErasureReport(erasureId, false, subject, reason, streams, earlier.Count, total, kept, readModels, caughtUp, NotCovered, now));
    }

    /// <summary>How many events erasing <paramref name="streams"/> would erase (a dry run's answer).</summary>
    private static async Task<int> EventCountAsync(NpgsqlTransaction tx, Guid tenantId, IReadOnlyList<ErasedStream> streams, CancellationToken ct)
    {
        await using var cmd = new NpgsqlCommand("SELECT count(*)::int FROM oos.events WHERE tenant_id = $1 AND stream_id = ANY($2) AND type <> $3", tx.Connection, tx)
        {
            Parameters =
            {
                new NpgsqlParameter { Value = tenantId },
                new NpgsqlParameter { Value = streams.Select(s => s.StreamId).ToArray(), NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Text },
                new NpgsqlParameter { Value = EventErasure.ErasedType },
            },
        };
        return (int)(await cmd.ExecuteScalarAsync(ct))!;
    }

    /// <summary>The streams that earlier erasures of this subject (in this organization) erased.</summary>
    private static async Task<IReadOnlyList<string>> PreviouslyErasedAsync(NpgsqlTransaction tx, Guid tenantId, string[] subjects, CancellationToken ct)
    {
        await using var cmd = new NpgsqlCommand("""
            SELECT DISTINCT s ->> 'stream_id'
            FROM oos.events e CROSS JOIN LATERAL jsonb_array_elements(e.data -> 'streams') AS s
            WHERE e.tenant_id = $1 AND e.type = $2 AND e.data ->> 'subject_sha256' = ANY($3)
            """, tx.Connection, tx)
        {
            Parameters =
            {
                new NpgsqlParameter { Value = tenantId },
                new NpgsqlParameter { Value = ErasurePerformed.Name },
                new NpgsqlParameter { Value = subjects },
            },
        };
        var streams = new List<string>();
        await using var r = await cmd.ExecuteReaderAsync(ct);
        while (await r.ReadAsync(ct))
        {
            streams.Add(r.GetString(0));
        }
        return streams;
    }

    public static string SubjectHash(Guid tenantId, string canonicalEmail) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes($"{tenantId:N}:{canonicalEmail}")));

    /// <summary>Erases the scope's streams and has every module clean its tables, in the caller's transaction.</summary>
    internal async Task<(ErasedEvents Erased, Dictionary<string, int> ReadModels)> EraseAndCleanAsync(NpgsqlTransaction tx, ErasureScope scope, Guid erasureId,
        DateTimeOffset now, CancellationToken ct)
    {
        var erased = await EventErasure.EraseStreamsAsync(tx, scope.TenantId, scope.ErasedStreamIds, erasureId, now, ct);
        return (erased, await CleanAsync(tx, scope, ct));
    }

    private async Task<Dictionary<string, int>> CleanAsync(NpgsqlTransaction tx, ErasureScope scope, CancellationToken ct)
    {
        var rows = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var eraser in erasers)
        {
            rows[eraser.Name] = await eraser.EraseAsync(tx, scope, ct);
        }
        return rows;
    }
}
