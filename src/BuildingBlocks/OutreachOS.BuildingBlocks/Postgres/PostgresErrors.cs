using Npgsql;

namespace OutreachOS.BuildingBlocks.Postgres;

/// <summary>How the database's refusals are told apart: what a retry may cure, and what it would only repeat.</summary>
public static class PostgresErrors
{
    /// <summary>
    /// What a retry may cure: the connection (class 08), the server's resources (53), an operator or a timeout (57), a
    /// serialization failure or deadlock (40), or what Npgsql itself marks transient. Anything else the server refused is
    /// refused again.
    /// </summary>
    public static bool IsTransient(PostgresException e) => e.IsTransient
        || e.SqlState.StartsWith("08", StringComparison.Ordinal) || e.SqlState.StartsWith("53", StringComparison.Ordinal)
        || e.SqlState.StartsWith("57", StringComparison.Ordinal) || IsLostRace(e);

    /// <summary>
    /// A serialization failure or a deadlock (class 40): another transaction changed the same data first, and the same
    /// work succeeds when run again in a new transaction at once.
    /// </summary>
    public static bool IsLostRace(PostgresException e) => e.SqlState.StartsWith("40", StringComparison.Ordinal);
}
