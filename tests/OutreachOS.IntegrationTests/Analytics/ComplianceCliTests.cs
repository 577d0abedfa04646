using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using OutreachOS.Analytics.Contracts;
using OutreachOS.BuildingBlocks.Projections;
using OutreachOS.Host.Cli;
using OutreachOS.IntegrationTests.Api;
using OutreachOS.IntegrationTests.Generation;

namespace OutreachOS.IntegrationTests.Analytics;

/// <summary>The CLI verbs write to the process console, which these tests capture: they must not run beside other tests.</summary>
[CollectionDefinition(nameof(ConsoleCapture), DisableParallelization = true)]
public sealed class ConsoleCapture;

[Collection(nameof(ConsoleCapture))]
public sealed class ComplianceCliTests
{
    internal static async Task<(int Exit, string Output)> RunAsync(OutreachApp app, params string[] args)
    {
        var cli = CliVerbs.TryParse(args) ?? throw new InvalidOperationException("not a CLI verb");
        var previous = Console.Out;
        var previousError = Console.Error;
        using var output = new StringWriter(CultureInfo.InvariantCulture);
        Console.SetOut(output);
        Console.SetError(output);
        try
        {
            return (await cli.RunAsync(app.Services), output.ToString());
        }
        finally
        {
            Console.SetOut(previous);
            Console.SetError(previousError);
        }
    }

    /// <summary>A real personalization (offline model) in a new organization: Generation and Credits append their own events.</summary>
    private static async Task<(Guid Org, Guid RequestId)> PersonalizeAsync(OutreachApp app)
    {
        using var created = await app.ClientWithKey().PostAsJsonAsync("/organizations", new { name = $"cli-{Guid.NewGuid():N}", tier = "PRO" });
        var body = JsonNode.Parse(await created.Content.ReadAsStringAsync())!;
        var client = app.ClientWithKey(body["api_key"]!["key"]!.GetValue<string>());
        var (status, json) = await GenerationApi.PostAsync(client, "/personalize", GenerationApi.Body());
        Assert.Equal(HttpStatusCode.OK, status);
        return (body["organization"]!["id"]!.GetValue<Guid>(), json["request_id"]!.GetValue<Guid>());
    }

    [Fact]
    public async Task Audit_export_of_an_inbound_stream_holds_the_inbound_view_rebuilt_from_its_events()
    {
        await using var app = await OutreachApp.StartAsync();
        var client = app.ClientWithKey();
        using var posted = await client.PostAsJsonAsync("/ingest/email", new
        {
            message_id = $"<{Guid.NewGuid():N}@customer.test>",
            from = new { email = "dana@customer.test", name = "Dana" },
            to = new[] { "support@acme.test" },
            subject = "Pricing question",
            text = "Hello, what does the team plan cost per seat? Call me at 415 555 0134.",
            received_at = "2026-11-20T10:00:00Z",
        });
        Assert.Equal(HttpStatusCode.Accepted, posted.StatusCode);
        var inboundId = JsonNode.Parse(await posted.Content.ReadAsStringAsync())!["inbound_id"]!.GetValue<Guid>();
        JsonNode? live = null;
        for (var i = 0; i < 200 && live?["decision"] is null; i++)
        {
            await Task.Delay(100);
            live = JsonNode.Parse(await client.GetStringAsync($"/inbound/{inboundId}"));
        }
        Assert.NotNull(live?["decision"]);

        var file = Path.Combine(Path.GetTempPath(), $"export-{Guid.NewGuid():N}.json");
        try
        {
            var (exit, output) = await RunAsync(app, "audit", "export", "--stream", $"inbound-{inboundId:D}", "--out", file);
            Assert.True(exit == 0, output);
            var export = JsonNode.Parse(await File.ReadAllTextAsync(file))!;
            var view = export["read_models"]!["inbound_view"]!;
            Assert.Equal(inboundId, view["inbound_id"]!.GetValue<Guid>());
            Assert.Equal("Pricing question", view["message"]!["subject"]!.GetValue<string>());
            // Rebuilt from the exported events alone, it shows the same decision as the live endpoint did.
            Assert.Equal(live!["decision"]!["path"]!.GetValue<string>(), view["decision"]!["path"]!.GetValue<string>());
            Assert.Equal(export["events"]!.AsArray().Count, view["events"]!.AsArray().Count);
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact]
    public async Task Audit_export_holds_events_hashes_verification_and_the_read_models_rebuilt_from_them()
    {
        await using var app = await OutreachApp.StartAsync();
        var (org, requestId) = await PersonalizeAsync(app);
        var stream = $"personalization-{requestId:N}";
        var file = Path.Combine(Path.GetTempPath(), $"export-{Guid.NewGuid():N}.json");
        try
        {
            var (exit, output) = await RunAsync(app, "audit", "export", "--stream", stream, "--out", file); // --org found from the stream
            Assert.True(exit == 0, output);
            var export = JsonNode.Parse(await File.ReadAllTextAsync(file))!;
            Assert.Equal(org, export["organization_id"]!.GetValue<Guid>());
            Assert.True(export["verification"]!["valid"]!.GetValue<bool>());
            var events = export["events"]!.AsArray();
            Assert.Equal("personalization_requested.v1", events[0]!["type"]!.GetValue<string>());
            Assert.All(events, e => Assert.Equal(64, e!["hash"]!.GetValue<string>().Length));

            var models = export["read_models"]!;
            var record = models["personalization_record"]!;
            Assert.Equal(requestId, record["request_id"]!.GetValue<Guid>());
            Assert.Equal(events.Count, record["version"]!.GetValue<int>());
            var kpis = models["analytics_kpis"]!;
            Assert.Equal(1, kpis["outbound"]![0]!["counters"]!["Requests"]!.GetValue<int>());
            Assert.Equal(3, kpis["outbound"]![0]!["counters"]!["Variants"]!.GetValue<int>());
            Assert.Equal("generation", kpis["models"]![0]!["module"]!.GetValue<string>());

            // The credit ledger stream of that organization folds into its ledger state.
            var ledger = $"credits-{DateTimeOffset.UtcNow:yyyy-MM}";
            (exit, output) = await RunAsync(app, "audit", "export", "--org", org.ToString(), "--stream", ledger, "--out", file);
            Assert.True(exit == 0, output);
            var credit = JsonNode.Parse(await File.ReadAllTextAsync(file))!["read_models"]!;
            Assert.Equal(3, credit["credit_ledger"]!["consumed"]!.GetValue<int>());
            Assert.Equal(3, credit["analytics_kpis"]!["credits"]![0]!["consumed"]!.GetValue<int>());
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact]
    public async Task Audit_verify_finds_a_tampered_event_and_export_reports_the_broken_chain()
    {
        await using var app = await OutreachApp.StartAsync();
        var (org, requestId) = await PersonalizeAsync(app);
        var stream = $"personalization-{requestId:N}";

        var (exit, output) = await RunAsync(app, "audit", "verify", "--stream", stream);
        Assert.Equal(0, exit);
        Assert.Contains("1 valid, 0 broken", output, StringComparison.Ordinal);
        (exit, output) = await RunAsync(app, "audit", "verify", "--all");
        Assert.Equal(0, exit);

        await using (var cmd = app.Services.GetRequiredService<NpgsqlDataSource>().CreateCommand(
            "UPDATE oos.events SET data = jsonb_set(data, '{at}', '\"2020-01-01T00:00:00Z\"') WHERE tenant_id = @t AND stream_id = @s AND version = 2"))
        {
            cmd.Parameters.AddWithValue("t", org);
            cmd.Parameters.AddWithValue("s", stream);
            Assert.Equal(1, await cmd.ExecuteNonQueryAsync());
        }
        (exit, output) = await RunAsync(app, "audit", "verify", "--org", org.ToString(), "--stream", stream);
        Assert.Equal(1, exit);
        Assert.Contains("first broken version 2", output, StringComparison.Ordinal);
        (exit, _) = await RunAsync(app, "audit", "verify", "--all");
        Assert.Equal(1, exit);

        var file = Path.Combine(Path.GetTempPath(), $"export-{Guid.NewGuid():N}.json");
        try
        {
            (exit, _) = await RunAsync(app, "audit", "export", "--stream", stream, "--out", file);
            Assert.Equal(1, exit);
            var verification = JsonNode.Parse(await File.ReadAllTextAsync(file))!["verification"]!;
            Assert.False(verification["valid"]!.GetValue<bool>());
            Assert.Equal(2, verification["first_broken_version"]!.GetValue<int>());
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact]
    public async Task Projections_rebuild_reports_progress_and_reproduces_the_live_kpis()
    {
        var app = await OutreachApp.StartAsync(new Dictionary<string, string?> { ["Messaging:Relay:Enabled"] = "false" });
        var (org, _) = await PersonalizeAsync(app);
        await app.Services.GetRequiredService<SubscriptionEngine>().WaitForCatchUpAsync(KpiProjectionNames.Kpis, TimeSpan.FromSeconds(60));
        var today = DateTimeOffset.UtcNow.Date;
        var range = KpiRange.Create(today, today.AddDays(1));
        var live = await app.Services.GetRequiredService<IKpiQueries>().OutboundAsync(org, range, null);
        Assert.Equal((1, 3), (live.Requests, live.Variants));
        Assert.NotNull(live.FirstPassRate);
        Assert.True(live.CostUsd >= 0);
        Assert.Equal(3, (await app.Services.GetRequiredService<IKpiQueries>().CreditsTrendAsync(org, range))[0].Consumed);
        await app.DisposeAsync(); // the service stops; the operator runs the CLI (a process without background runners)

        await using var cliApp = await OutreachApp.StartAsync(new Dictionary<string, string?> { ["Projections:Enabled"] = "false" }, app.ConnectionString);
        var (exit, output) = await RunAsync(cliApp, "projections", "rebuild", KpiProjectionNames.Kpis);
        Assert.True(exit == 0, output);
        Assert.Matches(@"rebuild analytics-kpis: \d+/\d+ events \(100%\)", output);
        Assert.Contains("rebuilt analytics-kpis", output, StringComparison.Ordinal);
        var rebuilt = await cliApp.Services.GetRequiredService<IKpiQueries>().OutboundAsync(org, range, null);
        Assert.Equal(live with { Days = [] }, rebuilt with { Days = [] });
        Assert.Equal(live.Days, rebuilt.Days);

        (exit, output) = await RunAsync(cliApp, "projections", "rebuild", "no-such-projection");
        Assert.Equal(2, exit);
        Assert.Contains("Unknown projection", output, StringComparison.Ordinal);

        // An event the projection stepped over (as the engine records it after ParkAfterFailures failures) is listed.
        await using (var park = cliApp.Services.GetRequiredService<Npgsql.NpgsqlDataSource>().CreateCommand("""
            INSERT INTO oos.parked_events (subscription, tx, seq, event_id, tenant_id, stream_id, event_type, error, attempts, parked_at)
            SELECT 'analytics-kpis', tx, seq, id, tenant_id, stream_id, type, 'System.InvalidOperationException: bad data', 5, now()
            FROM oos.events ORDER BY seq LIMIT 1
            """))
        {
            Assert.Equal(1, await park.ExecuteNonQueryAsync());
        }
        (exit, output) = await RunAsync(cliApp, "projections", "parked");
        Assert.True(exit == 0, output);
        Assert.Contains("analytics-kpis", output, StringComparison.Ordinal);
        Assert.Contains("System.InvalidOperationException: bad data", output, StringComparison.Ordinal);
        Assert.Contains("1 parked event(s)", output, StringComparison.Ordinal);
        (exit, output) = await RunAsync(cliApp, "projections", "status");
        Assert.Matches(@"analytics-kpis\s+checkpoint .* parked\s+1 ", output);
        (exit, output) = await RunAsync(cliApp, "projections", "parked", "contact-history-x");
        Assert.Equal(2, exit);
        (exit, output) = await RunAsync(cliApp, "projections", "rebuild", KpiProjectionNames.Kpis);
        Assert.True(exit == 0, output);
        (exit, output) = await RunAsync(cliApp, "projections", "parked", KpiProjectionNames.Kpis);
        Assert.Contains("no parked events", output, StringComparison.Ordinal);
    }
}
