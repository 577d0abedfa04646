using MassTransit;
using Microsoft.Extensions.DependencyInjection;
using OutreachOS.BuildingBlocks;
using OutreachOS.BuildingBlocks.EventStore;
using OutreachOS.BuildingBlocks.Messaging;

namespace OutreachOS.IntegrationTests.Messaging;

/// <summary>The integration relay on real PostgreSQL and RabbitMQ.</summary>
public sealed class RelayTests
{
    private static readonly Guid Tenant = Guid.Parse("c0000000-0000-0000-0000-000000000001");

    private static void Recorder(IBusRegistrationConfigurator x) =>
        x.AddConsumer<RelayRecorderConsumer>().Endpoint(e =>
        {
            e.Name = "test-relay-recorder";
            e.ConcurrentMessageLimit = 1; // one at a time, so arrival order is publish order
        });

    private static void Effects(IBusRegistrationConfigurator x) =>
        x.AddConsumer<EffectConsumer>().Endpoint(e => e.Name = "test-effects");

    private static EventToAppend Happened(string stream, int n, IReadOnlyDictionary<string, string>? metadata = null) =>
        EventToAppend.Create(new RelayTestHappened(stream, n), metadata);

    [Fact]
    public async Task Committed_integration_events_are_published_in_log_order_per_stream_with_the_event_id_as_message_id_and_stream_headers()
    {
        await using var rabbit = await RabbitVhost.CreateAsync("relay-order");
        await using var h = await MessagingHarness.StartAsync(null, rabbit, Recorder);
        var correlation = Guid.NewGuid();
        var appended = new List<(Guid Id, string Stream, int N, long Version)>();
        for (var i = 0; i < 10; i++)
        {
            var stream = i % 2 == 0 ? "order-a" : "order-b";
            var e = Happened(stream, i, i == 3 ? new Dictionary<string, string> { ["correlation_id"] = correlation.ToString() } : null);
            // Interleave events that are not integration events: they must not reach the bus.
            var r = await h.Store.AppendAsync(Tenant, stream, "test", ExpectedVersion.Any, [EventToAppend.Create(new PlainTestHappened(i)), e]);
            appended.Add((e.EventId, stream, i, r.Version));
        }

        var probe = h.Services.GetRequiredService<TestProbe>();
        await Eventually.TrueAsync(() => Task.FromResult(probe.Deliveries.Count >= 10), "10 deliveries");
        await h.Engine.WaitForCatchUpAsync(IntegrationEventRelay.SubscriptionName, TimeSpan.FromSeconds(45));
        await Task.Delay(300); // anything extra (a duplicate, a plain event) would arrive now

        // Streams are published concurrently: the guarantee is log order within each stream, and each event exactly once.
        var arrived = probe.Deliveries.ToList();
        Assert.Equal(appended.Count, arrived.Count);
        foreach (var stream in new[] { "order-a", "order-b" })
        {
            Assert.Equal(appended.Where(a => a.Stream == stream).Select(a => a.N),
                arrived.Where(d => d.Headers[MessagingHeaders.StreamId] == stream).Select(d => d.Message.N));
        }
        var got = appended.Select(a => arrived.Single(d => d.MessageId == a.Id)).ToList();
        for (var i = 0; i < got.Count; i++)
        {
            Assert.Equal(appended[i].N, got[i].Message.N);
            Assert.Equal(Tenant.ToString(), got[i].Headers[MessagingHeaders.TenantId]);
            Assert.Equal(appended[i].Stream, got[i].Headers[MessagingHeaders.StreamId]);
            Assert.Equal(appended[i].Version.ToString(System.Globalization.CultureInfo.InvariantCulture), got[i].Headers[MessagingHeaders.StreamVersion]);
            Assert.Equal(nameof(RelayTestHappened), got[i].Headers[MessagingHeaders.EventType]);
        }
        Assert.Equal(correlation, got[3].CorrelationId);
        Assert.Null(got[2].CorrelationId);
    }

    [Fact]
    public async Task An_event_of_a_rolled_back_transaction_is_never_published_and_an_open_one_holds_later_events_back()
    {
        await using var rabbit = await RabbitVhost.CreateAsync("relay-rollback");
        // The relay alone: publication on commit would put the opening event of "kept" on the bus at once.
        await using var h = await MessagingHarness.StartAsync(null, rabbit, Recorder, settings: NoPublishOnCommit);
        var probe = h.Services.GetRequiredService<TestProbe>();

        await using (var conn = await h.DataSource.OpenConnectionAsync())
        await using (var tx = await conn.BeginTransactionAsync())
        {
            await h.Store.AppendManyAsync(tx, [new StreamAppend(Tenant, "doomed", "test", ExpectedVersion.Any, [Happened("doomed", 1)])]);
            await h.Store.AppendAsync(Tenant, "kept", "test", ExpectedVersion.Any, [Happened("kept", 2)]);
            await Task.Delay(800); // several relay polls while the older transaction is open
            Assert.Empty(probe.Deliveries);
            await tx.RollbackAsync();
        }

        await Eventually.TrueAsync(() => Task.FromResult(!probe.Deliveries.IsEmpty), "the committed event");
        await h.Engine.WaitForCatchUpAsync(IntegrationEventRelay.SubscriptionName, TimeSpan.FromSeconds(45));
        await Task.Delay(300);
        Assert.Equal([2], probe.Deliveries.Select(d => d.Message.N));
    }

    private static readonly Dictionary<string, string?> NoPublishOnCommit = new() { ["Messaging:Relay:PublishOnCommit"] = "false" };

    [Fact]
    public async Task A_stream_opening_event_is_published_on_commit_while_the_relay_is_held_back_and_the_relay_does_not_publish_it_again()
    {
        await using var rabbit = await RabbitVhost.CreateAsync("relay-on-commit");
        await using var h = await MessagingHarness.StartAsync(null, rabbit, Recorder);
        var probe = h.Services.GetRequiredService<TestProbe>();
        await Eventually.TrueAsync(() => Task.FromResult(h.Services.GetRequiredService<PublishOnCommit>().RelayActive), "the relay running here");

        await using (var conn = await h.DataSource.OpenConnectionAsync())
        await using (var tx = await conn.BeginTransactionAsync())
        {
            // An older open transaction with an id: the relay cannot read anything committed after it.
            await h.Store.AppendManyAsync(tx, [new StreamAppend(Tenant, "holder", "test", ExpectedVersion.Any, [EventToAppend.Create(new PlainTestHappened(0))])]);
            var opening = Happened("opened", 1);
            await h.Store.AppendAsync(Tenant, "opened", "test", ExpectedVersion.NoStream, [EventToAppend.Create(new PlainTestHappened(1)), opening]);
            // Not opening its stream: left to the relay, so it waits behind the open transaction.
            await h.Store.AppendAsync(Tenant, "opened", "test", ExpectedVersion.Exactly(2), [Happened("opened", 2)]);

            await Eventually.TrueAsync(() => Task.FromResult(!probe.Deliveries.IsEmpty), "the opening event on the bus while the relay is held back");
            await Task.Delay(300);
            var early = Assert.Single(probe.Deliveries);
            Assert.Equal(opening.EventId, early.MessageId);
            Assert.Equal("2", early.Headers[MessagingHeaders.StreamVersion]);
            await tx.CommitAsync();
        }

        await Eventually.TrueAsync(() => Task.FromResult(probe.Deliveries.Count >= 2), "the second event, by the relay");
        await h.Engine.WaitForCatchUpAsync(IntegrationEventRelay.SubscriptionName, TimeSpan.FromSeconds(45));
        await Task.Delay(300); // a second publication of the opening event would arrive now
        Assert.Equal([1, 2], probe.Deliveries.Select(d => d.Message.N));
        var onCommit = h.Services.GetRequiredService<PublishOnCommit>();
        Assert.Equal(1, onCommit.PublishedCount);
        Assert.Equal(0, onCommit.PendingCount); // the relay collected the outcome
    }

    [Fact]
    public async Task A_failed_publication_on_commit_is_left_to_the_relay_and_the_event_is_published_once()
    {
        await using var rabbit = await RabbitVhost.CreateAsync("relay-on-commit-fails");
        // A zero timeout cancels every publication on commit before it is sent.
        await using var h = await MessagingHarness.StartAsync(null, rabbit, Recorder,
            settings: new Dictionary<string, string?> { ["Messaging:Relay:PublishOnCommitTimeout"] = "00:00:00" });
        var probe = h.Services.GetRequiredService<TestProbe>();
        await Eventually.TrueAsync(() => Task.FromResult(h.Services.GetRequiredService<PublishOnCommit>().RelayActive), "the relay running here");

        var events = Enumerable.Range(1, 3).Select(i => Happened("failing", i)).ToList();
        await h.Store.AppendAsync(Tenant, "failing", "test", ExpectedVersion.NoStream, events);

        await Eventually.TrueAsync(() => Task.FromResult(probe.Deliveries.Count >= 3), "three deliveries");
        await h.Engine.WaitForCatchUpAsync(IntegrationEventRelay.SubscriptionName, TimeSpan.FromSeconds(45));
        await Task.Delay(300);
        Assert.Equal(events.Select(e => (Guid?)e.EventId), probe.Deliveries.Select(d => d.MessageId));
        Assert.Equal(0, h.Services.GetRequiredService<PublishOnCommit>().PublishedCount);
    }

    [Fact]
    public async Task A_restarted_relay_resumes_from_its_checkpoint_and_each_event_has_exactly_one_effect()
    {
        await using var rabbit = await RabbitVhost.CreateAsync("relay-restart");
        var cs = await Infrastructure.TestPostgres.CreateDatabaseAsync("msg");
        TestProbe firstProbe;
        await using (var first = await MessagingHarness.StartAsync(cs, rabbit, Effects))
        {
            await AppendOneByOneAsync(first.Store, "restart", 0, 5);
            await Eventually.TrueAsync(async () => await first.ScalarAsync("SELECT count(*) FROM oos.inbox WHERE consumer = 'test-effect'") == 5, "5 processed");
            await first.Engine.WaitForCatchUpAsync(IntegrationEventRelay.SubscriptionName, TimeSpan.FromSeconds(45));
            firstProbe = first.Services.GetRequiredService<TestProbe>();
        }
        // Appended while no relay runs.
        await using (var offline = await EventStore.EventStoreHarness.CreateAsync(cs, s => s.AddEventTypes(typeof(RelayTestHappened))))
        {
            await AppendOneByOneAsync(offline.Store, "restart", 5, 10);
        }

        await using var second = await MessagingHarness.StartAsync(cs, rabbit, Effects);
        await Eventually.TrueAsync(async () => await second.ScalarAsync("SELECT count(*) FROM oos.inbox WHERE consumer = 'test-effect'") == 10, "10 processed");
        await second.Engine.WaitForCatchUpAsync(IntegrationEventRelay.SubscriptionName, TimeSpan.FromSeconds(45));
        await Task.Delay(500);

        var effects = await second.Store.ReadStreamAsync(Tenant, "effects");
        Assert.Equal(Enumerable.Range(0, 10), effects.Select(e => e.As<TestEffect>().N).Order());
        // No re-publication after restart: the second process only ever saw the five new events.
        Assert.Equal(5, firstProbe.AttemptsOf("effect"));
        Assert.Equal(5, second.Services.GetRequiredService<TestProbe>().AttemptsOf("effect"));
    }

    [Fact]
    public async Task The_relay_writes_its_position_lazily_without_a_transaction_per_batch_and_when_it_stops()
    {
        await using var rabbit = await RabbitVhost.CreateAsync("relay-lazy");
        var cs = await Infrastructure.TestPostgres.CreateDatabaseAsync("msg");
        EventToAppend last;
        await using (var h = await MessagingHarness.StartAsync(cs, rabbit, Recorder))
        {
            var probe = h.Services.GetRequiredService<TestProbe>();
            var fifth = await AppendOneByOneAsync(h.Store, "lazy", 0, 5);
            await Eventually.TrueAsync(() => Task.FromResult(probe.Deliveries.Count >= 5), "5 deliveries");
            // Nothing else happens: the position reached is written within about a second.
            await Eventually.TrueAsync(() => RelayCheckpoint.IsPastAsync(cs, fifth.EventId), "relay checkpoint past the fifth event", TimeSpan.FromSeconds(10));

            last = Happened("lazy", 5);
            await h.Store.AppendAsync(Tenant, "lazy", "test", ExpectedVersion.Any, [last]);
            await Eventually.TrueAsync(() => Task.FromResult(probe.Deliveries.Count >= 6), "6 deliveries");
        } // stopped right after the publish: the stop writes the position

        Assert.True(await RelayCheckpoint.IsPastAsync(cs, last.EventId), "the relay's position at stop covers the last published event");
    }

    [Fact]
    public async Task A_disabled_relay_publishes_nothing()
    {
        await using var rabbit = await RabbitVhost.CreateAsync("relay-off");
        await using var h = await MessagingHarness.StartAsync(null, rabbit, Recorder, settings: new Dictionary<string, string?> { ["Messaging:Relay:Enabled"] = "false" });
        await h.Store.AppendAsync(Tenant, "off", "test", ExpectedVersion.Any, [Happened("off", 1)]);
        await Task.Delay(1000);
        Assert.Empty(h.Services.GetRequiredService<TestProbe>().Deliveries);
        Assert.DoesNotContain(IntegrationEventRelay.SubscriptionName, h.Engine.Names);
    }

    /// <summary>Events <paramref name="from"/> to <paramref name="to"/> (exclusive), one append each; returns the last.</summary>
    private static async Task<EventToAppend> AppendOneByOneAsync(IEventStore store, string stream, int from, int to)
    {
        EventToAppend last = null!;
        for (var i = from; i < to; i++)
        {
            last = Happened(stream, i);
            await store.AppendAsync(Tenant, stream, "test", ExpectedVersion.Any, [last]);
        }

        return last;
    }
}
