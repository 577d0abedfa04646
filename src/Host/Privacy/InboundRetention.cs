using Npgsql;
using OutreachOS.BuildingBlocks.EventStore;
using OutreachOS.BuildingBlocks.Postgres;
using OutreachOS.BuildingBlocks.Privacy;
using OutreachOS.Ingestion.Contracts;

namespace OutreachOS.Host.Privacy;

/// <summary>
/// <c>Privacy</c> section: how long inbound mail is kept (ADR 0030). <c>InboundRetentionDays</c> 0 (the default) keeps it
/// for ever; N erases each inbound message's stream N days after it arrived, with its drafts, QA sample, contact
/// history and the send ledger's recipient, like an erasure by address.
/// </summary>
internal sealed record RetentionOptions(int InboundRetentionDays, TimeSpan SweepInterval, int StreamsPerTransaction)
{
    public static RetentionOptions From(IConfiguration configuration)
    {
        var s = configuration.GetSection("Privacy");
        var options = new RetentionOptions(
            s.GetValue("InboundRetentionDays", 0),
            TimeSpan.FromSeconds(s.GetValue("RetentionSweepIntervalSeconds", 3600.0)),
            s.GetValue("RetentionStreamsPerTransaction", 200));
        if (options.InboundRetentionDays < 0 || options.SweepInterval <= TimeSpan.Zero || options.StreamsPerTransaction < 1)
        {
            throw new InvalidOperationException(
                "Privacy:InboundRetentionDays must be 0 (keep) or more, RetentionSweepIntervalSeconds and RetentionStreamsPerTransaction more than 0.");
        }
        return options;
    }
}

/// <summary>The record of one retention pass over one organization's messages, on <c>privacy-erasure-{id:N}</c>.</summary>
[EventName(EventErasure.RetentionRecordType)]
internal sealed record RetentionApplied(
    Guid ErasureId,
    int RetentionDays,
    DateTimeOffset Cutoff,
    IReadOnlyList<string> Streams,
    IReadOnlyList<string> ChainsBrokenBefore,
    int EventsErased,
    IReadOnlyDictionary<string, int> ReadModels,
    DateTimeOffset At);

/// <summary>
/// Erases inbound messages older than <see cref="RetentionOptions.InboundRetentionDays"/> (by the time their stream was
/// opened), in transactions of at most <see cref="RetentionOptions.StreamsPerTransaction"/> streams, one host at a time
/// (an advisory lock), every <see cref="RetentionOptions.SweepInterval"/>. Each organization's part of a transaction is
/// recorded as <see cref="RetentionApplied"/>. Messages that old are long behind every subscription, so there is no
/// second cleaning as after an erasure by address.
/// </summary>
internal sealed class InboundRetentionSweeper(
    NpgsqlDataSource dataSource,
    ErasureService erasure,
    IEventStore store,
    RetentionOptions options,
    TimeProvider clock,
    ILogger<InboundRetentionSweeper> logger) : BackgroundService
{
    private const string LockName = "privacy-inbound-retention";

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (options.InboundRetentionDays == 0)
        {
            return;
        }
        using var timer = new PeriodicTimer(options.SweepInterval, clock);
        do
        {
            try
            {
                await SweepAsync(stoppingToken);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                logger.LogError(e, "Inbound retention sweep failed; retrying in {Interval}", options.SweepInterval);
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }

    /// <summary>One pass: erases every inbound stream past the cutoff.</summary>
    internal async Task SweepAsync(CancellationToken ct)
    {
        var total = 0;
        while (true)
        {
            var now = clock.GetUtcNow();
            var cutoff = now - TimeSpan.FromDays(options.InboundRetentionDays);
            await using var conn = await dataSource.OpenConnectionAsync(ct);
            await using var tx = await conn.BeginTransactionAsync(ct);
            if (!await AdvisoryLocks.TryTransactionLockAsync(tx, LockName, ct))
            {
                return; // another host is sweeping
            }
            var due = await DueAsync(tx, cutoff, ct);
            if (due.Count == 0)
            {
                await tx.CommitAsync(ct);
                return;
            }
            foreach (var tenant in due.GroupBy(d => d.TenantId))
            {
                var erasureId = Guid.CreateVersion7();
                var streams = tenant.Select(d => d.StreamId).ToList();
                // Verified before erasing, and the broken ones named in the record: an erasure cannot hide earlier tampering.
                var broken = new List<string>();
                foreach (var stream in streams)
                {
                    if (!(await store.VerifyAsync(tenant.Key, stream, ct)).Valid)
                    {
                        broken.Add(stream);
                    }
                }
                var (erased, readModels) = await erasure.EraseAndCleanAsync(tx, new ErasureScope(tenant.Key, null, streams), erasureId, now, ct);
                var applied = new RetentionApplied(erasureId, options.InboundRetentionDays, cutoff, streams, broken, erased.Count, readModels, now);
                await store.AppendManyAsync(tx, [new StreamAppend(tenant.Key, EventErasure.RecordStreamId(erasureId), ErasureService.StreamType, ExpectedVersion.NoStream,
                    [EventToAppend.Create(applied)])], ct);
            }
            await tx.CommitAsync(ct);
            total += due.Count;
            logger.LogInformation("Inbound retention: erased {Streams} messages received before {Cutoff} ({Total} this pass)", due.Count, cutoff, total);
        }
    }

    /// <summary>Inbound streams opened before the cutoff that still hold an event not erased, oldest first.</summary>
    private async Task<IReadOnlyList<(Guid TenantId, string StreamId)>> DueAsync(NpgsqlTransaction tx, DateTimeOffset cutoff, CancellationToken ct)
    {
        await using var cmd = new NpgsqlCommand("""
            SELECT s.tenant_id, s.id FROM oos.streams s
            WHERE s.type = $1 AND s.created_at < $2 AND s.version > 0
              AND EXISTS (SELECT 1 FROM oos.events e WHERE e.tenant_id = s.tenant_id AND e.stream_id = s.id AND e.type <> $3)
            ORDER BY s.created_at
            LIMIT $4
            """, tx.Connection, tx)
        {
            Parameters =
            {
                new() { Value = InboundStreams.StreamType },
                new() { Value = cutoff },
                new() { Value = EventErasure.ErasedType },
                new() { Value = options.StreamsPerTransaction },
            },
        };
        var due = new List<(Guid, string)>();
        await using var r = await cmd.ExecuteReaderAsync(ct);
        while (await r.ReadAsync(ct))
        {
            due.Add((r.GetGuid(0), r.GetString(1)));
        }
        return due;
    }
}
