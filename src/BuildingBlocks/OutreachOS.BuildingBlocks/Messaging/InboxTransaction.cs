using Npgsql;
using OutreachOS.BuildingBlocks.EventStore;
using OutreachOS.BuildingBlocks.Postgres;

namespace OutreachOS.BuildingBlocks.Messaging;

/// <summary>
/// A consumer's unit of work: a transaction that holds the (consumer, message id) claim. The consumer appends its events
/// with <see cref="Transaction"/> and calls <see cref="CommitAsync"/>, which commits; the inbox row is written with the
/// handler's first append (it rides in the event store's insert round trip) or at commit, so the row and the effects
/// commit or vanish together, and a redelivered message finds the row and has no second effect.
/// </summary>
/// <remarks>
/// The claim is a transaction-scoped advisory lock, not the inbox row itself: an INSERT at the start would give the
/// transaction an id for the whole handler (model calls included), and every event committed meanwhile by anyone would
/// be held back from the relay and the projections (they read only below the oldest open transaction id). With the lock,
/// the transaction gets an id only at its first write, normally the handler's final append.
/// </remarks>
public sealed class InboxTransaction : IAsyncDisposable
{
    private readonly NpgsqlConnection _connection;
    private readonly NpgsqlBatchCommand _row;

    private InboxTransaction(NpgsqlConnection connection, NpgsqlTransaction transaction, string consumer, Guid messageId, Guid? tenantId)
    {
        _connection = connection;
        Transaction = transaction;
        _row = new NpgsqlBatchCommand(
            "INSERT INTO oos.inbox (consumer, message_id, tenant_id) VALUES ($1, $2, $3) ON CONFLICT (consumer, message_id) DO NOTHING")
        {
            Parameters =
            {
                new NpgsqlParameter { Value = consumer },
                new NpgsqlParameter { Value = messageId },
                new NpgsqlParameter { Value = tenantId is { } t ? t : DBNull.Value },
            },
        };
    }

    public NpgsqlTransaction Transaction { get; }

    /// <summary>
    /// Begins the transaction and claims the message; null when it was already processed. A concurrent delivery of the
    /// same message waits on the claim, then sees the winner's inbox row (or takes over if the winner rolled back).
    /// </summary>
    public static async Task<InboxTransaction?> BeginAsync(NpgsqlDataSource dataSource, string consumer, Guid messageId, Guid? tenantId,
        CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(dataSource);
        ArgumentException.ThrowIfNullOrWhiteSpace(consumer);
        var conn = await dataSource.OpenConnectionAsync(ct);
        try
        {
            var tx = await conn.BeginTransactionAsync(ct);
            // Two statements in one round trip: under READ COMMITTED each takes its own snapshot, so the existence check
            // runs after the lock is granted and sees a winner that committed while this delivery waited.
            await using var batch = new NpgsqlBatch(conn, tx)
            {
                BatchCommands =
                {
                    AdvisoryLocks.TransactionLock($"oos-inbox:{consumer}:{messageId:N}"),
                    new NpgsqlBatchCommand("SELECT EXISTS (SELECT 1 FROM oos.inbox WHERE consumer = $1 AND message_id = $2)")
                    {
                        Parameters = { new NpgsqlParameter { Value = consumer }, new NpgsqlParameter { Value = messageId } },
                    },
                },
            };
            await using (var reader = await batch.ExecuteReaderAsync(ct))
            {
                await reader.NextResultAsync(ct);
                await reader.ReadAsync(ct);
                if (reader.GetBoolean(0))
                {
                    await reader.DisposeAsync();
                    await tx.RollbackAsync(ct);
                    await conn.DisposeAsync();
                    return null;
                }
            }
            var inbox = new InboxTransaction(conn, tx, consumer, messageId, tenantId);
            // The row goes with the handler's first append (no round trip of its own), or at commit if it appends nothing.
            RidingStatements.Attach(tx, inbox._row);
            return inbox;
        }
        catch
        {
            await conn.DisposeAsync();
            throw;
        }
    }

    /// <summary>
    /// Writes the inbox row and commits. Returns false (and rolls back the handler's effects) in the one case where the row
    /// already exists: a writer that did not take the claim recorded the message first.
    /// </summary>
    public async Task<bool> CommitAsync(CancellationToken ct = default)
    {
        var unsent = RidingStatements.TakeUnsent(Transaction);
        if (unsent.Count > 0)
        {
            // The handler appended nothing: the row, a guard and the commit in one round trip. A row that already exists
            // raises in the guard, which aborts the transaction (and the handler's other writes) instead of committing.
            await using var batch = new NpgsqlBatch(_connection, Transaction);
            foreach (var statement in unsent)
            {
                batch.BatchCommands.Add(ReferenceEquals(statement, _row) ? GuardedRow() : statement);
            }
            batch.BatchCommands.Add(new NpgsqlBatchCommand("COMMIT"));
            try
            {
                await batch.ExecuteNonQueryAsync(ct);
                return true;
            }
            catch (PostgresException e) when (e.SqlState == CommitGuards.InboxTaken)
            {
                await Transaction.RollbackAsync(ct);
                return false;
            }
        }
        if (_row.RecordsAffected == 0)
        {
            await Transaction.RollbackAsync(ct);
            return false;
        }
        await Transaction.CommitAsync(ct);
        return true;
    }

    private NpgsqlBatchCommand GuardedRow()
    {
        var guarded = new NpgsqlBatchCommand(CommitGuards.RequireRows(_row.CommandText, CommitGuards.InboxTaken, "message already recorded in the inbox"));
        foreach (NpgsqlParameter p in _row.Parameters)
        {
            guarded.Parameters.Add(new NpgsqlParameter { Value = p.Value });
        }
        return guarded;
    }

    /// <summary>Not committed → rolled back: the claim is released and a retry processes the message again.</summary>
    public async ValueTask DisposeAsync()
    {
        // Npgsql reuses a connection's transaction object: a row left attached would ride with the next transaction of
        // this pooled connection.
        RidingStatements.TakeUnsent(Transaction);
        await Transaction.DisposeAsync();
        await _connection.DisposeAsync();
    }

    /// <summary>Whether the consumer has processed the message (for diagnostics and tests).</summary>
    public static async Task<bool> IsProcessedAsync(NpgsqlDataSource dataSource, string consumer, Guid messageId, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(dataSource);
        await using var cmd = dataSource.CreateCommand("SELECT EXISTS (SELECT 1 FROM oos.inbox WHERE consumer = @c AND message_id = @m)");
        cmd.Parameters.AddWithValue("c", consumer);
        cmd.Parameters.AddWithValue("m", messageId);
        return (bool)(await cmd.ExecuteScalarAsync(ct))!;
    }
}
