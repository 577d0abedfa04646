using System.Security.Cryptography;
using System.Text;
using Npgsql;

namespace OutreachOS.BuildingBlocks.Postgres;

/// <summary>
/// PostgreSQL advisory locks named by a string: the 64-bit key is the first 8 bytes of SHA-256 of the name, so every
/// user (subscription runners, inbox claims, mailbox cursors) shares one key space without collisions in practice.
/// A transaction-scoped advisory lock takes no transaction id, so it never holds back global readers (ADR 0002).
/// </summary>
public static class AdvisoryLocks
{
    public static long Key(string name) => BitConverter.ToInt64(SHA256.HashData(Encoding.UTF8.GetBytes(name)), 0);

    /// <summary>A batch command taking the transaction-scoped lock (waits for a holder to commit or roll back).</summary>
    public static NpgsqlBatchCommand TransactionLock(string name) =>
        new("SELECT pg_advisory_xact_lock($1)") { Parameters = { new NpgsqlParameter { Value = Key(name) } } };

    /// <summary>Takes the transaction-scoped lock if nobody holds it; false at once otherwise (another host has the work).</summary>
    public static async Task<bool> TryTransactionLockAsync(NpgsqlTransaction tx, string name, CancellationToken ct)
    {
        await using var cmd = new NpgsqlCommand("SELECT pg_try_advisory_xact_lock($1)", tx.Connection, tx)
        {
            Parameters = { new NpgsqlParameter { Value = Key(name) } },
        };
        return (bool)(await cmd.ExecuteScalarAsync(ct))!;
    }
}
