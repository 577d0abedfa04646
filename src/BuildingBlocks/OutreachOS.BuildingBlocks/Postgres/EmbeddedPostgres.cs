using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;

namespace OutreachOS.BuildingBlocks.Postgres;

/// <summary>
/// A private PostgreSQL cluster run from the machine's own PostgreSQL binaries, so development and tests use the
/// same engine as production without a separately managed server.
/// <para>
/// API: <see cref="StartAsync"/> → <see cref="ConnectionString"/> → <see cref="StopAsync"/>.
/// Start initialises the data folder once (initdb; as root through <c>runuser -u postgres</c>, because initdb refuses
/// root), starts the server on 127.0.0.1 only with its unix socket inside the folder, and creates the database when
/// missing. A cluster already running from the same folder (e.g. left by a killed process) is reused, and a stale
/// <c>postmaster.pid</c> is removed. Authentication is <c>trust</c>: acceptable only because the server never listens
/// beyond the loopback interface.
/// </para>
/// </summary>
public sealed class EmbeddedPostgres : IAsyncDisposable
{
    private const string PortFileName = "outreachos.port";
    private const string LogFileName = "postgres.log";
    private const string OsUser = "postgres";
    private const int MaxSocketPathLength = 100; // sockaddr_un.sun_path holds 108 bytes on Linux, fewer elsewhere

    private readonly PostgresBinaries _binaries;
    private readonly bool _runAsPostgresUser;
    private readonly ILogger _logger;
    private int _stopped;

    private EmbeddedPostgres(PostgresBinaries binaries, bool runAsPostgresUser, string dataDirectory, ILogger logger)
    {
        _binaries = binaries;
        _runAsPostgresUser = runAsPostgresUser;
        _logger = logger;
        DataDirectory = dataDirectory;
    }

    /// <summary>The cluster's data folder.</summary>
    public string DataDirectory { get; }

    /// <summary>The TCP port on 127.0.0.1.</summary>
    public int Port { get; private set; }

    /// <summary>An Npgsql connection string to the application database.</summary>
    public string ConnectionString { get; private set; } = string.Empty;

    /// <summary>Initialises (once), starts (or reuses) the cluster and creates the database when missing.</summary>
    public static async Task<EmbeddedPostgres> StartAsync(
        EmbeddedPostgresOptions options, ILogger? logger = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        logger ??= NullLogger.Instance;
        var dataDirectory = Path.GetFullPath(options.DataDirectory);
        var binaries = PostgresBinaries.Find(options.BinDirectory);
        var asPostgres = Environment.IsPrivilegedProcess;

        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(options.StartTimeout);
        var ct = deadline.Token;

        // Two hosts starting on one folder at once must not both run initdb or pg_ctl start.
        using var folderLock = await AcquireFolderLockAsync(dataDirectory, ct);

        var cluster = new EmbeddedPostgres(binaries, asPostgres, dataDirectory, logger);
        await cluster.InitialiseIfNeededAsync(SkipsFsync(options.ServerSettings), ct);

        int port;
        if (cluster.RunningPostmasterPort() is { } runningPort)
        {
            EmbeddedPostgresLog.Reusing(logger, dataDirectory, runningPort);
            port = runningPort;
        }
        else
        {
            port = ChoosePort(dataDirectory, options.Port);
            await cluster.StartServerAsync(port, options.ServerSettings, ct);
        }

        await WaitUntilAcceptingAsync(BuildConnectionString(port, "postgres"), ct);
        await CreateDatabaseIfMissingAsync(BuildConnectionString(port, "postgres"), options.Database, logger, ct);
        cluster.Port = port;
        cluster.ConnectionString = BuildConnectionString(port, options.Database);
        EmbeddedPostgresLog.Ready(logger, port, options.Database, dataDirectory);
        return cluster;
    }

    /// <summary>Stops the cluster (<c>pg_ctl stop -m fast</c>). Safe to call more than once.</summary>
    public async Task StopAsync(CancellationToken cancellationToken = default)
    {
        if (Interlocked.Exchange(ref _stopped, 1) == 1)
        {
            return;
        }

        var result = await RunPostgresToolAsync(
            _binaries.PgCtl, ["-D", DataDirectory, "stop", "-m", "fast", "-w", "-t", "60"], TimeSpan.FromSeconds(70), cancellationToken);
        if (result.Succeeded)
        {
            EmbeddedPostgresLog.Stopped(_logger, DataDirectory);
        }
        else if (RunningPostmasterPort() is null)
        {
            EmbeddedPostgresLog.AlreadyStopped(_logger, DataDirectory);
        }
        else
        {
            throw new InvalidOperationException($"pg_ctl stop failed for {DataDirectory}: {result.Output}");
        }
    }

    /// <inheritdoc cref="StopAsync"/>
    public async ValueTask DisposeAsync() => await StopAsync();

    /// <summary>
    /// The command line that stops this cluster, for a process exit handler that cannot wait for <see cref="StopAsync"/>
    /// (a test host is killed moments after it starts exiting).
    /// </summary>
    internal IReadOnlyList<string> StopCommandLine() => _runAsPostgresUser
        ? [FindTool("runuser", "/usr/sbin/runuser", "/sbin/runuser"), "-u", OsUser, "--", _binaries.PgCtl, "-D", DataDirectory, "stop", "-m", "fast", "-w"]
        : [_binaries.PgCtl, "-D", DataDirectory, "stop", "-m", "fast", "-w"];

    private static string BuildConnectionString(int port, string database) => new NpgsqlConnectionStringBuilder
    {
        Host = "127.0.0.1",
        Port = port,
        Username = OsUser,
        Database = database,
    }.ConnectionString;

    // A caller that turns fsync off has said durability does not matter (throwaway test clusters): initdb may skip it too.
    private static bool SkipsFsync(IReadOnlyDictionary<string, string> settings) =>
        settings.TryGetValue("fsync", out var fsync) && fsync.Trim().ToUpperInvariant() is "OFF" or "FALSE" or "0" or "NO";

    private async Task InitialiseIfNeededAsync(bool noSync, CancellationToken ct)
    {
        if (File.Exists(Path.Combine(DataDirectory, "PG_VERSION")))
        {
            return;
        }

        if (Directory.Exists(DataDirectory) && Directory.EnumerateFileSystemEntries(DataDirectory).Any())
        {
            throw new InvalidOperationException(
                $"{DataDirectory} is neither empty nor a PostgreSQL data folder; choose another Postgres:Embedded:DataDirectory.");
        }

        Directory.CreateDirectory(DataDirectory);
        await ChownToPostgresAsync(DataDirectory, ct);
        await EnsurePostgresUserCanReachAsync(ct);
        EmbeddedPostgresLog.Initialising(_logger, DataDirectory, _binaries.InitDb);
        var result = await RunPostgresToolAsync(
            _binaries.InitDb,
            ["-D", DataDirectory, "-A", "trust", "-U", OsUser, "-E", "UTF8", "--locale=C", .. (noSync ? ["--no-sync"] : Array.Empty<string>())],
            TimeSpan.FromMinutes(3),
            ct);
        if (!result.Succeeded)
        {
            throw new InvalidOperationException($"initdb failed for {DataDirectory}: {result.Output}");
        }
    }

    // As root the server runs as 'postgres', which needs search (x) permission on every parent folder; a repository
    // under /root (mode 0700) is the usual trap. Name the blocking folder instead of letting initdb say "Permission denied".
    private async Task EnsurePostgresUserCanReachAsync(CancellationToken ct)
    {
        if (!_runAsPostgresUser || await PostgresUserCanEnterAsync(DataDirectory, ct))
        {
            return;
        }

        var blocking = DataDirectory;
        var ancestors = new List<string>();
        for (var dir = Path.GetDirectoryName(DataDirectory); dir is not null; dir = Path.GetDirectoryName(dir))
        {
            ancestors.Insert(0, dir);
        }

        foreach (var dir in ancestors)
        {
            if (!await PostgresUserCanEnterAsync(dir, ct))
            {
                blocking = dir;
                break;
            }
        }

        throw new InvalidOperationException(
            $"The OS user '{OsUser}' that runs the embedded PostgreSQL cannot enter {blocking}. " +
            $"Set Postgres:Embedded:DataDirectory (env Postgres__Embedded__DataDirectory) to a folder it can reach, " +
            $"grant it access (chmod o+x {blocking}), or set ConnectionStrings:Postgres.");
    }

    private async Task<bool> PostgresUserCanEnterAsync(string directory, CancellationToken ct) =>
        (await RunPostgresToolAsync(FindTool("test", "/usr/bin/test"), ["-x", directory], TimeSpan.FromSeconds(10), ct)).Succeeded;

    private async Task StartServerAsync(int port, IReadOnlyDictionary<string, string> settings, CancellationToken ct)
    {
        var socketDirectory = await SocketDirectoryAsync(port, ct);
        var serverOptions = new StringBuilder()
            .Append(CultureInfo.InvariantCulture, $"-p {port} -k {ShellQuote(socketDirectory)} -c listen_addresses=127.0.0.1");
        foreach (var (name, value) in settings)
        {
            serverOptions.Append(CultureInfo.InvariantCulture, $" -c {ShellQuote($"{name}={value}")}");
        }

        var logFile = Path.Combine(DataDirectory, LogFileName);
        EmbeddedPostgresLog.Starting(_logger, DataDirectory, port);
        var result = await RunPostgresToolAsync(
            _binaries.PgCtl,
            ["-D", DataDirectory, "-o", serverOptions.ToString(), "-l", logFile, "-w", "-t", "60", "start"],
            TimeSpan.FromSeconds(75),
            ct);
        if (!result.Succeeded)
        {
            throw new InvalidOperationException(
                $"pg_ctl start failed for {DataDirectory} on port {port}: {result.Output}\n--- {logFile} (end) ---\n{LogTail(logFile)}");
        }

        await File.WriteAllTextAsync(Path.Combine(DataDirectory, PortFileName), port.ToString(CultureInfo.InvariantCulture), ct);
    }

    // A long data path would overflow the unix socket address; fall back to a short folder named after the data path.
    private async Task<string> SocketDirectoryAsync(int port, CancellationToken ct)
    {
        if (Encoding.UTF8.GetByteCount(Path.Combine(DataDirectory, $".s.PGSQL.{port}.lock")) <= MaxSocketPathLength)
        {
            return DataDirectory;
        }

        var hash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(DataDirectory)))[..12];
        var directory = Path.Combine("/tmp", $"outreachos-pg-{hash}");
        Directory.CreateDirectory(directory);
        await ChownToPostgresAsync(directory, ct);
        return directory;
    }

    /// <summary>The port of a live postmaster serving this folder; removes a stale postmaster.pid.</summary>
    private int? RunningPostmasterPort()
    {
        var pidFile = Path.Combine(DataDirectory, "postmaster.pid");
        string[] lines;
        try
        {
            lines = File.ReadAllLines(pidFile);
        }
        catch (FileNotFoundException)
        {
            return null;
        }
        catch (DirectoryNotFoundException)
        {
            return null;
        }

        // postmaster.pid: line 1 = pid, line 4 = port (see PostgreSQL's miscadmin.h LOCK_FILE_LINE_*).
        if (lines.Length >= 4
            && int.TryParse(lines[0], CultureInfo.InvariantCulture, out var pid)
            && int.TryParse(lines[3], CultureInfo.InvariantCulture, out var port)
            && IsPostgresProcess(pid))
        {
            return port;
        }

        // The pid is dead or now belongs to another program (pid reuse after a container restart): the file is stale.
        EmbeddedPostgresLog.StalePidFile(_logger, pidFile);
        File.Delete(pidFile);
        return null;
    }

    private static bool IsPostgresProcess(int pid)
    {
        try
        {
            using var process = Process.GetProcessById(pid);
            return process.ProcessName.StartsWith("postgres", StringComparison.Ordinal);
        }
        catch (ArgumentException)
        {
            return false; // not running
        }
        catch (InvalidOperationException)
        {
            return false; // exited meanwhile
        }
    }

    private static int ChoosePort(string dataDirectory, int? requested)
    {
        if (requested is > 0)
        {
            return requested.Value;
        }

        if (requested is null)
        {
            var remembered = ReadRememberedPort(dataDirectory);
            if (remembered is { } r && IsFree(r))
            {
                return r;
            }

            if (remembered is null && IsFree(EmbeddedPostgresOptions.DefaultPort))
            {
                return EmbeddedPostgresOptions.DefaultPort;
            }
        }

        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static int? ReadRememberedPort(string dataDirectory)
    {
        var file = Path.Combine(dataDirectory, PortFileName);
        return File.Exists(file) && int.TryParse(File.ReadAllText(file).Trim(), CultureInfo.InvariantCulture, out var port)
            ? port
            : null;
    }

    private static bool IsFree(int port)
    {
        try
        {
            using var listener = new TcpListener(IPAddress.Loopback, port);
            listener.Start();
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    private static async Task WaitUntilAcceptingAsync(string connectionString, CancellationToken ct)
    {
        var probe = new NpgsqlConnectionStringBuilder(connectionString) { Timeout = 2, Pooling = false }.ConnectionString;
        while (true)
        {
            try
            {
                await using var connection = new NpgsqlConnection(probe);
                await connection.OpenAsync(ct);
                return;
            }
            catch (NpgsqlException) when (!ct.IsCancellationRequested)
            {
                // Still starting up (57P03) or not listening yet.
                await Task.Delay(200, ct);
            }
        }
    }

    private static async Task CreateDatabaseIfMissingAsync(string maintenance, string database, ILogger logger, CancellationToken ct)
    {
        await using var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(maintenance) { Pooling = false }.ConnectionString);
        await connection.OpenAsync(ct);
        await using (var exists = new NpgsqlCommand("SELECT 1 FROM pg_database WHERE datname = $1", connection))
        {
            exists.Parameters.AddWithValue(database);
            if (await exists.ExecuteScalarAsync(ct) is not null)
            {
                return;
            }
        }

        try
        {
            await using var create = new NpgsqlCommand($"CREATE DATABASE \"{database.Replace("\"", "\"\"", StringComparison.Ordinal)}\"", connection);
            await create.ExecuteNonQueryAsync(ct);
            EmbeddedPostgresLog.DatabaseCreated(logger, database);
        }
        catch (PostgresException e) when (e.SqlState is PostgresErrorCodes.DuplicateDatabase or PostgresErrorCodes.UniqueViolation)
        {
            // Created concurrently by another process: that is the state we wanted.
        }
    }

    private static async Task<FileStream> AcquireFolderLockAsync(string dataDirectory, CancellationToken ct)
    {
        var lockFile = dataDirectory.TrimEnd(Path.DirectorySeparatorChar) + ".lock";
        Directory.CreateDirectory(Path.GetDirectoryName(lockFile)!);
        while (true)
        {
            try
            {
                return new FileStream(lockFile, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
            }
            catch (IOException) when (!ct.IsCancellationRequested)
            {
                await Task.Delay(250, ct);
            }
        }
    }

    private Task<ProcessResult> RunPostgresToolAsync(string tool, string[] arguments, TimeSpan timeout, CancellationToken ct) =>
        _runAsPostgresUser
            ? ProcessRunner.RunAsync(FindTool("runuser", "/usr/sbin/runuser", "/sbin/runuser"), ["-u", OsUser, "--", tool, .. arguments], timeout, ct)
            : ProcessRunner.RunAsync(tool, arguments, timeout, ct);

    private async Task ChownToPostgresAsync(string directory, CancellationToken ct)
    {
        if (!_runAsPostgresUser)
        {
            return;
        }

        var result = await ProcessRunner.RunAsync(
            FindTool("chown", "/usr/bin/chown", "/bin/chown"), ["-R", $"{OsUser}:{OsUser}", directory], TimeSpan.FromMinutes(1), ct);
        if (!result.Succeeded)
        {
            throw new InvalidOperationException(
                $"running as root, the data folder must belong to the OS user '{OsUser}' (created by the Debian package postgresql): {result.Output}");
        }
    }

    private static string FindTool(string name, params string[] fallbacks)
    {
        var path = Environment.GetEnvironmentVariable("PATH") ?? string.Empty;
        return path.Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Select(d => Path.Combine(d, name))
            .Concat(fallbacks)
            .FirstOrDefault(File.Exists) ?? name;
    }

    // pg_ctl hands -o to /bin/sh, so every value is single-quoted.
    private static string ShellQuote(string value) => "'" + value.Replace("'", "'\\''", StringComparison.Ordinal) + "'";

    private static string LogTail(string logFile)
    {
        try
        {
            return string.Join('\n', File.ReadAllLines(logFile).TakeLast(20));
        }
        catch (IOException)
        {
            return "(no log)";
        }
        catch (UnauthorizedAccessException)
        {
            return "(log not readable)";
        }
    }
}
