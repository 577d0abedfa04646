using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using OutreachOS.Host.Organizations;

namespace OutreachOS.IntegrationTests.Api;

/// <summary>
/// The API key cache (ADR 0009, addendum) answers repeated requests without a database read and still lets a revocation
/// take effect: at once on the host that revoked, and through PostgreSQL's notification on every other host.
/// </summary>
public sealed class ApiKeyCacheTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(15);

    private static ApiKeyCache CacheOf(OutreachApp app) => app.Services.GetRequiredService<ApiKeyCache>();

    private static async Task ListeningAsync(OutreachApp app)
    {
        var cache = CacheOf(app);
        var deadline = DateTime.UtcNow + Patience;
        while (!cache.Active)
        {
            Assert.True(DateTime.UtcNow < deadline, "the API key cache's listener did not connect");
            await Task.Delay(20);
        }
    }

    /// <summary>The process id of the host's LISTEN connection (one per host; the test's other host has its own).</summary>
    private static async Task<int[]> ListenersAsync(string connectionString)
    {
        await using var db = await new NpgsqlConnection(connectionString).OpenAndReturnAsync();
        await using var cmd = new NpgsqlCommand(
            $"SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND query = 'LISTEN {ApiKeyCache.Channel}' ORDER BY pid", db);
        var pids = new List<int>();
        await using var r = await cmd.ExecuteReaderAsync();
        while (await r.ReadAsync())
        {
            pids.Add(r.GetInt32(0));
        }
        return [.. pids];
    }

    /// <summary>Two requests with the key: the second must be answered from the host's cache.</summary>
    private static async Task UsedTwiceAsync(OutreachApp app, HttpClient client)
    {
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/organizations/me")).StatusCode);
        var hits = CacheOf(app).Hits;
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/organizations/me")).StatusCode);
        Assert.True(CacheOf(app).Hits > hits, "the second request with the same key was not answered from the cache");
    }

    [Fact]
    public async Task A_key_used_again_is_answered_from_the_cache_and_stops_working_as_soon_as_this_host_revokes_it()
    {
        await using var app = await OutreachApp.StartAsync();
        await ListeningAsync(app);
        var (admin, _, _) = await TestOrganizations.CreateAsync(app, "Cached");
        var (member, memberId, _) = await TestOrganizations.IssueKeyAsync(app, admin, """{"name":"sdr","role":"MEMBER"}""");

        await UsedTwiceAsync(app, member);

        Assert.Equal(HttpStatusCode.NoContent, (await admin.DeleteAsync($"/api-keys/{memberId}")).StatusCode);
        // No wait: the host that revoked forgot before it answered.
        var refused = await TestOrganizations.ProblemAsync(await member.GetAsync("/organizations/me"), HttpStatusCode.Unauthorized);
        Assert.Equal("The API key is unknown or revoked.", refused.GetProperty("detail").GetString());
    }

    [Fact]
    public async Task A_revocation_on_another_host_reaches_a_host_that_cached_the_key()
    {
        var connectionString = await Infrastructure.TestPostgres.CreateDatabaseAsync("keycache");
        await using var first = await OutreachApp.StartAsync(connectionString: connectionString);
        await using var second = await OutreachApp.StartAsync(connectionString: connectionString);
        await ListeningAsync(first);
        var (admin, _, _) = await TestOrganizations.CreateAsync(first, "Two hosts");
        var (member, memberId, _) = await TestOrganizations.IssueKeyAsync(first, admin, """{"name":"sdr","role":"MEMBER"}""");
        await UsedTwiceAsync(first, member);

        // The second host revokes; the first learns it from the notification, not from its entries' 60 s lifetime.
        var adminOnSecond = second.ClientWithKey(admin.DefaultRequestHeaders.Authorization!.Parameter);
        Assert.Equal(HttpStatusCode.NoContent, (await adminOnSecond.DeleteAsync($"/api-keys/{memberId}")).StatusCode);
        var deadline = DateTime.UtcNow + Patience;
        HttpStatusCode status;
        while ((status = (await member.GetAsync("/organizations/me")).StatusCode) == HttpStatusCode.OK)
        {
            Assert.True(DateTime.UtcNow < deadline, "the first host kept answering for a key revoked on the second");
            await Task.Delay(10);
        }
        Assert.Equal(HttpStatusCode.Unauthorized, status);
    }

    [Fact]
    public async Task A_lost_listener_connection_forgets_every_key_and_the_cache_comes_back_with_a_new_one()
    {
        await using var app = await OutreachApp.StartAsync(new Dictionary<string, string?> { ["Logging:LogLevel:Default"] = "Error" });
        await ListeningAsync(app);
        var client = app.ClientWithKey();
        await UsedTwiceAsync(app, client);
        Assert.True(CacheOf(app).Count > 0);
        var listener = Assert.Single(await ListenersAsync(app.ConnectionString));

        // Notifications sent while the connection is gone are lost: what the cache knew may be stale by the time it is back.
        await using (var db = await new NpgsqlConnection(app.ConnectionString).OpenAndReturnAsync())
        await using (var kill = new NpgsqlCommand("SELECT pg_terminate_backend(@pid)", db))
        {
            kill.Parameters.AddWithValue("pid", listener);
            Assert.True((bool)(await kill.ExecuteScalarAsync())!);
        }
        var deadline = DateTime.UtcNow + Patience;
        int[] now;
        while ((now = await ListenersAsync(app.ConnectionString)).Length == 0 || now[0] == listener || !CacheOf(app).Active)
        {
            Assert.True(DateTime.UtcNow < deadline, "the listener did not reconnect");
            await Task.Delay(20);
        }
        // The entry from before the failure is gone: the next request reads the table (a miss), the one after is a hit again.
        var hits = CacheOf(app).Hits;
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/organizations/me")).StatusCode);
        Assert.Equal(hits, CacheOf(app).Hits);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/organizations/me")).StatusCode);
        Assert.Equal(hits + 1, CacheOf(app).Hits);
    }

    [Fact]
    public async Task With_the_cache_off_every_request_reads_the_table()
    {
        await using var app = await OutreachApp.StartAsync(new Dictionary<string, string?> { ["Auth:KeyCache:Enabled"] = "false" });
        var client = app.ClientWithKey();
        for (var i = 0; i < 3; i++)
        {
            Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/organizations/me")).StatusCode);
        }
        Assert.Equal(0, CacheOf(app).Hits);
        Assert.False(CacheOf(app).Active);
        Assert.Empty(await ListenersAsync(app.ConnectionString));
    }
}
