using System.Collections.Concurrent;
using Npgsql;
using OutreachOS.BuildingBlocks.Postgres;

namespace OutreachOS.IntegrationTests.Infrastructure;

/// <summary>The shared LISTEN loop (subscription runners' wake-ups, the API key cache) on a real PostgreSQL connection.</summary>
public sealed class NotificationListenerTests
{
    private static async Task Until(Func<bool> condition, string what)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(15);
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, what);
            await Task.Delay(10);
        }
    }

    private static async Task NotifyAsync(NpgsqlDataSource db, string payload)
    {
        await using var cmd = db.CreateCommand("SELECT pg_notify('oos_listener_test', $1)");
        cmd.Parameters.AddWithValue(payload);
        await cmd.ExecuteNonQueryAsync();
    }

    private static async Task<int[]> ListenerPidsAsync(NpgsqlDataSource db)
    {
        await using var cmd = db.CreateCommand(
            "SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND query = 'LISTEN oos_listener_test'");
        var pids = new List<int>();
        await using var r = await cmd.ExecuteReaderAsync();
        while (await r.ReadAsync())
        {
            pids.Add(r.GetInt32(0));
        }
        return [.. pids];
    }

    [Fact]
    public async Task Notifications_arrive_across_probes_and_a_killed_connection_is_replaced_and_announced_again()
    {
        await using var db = NpgsqlDataSource.Create(await TestPostgres.CreateDatabaseAsync("listener"));
        var received = new ConcurrentQueue<string>();
        var listening = 0;
        var failures = 0;
        using var stop = new CancellationTokenSource();
        var run = NotificationListener.RunAsync(db, ["oos_listener_test"], e => received.Enqueue(e.Payload),
            () => Interlocked.Increment(ref listening), (_, _) => Interlocked.Increment(ref failures), TimeSpan.FromMilliseconds(50), stop.Token);

        await Until(() => Volatile.Read(ref listening) == 1, "the first LISTEN did not run");
        await Task.Delay(300); // several idle probes: the connection keeps listening through them
        await NotifyAsync(db, "one");
        await Until(() => received.Contains("one"), "a notification after the probes did not arrive");
        var pid = Assert.Single(await ListenerPidsAsync(db)); // the probe repeats the LISTEN, so the session still shows it

        // The server ends the session: the loop reports the failure, connects again and says it listens again.
        await using (var kill = db.CreateCommand("SELECT pg_terminate_backend($1)"))
        {
            kill.Parameters.AddWithValue(pid);
            await kill.ExecuteNonQueryAsync();
        }
        await Until(() => Volatile.Read(ref failures) >= 1 && Volatile.Read(ref listening) >= 2, "the killed connection was not replaced");
        await NotifyAsync(db, "two");
        await Until(() => received.Contains("two"), "a notification after the reconnection did not arrive");
        Assert.NotEqual(pid, Assert.Single(await ListenerPidsAsync(db)));

        await stop.CancelAsync();
        await run; // ends quietly when cancelled
        Assert.Equal(1, Volatile.Read(ref failures));
    }
}
