namespace OutreachOS.BuildingBlocks.Postgres;

/// <summary>The server tools of one PostgreSQL installation (initdb and pg_ctl side by side).</summary>
internal sealed record PostgresBinaries(string InitDb, string PgCtl)
{
    private const string DebianRoot = "/usr/lib/postgresql";

    public static PostgresBinaries Find(string? binDirectory)
    {
        if (binDirectory is not null)
        {
            return FromDirectory(binDirectory) ?? throw NotFound($"in the configured folder {binDirectory}");
        }

        var path = Environment.GetEnvironmentVariable("PATH") ?? string.Empty;
        foreach (var directory in path.Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
        {
            var initDb = Path.Combine(directory, "initdb");
            if (File.Exists(initDb) && FromDirectory(RealDirectory(initDb)) is { } found)
            {
                return found;
            }
        }

        // Debian keeps server binaries off PATH, one folder per major version: prefer the newest.
        if (Directory.Exists(DebianRoot))
        {
            var newest = Directory.GetDirectories(DebianRoot)
                .Select(d => (Directory: d, Version: Version.TryParse(VersionText(Path.GetFileName(d)), out var v) ? v : null))
                .Where(x => x.Version is not null)
                .OrderByDescending(x => x.Version)
                .Select(x => FromDirectory(Path.Combine(x.Directory, "bin")))
                .FirstOrDefault(b => b is not null);
            if (newest is not null)
            {
                return newest;
            }
        }

        throw NotFound($"on PATH nor under {DebianRoot}/*/bin");
    }

    private static string VersionText(string name) => name.Contains('.', StringComparison.Ordinal) ? name : name + ".0";

    private static PostgresBinaries? FromDirectory(string directory)
    {
        var initDb = Path.Combine(directory, "initdb");
        var pgCtl = Path.Combine(directory, "pg_ctl");
        return File.Exists(initDb) && File.Exists(pgCtl) ? new PostgresBinaries(initDb, pgCtl) : null;
    }

    // /usr/local/bin/initdb is often a symlink into the real installation, where pg_ctl and postgres live.
    private static string RealDirectory(string file)
    {
        var target = new FileInfo(file).ResolveLinkTarget(returnFinalTarget: true)?.FullName ?? file;
        return Path.GetDirectoryName(target) ?? ".";
    }

    private static InvalidOperationException NotFound(string where) => new(
        $"PostgreSQL server binaries (initdb, pg_ctl) were not found {where}. " +
        "Install the Debian package 'postgresql' (apt-get install -y postgresql), " +
        "set Postgres:Embedded:BinDirectory, or set ConnectionStrings:Postgres to use an existing server.");
}
