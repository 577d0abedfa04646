using System.Globalization;
using Npgsql;

namespace OutreachOS.Benchmarks;

/// <summary>
/// CPU time of the benchmark's PostgreSQL server alone: its postmaster and every process it started, from /proc (the
/// postmaster's own time, the time of the children it has reaped, and that of the children alive now). Unlike the machine's
/// busy time it leaves out whatever else runs on the machine, so a per-request figure stays comparable when other work
/// shares the cores (as long as that work uses another server). Zero when the server is not a local Linux process.
/// </summary>
internal static class PostgresCpu
{
    private static int? _postmaster;

    /// <summary>Finds the server's postmaster from its data directory's <c>postmaster.pid</c>; false when it cannot.</summary>
    public static async Task<bool> AttachAsync(string connectionString)
    {
        try
        {
            await using var db = NpgsqlDataSource.Create(connectionString);
            await using var cmd = db.CreateCommand("SHOW data_directory");
            var dir = (string)(await cmd.ExecuteScalarAsync())!;
            var pid = int.Parse(File.ReadLines(Path.Combine(dir, "postmaster.pid")).First().Trim(), CultureInfo.InvariantCulture);
            _postmaster = File.Exists($"/proc/{pid}/stat") ? pid : null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException or PostgresException)
        {
            _postmaster = null;
        }
        return _postmaster is not null;
    }

    /// <summary>The server's CPU time so far (zero when not attached).</summary>
    public static TimeSpan Total()
    {
        if (_postmaster is not { } postmaster || Stat(postmaster) is not { } own)
        {
            return TimeSpan.Zero;
        }
        var ticks = own.Utime + own.Stime + own.Cutime + own.Cstime;
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (int.TryParse(Path.GetFileName(dir), NumberStyles.None, CultureInfo.InvariantCulture, out var pid) && pid != postmaster
                && Stat(pid) is { } child && child.Parent == postmaster)
            {
                ticks += child.Utime + child.Stime;
            }
        }
        return TimeSpan.FromSeconds(ticks / 100.0); // USER_HZ is 100 on Linux
    }

    private static (int Parent, long Utime, long Stime, long Cutime, long Cstime)? Stat(int pid)
    {
        string line;
        try
        {
            line = File.ReadAllText($"/proc/{pid}/stat");
        }
        catch (IOException)
        {
            return null; // exited meanwhile: its time is now in its parent's reaped-children figures
        }
        // The command name is in parentheses and may hold spaces: the fields start after the last ')'.
        var f = line[(line.LastIndexOf(')') + 2)..].Split(' ');
        static long L(string s) => long.Parse(s, CultureInfo.InvariantCulture);
        return (int.Parse(f[1], CultureInfo.InvariantCulture), L(f[11]), L(f[12]), L(f[13]), L(f[14]));
    }
}
