using System.Diagnostics;
using Npgsql;
using OutreachOS.BuildingBlocks.Postgres;

namespace OutreachOS.IntegrationTests.Infrastructure;

/// <summary>
/// One PostgreSQL server per test process, one fresh database per test.
/// <c>OUTREACHOS_TEST_POSTGRES</c> (set by scripts/test.sh) is a connection string to the maintenance database
/// <c>postgres</c> of a server to use; without it an <see cref="EmbeddedPostgres"/> is started in a temporary folder
/// on first use and stopped when the test process exits.
/// </summary>
internal static class TestPostgres
{
    public const string EnvironmentVariable = "OUTREACHOS_TEST_POSTGRES";

    private static readonly Lazy<Task<string>> Maintenance = new(StartOrConnectAsync, LazyThreadSafetyMode.ExecutionAndPublication);

    /// <summary>A connection string to the server's maintenance database <c>postgres</c>.</summary>
    public static Task<string> MaintenanceConnectionStringAsync() => Maintenance.Value;

    /// <summary>Creates an empty database named after <paramref name="prefix"/> plus a unique suffix; returns its connection string.</summary>
    public static async Task<string> CreateDatabaseAsync(string prefix)
    {
        var maintenance = await Maintenance.Value;
        var name = UniqueName(prefix);
        await using (var connection = new NpgsqlConnection(maintenance))
        {
            await connection.OpenAsync();
            await using var create = new NpgsqlCommand($"CREATE DATABASE \"{name}\"", connection);
            await create.ExecuteNonQueryAsync();
            // Who made it, so that a later test run on a shared server can drop it once this process is gone.
            await using var comment = new NpgsqlCommand($"COMMENT ON DATABASE \"{name}\" IS '{OwnerTag(Environment.ProcessId)}'", connection);
            await comment.ExecuteNonQueryAsync();
        }

        return new NpgsqlConnectionStringBuilder(maintenance) { Database = name }.ConnectionString;
    }

    // Lower-case letters, digits and '_' only, so the name never needs quoting elsewhere; 63 bytes is PostgreSQL's limit.
    internal static string UniqueName(string prefix)
    {
        var cleaned = new string(prefix.ToLowerInvariant().Select(c => char.IsAsciiLetterOrDigit(c) ? c : '_').ToArray()).Trim('_');
        if (cleaned.Length == 0 || !char.IsAsciiLetter(cleaned[0]))
        {
            cleaned = "t_" + cleaned;
        }

        var suffix = Guid.NewGuid().ToString("N")[..16];
        return $"{cleaned[..Math.Min(cleaned.Length, 63 - suffix.Length - 1)]}_{suffix}";
    }

    private static async Task<string> StartOrConnectAsync()
    {
        var configured = Environment.GetEnvironmentVariable(EnvironmentVariable);
        if (!string.IsNullOrWhiteSpace(configured))
        {
            await DropDatabasesOfEndedRunsAsync(configured);
            return configured;
        }

        await RemoveLeftoversAsync();
        var folder = Path.Combine(Path.GetTempPath(), $"{FolderPrefix}{Environment.ProcessId}-{Guid.NewGuid().ToString("N")[..8]}");
        var cluster = await EmbeddedPostgres.StartAsync(Options(folder, port: 0));
        AppDomain.CurrentDomain.ProcessExit += (_, _) => StopAndDeleteDetached(cluster, folder);
        return new NpgsqlConnectionStringBuilder(cluster.ConnectionString) { Database = "postgres" }.ConnectionString;
    }

    private const string OwnerPrefix = "outreachos-test ";

    private static string OwnerTag(int processId) => $"{OwnerPrefix}host={Environment.MachineName} pid={processId}";

    /// <summary>
    /// A shared server (scripts/test.sh's, or a developer's) keeps every test database otherwise: hundreds after a few runs,
    /// which slows the server down for everything else. Drops the databases made on this machine by test processes that
    /// have ended; databases of running test processes (another test project in parallel) and of other machines stay.
    /// </summary>
    private static async Task DropDatabasesOfEndedRunsAsync(string maintenance)
    {
        if (!OperatingSystem.IsLinux())
        {
            return; // "has the process ended" is read from /proc
        }
        try
        {
            await using var connection = new NpgsqlConnection(maintenance);
            await connection.OpenAsync();
            var ended = new List<string>();
            await using (var list = new NpgsqlCommand("""
                SELECT d.datname, shobj_description(d.oid, 'pg_database') FROM pg_database d
                WHERE shobj_description(d.oid, 'pg_database') LIKE @tag
                """, connection))
            {
                list.Parameters.AddWithValue("tag", $"{OwnerPrefix}host={Environment.MachineName} pid=%");
                await using var r = await list.ExecuteReaderAsync();
                while (await r.ReadAsync())
                {
                    var pid = r.GetString(1).Split("pid=")[^1];
                    if (int.TryParse(pid, out var id) && !Directory.Exists($"/proc/{id}"))
                    {
                        ended.Add(r.GetString(0));
                    }
                }
            }
            foreach (var name in ended)
            {
                await using var drop = new NpgsqlCommand($"DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)", connection);
                await drop.ExecuteNonQueryAsync();
            }
        }
        catch (PostgresException)
        {
            // Housekeeping only: a database another cleaner dropped first, or no right to drop, never fails a test.
        }
    }

    // The test platform kills the test host shortly after it starts exiting, so the stop and the delete run in a
    // process of their own that outlives it. RemoveLeftoversAsync catches whatever still escapes.
    private static void StopAndDeleteDetached(EmbeddedPostgres cluster, string folder)
    {
        var startInfo = new ProcessStartInfo("/bin/sh") { UseShellExecute = false };
        foreach (var argument in (string[])["-c", "exec </dev/null >/dev/null 2>&1; folder=$1; shift; \"$@\"; rm -rf \"$folder\"", "sh", folder, .. cluster.StopCommandLine()])
        {
            startInfo.ArgumentList.Add(argument);
        }

        using var process = Process.Start(startInfo);
    }

    private const string FolderPrefix = "outreachos-it-";

    private static EmbeddedPostgresOptions Options(string folder, int? port) => new()
    {
        DataDirectory = Path.Combine(folder, "pgdata"),
        Port = port,
        Database = "postgres",
        ServerSettings = ThrowawayServerSettings,
    };

    // A test host killed before its exit handler finished (or a debugger stop) leaves a cluster and 40 MB behind.
    private static async Task RemoveLeftoversAsync()
    {
        foreach (var folder in Directory.EnumerateDirectories(Path.GetTempPath(), FolderPrefix + "*"))
        {
            var pidText = Path.GetFileName(folder)[FolderPrefix.Length..].Split('-')[0];
            if (!int.TryParse(pidText, out var pid) || IsAlive(pid))
            {
                continue;
            }

            try
            {
                if (File.Exists(Path.Combine(folder, "pgdata", "postmaster.pid")))
                {
                    // Attaches to the orphaned cluster (or clears its stale pid file), then stops it.
                    await (await EmbeddedPostgres.StartAsync(Options(folder, port: 0))).StopAsync();
                }

                Directory.Delete(folder, recursive: true);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or InvalidOperationException)
            {
                // Best effort: another test process may be cleaning the same folder.
            }
        }
    }

    private static bool IsAlive(int pid)
    {
        try
        {
            using var process = Process.GetProcessById(pid);
            return !process.HasExited;
        }
        catch (ArgumentException)
        {
            return false;
        }
    }

    /// <summary>Durability is worthless for a throwaway test cluster; many per-test databases need many connections.</summary>
    internal static IReadOnlyDictionary<string, string> ThrowawayServerSettings { get; } = new Dictionary<string, string>
    {
        ["fsync"] = "off",
        ["synchronous_commit"] = "off",
        ["full_page_writes"] = "off",
        ["max_connections"] = "300",
    };
}
