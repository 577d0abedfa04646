using Microsoft.Extensions.Logging;

namespace OutreachOS.BuildingBlocks.Postgres;

internal static partial class EmbeddedPostgresLog
{
    [LoggerMessage(1, LogLevel.Information, "Initialising embedded PostgreSQL cluster in {DataDirectory} with {InitDb}")]
    public static partial void Initialising(ILogger logger, string dataDirectory, string initDb);

    [LoggerMessage(2, LogLevel.Information, "Starting embedded PostgreSQL from {DataDirectory} on 127.0.0.1:{Port}")]
    public static partial void Starting(ILogger logger, string dataDirectory, int port);

    [LoggerMessage(3, LogLevel.Information, "Reusing the embedded PostgreSQL cluster already running from {DataDirectory} on 127.0.0.1:{Port}")]
    public static partial void Reusing(ILogger logger, string dataDirectory, int port);

    [LoggerMessage(4, LogLevel.Warning, "Removing stale {PidFile}: its process is gone")]
    public static partial void StalePidFile(ILogger logger, string pidFile);

    [LoggerMessage(5, LogLevel.Information, "Created database {Database}")]
    public static partial void DatabaseCreated(ILogger logger, string database);

    [LoggerMessage(6, LogLevel.Information, "Embedded PostgreSQL ready on 127.0.0.1:{Port}, database {Database}, data {DataDirectory}")]
    public static partial void Ready(ILogger logger, int port, string database, string dataDirectory);

    [LoggerMessage(7, LogLevel.Information, "Stopped embedded PostgreSQL in {DataDirectory}")]
    public static partial void Stopped(ILogger logger, string dataDirectory);

    [LoggerMessage(8, LogLevel.Information, "Embedded PostgreSQL in {DataDirectory} was already stopped")]
    public static partial void AlreadyStopped(ILogger logger, string dataDirectory);
}
