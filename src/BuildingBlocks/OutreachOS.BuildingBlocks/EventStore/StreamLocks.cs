using Npgsql;

namespace OutreachOS.BuildingBlocks.EventStore;

/// <summary>
/// The stream locks of an append, taken ahead by a caller that sends them in a round trip of its own (with its other
/// locks and reads): <see cref="IEventStore.LockStreams"/> builds the statement, the caller adds <see cref="Command"/> to
/// its batch in its transaction and hands the statement's result to <see cref="ReadAsync"/>. An append given these locks
/// (<see cref="IEventStore.AppendManyAndCommitAsync"/>) then skips its own lock round trip, and with it the look-up of
/// event ids that exist already: an event id taken before fails the insert (the transaction aborts) instead of being
/// recognised as a retry, so a caller uses this only for events it has just created, and retries without it. Streams the
/// lock created and the append then does not use are removed in the same transaction.
/// </summary>
public sealed class StreamLocks
{
    internal StreamLocks(NpgsqlBatchCommand command) => Command = command;

    public NpgsqlBatchCommand Command { get; }

    internal Dictionary<(Guid TenantId, string StreamId), (long Version, byte[]? LastHash)> Heads { get; } = [];

    /// <summary>Reads the result of <see cref="Command"/> (the reader positioned on its result set).</summary>
    public async Task ReadAsync(NpgsqlDataReader reader, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(reader);
        while (await reader.ReadAsync(ct))
        {
            Heads[(reader.GetGuid(0), reader.GetString(1))] = (reader.GetInt64(2), reader.IsDBNull(3) ? null : (byte[])reader[3]);
        }
    }

    internal bool Cover(IEnumerable<StreamAppend> appends) => appends.All(a => Heads.ContainsKey((a.TenantId, a.StreamId)));

    /// <summary>Statements that remove the streams this lock created (version 0) and the append does not use.</summary>
    internal List<NpgsqlBatchCommand> Unused(IReadOnlyList<StreamAppend> appends)
    {
        var removals = new List<NpgsqlBatchCommand>();
        foreach (var ((tenantId, streamId), head) in Heads)
        {
            if (head.Version == 0 && !appends.Any(a => a.TenantId == tenantId && a.StreamId == streamId))
            {
                var remove = new NpgsqlBatchCommand("DELETE FROM oos.streams WHERE tenant_id = @t AND id = @s AND version = 0");
                remove.Parameters.AddWithValue("t", tenantId);
                remove.Parameters.AddWithValue("s", streamId);
                removals.Add(remove);
            }
        }
        return removals;
    }
}
