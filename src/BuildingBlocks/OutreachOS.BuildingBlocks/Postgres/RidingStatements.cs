using System.Runtime.CompilerServices;
using Npgsql;

namespace OutreachOS.BuildingBlocks.Postgres;

/// <summary>
/// Statements that must commit with a transaction's writes but need not run before them (a consumer's inbox row): the
/// event store sends them in its insert round trip, so they cost no round trip of their own. Whoever attached them takes
/// back what was not sent (<see cref="TakeUnsent"/>) and runs it itself before committing, and must take it back when
/// the transaction ends in any other way: Npgsql reuses a connection's transaction object for its next transaction.
/// </summary>
internal static class RidingStatements
{
    private static readonly ConditionalWeakTable<NpgsqlTransaction, List<NpgsqlBatchCommand>> Pending = new();

    public static void Attach(NpgsqlTransaction transaction, NpgsqlBatchCommand command)
    {
        lock (Pending)
        {
            Pending.GetOrCreateValue(transaction).Add(command);
        }
    }

    /// <summary>Removes and returns the statements waiting for a ride in this transaction (none: empty).</summary>
    public static IReadOnlyList<NpgsqlBatchCommand> TakeUnsent(NpgsqlTransaction transaction)
    {
        lock (Pending)
        {
            return Pending.TryGetValue(transaction, out var list) && Pending.Remove(transaction) ? list : [];
        }
    }
}
