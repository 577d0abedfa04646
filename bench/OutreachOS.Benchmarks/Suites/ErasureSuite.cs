using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Npgsql;

namespace OutreachOS.Benchmarks.Suites;

/// <summary>
/// <c>POST /privacy/erasures</c> (ADR 0030) on an organization with many inbound messages: the dry run (the search for
/// the address: a scan of the organization's payloads) and the erasure itself, through the real host, against a baseline
/// in the same database — reading every payload of the organization as text (<c>sum(length(data::text))</c>), the least
/// any search of the content must do.
/// </summary>
internal sealed class ErasureSuite(BenchPostgres postgres, Report report, bool quick)
{
    private const string Suite = "erasure";
    private const int EventsPerMessage = 5;
    private const int Addresses = 5_000;
    private const int Samples = 5;

    public async Task RunAsync()
    {
        var messages = quick ? 2_000 : 20_000;
        var cs = await postgres.CreateDatabaseAsync("erasure");
        Progress.Line("erasure: starting the host in-process (fresh database, migrations)");
        await using var app = new PersonalizeSuite.BenchHost(cs);
        using var client = app.CreateClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", PersonalizeSuite.BootstrapKey);
        var tenant = (await client.GetFromJsonAsync<JsonObject>("/organizations/me"))!["id"]!.GetValue<Guid>();

        Progress.Line($"erasure: loading {messages:N0} inbound messages × {EventsPerMessage} events (~1 KB each) from {Addresses:N0} addresses");
        await using var db = NpgsqlDataSource.Create(cs);
        NpgsqlParameter[] Parameters() =>
        [
            new() { Value = tenant }, new() { Value = messages }, new() { Value = EventsPerMessage }, new() { Value = Addresses },
        ];
        var streams = new NpgsqlBatchCommand("""
            INSERT INTO oos.streams (tenant_id, id, type, version, last_hash, created_at, updated_at)
            SELECT $1, 'inbound-' || md5(i::text)::uuid, 'inbound', $3, '\x00', now(), now() FROM generate_series(1, $2) i
            WHERE $4 > 0
            """);
        streams.Parameters.AddRange(Parameters());
        var rows = new NpgsqlBatchCommand("""
            INSERT INTO oos.events (id, tenant_id, stream_id, version, type, data, metadata, created_at, hash)
            SELECT gen_random_uuid(), $1, 'inbound-' || md5(i::text)::uuid, v, 'inbound_bench.v1',
                   jsonb_build_object('message', jsonb_build_object(
                       'from', jsonb_build_object('email', 'user' || (i % $4) || '@customer.test', 'name', 'User ' || i),
                       'subject', 'Question ' || i, 'text', repeat('Could you tell me more about the rollout plan? ', 18))),
                   '{}', now(), '\x00'
            FROM generate_series(1, $2) i, generate_series(1, $3) v
            """);
        rows.Parameters.AddRange(Parameters());
        await using (var load = db.CreateBatch())
        {
            load.BatchCommands.Add(streams);
            load.BatchCommands.Add(rows);
            load.BatchCommands.Add(new NpgsqlBatchCommand("ANALYZE oos.events"));
            load.Timeout = 600;
            await load.ExecuteNonQueryAsync();
        }
        var events = messages * EventsPerMessage;

        var baseline = new List<double>();
        var dryRuns = new List<double>();
        var erasures = new List<double>();
        var erased = 0;
        for (var i = 1; i <= Samples; i++)
        {
            var clock = Stopwatch.StartNew();
            await using (var scan = db.CreateCommand("SELECT sum(length(data::text)) FROM oos.events WHERE tenant_id = $1"))
            {
                scan.Parameters.Add(new NpgsqlParameter { Value = tenant });
                await scan.ExecuteScalarAsync();
            }
            baseline.Add(clock.Elapsed.TotalMilliseconds);

            var address = $"user{i * 7}@customer.test";
            clock.Restart();
            var dry = await EraseAsync(client, address, dryRun: true);
            dryRuns.Add(clock.Elapsed.TotalMilliseconds);
            clock.Restart();
            var done = await EraseAsync(client, address, dryRun: false);
            erasures.Add(clock.Elapsed.TotalMilliseconds);
            erased += done["events_erased"]!.GetValue<int>();
            if (dry["events_erased"]!.GetValue<int>() != done["events_erased"]!.GetValue<int>() || done["events_erased"]!.GetValue<int>() == 0)
            {
                throw new InvalidOperationException($"erasure of {address}: dry run predicted {dry["events_erased"]}, erased {done["events_erased"]}");
            }
            Progress.Line(string.Create(CultureInfo.InvariantCulture,
                $"erasure: sample {i}: payload scan {baseline[^1]:F0} ms, dry run {dryRuns[^1]:F0} ms, erasure {erasures[^1]:F0} ms ({done["events_erased"]} events of {done["streams"]!.AsArray().Count} messages)"));
        }

        report.Figure(Suite, "organization's events scanned", events, "", $"{messages:N0} inbound messages × {EventsPerMessage}");
        report.Figure(Suite, "baseline: read every payload as text, median", Stats.Median(baseline), "ms", "sum(length(data::text)) over the organization");
        report.Figure(Suite, "dry run (find the address), median", Stats.Median(dryRuns), "ms", "POST /privacy/erasures dry_run, through the host");
        report.Figure(Suite, "erasure (find, erase, clean, record, catch up), median", Stats.Median(erasures), "ms", "POST /privacy/erasures");
        report.Figure(Suite, "events erased per erasure", erased / (double)Samples, "", "each address is in messages/5,000 messages");
        report.Ratio(Suite, "dry run / baseline", Stats.Median(dryRuns) / Stats.Median(baseline));
        report.Ratio(Suite, "erasure / dry run", Stats.Median(erasures) / Stats.Median(dryRuns));
    }

    private static async Task<JsonObject> EraseAsync(HttpClient client, string address, bool dryRun)
    {
        using var response = await client.PostAsJsonAsync("/privacy/erasures", new { email = address, reason = "benchmark", dry_run = dryRun });
        var text = await response.Content.ReadAsStringAsync();
        if (!response.IsSuccessStatusCode)
        {
            throw new InvalidOperationException($"POST /privacy/erasures: {(int)response.StatusCode} {text}");
        }
        return JsonNode.Parse(text)!.AsObject();
    }
}
