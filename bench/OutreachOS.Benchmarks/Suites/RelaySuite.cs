using System.Diagnostics;
using System.Globalization;
using MassTransit;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Npgsql;
using OutreachOS.BuildingBlocks;
using OutreachOS.BuildingBlocks.EventStore;
using OutreachOS.BuildingBlocks.Messaging;
using OutreachOS.BuildingBlocks.Projections;
using RabbitMQ.Client;

namespace OutreachOS.Benchmarks.Suites;

/// <summary>
/// The integration relay (event log → MassTransit → RabbitMQ with publisher confirms) vs RabbitMQ.Client publishing the
/// same number of messages of the same size with confirms. Skipped when <c>OUTREACHOS_BENCH_RABBITMQ</c> is unset or
/// the broker does not answer.
/// </summary>
internal sealed class RelaySuite(BenchPostgres postgres, Report report, bool quick)
{
    public const string EnvironmentVariable = "OUTREACHOS_BENCH_RABBITMQ";
    private const string Suite = "relay";
    private static readonly Guid Tenant = Guid.Parse("b0000000-0000-0000-0000-00000000be03");

    public async Task RunAsync()
    {
        var uriText = Environment.GetEnvironmentVariable(EnvironmentVariable);
        if (string.IsNullOrWhiteSpace(uriText))
        {
            report.Note($"relay suite SKIPPED: {EnvironmentVariable} (amqp URI) is not set");
            return;
        }
        var uri = new Uri(uriText);
        var factory = new ConnectionFactory { Uri = uri, ClientProvidedName = "outreachos-bench" };
        IConnection rabbit;
        try
        {
            rabbit = await factory.CreateConnectionAsync();
        }
        catch (RabbitMQ.Client.Exceptions.BrokerUnreachableException e)
        {
            report.Note($"relay suite SKIPPED: RabbitMQ at {uri.Host}:{uri.Port} is not reachable ({e.InnerException?.Message ?? e.Message})");
            return;
        }
        await using var _ = rabbit;

        var count = quick ? 1_000 : 5_000;
        var suffix = Guid.NewGuid().ToString("N")[..8];
        var relaySink = $"bench-relay-sink-{suffix}";
        var rawExchange = $"bench-raw-{suffix}";
        var rawSink = $"bench-raw-sink-{suffix}";
        await using var admin = await rabbit.CreateChannelAsync();

        Progress.Line("relay: fresh database, host with AddOutreachMessaging on RabbitMQ (daemon off: the relay runs through RebuildAsync)");
        using var host = await StartHostAsync(uri);
        var store = host.Services.GetRequiredService<IEventStore>();
        var db = host.Services.GetRequiredService<NpgsqlDataSource>();
        var engine = host.Services.GetRequiredService<SubscriptionEngine>();
        try
        {
            // Warm-up: JIT, connections, and MassTransit declares the message type's exchange on first publish.
            await AppendAsync(store, 200, "warm");
            await engine.RebuildAsync(IntegrationEventRelay.SubscriptionName, null, TimeSpan.FromSeconds(10));
            var exchange = "OutreachOS.Benchmarks:" + nameof(BenchIntegrationHappened);
            await admin.QueueDeclareAsync(relaySink, durable: true, exclusive: false, autoDelete: false);
            await admin.QueueBindAsync(relaySink, exchange, "");

            await RawEvents.ExecAsync(db, "TRUNCATE oos.events, oos.streams RESTART IDENTITY");
            await AppendAsync(store, count, "run");
            Progress.Line($"relay: publishing {count:N0} integration events through the relay");
            var sw = Stopwatch.StartNew();
            var published = await engine.RebuildAsync(IntegrationEventRelay.SubscriptionName, null, TimeSpan.FromSeconds(10));
            sw.Stop();
            var relayRate = published / sw.Elapsed.TotalSeconds;
            var inQueue = (await admin.QueueDeclarePassiveAsync(relaySink)).MessageCount;
            if (inQueue != count)
            {
                throw new InvalidOperationException($"relay: {inQueue} messages reached the sink queue, expected {count}");
            }
            var sample = await admin.BasicGetAsync(relaySink, autoAck: true) ?? throw new InvalidOperationException("relay: no message to measure");
            var size = sample.Body.Length;
            await admin.QueuePurgeAsync(relaySink);
            Progress.Line(string.Create(CultureInfo.InvariantCulture, $"  relay: {sw.Elapsed.TotalSeconds:F2} s, {relayRate:N0} msg/s, message body {size} bytes"));

            await admin.ExchangeDeclareAsync(rawExchange, ExchangeType.Fanout, durable: true, autoDelete: false);
            await admin.QueueDeclareAsync(rawSink, durable: true, exclusive: false, autoDelete: false);
            await admin.QueueBindAsync(rawSink, rawExchange, "");
            var body = new byte[size];
            Random.Shared.NextBytes(body);
            await using var confirmed = await rabbit.CreateChannelAsync(new CreateChannelOptions(publisherConfirmationsEnabled: true, publisherConfirmationTrackingEnabled: true));
            await RawSequentialAsync(confirmed, rawExchange, body, 200); // warm-up
            await admin.QueuePurgeAsync(rawSink);

            Progress.Line($"relay: raw RabbitMQ.Client, {count:N0} persistent messages of {size} bytes, each confirmed before the next");
            sw.Restart();
            await RawSequentialAsync(confirmed, rawExchange, body, count);
            sw.Stop();
            var rawRate = count / sw.Elapsed.TotalSeconds;
            await ExpectAndPurgeAsync(admin, rawSink, count);

            Progress.Line($"relay: raw RabbitMQ.Client, {count:N0} messages with up to 256 confirms in flight (upper bound, for reference)");
            sw.Restart();
            await RawPipelinedAsync(confirmed, rawExchange, body, count, 256);
            sw.Stop();
            var pipelinedRate = count / sw.Elapsed.TotalSeconds;
            await ExpectAndPurgeAsync(admin, rawSink, count);

            report.Figure(Suite, "relay publish (log -> MassTransit -> RabbitMQ, confirms)", relayRate, "msg/s", $"n={count}, {size} B body, incl. reading the log");
            report.Figure(Suite, "raw RabbitMQ.Client, sequential confirms (baseline)", rawRate, "msg/s", $"n={count}, {size} B body");
            report.Figure(Suite, "raw RabbitMQ.Client, 256 confirms in flight", pipelinedRate, "msg/s", "reference: what batching confirms could reach");
            report.Ratio(Suite, "relay / raw sequential", relayRate / rawRate);
            report.Ratio(Suite, "relay / raw pipelined", relayRate / pipelinedRate);
        }
        finally
        {
            await admin.QueueDeleteAsync(relaySink);
            await admin.QueueDeleteAsync(rawSink);
            await admin.ExchangeDeleteAsync(rawExchange);
            using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(20));
            await host.StopAsync(stop.Token);
        }
    }

    private async Task<IHost> StartHostAsync(Uri uri)
    {
        var cs = await postgres.CreateDatabaseAsync("relay");
        var builder = Microsoft.Extensions.Hosting.Host.CreateApplicationBuilder();
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Messaging:Transport"] = "RabbitMQ",
            ["ConnectionStrings:RabbitMQ"] = uri.ToString(),
        });
        builder.Services.AddOutreachEventStore(cs, o => o.Enabled = false);
        builder.Services.AddEventTypes(typeof(BenchIntegrationHappened));
        builder.Services.AddOutreachMessaging(builder.Configuration);
        var host = builder.Build();
        await host.Services.GetRequiredService<SchemaMigrator>().MigrateAsync();
        await host.StartAsync();
        await host.Services.GetRequiredService<IBusControl>().WaitForHealthStatus(BusHealthStatus.Healthy, TimeSpan.FromSeconds(30));
        return host;
    }

    private static async Task AppendAsync(IEventStore store, int count, string prefix)
    {
        const int perStream = 100;
        for (var start = 0; start < count; start += 10_000)
        {
            var n = Math.Min(10_000, count - start);
            await store.AppendManyAsync(Enumerable.Range(0, (n + perStream - 1) / perStream).Select(s => new StreamAppend(Tenant,
                string.Create(CultureInfo.InvariantCulture, $"order-{prefix}-{start}-{s:D3}"), "bench", ExpectedVersion.NoStream,
                Enumerable.Range(0, Math.Min(perStream, n - (s * perStream))).Select(i => EventToAppend.Create(new BenchIntegrationHappened(
                    Guid.NewGuid(), "acc-" + s, i, "approved variant sent to the contact; credits settled; reply expected within 3 days"))).ToList())).ToList());
        }
    }

    private static async Task RawSequentialAsync(IChannel channel, string exchange, byte[] body, int count)
    {
        for (var i = 0; i < count; i++)
        {
            var props = new BasicProperties { Persistent = true, MessageId = Guid.NewGuid().ToString(), ContentType = "application/vnd.masstransit+json" };
            await channel.BasicPublishAsync(exchange, "", mandatory: false, props, body);
        }
    }

    private static async Task RawPipelinedAsync(IChannel channel, string exchange, byte[] body, int count, int inFlight)
    {
        for (var start = 0; start < count; start += inFlight)
        {
            var tasks = new List<Task>(inFlight);
            for (var i = start; i < Math.Min(count, start + inFlight); i++)
            {
                var props = new BasicProperties { Persistent = true, MessageId = Guid.NewGuid().ToString(), ContentType = "application/vnd.masstransit+json" };
                tasks.Add(channel.BasicPublishAsync(exchange, "", mandatory: false, props, body).AsTask());
            }
            await Task.WhenAll(tasks);
        }
    }

    private static async Task ExpectAndPurgeAsync(IChannel admin, string queue, int count)
    {
        var n = (await admin.QueueDeclarePassiveAsync(queue)).MessageCount;
        if (n != count)
        {
            throw new InvalidOperationException($"relay: {n} messages in {queue}, expected {count}");
        }
        await admin.QueuePurgeAsync(queue);
    }
}
