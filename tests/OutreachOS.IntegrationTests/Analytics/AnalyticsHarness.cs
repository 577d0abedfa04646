using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using OutreachOS.Analytics;
using OutreachOS.Analytics.Contracts;
using OutreachOS.Credits;
using OutreachOS.Credits.Contracts;
using OutreachOS.IntegrationTests.EventStore;

namespace OutreachOS.IntegrationTests.Analytics;

/// <summary>Every organization is on the FREE plan (100 credits a month) in these tests.</summary>
internal sealed class FreePlan : ICreditPlanSource
{
    public ValueTask<string> GetTierAsync(Guid tenantId, CancellationToken ct) => ValueTask.FromResult("FREE");
}

/// <summary>The real event store and the Analytics module (projection + queries) on a fresh database; no other module.</summary>
internal static class AnalyticsHarness
{
    public static Task<EventStoreHarness> CreateAsync(string? connectionString = null) =>
        EventStoreHarness.CreateAsync(connectionString, s =>
        {
            s.AddAnalyticsModule(new ConfigurationBuilder().Build());
            s.AddSingleton<ICreditPlanSource, FreePlan>();
        }, o => o.PollInterval = TimeSpan.FromMilliseconds(50));

    /// <summary>
    /// The same plus the Credits module, whose ledger appends the events the credits trend reads, on a clock the test
    /// moves (the ledger takes its period from it); the sweeper is off so that no reservation is refunded behind the test.
    /// </summary>
    public static Task<EventStoreHarness> CreateWithLedgerAsync(TimeProvider clock) =>
        EventStoreHarness.CreateAsync(null, s =>
        {
            var config = new ConfigurationBuilder()
                .AddInMemoryCollection(new Dictionary<string, string?> { ["Credits:SweeperEnabled"] = "false" }).Build();
            s.Replace(ServiceDescriptor.Singleton(typeof(TimeProvider), clock));
            s.AddAnalyticsModule(config);
            s.AddCreditsModule(config);
            s.AddSingleton<ICreditPlanSource, FreePlan>();
        }, o => o.PollInterval = TimeSpan.FromMilliseconds(50));

    public static IKpiQueries Kpis(this EventStoreHarness h) => h.Services.GetRequiredService<IKpiQueries>();

    public static async Task StartAsync(this EventStoreHarness h)
    {
        foreach (var hosted in h.Services.GetServices<IHostedService>())
        {
            await hosted.StartAsync(CancellationToken.None);
        }
    }

    public static async Task StopAsync(this EventStoreHarness h)
    {
        foreach (var hosted in h.Services.GetServices<IHostedService>())
        {
            await hosted.StopAsync(CancellationToken.None);
        }
    }

    public static Task CatchUpAsync(this EventStoreHarness h) => h.Engine.WaitForCatchUpAsync(KpiProjectionNames.Kpis, TimeSpan.FromSeconds(60));

    /// <summary>All analytics rows of the database as ordered text, to compare a live projection with a rebuilt one.</summary>
    public static async Task<List<string>> SnapshotAsync(this EventStoreHarness h)
    {
        var rows = new List<string>();
        foreach (var table in new[] { "analytics_inbound_daily", "analytics_outbound_daily", "analytics_model_daily", "analytics_latency_daily", "analytics_latency_monthly", "analytics_credits_daily", "analytics_stream_state" })
        {
            // The alerts array keeps arrival order, which a rebuild reproduces exactly; text of the whole row compares every column.
            await using var cmd = h.DataSource.CreateCommand($"SELECT '{table}' || ':' || t::text FROM oos.{table} t ORDER BY t::text");
            await using var r = await cmd.ExecuteReaderAsync();
            while (await r.ReadAsync())
            {
                rows.Add(r.GetString(0));
            }
        }
        return rows;
    }
}
