using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using OutreachOS.BuildingBlocks;
using OutreachOS.BuildingBlocks.EventStore;
using OutreachOS.BuildingBlocks.Postgres;

namespace OutreachOS.Benchmarks;

/// <summary>
/// The PostgreSQL server of a run: <c>OUTREACHOS_BENCH_POSTGRES</c> (a connection string to a maintenance database),
/// else an <see cref="EmbeddedPostgres"/> in a temporary folder that is stopped and deleted at the end.
/// Every suite gets a fresh database, dropped at the end.
/// </summary>
internal sealed class BenchPostgres : IAsyncDisposable
{
    public const string EnvironmentVariable = "OUTREACHOS_BENCH_POSTGRES";

    private readonly string _maintenance;
    private readonly EmbeddedPostgres? _embedded;
    private readonly string? _folder;
    private readonly List<string> _databases = [];

    private BenchPostgres(string maintenance, EmbeddedPostgres? embedded, string? folder)
    {
        _maintenance = maintenance;
        _embedded = embedded;
        _folder = folder;
    }

    public string Description { get; private set; } = "";

    public static async Task<BenchPostgres> StartAsync()
    {
        var configured = Environment.GetEnvironmentVariable(EnvironmentVariable);
        BenchPostgres server;
        if (!string.IsNullOrWhiteSpace(configured))
        {
            Progress.Line($"PostgreSQL: using {EnvironmentVariable}");
            server = new BenchPostgres(configured, null, null);
        }
        else
        {
            var folder = Path.Combine(Path.GetTempPath(), $"outreachos-bench-{Environment.ProcessId}-{Guid.NewGuid().ToString("N")[..8]}");
            Progress.Line($"PostgreSQL: {EnvironmentVariable} not set, starting an embedded cluster in {folder}");
            var embedded = await EmbeddedPostgres.StartAsync(new EmbeddedPostgresOptions { DataDirectory = folder, Port = 0, Database = "postgres" });
            server = new BenchPostgres(embedded.ConnectionString, embedded, folder);
        }
        await server.DescribeAsync();
        Progress.Line(server.Description);
        return server;
    }

    private async Task DescribeAsync()
    {
        await using var conn = new NpgsqlConnection(_maintenance);
        await conn.OpenAsync();
        await using var cmd = new NpgsqlCommand(
            "SELECT current_setting('server_version'), current_setting('fsync'), current_setting('synchronous_commit'), current_setting('shared_buffers')", conn);
        await using var r = await cmd.ExecuteReaderAsync();
        await r.ReadAsync();
        var source = _embedded is null ? EnvironmentVariable : "embedded cluster";
        Description = $"PostgreSQL {r.GetString(0)} ({source}; fsync={r.GetString(1)}, synchronous_commit={r.GetString(2)}, shared_buffers={r.GetString(3)}); " +
                      $"host: nproc={Environment.ProcessorCount}, memory={MemoryTotal()}, .NET {Environment.Version}, {DateTimeOffset.UtcNow:u}";
    }

    private static string MemoryTotal()
    {
        try
        {
            return File.ReadLines("/proc/meminfo").FirstOrDefault(l => l.StartsWith("MemTotal:", StringComparison.Ordinal))?["MemTotal:".Length..].Trim() ?? "n/a";
        }
        catch (IOException)
        {
            return "n/a";
        }
    }

    /// <summary>Creates an empty database and returns its connection string.</summary>
    public async Task<string> CreateDatabaseAsync(string prefix)
    {
        var name = $"bench_{prefix}_{Guid.NewGuid().ToString("N")[..12]}";
        await using (var conn = new NpgsqlConnection(_maintenance))
        {
            await conn.OpenAsync();
            await using var create = new NpgsqlCommand($"CREATE DATABASE \"{name}\"", conn);
            await create.ExecuteNonQueryAsync();
        }
        _databases.Add(name);
        return new NpgsqlConnectionStringBuilder(_maintenance) { Database = name, ApplicationName = "outreachos-bench" }.ConnectionString;
    }

    /// <summary>The real event store, document store and subscription engine on a fresh, migrated database.</summary>
    public async Task<ServiceProvider> CreateStoreAsync(string prefix, Action<IServiceCollection>? configure = null, Func<string, string>? adjust = null)
    {
        var cs = await CreateDatabaseAsync(prefix);
        cs = adjust?.Invoke(cs) ?? cs;
        var services = new ServiceCollection();
        services.AddOutreachEventStore(cs, o => o.Enabled = false);
        services.AddEventTypes(typeof(BenchDeposited));
        configure?.Invoke(services);
        var provider = services.BuildServiceProvider();
        await provider.GetRequiredService<SchemaMigrator>().MigrateAsync();
        return provider;
    }

    public async ValueTask DisposeAsync()
    {
        NpgsqlConnection.ClearAllPools();
        if (_embedded is not null)
        {
            await _embedded.StopAsync();
            try
            {
                Directory.Delete(_folder!, recursive: true);
                File.Delete(_folder + ".lock");
            }
            catch (IOException)
            {
            }
            return;
        }
        await using var conn = new NpgsqlConnection(_maintenance);
        await conn.OpenAsync();
        foreach (var db in _databases)
        {
            await using var drop = new NpgsqlCommand($"DROP DATABASE IF EXISTS \"{db}\" WITH (FORCE)", conn);
            await drop.ExecuteNonQueryAsync();
        }
    }
}
