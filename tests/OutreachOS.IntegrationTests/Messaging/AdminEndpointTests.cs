using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using MassTransit;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using OutreachOS.BuildingBlocks;
using OutreachOS.BuildingBlocks.EventStore;
using OutreachOS.BuildingBlocks.Messaging;
using OutreachOS.IntegrationTests.Infrastructure;

namespace OutreachOS.IntegrationTests.Messaging;

/// <summary>The admin endpoints, the probe and the health check on the in-memory transport (the embedded default).</summary>
public sealed class AdminEndpointTests
{
    private static readonly Guid Tenant = Guid.Parse("e0000000-0000-0000-0000-000000000001");
    private static readonly Guid OtherTenant = Guid.Parse("e0000000-0000-0000-0000-000000000002");

    private sealed class App : IAsyncDisposable
    {
        public required WebApplication Web { get; init; }
        public HttpClient Client => Web.GetTestClient();

        public HttpRequestMessage Request(HttpMethod method, string url, Guid? tenant, object? body = null)
        {
            var req = new HttpRequestMessage(method, url);
            if (tenant is { } t)
            {
                req.Headers.Add("X-Test-Tenant", t.ToString());
            }
            if (body is not null)
            {
                req.Content = JsonContent.Create(body);
            }
            return req;
        }

        public async ValueTask DisposeAsync()
        {
            await Web.StopAsync();
            await Web.DisposeAsync();
        }
    }

    private static async Task<App> StartAsync()
    {
        var cs = await TestPostgres.CreateDatabaseAsync("msgadm");
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { EnvironmentName = "Development" }); // validates DI scopes
        builder.WebHost.UseTestServer();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Messaging:Retry:Limit"] = "1",
            ["Messaging:Retry:IntervalMs"] = "10",
        });
        builder.Services.AddOutreachEventStore(cs, o => o.PollInterval = TimeSpan.FromMilliseconds(100));
        builder.Services.AddSingleton<TestProbe>();
        builder.Services.AddOutreachMessaging(builder.Configuration, x => x.AddConsumer<PoisonConsumer>().Endpoint(e => e.Name = "test-poison"));
        var web = builder.Build();
        // Stands in for the host's authentication, which puts the caller's tenant into HttpContext.Items.
        web.Use((ctx, next) =>
        {
            if (ctx.Request.Headers.TryGetValue("X-Test-Tenant", out var v))
            {
                ctx.Items[OutreachOS.BuildingBlocks.Web.TenancyHttpContextExtensions.TenantItemKey] = Guid.Parse(v.ToString());
            }
            return next(ctx);
        });
        web.MapMessagingAdmin();
        await web.Services.GetRequiredService<SchemaMigrator>().MigrateAsync();
        await web.StartAsync();
        await web.Services.GetRequiredService<IBusControl>().WaitForHealthStatus(BusHealthStatus.Healthy, TimeSpan.FromSeconds(30));
        return new App { Web = web };
    }

    private static async Task<JsonElement> JsonAsync(HttpResponseMessage response) =>
        JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.Clone();

    [Fact]
    public async Task A_probe_posted_over_http_is_relayed_and_handled_exactly_once_within_its_tenant()
    {
        await using var app = await StartAsync();
        var probeId = Guid.NewGuid();

        var anonymous = await app.Client.SendAsync(app.Request(HttpMethod.Post, "/admin/messaging/probe", null, new { probe_id = probeId }));
        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
        Assert.Equal("application/problem+json", anonymous.Content.Headers.ContentType?.MediaType);
        var bad = await app.Client.SendAsync(app.Request(HttpMethod.Post, "/admin/messaging/probe", Tenant, new { nope = 1 }));
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);

        var posted = await app.Client.SendAsync(app.Request(HttpMethod.Post, "/admin/messaging/probe", Tenant, new { probe_id = probeId }));
        Assert.Equal(HttpStatusCode.Accepted, posted.StatusCode);
        // Repeating the POST (a client retry) does not request a second probe.
        Assert.Equal(HttpStatusCode.Accepted, (await app.Client.SendAsync(app.Request(HttpMethod.Post, "/admin/messaging/probe", Tenant, new { probe_id = probeId }))).StatusCode);

        JsonElement status = default;
        await Eventually.TrueAsync(async () =>
        {
            status = await JsonAsync(await app.Client.SendAsync(app.Request(HttpMethod.Get, $"/admin/messaging/probe/{probeId}", Tenant)));
            return status.GetProperty("handled_count").GetInt64() >= 1;
        }, "probe handled");
        await Task.Delay(500);
        status = await JsonAsync(await app.Client.SendAsync(app.Request(HttpMethod.Get, $"/admin/messaging/probe/{probeId}", Tenant)));
        Assert.Equal(probeId, status.GetProperty("probe_id").GetGuid());
        Assert.True(status.GetProperty("requested").GetBoolean());
        Assert.Equal(1, status.GetProperty("handled_count").GetInt64());

        var foreign = await JsonAsync(await app.Client.SendAsync(app.Request(HttpMethod.Get, $"/admin/messaging/probe/{probeId}", OtherTenant)));
        Assert.False(foreign.GetProperty("requested").GetBoolean());
        Assert.Equal(0, foreign.GetProperty("handled_count").GetInt64());
        Assert.Equal(HttpStatusCode.Unauthorized, (await app.Client.SendAsync(app.Request(HttpMethod.Get, $"/admin/messaging/probe/{probeId}", null))).StatusCode);
    }

    [Fact]
    public async Task A_probe_id_used_by_one_organization_is_free_in_another()
    {
        // The probe's event id used to be the caller's probe id itself; event ids are unique across organizations, so
        // a caller could claim (or test for) an id another organization's event needed.
        await using var app = await StartAsync();
        var probeId = Guid.NewGuid();
        foreach (var tenant in new[] { Tenant, OtherTenant })
        {
            var posted = await app.Client.SendAsync(app.Request(HttpMethod.Post, "/admin/messaging/probe", tenant, new { probe_id = probeId }));
            Assert.Equal(HttpStatusCode.Accepted, posted.StatusCode);
        }
        foreach (var tenant in new[] { Tenant, OtherTenant })
        {
            await Eventually.TrueAsync(async () =>
                (await JsonAsync(await app.Client.SendAsync(app.Request(HttpMethod.Get, $"/admin/messaging/probe/{probeId}", tenant))))
                    .GetProperty("handled_count").GetInt64() == 1, "probe handled in each organization");
        }
        var ids = new List<Guid>();
        foreach (var tenant in new[] { Tenant, OtherTenant })
        {
            var stream = await app.Web.Services.GetRequiredService<IEventStore>().ReadStreamAsync(tenant, MessagingProbe.RequestStream(probeId));
            ids.Add(Assert.Single(stream).EventId);
        }
        Assert.DoesNotContain(probeId, ids);
        Assert.NotEqual(ids[0], ids[1]);
    }

    [Fact]
    public async Task Dead_letters_are_listed_and_redriven_only_within_the_callers_tenant()
    {
        await using var app = await StartAsync();
        var probe = app.Web.Services.GetRequiredService<TestProbe>();
        var bus = app.Web.Services.GetRequiredService<IBus>();
        var messageId = Guid.NewGuid();
        await bus.Publish(new PoisonCommand(Guid.NewGuid()), ctx =>
        {
            ctx.MessageId = messageId;
            ctx.Headers.Set(MessagingHeaders.TenantId, Tenant.ToString());
        });

        JsonElement items = default;
        await Eventually.TrueAsync(async () =>
        {
            items = (await JsonAsync(await app.Client.SendAsync(app.Request(HttpMethod.Get, "/admin/dead-letters", Tenant)))).GetProperty("items");
            return items.GetArrayLength() == 1;
        }, "dead letter listed");
        var row = items[0];
        Assert.Equal(2, row.GetProperty("attempts").GetInt32()); // Messaging:Retry:Limit = 1 → two attempts
        Assert.Equal(2, probe.AttemptsOf("poison"));
        Assert.Equal("test-poison", row.GetProperty("consumer").GetString());
        Assert.Equal(messageId, row.GetProperty("message_id").GetGuid());
        var id = row.GetProperty("id").GetGuid();

        var other = await JsonAsync(await app.Client.SendAsync(app.Request(HttpMethod.Get, "/admin/dead-letters", OtherTenant)));
        Assert.Equal(0, other.GetProperty("items").GetArrayLength());
        Assert.Equal(HttpStatusCode.NotFound, (await app.Client.SendAsync(app.Request(HttpMethod.Post, $"/admin/dead-letters/{id}/redrive", OtherTenant))).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await app.Client.SendAsync(app.Request(HttpMethod.Get, "/admin/dead-letters", null))).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await app.Client.SendAsync(app.Request(HttpMethod.Post, $"/admin/dead-letters/{id}/redrive", null))).StatusCode);
        Assert.Equal(2, probe.AttemptsOf("poison"));

        probe.Faulty = false;
        Assert.Equal(HttpStatusCode.Accepted, (await app.Client.SendAsync(app.Request(HttpMethod.Post, $"/admin/dead-letters/{id}/redrive", Tenant))).StatusCode);
        var ds = app.Web.Services.GetRequiredService<Npgsql.NpgsqlDataSource>();
        await Eventually.TrueAsync(() => InboxTransaction.IsProcessedAsync(ds, "test-poison", messageId), "processed after redrive");
        Assert.Single(await app.Web.Services.GetRequiredService<IEventStore>().ReadStreamAsync(Tenant, "poison-effects"));
        var pending = await JsonAsync(await app.Client.SendAsync(app.Request(HttpMethod.Get, "/admin/dead-letters", Tenant)));
        Assert.Equal(0, pending.GetProperty("items").GetArrayLength());
        var all = await JsonAsync(await app.Client.SendAsync(app.Request(HttpMethod.Get, "/admin/dead-letters?pending=false", Tenant)));
        Assert.Equal(1, all.GetProperty("items")[0].GetProperty("redrive_count").GetInt32());
    }

    [Fact]
    public async Task The_bus_health_check_is_registered_under_the_ready_tag_and_reports_healthy()
    {
        await using var app = await StartAsync();
        var health = app.Web.Services.GetRequiredService<HealthCheckService>();
        var report = await health.CheckHealthAsync(r => r.Tags.Contains("ready"));
        var bus = Assert.Single(report.Entries, e => e.Key == "masstransit-bus");
        Assert.Equal(HealthStatus.Healthy, bus.Value.Status);
    }
}
