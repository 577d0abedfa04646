using Npgsql;

namespace OutreachOS.BuildingBlocks.Messaging;

/// <summary>
/// A consumer's unit of work: a transaction that has already claimed the (consumer, message id) inbox row. The
/// consumer appends its events with <see cref="Transaction"/> and commits; the inbox row and the effects commit or
/// vanish together, so a redelivered message finds the row and has no second effect.
/// </summary>
public sealed class InboxTransaction : IAsyncDisposable
{
    private readonly NpgsqlConnection _connection;

    private InboxTransaction(NpgsqlConnection connection, NpgsqlTransaction transaction)
    {
        _connection = connection;
        Transaction = transaction;
    }

    public NpgsqlTransaction Transaction { get; }

    /// <summary>
    /// Begins the transaction and claims the inbox row; null when the message was already processed. A concurrent
    /// delivery of the same message waits on the row lock, then sees the winner's row (or takes over if it rolled back).
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
            await using var cmd = new NpgsqlCommand(
                "INSERT INTO oos.inbox (consumer, message_id, tenant_id) VALUES (@c, @m, @t) ON CONFLICT (consumer, message_id) DO NOTHING",
                conn, tx);
            cmd.Parameters.AddWithValue("c", consumer);
            cmd.Parameters.AddWithValue("m", messageId);
            cmd.Parameters.AddWithValue("t", tenantId is { } t ? t : DBNull.Value);
            if (await cmd.ExecuteNonQueryAsync(ct) == 0)
            {
                await tx.RollbackAsync(ct);
                await conn.DisposeAsync();
                return null;
            }
            return new InboxTransaction(conn, tx);
        }
        catch
        {
            await conn.DisposeAsync();
            throw;
        }
    }

    public Task CommitAsync(CancellationToken ct = default) => Transaction.CommitAsync(ct);

    /// <summary>Not committed → rolled back: the inbox row is released and a retry processes the message again.</summary>
    public async ValueTask DisposeAsync()
    {
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
