using System.Diagnostics;
using System.Runtime.Versioning;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;
using Npgsql;
using OutreachOS.BuildingBlocks.Postgres;

namespace OutreachOS.IntegrationTests.Infrastructure;

public sealed class EmbeddedPostgresTests : IDisposable
{
    // Not CreateTempSubdirectory: its 0700 mode would keep the OS user postgres out when the tests run as root.
    private readonly string _folder = Directory.CreateDirectory(Path.Combine(Path.GetTempPath(), $"outreachos-ep-{Guid.NewGuid().ToString("N")[..12]}")).FullName;

    public void Dispose()
    {
        if (Directory.Exists(_folder))
        {
            Directory.Delete(_folder, recursive: true);
        }
    }

    [Fact]
    public async Task Start_initialises_once_reuses_a_running_cluster_and_survives_a_stale_pid_file()
    {
        var data = Path.Combine(_folder, "pgdata");
        var first = await EmbeddedPostgres.StartAsync(new EmbeddedPostgresOptions { DataDirectory = data, Port = 0, Database = "app", ServerSettings = TestPostgres.ThrowawayServerSettings });
        await AssertServesAsync(first.ConnectionString, "app");

        // A second start on the running folder (a host restarted after a crash) attaches to it instead of failing.
        var second = await EmbeddedPostgres.StartAsync(new EmbeddedPostgresOptions { DataDirectory = data, Port = 0, Database = "app", ServerSettings = TestPostgres.ThrowawayServerSettings });
        Assert.Equal(first.Port, second.Port);

        await second.StopAsync();
        await first.StopAsync(); // already stopped by the other handle: not an error
        await Assert.ThrowsAnyAsync<NpgsqlException>(() => OpenAsync(first.ConnectionString));

        // A process killed with SIGKILL leaves postmaster.pid behind; its pid is dead by now.
        File.WriteAllLines(Path.Combine(data, "postmaster.pid"), [DeadPid().ToString(), data, "0", first.Port.ToString(), data, "127.0.0.1", "0 0", "ready"]);
        var third = await EmbeddedPostgres.StartAsync(new EmbeddedPostgresOptions { DataDirectory = data, Database = "app", ServerSettings = TestPostgres.ThrowawayServerSettings });
        try
        {
            Assert.Equal(first.Port, third.Port); // the port is remembered in the folder
            await AssertServesAsync(third.ConnectionString, "app");
        }
        finally
        {
            await third.StopAsync();
        }
    }

    [Fact]
    public async Task Start_without_binaries_names_the_Debian_package_to_install()
    {
        var empty = Directory.CreateDirectory(Path.Combine(_folder, "bin")).FullName;

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => EmbeddedPostgres.StartAsync(
            new EmbeddedPostgresOptions { DataDirectory = Path.Combine(_folder, "pgdata"), BinDirectory = empty }));

        Assert.Contains("apt-get install -y postgresql", error.Message, StringComparison.Ordinal);
        Assert.False(Directory.Exists(Path.Combine(_folder, "pgdata")));
    }

    [Fact]
    [SupportedOSPlatform("linux")]
    public async Task Start_as_root_in_a_folder_the_postgres_user_cannot_enter_names_that_folder()
    {
        var closed = Directory.CreateDirectory(Path.Combine(_folder, "closed")).FullName;
        File.SetUnixFileMode(closed, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        var options = new EmbeddedPostgresOptions { DataDirectory = Path.Combine(closed, "pgdata"), Port = 0 };

        if (Environment.IsPrivilegedProcess)
        {
            var error = await Assert.ThrowsAsync<InvalidOperationException>(() => EmbeddedPostgres.StartAsync(options));
            Assert.Contains($"cannot enter {closed}.", error.Message, StringComparison.Ordinal);
        }
        else
        {
            // Without root the server runs as the folder's owner, for whom mode 0700 is no obstacle.
            await (await EmbeddedPostgres.StartAsync(options)).StopAsync();
        }
    }

    [Fact]
    public async Task A_host_without_a_connection_string_runs_an_embedded_cluster_until_it_stops()
    {
        var builder = Microsoft.Extensions.Hosting.Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings { ContentRootPath = _folder });
        builder.Configuration.AddInMemoryCollection([new("Postgres:Embedded:Port", "0")]);

        var cluster = await builder.UseEmbeddedPostgresWhenUnconfiguredAsync();

        Assert.NotNull(cluster);
        Assert.Equal(Path.Combine(_folder, ".outreachos", "pgdata"), cluster.DataDirectory);
        var connectionString = builder.Configuration[EmbeddedPostgresHosting.ConnectionStringKey];
        Assert.Equal(cluster.ConnectionString, connectionString);
        using var host = builder.Build();
        await host.StartAsync();
        await AssertServesAsync(connectionString!, "outreachos");

        await host.StopAsync();

        await Assert.ThrowsAnyAsync<NpgsqlException>(() => OpenAsync(connectionString!));
    }

    [Fact]
    public async Task A_host_with_a_connection_string_starts_nothing()
    {
        var builder = Microsoft.Extensions.Hosting.Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings { ContentRootPath = _folder });
        builder.Configuration.AddInMemoryCollection([new(EmbeddedPostgresHosting.ConnectionStringKey, "Host=db.example;Database=x")]);

        var cluster = await builder.UseEmbeddedPostgresWhenUnconfiguredAsync();

        Assert.Null(cluster);
        Assert.Equal("Host=db.example;Database=x", builder.Configuration[EmbeddedPostgresHosting.ConnectionStringKey]);
        Assert.False(Directory.Exists(Path.Combine(_folder, ".outreachos")));
    }

    private static async Task AssertServesAsync(string connectionString, string database)
    {
        await using var connection = await OpenAsync(connectionString);
        await using var command = new NpgsqlCommand("SELECT current_database()", connection);
        Assert.Equal(database, await command.ExecuteScalarAsync());
    }

    private static async Task<NpgsqlConnection> OpenAsync(string connectionString)
    {
        var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(connectionString) { Pooling = false, Timeout = 3 }.ConnectionString);
        await connection.OpenAsync();
        return connection;
    }

    private static int DeadPid()
    {
        using var process = Process.Start(new ProcessStartInfo("true") { UseShellExecute = false })!;
        process.WaitForExit();
        return process.Id;
    }
}
