using System.Collections.Concurrent;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using OutreachOS.BuildingBlocks;
using OutreachOS.BuildingBlocks.EventStore;
using OutreachOS.Credits;
using OutreachOS.Credits.Contracts;
using OutreachOS.Credits.Expiring;
using OutreachOS.IntegrationTests.Infrastructure;

namespace OutreachOS.IntegrationTests.Credits;

/// <summary>A clock the test moves by hand (period rollover, reservation expiry).</summary>
internal sealed class TestClock(DateTimeOffset now) : TimeProvider
{
    private long _ticks = now.UtcTicks;

    public override DateTimeOffset GetUtcNow() => new(Interlocked.Read(ref _ticks), TimeSpan.Zero);

    public void Set(DateTimeOffset at) => Interlocked.Exchange(ref _ticks, at.UtcTicks);

    public void Advance(TimeSpan by) => Interlocked.Add(ref _ticks, by.Ticks);
}

internal sealed class TestPlans : ICreditPlanSource
{
    public ConcurrentDictionary<Guid, string> Tiers { get; } = new();

    public ValueTask<string> GetTierAsync(Guid tenantId, CancellationToken ct) => ValueTask.FromResult(Tiers.GetValueOrDefault(tenantId, "FREE"));
}

/// <summary>The Credits module on the real event store and a fresh PostgreSQL database, without HTTP.</summary>
internal sealed class CreditsHarness : IAsyncDisposable
{
    public static readonly DateTimeOffset Start = new(2026, 11, 22, 9, 0, 0, TimeSpan.Zero);

    private CreditsHarness(ServiceProvider services, TestClock clock, TestPlans plans)
    {
        Services = services;
        Clock = clock;
        Plans = plans;
    }

    public ServiceProvider Services { get; }
    public TestClock Clock { get; }
    public TestPlans Plans { get; }
    public ICreditLedger Ledger => Services.GetRequiredService<ICreditLedger>();
    public IEventStore Store => Services.GetRequiredService<IEventStore>();
    public ReservationSweeper Sweeper => Services.GetRequiredService<ReservationSweeper>();

    public static async Task<CreditsHarness> CreateAsync(IDictionary<string, string?>? settings = null)
    {
        var connectionString = await TestPostgres.CreateDatabaseAsync("credits");
        var clock = new TestClock(Start);
        var plans = new TestPlans();
        var config = new ConfigurationBuilder().AddInMemoryCollection(settings ?? new Dictionary<string, string?>()).Build();
        var services = new ServiceCollection();
        services.AddSingleton<TimeProvider>(clock); // before the store, whose TryAdd keeps it
        services.AddSingleton<ICreditPlanSource>(plans);
        services.AddOutreachEventStore(connectionString);
        services.AddCreditsModule(config);
        services.AddEventTypes(typeof(EventStore.TestDeposited), typeof(EventStore.TestWithdrawn)); // callers' own events
        var provider = services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true });
        await provider.GetRequiredService<SchemaMigrator>().MigrateAsync();
        return new CreditsHarness(provider, clock, plans);
    }

    public async Task<long> ScalarAsync(string sql, params (string Name, object Value)[] parameters)
    {
        await using var cmd = Services.GetRequiredService<NpgsqlDataSource>().CreateCommand(sql);
        foreach (var (name, value) in parameters)
        {
            cmd.Parameters.AddWithValue(name, value);
        }
        return Convert.ToInt64(await cmd.ExecuteScalarAsync(), System.Globalization.CultureInfo.InvariantCulture);
    }

    public async Task<IReadOnlyList<object>> EventsAsync(Guid tenantId, string period) =>
        (await Store.ReadStreamAsync(tenantId, $"credits-{period}")).Select(e => e.Data!).ToList();

    public ValueTask DisposeAsync() => Services.DisposeAsync();
}
