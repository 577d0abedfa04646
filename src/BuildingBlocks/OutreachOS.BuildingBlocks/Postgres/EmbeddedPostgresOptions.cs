namespace OutreachOS.BuildingBlocks.Postgres;

/// <summary>
/// Where and how <see cref="EmbeddedPostgres"/> runs a private PostgreSQL cluster.
/// </summary>
public sealed record EmbeddedPostgresOptions
{
    /// <summary>The default TCP port of an embedded cluster (one above the usual 5432 neighbourhood of a system cluster).</summary>
    public const int DefaultPort = 55433;

    /// <summary>The cluster's data folder (PGDATA). Created and initialised on first start.</summary>
    public required string DataDirectory { get; init; }

    /// <summary>
    /// <c>null</c>: the port remembered in the data folder, else <see cref="DefaultPort"/> when free, else any free port.
    /// <c>0</c>: any free port. Any other value: exactly that port. The chosen port is remembered in the folder.
    /// </summary>
    public int? Port { get; init; }

    /// <summary>The application database, created when missing.</summary>
    public string Database { get; init; } = "outreachos";

    /// <summary>A folder holding <c>initdb</c> and <c>pg_ctl</c>; <c>null</c> searches PATH, then /usr/lib/postgresql/*/bin.</summary>
    public string? BinDirectory { get; init; }

    /// <summary>Extra server settings passed as <c>-c name=value</c> (e.g. <c>fsync=off</c> for throwaway test clusters).</summary>
    public IReadOnlyDictionary<string, string> ServerSettings { get; init; } = new Dictionary<string, string>();

    /// <summary>How long start-up (including initdb) may take before it is reported as failed.</summary>
    public TimeSpan StartTimeout { get; init; } = TimeSpan.FromSeconds(90);
}
