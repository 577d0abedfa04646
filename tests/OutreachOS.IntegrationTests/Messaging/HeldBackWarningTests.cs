using System.Collections.Concurrent;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Npgsql;
using OutreachOS.BuildingBlocks.EventStore;
using OutreachOS.BuildingBlocks.Messaging;
using OutreachOS.BuildingBlocks.Projections;
using OutreachOS.IntegrationTests.Infrastructure;

namespace OutreachOS.IntegrationTests.Messaging;

/// <summary>
/// An open transaction holds back every reader of the log (relay, projections). After a while the daemon names it in a
/// warning, so an operator can find and end it, and delivery resumes once it ends.
/// </summary>
public sealed class HeldBackWarningTests
{
    private static readonly Guid Tenant = Guid.Parse("00000000-0000-7000-8000-00000000b10c");

    [Fact]
    public async Task Events_held_back_too_long_name_the_blocking_transaction_and_flow_again_when_it_ends()
    {
        var logs = new CapturingLogs();
        var connectionString = await TestPostgres.CreateDatabaseAsync("heldback");
        await using var h = await MessagingHarness.StartAsync(connectionString, null, services: s =>
        {
            s.Configure<SubscriptionOptions>(o => o.HeldBackWarnAfter = TimeSpan.FromMilliseconds(300));
            s.AddSingleton<ILoggerProvider>(logs);
        });

        // A session that wrote something and stays open (idle in transaction), under a name an operator would look for.
        await using var blocker = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(connectionString) { ApplicationName = "forgotten-report" }.ConnectionString);
        await blocker.OpenAsync();
        await using var tx = await blocker.BeginTransactionAsync();
        await using (var xid = new NpgsqlCommand("SELECT pg_current_xact_id()", blocker, tx))
        {
            await xid.ExecuteScalarAsync();
        }
        int pid;
        await using (var cmd = new NpgsqlCommand("SELECT pg_backend_pid()", blocker, tx))
        {
            pid = (int)(await cmd.ExecuteScalarAsync())!;
        }

        await h.Store.AppendAsync(Tenant, "after-the-blocker", "test", ExpectedVersion.NoStream, [EventToAppend.Create(new PlainTestHappened(1))]);

        await Eventually.TrueAsync(() => Task.FromResult(logs.Warnings.Any(w => w.Contains("forgotten-report", StringComparison.Ordinal))),
            "a warning naming the blocking session", TimeSpan.FromSeconds(30));
        var warning = logs.Warnings.First(w => w.Contains("forgotten-report", StringComparison.Ordinal));
        Assert.Contains($"pid {pid}", warning, StringComparison.Ordinal);
        Assert.Contains("state idle in transaction", warning, StringComparison.Ordinal);
        Assert.Contains("held back for", warning, StringComparison.Ordinal);

        // Once it ends, the readers catch up on what it held back.
        await tx.RollbackAsync();
        await h.Engine.WaitForCatchUpAsync(IntegrationEventRelay.SubscriptionName, TimeSpan.FromSeconds(30));
    }

    /// <summary>
    /// Held back for longer than the re-check's doubling can count (it overflowed <see cref="TimeSpan"/> after about 50
    /// re-checks, 2.5 s at the default 50 ms cap), the runners keep waiting without an error and warn when due. Before, every
    /// runner threw, released its lock and started again, and the warning (its clock restarted by each crash) never came.
    /// </summary>
    [Fact]
    public async Task Runners_held_back_past_fifty_re_checks_keep_waiting_and_still_warn()
    {
        var logs = new CapturingLogs();
        var connectionString = await TestPostgres.CreateDatabaseAsync("heldback_long");
        await using var h = await MessagingHarness.StartAsync(connectionString, null, services: s =>
        {
            s.Configure<SubscriptionOptions>(o => o.HeldBackWarnAfter = TimeSpan.FromSeconds(5));
            s.AddSingleton<ILoggerProvider>(logs);
        });
        await using var blocker = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(connectionString) { ApplicationName = "long-report" }.ConnectionString);
        await blocker.OpenAsync();
        await using var tx = await blocker.BeginTransactionAsync();
        await using (var xid = new NpgsqlCommand("SELECT pg_current_xact_id()", blocker, tx))
        {
            await xid.ExecuteScalarAsync();
        }
        await h.Store.AppendAsync(Tenant, "held-long", "test", ExpectedVersion.NoStream, [EventToAppend.Create(new PlainTestHappened(1))]);

        await Eventually.TrueAsync(() => Task.FromResult(logs.Warnings.Any(w => w.Contains("long-report", StringComparison.Ordinal))),
            "a warning naming the blocking session after 5 s", TimeSpan.FromSeconds(40));
        Assert.DoesNotContain(logs.Warnings, w => w.Contains("failed", StringComparison.OrdinalIgnoreCase));
        await tx.RollbackAsync();
        await h.Engine.WaitForCatchUpAsync(IntegrationEventRelay.SubscriptionName, TimeSpan.FromSeconds(30));
    }

    internal sealed class CapturingLogs : ILoggerProvider
    {
        private readonly ConcurrentQueue<string> _warnings = new();

        public IReadOnlyList<string> Warnings => [.. _warnings];

        public ILogger CreateLogger(string categoryName) => new Logger(_warnings);

        public void Dispose()
        {
        }

        private sealed class Logger(ConcurrentQueue<string> warnings) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state)
                where TState : notnull => null;

            public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Warning;

            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
            {
                if (logLevel >= LogLevel.Warning)
                {
                    warnings.Enqueue(formatter(state, exception));
                }
            }
        }
    }
}
