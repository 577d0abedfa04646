using MassTransit;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging.Abstractions;
using OutreachOS.BuildingBlocks.EventStore;
using OutreachOS.BuildingBlocks.Messaging;

namespace OutreachOS.UnitTests.Messaging;

/// <summary>Which events <see cref="PublishOnCommit"/> takes, and what the relay is told (publishing itself runs on RabbitMQ in the integration tests).</summary>
public sealed class PublishOnCommitTests : IAsyncLifetime
{
    private readonly List<IBusControl> _started = [];

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        foreach (var bus in _started)
        {
            await bus.StopAsync();
        }
    }

    private static readonly Guid Tenant = Guid.Parse("d0000000-0000-0000-0000-000000000001");

    private sealed record Announced(int N) : IIntegrationEvent;

    private sealed record Internal(int N);

    private sealed class Lifetime(bool stopping = false) : IHostApplicationLifetime
    {
        public CancellationToken ApplicationStarted => CancellationToken.None;
        public CancellationToken ApplicationStopping => new(stopping);
        public CancellationToken ApplicationStopped => CancellationToken.None;
        public void StopApplication() { }
    }

    // MassTransit's in-memory bus, started: healthy, and a publish with no consumer simply succeeds.
    private async Task<IBusControl> StartedBusAsync()
    {
        var bus = MassTransit.Bus.Factory.CreateUsingInMemory(_ => { });
        await bus.StartAsync();
        _started.Add(bus);
        return bus;
    }

    private static PublishOnCommit Create(IBusControl bus, bool enabled = true, bool relayActive = true, bool stopping = false) =>
        new(bus, new RelayOptions { PublishOnCommit = enabled, PublishOnCommitTimeout = TimeSpan.FromSeconds(5) }, new Lifetime(stopping),
            TimeProvider.System, NullLogger<PublishOnCommit>.Instance)
        {
            RelayActive = relayActive,
        };

    private static StoredEvent Stored(string stream, long version, object data) =>
        new(version, 1, Guid.NewGuid(), Tenant, stream, version, data.GetType().Name, "{}", new Dictionary<string, string>(), DateTimeOffset.UtcNow, [], data);

    [Fact]
    public async Task Only_integration_events_of_streams_the_append_opens_are_taken()
    {
        var bus = await StartedBusAsync();
        var publisher = Create(bus);
        var events = new[]
        {
            Stored("opened", 1, new Internal(1)),
            Stored("opened", 2, new Announced(2)),
            Stored("existing", 7, new Announced(3)),
            Stored("fresh", 1, new Announced(4)),
        };

        var state = publisher.BeforeCommit(events);

        Assert.NotNull(state);
        Assert.Equal(2, publisher.PendingCount);
        Assert.Equal([2, 4], ((System.Collections.IEnumerable)state).Cast<PublishOnCommit.Handoff>().Select(h => ((Announced)h.Event.Data!).N));
    }

    [Fact]
    public async Task Nothing_is_taken_when_turned_off_when_another_process_runs_the_relay_or_before_the_bus_is_up()
    {
        var bus = await StartedBusAsync();
        var events = new[] { Stored("s", 1, new Announced(1)) };
        Assert.Null(Create(bus, enabled: false).BeforeCommit(events));
        Assert.Null(Create(bus, relayActive: false).BeforeCommit(events));
        Assert.Null(Create(bus).BeforeCommit([Stored("s", 3, new Announced(1))]));
        // Not started: its queues may not be bound yet, so a publication could be confirmed and routed nowhere.
        Assert.Null(Create(MassTransit.Bus.Factory.CreateUsingInMemory(_ => { })).BeforeCommit(events));
    }

    [Fact]
    public async Task A_confirmed_publication_is_handed_to_the_relay_once()
    {
        var publisher = Create(await StartedBusAsync());
        var e = Stored("s", 1, new Announced(1));

        publisher.AfterCommit(publisher.BeforeCommit([e])!, committed: true);

        Assert.True(await publisher.TakePublishedAsync(e.EventId, TimeSpan.FromSeconds(30), CancellationToken.None));
        Assert.False(await publisher.TakePublishedAsync(e.EventId, TimeSpan.FromSeconds(1), CancellationToken.None));
        Assert.Equal(1, publisher.PublishedCount);
    }

    [Fact]
    public async Task A_failed_commit_leaves_the_event_to_the_relay()
    {
        var publisher = Create(await StartedBusAsync());
        var e = Stored("s", 1, new Announced(1));
        var state = publisher.BeforeCommit([e])!;

        publisher.AfterCommit(state, committed: false);

        Assert.Equal(0, publisher.PendingCount);
        Assert.False(await publisher.TakePublishedAsync(e.EventId, TimeSpan.FromSeconds(5), CancellationToken.None));
    }

    [Fact]
    public async Task A_failed_publication_leaves_the_event_and_the_rest_of_its_stream_to_the_relay()
    {
        // The host is stopping: the publication is cancelled before it is sent. (A zero timeout raced the in-memory bus,
        // whose publish could complete before the timer fired.)
        var publisher = Create(await StartedBusAsync(), stopping: true);
        var first = Stored("s", 1, new Announced(1));
        var second = Stored("s", 2, new Announced(2));
        var state = publisher.BeforeCommit([first, second])!;

        publisher.AfterCommit(state, committed: true);

        Assert.False(await publisher.TakePublishedAsync(first.EventId, TimeSpan.FromSeconds(5), CancellationToken.None));
        Assert.False(await publisher.TakePublishedAsync(second.EventId, TimeSpan.FromSeconds(5), CancellationToken.None));
        Assert.Equal(0, publisher.PublishedCount);
    }

    [Fact]
    public async Task The_relay_gets_false_for_an_event_never_taken()
    {
        Assert.False(await Create(await StartedBusAsync()).TakePublishedAsync(Guid.NewGuid(), TimeSpan.FromSeconds(1), CancellationToken.None));
    }
}
