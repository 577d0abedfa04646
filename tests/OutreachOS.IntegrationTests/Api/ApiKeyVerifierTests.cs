using System.Net;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Npgsql;
using OutreachOS.BuildingBlocks.EventStore;
using OutreachOS.Host.Organizations;

namespace OutreachOS.IntegrationTests.Api;

/// <summary>
/// What the event log and the key table keep of an API key must not let anyone who reads them guess the key offline
/// (ADR 0009 addendum). The bootstrap key is chosen by an operator and may be short, and a VIEWER key of the platform
/// organization can read the platform organization's stream.
/// </summary>
public sealed class ApiKeyVerifierTests
{
    private static string Sha256Hex(string key) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(key)));

    /// <summary>The key id that the first versions derived from the key: a truncated, unsalted SHA-256 of it.</summary>
    private static Guid LegacyKeyId(Guid organizationId, string key)
    {
        var bytes = SHA256.HashData(Encoding.UTF8.GetBytes($"{organizationId:N}:{key}"));
        bytes[6] = (byte)((bytes[6] & 0x0F) | 0x80);
        bytes[8] = (byte)((bytes[8] & 0x3F) | 0x80);
        return new Guid(bytes.AsSpan(0, 16), bigEndian: true);
    }

    [Fact]
    public async Task A_viewer_reading_the_platform_stream_finds_no_hash_id_or_prefix_derived_from_the_bootstrap_key()
    {
        await using var app = await OutreachApp.StartAsync();
        var (viewer, _, _) = await TestOrganizations.IssueKeyAsync(app, app.ClientWithKey(), """{"name":"wall screen","role":"VIEWER"}""");
        var platform = BootstrapOrganization.PlatformOrganizationId;

        var response = await viewer.GetAsync($"/audit/streams/{OrganizationStreams.For(platform)}");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var audit = await response.Content.ReadAsStringAsync();
        Assert.Contains("api_key_issued", audit, StringComparison.Ordinal); // the key's issue is there
        Assert.DoesNotContain(Sha256Hex(OutreachApp.BootstrapKey), audit, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain(LegacyKeyId(platform, OutreachApp.BootstrapKey).ToString(), audit, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain(OutreachApp.BootstrapKey[..6], audit, StringComparison.Ordinal);

        // Nor does the key table, which a dump or a replica shows.
        await using var db = await new NpgsqlConnection(app.ConnectionString).OpenAndReturnAsync();
        await using var cmd = new NpgsqlCommand("SELECT string_agg(row_to_json(k)::text, ' ') FROM oos.api_keys k", db);
        var rows = (string)(await cmd.ExecuteScalarAsync())!;
        Assert.DoesNotContain(Sha256Hex(OutreachApp.BootstrapKey), rows, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain(OutreachApp.BootstrapKey[..6], rows, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_bootstrap_key_issued_with_a_keyed_hash_is_found_again_at_the_next_start_and_not_warned_about()
    {
        var connectionString = await Infrastructure.TestPostgres.CreateDatabaseAsync("rekeyed");
        await using (var first = await OutreachApp.StartAsync(connectionString: connectionString))
        {
            Assert.Equal(HttpStatusCode.OK, (await first.ClientWithKey().GetAsync("/organizations/me")).StatusCode);
        }
        var logs = new BootstrapWarnings();
        await using var app = await OutreachApp.StartAsync(connectionString: connectionString, services: s => s.AddSingleton<ILoggerProvider>(logs));
        Assert.Equal(HttpStatusCode.OK, (await app.ClientWithKey().GetAsync("/organizations/me")).StatusCode);
        Assert.Single((await HostTests.JsonAsync(await app.ClientWithKey().GetAsync("/api-keys"))).EnumerateArray());
        Assert.DoesNotContain(logs.Messages, m => m.Contains("unsalted SHA-256", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_generated_key_leaves_no_unsalted_hash_in_its_issue_event_and_still_authenticates()
    {
        await using var app = await OutreachApp.StartAsync();
        var (admin, org, _) = await TestOrganizations.CreateAsync(app, "Hashed");
        var (member, _, created) = await TestOrganizations.IssueKeyAsync(app, admin, """{"name":"crm sync"}""");
        var secret = created.GetProperty("key").GetString()!;

        var audit = await admin.GetStringAsync($"/audit/streams/{OrganizationStreams.For(org)}");
        Assert.DoesNotContain(Sha256Hex(secret), audit, StringComparison.OrdinalIgnoreCase);
        Assert.Contains(created.GetProperty("prefix").GetString()!, audit, StringComparison.Ordinal); // generated keys keep their prefix
        Assert.Equal(HttpStatusCode.OK, (await member.GetAsync("/organizations/me")).StatusCode);
    }

    [Fact]
    public async Task Keys_issued_before_the_change_still_authenticate_and_the_bootstrap_key_is_not_issued_twice()
    {
        // A deployment written by the first versions: the platform organization with its bootstrap key, and a generated
        // key, both issued as api_key_issued.v1 with the unsalted SHA-256.
        var connectionString = await Infrastructure.TestPostgres.CreateDatabaseAsync("legacykeys");
        var platform = BootstrapOrganization.PlatformOrganizationId;
        var generated = ApiKeys.Generate();
        await using (var old = await OutreachApp.StartAsync(new Dictionary<string, string?> { ["Auth:BootstrapApiKey"] = null }, connectionString))
        {
            var store = old.Services.GetRequiredService<IEventStore>();
            var at = DateTimeOffset.UtcNow;
            await store.AppendAsync(platform, OrganizationStreams.For(platform), OrganizationStreams.Type, ExpectedVersion.NoStream,
            [
                EventToAppend.Create(new OrganizationCreated(platform, "Default organization", Tier.Enterprise, true, at)),
                new EventToAppend(LegacyKeyId(platform, OutreachApp.BootstrapKey), new ApiKeyIssued(LegacyKeyId(platform, OutreachApp.BootstrapKey), platform,
                    "default", OutreachApp.BootstrapKey[..12], Sha256Hex(OutreachApp.BootstrapKey), at, ApiKeyRole.Admin)),
                new EventToAppend(LegacyKeyId(platform, generated), new ApiKeyIssued(LegacyKeyId(platform, generated), platform,
                    "integration", generated[..12], Sha256Hex(generated), at, ApiKeyRole.Member)),
            ], CancellationToken.None);
        }

        var logs = new BootstrapWarnings();
        await using var app = await OutreachApp.StartAsync(connectionString: connectionString, services: s => s.AddSingleton<ILoggerProvider>(logs));
        // The operator is told that the old key's hash is readable and how to replace it.
        Assert.Contains(logs.Messages, m => m.Contains("unsalted SHA-256", StringComparison.Ordinal) && m.Contains("Auth__BootstrapApiKey", StringComparison.Ordinal));
        Assert.Equal(HttpStatusCode.OK, (await app.ClientWithKey().GetAsync("/organizations/me")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await app.ClientWithKey(generated).GetAsync("/organizations/me")).StatusCode);
        var keys = await HostTests.JsonAsync(await app.ClientWithKey().GetAsync("/api-keys"));
        Assert.Equal(2, keys.GetArrayLength()); // the configured bootstrap key was found in its old form, not issued again
        Assert.Equal(HttpStatusCode.Unauthorized, (await app.ClientWithKey(OutreachApp.BootstrapKey + "x").GetAsync("/organizations/me")).StatusCode);
    }
}

/// <summary>Warnings of the bootstrap logger.</summary>
internal sealed class BootstrapWarnings : ILoggerProvider
{
    private readonly System.Collections.Concurrent.ConcurrentQueue<string> _messages = new();

    public IReadOnlyList<string> Messages => [.. _messages];

    public ILogger CreateLogger(string categoryName) => categoryName == "OutreachOS.Bootstrap" ? new Logger(_messages) : Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance;

    public void Dispose()
    {
    }

    private sealed class Logger(System.Collections.Concurrent.ConcurrentQueue<string> messages) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Warning;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (logLevel >= LogLevel.Warning)
            {
                messages.Enqueue(formatter(state, exception));
            }
        }
    }
}

internal static class NpgsqlConnectionExtensions
{
    public static async Task<NpgsqlConnection> OpenAndReturnAsync(this NpgsqlConnection connection)
    {
        await connection.OpenAsync();
        return connection;
    }
}
