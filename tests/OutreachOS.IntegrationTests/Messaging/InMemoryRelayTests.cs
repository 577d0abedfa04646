using MassTransit;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using OutreachOS.BuildingBlocks;
using OutreachOS.BuildingBlocks.EventStore;
using OutreachOS.BuildingBlocks.Messaging;

namespace OutreachOS.IntegrationTests.Messaging;

/// <summary>
/// The relay on the embedded (in-memory) transport and real PostgreSQL: its stored checkpoint never passes an integration
/// event that an endpoint it reached has not finished with (ADR 0003, addendum 2026-12-03).
/// </summary>
public sealed class InMemoryRelayTests
{
    private static readonly Guid Tenant = Guid.Parse("c0000000-0000-0000-0000-00000000e3b0");

    private static readonly Dictionary<string, string?> Settings = new()
    {
        // Messaging:Relay:UnsettledWarnAfter: short, so the held-back warning shows within the test.
        ["Messaging:Relay:UnsettledWarnAfter"] = "00:00:00.300",
    };

    // One endpoint holds deliveries of its type until the test opens the gate; another consumes every integration event
    // through the marker interface (a consumer of an interface, on a second endpoint).
    private static void GatedAndInterface(IBusRegistrationConfigurator x)
    {
        x.AddConsumer<GatedConsumer>().Endpoint(e => e.Name = "test-gated");
        x.AddConsumer<AnyIntegrationEventConsumer>().Endpoint(e => e.Name = "test-any-integration-event");
    }

    /// <summary>
    /// The relay tells integration events by the type their name is registered for: asking each event's Data deserialized
    /// every payload of the log (a request's prompts and model outputs) only to drop nearly all of them.
    /// </summary>
    [Fact]
    public async Task The_relay_tells_integration_events_by_their_registered_type_without_reading_a_payload()
    {
        await using var h = await MessagingHarness.StartAsync(null, null);
        var relay = h.Services.GetServices<OutreachOS.BuildingBlocks.Projections.ISubscription>().OfType<IntegrationEventRelay>().Single();
        var registry = h.Services.GetRequiredService<EventTypeRegistry>();
        var reads = 0;
        StoredEvent Read(string type) => new(1, 1, Guid.NewGuid(), Tenant, "s", 1, type, "{not json"u8.ToArray(), new Dictionary<string, string>(),
            DateTimeOffset.UtcNow, new byte[32], null, (_, _) =>
            {
                reads++;
                throw new System.Text.Json.JsonException("the payload was read");
            });

        Assert.True(relay.Handles(Read(registry.NameFor(typeof(GatedHappened)))));
        Assert.False(relay.Handles(Read(registry.NameFor(typeof(PlainTestHappened)))));
        Assert.False(relay.Handles(Read("never_registered.v1")));
        Assert.Equal(0, reads);
    }

    [Fact]
    public async Task The_stored_checkpoint_stays_before_an_event_a_slow_endpoint_has_not_finished_while_the_relay_publishes_later_events()
    {
        var logs = new HeldBackWarningTests.CapturingLogs();
        var cs = await Infrastructure.TestPostgres.CreateDatabaseAsync("inmem");
        var gate = new Gate();
        await using var h = await MessagingHarness.StartAsync(cs, null, GatedAndInterface, s =>
        {
            s.AddEventTypes(typeof(GatedHappened), typeof(UnconsumedHappened));
            s.AddSingleton(gate);
            s.AddSingleton<ILoggerProvider>(logs);
        }, Settings);
        try
        {
            // One append, one relay batch: an event only the interface consumer takes, then one the gated endpoint holds.
            var before = EventToAppend.Create(new RelayTestHappened("held", 0));
            var held = EventToAppend.Create(new GatedHappened(1));
            await h.Store.AppendAsync(Tenant, "held", "test", ExpectedVersion.NoStream, [before, held]);
            await Eventually.TrueAsync(() => Task.FromResult(gate.Entered > 0), "the gated consumer holding the event");

            // The position is written up to the event before the held one, and not past it.
            await Eventually.TrueAsync(() => RelayCheckpoint.IsPastAsync(cs, before.EventId), "relay checkpoint past the event before the held one",
                TimeSpan.FromSeconds(30));
            Assert.False(await RelayCheckpoint.IsPastAsync(cs, held.EventId), "the checkpoint passed an event the gated endpoint has not finished");

            // The relay keeps publishing: later events reach their consumer meanwhile, and nobody's event is finished at once.
            var later = EventToAppend.Create(new RelayTestHappened("later", 2));
            var nobody = EventToAppend.Create(new UnconsumedHappened(3));
            await h.Store.AppendAsync(Tenant, "later", "test", ExpectedVersion.Any, [later]);
            await h.Store.AppendAsync(Tenant, "nobody", "test", ExpectedVersion.Any, [nobody]);
            var any = h.Services.GetRequiredService<TestProbe>();
            await Eventually.TrueAsync(() => Task.FromResult(any.AttemptsOf("any:" + later.EventId) == 1), "the later event consumed while the held one waits");
            Assert.False(await RelayCheckpoint.IsPastAsync(cs, held.EventId));

            // An operator learns what holds it back.
            await Eventually.TrueAsync(() => Task.FromResult(logs.Warnings.Any(w => w.Contains(held.EventId.ToString(), StringComparison.Ordinal))),
                "a warning naming the held event");
            var warning = logs.Warnings.First(w => w.Contains(held.EventId.ToString(), StringComparison.Ordinal));
            Assert.Contains("GatedHappened", warning, StringComparison.Ordinal);
            Assert.Contains("test-gated", warning, StringComparison.Ordinal);

            // Finished: the position moves past everything.
            gate.Open();
            await Eventually.TrueAsync(() => RelayCheckpoint.IsPastAsync(cs, nobody.EventId), "relay checkpoint past the last event", TimeSpan.FromSeconds(30));
            Assert.Equal(0, h.Services.GetRequiredService<DeliveryLedger>().Tracked);
            // Every queue the events reached belongs to an endpoint that reports (none was left out of the count).
            Assert.DoesNotContain(logs.Warnings, w => w.Contains("does not report", StringComparison.Ordinal) || w.Contains("routes by key", StringComparison.Ordinal));
        }
        finally
        {
            gate.Open();
        }
    }

    [Fact]
    public async Task An_event_that_fails_every_attempt_holds_the_checkpoint_until_it_is_recorded_as_a_dead_letter()
    {
        var cs = await Infrastructure.TestPostgres.CreateDatabaseAsync("inmem");
        await using var h = await MessagingHarness.StartAsync(cs, null, x => x.AddConsumer<AlwaysFailingConsumer>().Endpoint(e => e.Name = "test-always-failing"),
            s => s.AddEventTypes(typeof(FailingHappened)));

        var failing = EventToAppend.Create(new FailingHappened(1));
        await h.Store.AppendAsync(Tenant, "failing", "test", ExpectedVersion.NoStream, [failing]);

        await Eventually.TrueAsync(() => RelayCheckpoint.IsPastAsync(cs, failing.EventId), "relay checkpoint past the dead-lettered event", TimeSpan.FromSeconds(30));
        Assert.Equal(1, await h.ScalarAsync("SELECT count(*) FROM oos.dead_letters WHERE message_id = @m AND consumer = 'test-always-failing'",
            ("m", failing.EventId)));
        Assert.Equal(3, h.Services.GetRequiredService<TestProbe>().AttemptsOf("always-failing")); // Messaging:Retry:Limit = 2 in the harness
    }

    [Fact]
    public async Task A_graceful_stop_drains_the_queues_and_writes_the_position_past_everything_published()
    {
        var cs = await Infrastructure.TestPostgres.CreateDatabaseAsync("inmem");
        var gate = new Gate();
        EventToAppend last;
        await using (var h = await MessagingHarness.StartAsync(cs, null, GatedAndInterface, s =>
        {
            s.AddEventTypes(typeof(GatedHappened));
            s.AddSingleton(gate);
        }))
        {
            last = EventToAppend.Create(new GatedHappened(1));
            await h.Store.AppendAsync(Tenant, "stopping", "test", ExpectedVersion.NoStream, [last]);
            await Eventually.TrueAsync(() => Task.FromResult(gate.Entered > 0), "the gated consumer holding the event");
            // Published on commit: wait for the relay to read it too, or the stop could come before the relay reached it.
            await Eventually.TrueAsync(() => Task.FromResult(h.Services.GetRequiredService<DeliveryLedger>().Unsettled == 1), "the relay covering the event");
            Assert.False(await RelayCheckpoint.IsPastAsync(cs, last.EventId));
            gate.Open(); // the consumer finishes while the host stops
        }

        Assert.True(await RelayCheckpoint.IsPastAsync(cs, last.EventId), "the relay's position at stop covers the event consumed during the stop");
    }

    [Fact]
    public async Task A_relay_rebuild_commits_each_batch_only_once_its_events_are_finished_and_leaves_no_bookkeeping_behind()
    {
        var cs = await Infrastructure.TestPostgres.CreateDatabaseAsync("inmem");
        var gate = new Gate();
        // No daemon: the rebuild takes the relay's lock, as the CLI does with the host stopped; here the bus runs.
        await using var h = await MessagingHarness.StartAsync(cs, null, GatedAndInterface, s =>
        {
            s.AddEventTypes(typeof(GatedHappened));
            s.AddSingleton(gate);
            s.Configure<BuildingBlocks.Projections.SubscriptionOptions>(o => o.Enabled = false);
        }, new Dictionary<string, string?> { ["Messaging:Relay:PublishOnCommit"] = "false" });
        var first = EventToAppend.Create(new RelayTestHappened("rebuild", 1));
        var held = EventToAppend.Create(new GatedHappened(2));
        await h.Store.AppendAsync(Tenant, "rebuild", "test", ExpectedVersion.NoStream, [first, held]);

        var rebuild = h.Engine.RebuildAsync(IntegrationEventRelay.SubscriptionName, null, TimeSpan.FromSeconds(10));
        try
        {
            await Eventually.TrueAsync(() => Task.FromResult(gate.Entered > 0), "the gated consumer holding the event");
            var any = h.Services.GetRequiredService<TestProbe>();
            await Eventually.TrueAsync(() => Task.FromResult(any.AttemptsOf("any:" + held.EventId) == 1), "the other endpoint done with it");
            Assert.False(rebuild.IsCompleted);
            Assert.False(await RelayCheckpoint.IsPastAsync(cs, held.EventId), "the rebuild committed a batch an endpoint has not finished");
        }
        finally
        {
            gate.Open();
        }

        Assert.Equal(2, await rebuild);
        Assert.True(await RelayCheckpoint.IsPastAsync(cs, held.EventId));
        Assert.Equal(0, h.Services.GetRequiredService<DeliveryLedger>().Tracked);
    }
}

public sealed record GatedHappened(int N) : IIntegrationEvent;

public sealed record UnconsumedHappened(int N) : IIntegrationEvent;

public sealed record FailingHappened(int N) : IIntegrationEvent;

/// <summary>Holds every delivery until <see cref="Open"/>.</summary>
internal sealed class Gate
{
    private readonly TaskCompletionSource _open = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _entered;

    public int Entered => Volatile.Read(ref _entered);

    public void Open() => _open.TrySetResult();

    public async Task PassAsync(CancellationToken ct)
    {
        Interlocked.Increment(ref _entered);
        await _open.Task.WaitAsync(ct);
    }
}

internal sealed class GatedConsumer(Gate gate) : IConsumer<GatedHappened>
{
    public Task Consume(ConsumeContext<GatedHappened> context) => gate.PassAsync(context.CancellationToken);
}

/// <summary>Consumes every integration event through the marker interface; counts each delivery by message id.</summary>
internal sealed class AnyIntegrationEventConsumer(TestProbe probe) : IConsumer<IIntegrationEvent>
{
    public Task Consume(ConsumeContext<IIntegrationEvent> context)
    {
        probe.Attempt("any:" + context.MessageId);
        return Task.CompletedTask;
    }
}

internal sealed class AlwaysFailingConsumer(TestProbe probe) : IConsumer<FailingHappened>
{
    public Task Consume(ConsumeContext<FailingHappened> context)
    {
        probe.Attempt("always-failing");
        throw new InvalidOperationException("always failing: a consumer bug");
    }
}

/// <summary>
/// <c>Messaging:Relay:MaxUnsettled</c> bounds what sits unfinished in the in-memory queues — what a crash would make the
/// next host publish again — on both paths: the relay's batches and the publication on commit.
/// </summary>
public sealed class InMemoryRelayBackPressureTests
{
    private static readonly Guid Tenant = Guid.Parse("c0000000-0000-0000-0000-00000000e3b1");

    [Theory]
    [InlineData(true)]
    [InlineData(false)] // the relay alone: one batch of eight is published in pieces
    public async Task No_more_than_MaxUnsettled_events_are_published_while_a_consumer_holds_them_and_the_rest_follow_once_it_lets_go(bool publishOnCommit)
    {
        const int max = 3;
        var cs = await Infrastructure.TestPostgres.CreateDatabaseAsync("inmem");
        var gate = new Gate();
        await using var h = await MessagingHarness.StartAsync(cs, null,
            x => x.AddConsumer<RecordingGatedConsumer>().Endpoint(e => e.Name = "test-gated-bounded"),
            s =>
            {
                s.AddEventTypes(typeof(GatedHappened));
                s.AddSingleton(gate);
                s.AddSingleton<ReceivedIds>();
            },
            new Dictionary<string, string?>
            {
                ["Messaging:Relay:MaxUnsettled"] = max.ToString(System.Globalization.CultureInfo.InvariantCulture),
                ["Messaging:Relay:PublishOnCommit"] = publishOnCommit ? "true" : "false",
            });
        var ledger = h.Services.GetRequiredService<DeliveryLedger>();
        var received = h.Services.GetRequiredService<ReceivedIds>();
        try
        {
            // Each event opens its own stream, so each is also offered to the publication on commit; and one append of
            // several streams' worth would be one relay batch larger than the bound.
            var events = Enumerable.Range(0, 8).Select(i => EventToAppend.Create(new GatedHappened(i))).ToList();
            foreach (var (e, i) in events.Select((e, i) => (e, i)))
            {
                await h.Store.AppendAsync(Tenant, $"bounded-{i}", "test", ExpectedVersion.NoStream, [e]);
            }

            try
            {
                await Eventually.TrueAsync(() => Task.FromResult(gate.Entered >= 1 && ledger.Occupied >= max), "as many events unfinished as allowed");
            }
            catch (TimeoutException e)
            {
                throw new TimeoutException($"{e.Message}: entered {gate.Entered}, occupied {ledger.Occupied}, tracked {ledger.Tracked}, unsettled {ledger.Unsettled}");
            }
            // The relay has read all eight (the log is short) and waits for room: however long we watch, nothing more is published.
            for (var i = 0; i < 15; i++)
            {
                await Task.Delay(100);
                Assert.True(received.Distinct <= max, $"{received.Distinct} events ({gate.Entered} deliveries) reached the held consumer with MaxUnsettled = {max}");
                Assert.True(ledger.Occupied <= max, $"{ledger.Occupied} events unfinished in memory with MaxUnsettled = {max}");
            }

            gate.Open();
            await Eventually.TrueAsync(() => RelayCheckpoint.IsPastAsync(cs, events[^1].EventId), "relay checkpoint past the last event", TimeSpan.FromSeconds(30));
            Assert.Equal(events.Count, gate.Entered);
            Assert.Equal(0, ledger.Tracked);
        }
        finally
        {
            gate.Open();
        }
    }
}

internal sealed class ReceivedIds
{
    private readonly System.Collections.Concurrent.ConcurrentDictionary<Guid, int> _ids = new();

    public int Distinct => _ids.Count;

    public void Add(Guid? id) => _ids.AddOrUpdate(id ?? Guid.Empty, 1, (_, n) => n + 1);
}

/// <summary>Records each delivery's message id, then holds it until the gate opens.</summary>
internal sealed class RecordingGatedConsumer(Gate gate, ReceivedIds received) : IConsumer<GatedHappened>
{
    public Task Consume(ConsumeContext<GatedHappened> context)
    {
        received.Add(context.MessageId);
        return gate.PassAsync(context.CancellationToken);
    }
}
