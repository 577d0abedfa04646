using System.Text.RegularExpressions;
using Npgsql;
using NpgsqlTypes;
using OutreachOS.BuildingBlocks.Privacy;

namespace OutreachOS.BuildingBlocks.EventStore;

/// <summary>A stream of the organization with events whose payload mentions an address.</summary>
public sealed record StreamMention(string StreamId, string StreamType, int Events);

/// <summary>What an erasure did to the log: how many events, and the log position of the last one (null for none).</summary>
public sealed record ErasedEvents(int Count, GlobalPosition? Last);

/// <summary>
/// Erasure of personal data from the log (ADR 0030). An erased event keeps its row, version, log position and stored
/// hash; its type becomes <see cref="ErasedType"/>, its payload only names the erasure, its metadata is emptied, and
/// <c>oos.event_erasures</c> records what it was. The verifier then takes the stored hash as that link of the chain, so
/// every other event of the stream is still re-computed. Readers see an event type no one handles: folds, projections
/// and the relay skip it, and a projection rebuilt from the log does not bring the data back.
/// </summary>
public static partial class EventErasure
{
    public const string ErasedType = "erased.v1";

    /// <summary>
    /// The organization's streams with an event whose payload contains <paramref name="canonicalEmail"/> as a whole address
    /// (case-insensitive; "ann@x.io" does not match "joann@x.io"). A full scan of the organization's events: an
    /// administrative operation, not a query of the product.
    /// </summary>
    /// <param name="spellings">Every spelling of the address (<see cref="EmailAddresses.Spellings"/>): composed or decomposed
    /// accents, the domain in Unicode or punycode.</param>
    public static async Task<IReadOnlyList<StreamMention>> FindStreamsAsync(NpgsqlTransaction transaction, Guid tenantId, IReadOnlyList<string> spellings,
        CancellationToken ct)
    {
        await using var cmd = new NpgsqlCommand("""
            SELECT e.stream_id, min(s.type), count(*)::int
            FROM oos.events e
            JOIN oos.streams s ON s.tenant_id = e.tenant_id AND s.id = e.stream_id
            WHERE e.tenant_id = $1 AND e.type <> $2
              AND EXISTS (SELECT 1 FROM unnest($3::text[]) AS v WHERE strpos(lower(e.data::text), v) > 0) AND lower(e.data::text) ~ $4
            GROUP BY e.stream_id
            ORDER BY e.stream_id
            """, transaction.Connection, transaction)
        {
            Parameters =
            {
                new NpgsqlParameter { Value = tenantId },
                new NpgsqlParameter { Value = ErasedType },
                new NpgsqlParameter { Value = spellings.ToArray(), NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Text },
                new NpgsqlParameter { Value = AddressPattern(spellings) },
            },
        };
        var found = new List<StreamMention>();
        await using var r = await cmd.ExecuteReaderAsync(ct);
        while (await r.ReadAsync(ct))
        {
            found.Add(new StreamMention(r.GetString(0), r.GetString(1), r.GetInt32(2)));
        }
        return found;
    }

    /// <summary>
    /// A PostgreSQL regular expression (ARE) matching <paramref name="canonicalEmail"/> in lower-cased text as a whole
    /// address: not preceded by a character an address's local part may hold (letters and digits of any script, and
    /// RFC 5322's <c>._%+'!#$&amp;*/=?^`{|}~-</c>), not followed by one its domain may hold (a sentence's full stop after it
    /// is allowed). ASCII punctuation in the address is escaped with a backslash (a literal in an ARE); letters, digits
    /// and non-ASCII characters are literal as they are.
    /// </summary>
    public static string AddressPattern(string canonicalEmail) => AddressPattern([canonicalEmail]);

    /// <summary>The same pattern matching any of <paramref name="spellings"/> (<see cref="Privacy.EmailAddresses.Spellings"/>).</summary>
    public static string AddressPattern(IReadOnlyList<string> spellings) =>
        @"(^|[^[:alnum:]._%+'!#$&*/=?^`{|}~-])(" + string.Join('|', spellings.Select(s => AsciiPunctuation().Replace(s, m => "\\" + m.Value)))
        + @")($|[^[:alnum:]._-]|[.]($|[^[:alnum:]]))";

    /// <summary>The stream of an erasure's record (<c>privacy_erasure_performed.v1</c> or <c>privacy_retention_applied.v1</c>).</summary>
    public static string RecordStreamId(Guid erasureId) => $"{RecordStreamPrefix}{erasureId:N}";

    public const string RecordStreamPrefix = "privacy-erasure-";

    /// <summary>The record of an erasure by address; its <c>streams</c> are objects with a <c>stream_id</c>.</summary>
    public const string PerformedRecordType = "privacy_erasure_performed.v1";

    /// <summary>The record of a retention pass; its <c>streams</c> are stream ids.</summary>
    public const string RetentionRecordType = "privacy_retention_applied.v1";

    /// <summary>Erases every event of <paramref name="streamIds"/> not erased yet, in the caller's transaction.</summary>
    public static async Task<ErasedEvents> EraseStreamsAsync(NpgsqlTransaction transaction, Guid tenantId, IReadOnlyCollection<string> streamIds,
        Guid erasureId, DateTimeOffset at, CancellationToken ct)
    {
        if (streamIds.Count == 0)
        {
            return new ErasedEvents(0, null);
        }
        // The streams' rows first, in statements of their own: a writer that checked them with LockUnlessErasedAsync
        // commits before this goes on, and the statements below (fresh snapshots) erase what it wrote and clean its rows.
        // The streams' order locks come before their rows, as for every append: an appender holding one and waiting for
        // the row would otherwise deadlock with this transaction if it appended to the stream later.
        await using (var lockRows = new NpgsqlBatch(transaction.Connection, transaction)
        {
            BatchCommands =
            {
                PostgresEventStore.OrderLocks(tenantId, streamIds),
                new NpgsqlBatchCommand("SELECT 1 FROM oos.streams WHERE tenant_id = $1 AND id = ANY($2) ORDER BY id FOR NO KEY UPDATE")
                {
                    Parameters =
                    {
                        new NpgsqlParameter { Value = tenantId },
                        new NpgsqlParameter { Value = streamIds.ToArray(), NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Text },
                    },
                },
            },
        })
        {
            await lockRows.ExecuteNonQueryAsync(ct);
        }
        await using var cmd = new NpgsqlCommand("""
            WITH target AS (
                SELECT id, stream_id, version, type FROM oos.events
                WHERE tenant_id = $1 AND stream_id = ANY($2) AND type <> $5
                FOR UPDATE
            ), erased AS (
                UPDATE oos.events e
                SET type = $5, data = jsonb_build_object('erasure_id', $3::uuid), metadata = '{}'::jsonb
                FROM target t
                WHERE e.id = t.id
                RETURNING e.tx, e.seq
            ), recorded AS (
                INSERT INTO oos.event_erasures (event_id, tenant_id, stream_id, version, original_type, erasure_id, erased_at)
                SELECT t.id, $1, t.stream_id, t.version, t.type, $3, $4 FROM target t
                RETURNING 1
            ), last AS (
                SELECT tx, seq FROM erased ORDER BY tx DESC, seq DESC LIMIT 1
            )
            SELECT (SELECT count(*) FROM recorded)::int, (SELECT tx FROM last), (SELECT seq FROM last)
            """, transaction.Connection, transaction)
        {
            Parameters =
            {
                new NpgsqlParameter { Value = tenantId },
                new NpgsqlParameter { Value = streamIds.ToArray(), NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Text },
                new NpgsqlParameter { Value = erasureId },
                new NpgsqlParameter { Value = at },
                new NpgsqlParameter { Value = ErasedType },
            },
        };
        await using var r = await cmd.ExecuteReaderAsync(ct);
        await r.ReadAsync(ct);
        var count = r.GetInt32(0);
        return new ErasedEvents(count, r.IsDBNull(1) ? null : new GlobalPosition(r.GetFieldValue<ulong>(1), r.GetInt64(2)));
    }

    /// <summary>
    /// For a writer about to add to a stream, and to tables an erasure cleans, from work begun before it took any lock (a
    /// consumer that read the stream, then called a model): locks the stream's row until the caller's transaction ends,
    /// then tells whether the stream holds an erased event. True means an erasure got there first and the caller must write
    /// nothing. False means no erasure of this stream can commit before the caller does; one that starts meanwhile waits
    /// (<see cref="EraseStreamsAsync"/> locks the rows first) and then erases and cleans what the caller wrote. Two
    /// statements in one round trip: the check takes its snapshot after the lock is granted. The lock is the one the
    /// append's head update takes, so the caller's own append does not have to upgrade it. The stream's order lock is taken
    /// before the row, as every append takes it: the caller's append would otherwise wait for that lock while holding the
    /// row that another appender, holding the order lock, waits for (a deadlock).
    /// </summary>
    public static async Task<bool> LockUnlessErasedAsync(NpgsqlTransaction transaction, Guid tenantId, string streamId, CancellationToken ct)
    {
        await using var batch = new NpgsqlBatch(transaction.Connection, transaction)
        {
            BatchCommands =
            {
                PostgresEventStore.OrderLocks(tenantId, [streamId]),
                new NpgsqlBatchCommand("SELECT 1 FROM oos.streams WHERE tenant_id = $1 AND id = $2 FOR NO KEY UPDATE")
                {
                    Parameters = { new NpgsqlParameter { Value = tenantId }, new NpgsqlParameter { Value = streamId } },
                },
                ErasedCheck(tenantId, streamId),
            },
        };
        await using var r = await batch.ExecuteReaderAsync(ct);
        await r.NextResultAsync(ct);
        await r.NextResultAsync(ct);
        await r.ReadAsync(ct);
        return r.GetBoolean(0);
    }

    /// <summary>
    /// Whether the stream holds an erased event now, without a lock (nor a transaction id: a reader's transaction stays
    /// one that holds nobody's events back). For a writer about to make a call outside PostgreSQL that it cannot undo (a
    /// mail, a Slack post, a CRM note) for a message it read before: it narrows the window to the call itself; only
    /// <see cref="LockUnlessErasedAsync"/> closes it for what is written in PostgreSQL.
    /// </summary>
    public static async Task<bool> IsErasedAsync(NpgsqlTransaction transaction, Guid tenantId, string streamId, CancellationToken ct)
    {
        await using var batch = new NpgsqlBatch(transaction.Connection, transaction) { BatchCommands = { ErasedCheck(tenantId, streamId) } };
        return (bool)(await batch.ExecuteScalarAsync(ct))!;
    }

    private static NpgsqlBatchCommand ErasedCheck(Guid tenantId, string streamId) =>
        new("SELECT EXISTS (SELECT 1 FROM oos.events WHERE tenant_id = $1 AND stream_id = $2 AND type = $3)")
        {
            Parameters = { new NpgsqlParameter { Value = tenantId }, new NpgsqlParameter { Value = streamId }, new NpgsqlParameter { Value = ErasedType } },
        };

    [GeneratedRegex(@"[!-/:-@\[-`{-~]")]
    private static partial Regex AsciiPunctuation();
}
