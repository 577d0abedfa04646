using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using OutreachOS.BuildingBlocks;
using OutreachOS.BuildingBlocks.EventStore;
using OutreachOS.Ingestion;
using OutreachOS.Ingestion.Contracts;
using OutreachOS.Ingestion.Mailbox;
using OutreachOS.Ingestion.Subscribing;
using OutreachOS.IntegrationTests.Credits;

namespace OutreachOS.IntegrationTests.Ingestion.Subscriptions;

/// <summary>
/// One "host" of the Ingestion module without HTTP: the real event store on a PostgreSQL database, the module's real
/// registrations, a clock the test moves. Two harnesses on the same database are two hosts.
/// </summary>
internal sealed class SubscriptionHarness : IAsyncDisposable
{
    public static readonly Guid Org = Guid.Parse("00000000-0000-7000-8000-0000000005b5");

    private SubscriptionHarness(ServiceProvider services) => Services = services;

    public ServiceProvider Services { get; }

    public MailboxSubscriptionRenewer Renewer => Services.GetRequiredService<MailboxSubscriptionRenewer>();

    public IEventStore Store => Services.GetRequiredService<IEventStore>();

    public IMailboxAdapter Gmail => Services.GetServices<IMailboxAdapter>().Single(a => a.Source == InboundSource.Gmail);

    public static Dictionary<string, string?> Settings(SubscriptionStub stub) => new()
    {
        ["Ingestion:Gmail:BaseUrl"] = new Uri(stub.BaseUrl, "gmail-api/").ToString(),
        ["Ingestion:Gmail:ServiceAccountEmail"] = "push@acme-project.iam.gserviceaccount.com",
        ["Ingestion:Graph:BaseUrl"] = new Uri(stub.BaseUrl, "graph/v1.0/").ToString(),
        ["Ingestion:Graph:AccessToken"] = SubscriptionStub.GraphToken,
    };

    public static async Task<SubscriptionHarness> CreateAsync(string connectionString, TimeProvider clock, IDictionary<string, string?> settings)
    {
        var config = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        var services = new ServiceCollection();
        services.AddSingleton(clock); // before the store, whose TryAdd keeps it
        services.AddOutreachEventStore(connectionString);
        services.AddIngestionModule(config);
        var provider = services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true });
        await provider.GetRequiredService<SchemaMigrator>().MigrateAsync();
        return new SubscriptionHarness(provider);
    }

    public async Task<IReadOnlyList<object>> EventsAsync(string streamId) =>
        [.. (await Store.ReadStreamAsync(Org, streamId)).Select(e => e.Data!)];

    public async Task<string?> CursorAsync(string mailbox)
    {
        await using var cmd = Services.GetRequiredService<NpgsqlDataSource>().CreateCommand(
            "SELECT cursor FROM oos.ingestion_mailbox_cursors WHERE tenant_id = $1 AND source = 'GMAIL' AND mailbox = $2");
        cmd.Parameters.Add(new NpgsqlParameter { Value = Org });
        cmd.Parameters.Add(new NpgsqlParameter { Value = mailbox });
        return (string?)await cmd.ExecuteScalarAsync();
    }

    public async Task<IReadOnlyList<string>> GraphSubscriptionRowsAsync()
    {
        await using var cmd = Services.GetRequiredService<NpgsqlDataSource>().CreateCommand(
            "SELECT subscription_id FROM oos.ingestion_graph_subscriptions WHERE tenant_id = $1 ORDER BY subscription_id");
        cmd.Parameters.Add(new NpgsqlParameter { Value = Org });
        var ids = new List<string>();
        await using var reader = await cmd.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            ids.Add(reader.GetString(0));
        }
        return ids;
    }

    public async ValueTask DisposeAsync() => await Services.DisposeAsync();
}

/// <summary>Settings builders for the tests.</summary>
internal static class SubscriptionSettings
{
    public static Dictionary<string, string?> WithGmailMailbox(this Dictionary<string, string?> s, int n, string email, string? refreshToken)
    {
        s[$"Ingestion:Gmail:Mailboxes:{n}:EmailAddress"] = email;
        s[$"Ingestion:Gmail:Mailboxes:{n}:OrganizationId"] = SubscriptionHarness.Org.ToString();
        if (refreshToken is not null)
        {
            s[$"Ingestion:Gmail:Mailboxes:{n}:OAuth:RefreshToken"] = refreshToken;
        }
        return s;
    }

    public static Dictionary<string, string?> WithGraphMailbox(this Dictionary<string, string?> s, int n, string userId)
    {
        s[$"Ingestion:Graph:Mailboxes:{n}:UserId"] = userId;
        s[$"Ingestion:Graph:Mailboxes:{n}:OrganizationId"] = SubscriptionHarness.Org.ToString();
        return s;
    }

    public static Dictionary<string, string?> With(this Dictionary<string, string?> s, string key, string? value)
    {
        s[key] = value;
        return s;
    }
}

/// <summary>The test clock shared by hosts and the stub.</summary>
internal static class Clocks
{
    public static readonly DateTimeOffset T0 = new(2026, 11, 22, 8, 0, 0, TimeSpan.Zero);

    public static TestClock New() => new(T0);
}
