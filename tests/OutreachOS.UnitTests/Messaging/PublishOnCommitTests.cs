using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging.Abstractions;
using OutreachOS.BuildingBlocks.EventStore;
using OutreachOS.BuildingBlocks.Messaging;

namespace OutreachOS.UnitTests.Messaging;

/// <summary>Which events <see cref="PublishOnCommit"/> takes, and what the relay is told (publishing itself runs on RabbitMQ in the integration tests).</summary>
public sealed class PublishOnCommitTests
{
    private static readonly Guid Tenant = Guid.Parse("d0000000-0000-0000-0000-000000000001");

    private sealed record Announced(int N) : IIntegrationEvent;

    private sealed record Internal(int N);

    private sealed class Lifetime : IHostApplicationLifetime
    {
        public CancellationToken ApplicationStarted => CancellationToken.None;
        public CancellationToken ApplicationStopping => CancellationToken.None;
        public CancellationToken ApplicationStopped => CancellationToken.None;
        public void StopApplication() { }
    }

    // No bus: these tests never reach a publication (or expect it to fail).
    private static PublishOnCommit Create(bool enabled = true, bool relayActive = true) =>
        new(null!, new RelayOptions { PublishOnCommit = enabled }, new Lifetime(), TimeProvider.System, NullLogger<PublishOnCommit>.Instance)
        {
            RelayActive = relayActive,
        };

    private static StoredEvent Stored(string stream, long version, object data) =>
        new(version, 1, Guid.NewGuid(), Tenant, stream, version, data.GetType().Name, "{}", new Dictionary<string, string>(), DateTimeOffset.UtcNow, [], data);

    [Fact]
    public void Only_integration_events_of_streams_the_append_opens_are_taken()
    {
        var publisher = Create();
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
    public void Nothing_is_taken_when_turned_off_or_when_another_process_runs_the_relay()
    {
        var events = new[] { Stored("s", 1, new Announced(1)) };
        Assert.Null(Create(enabled: false).BeforeCommit(events));
        Assert.Null(Create(relayActive: false).BeforeCommit(events));
        Assert.Null(Create().BeforeCommit([Stored("s", 3, new Announced(1))]));
    }

    [Fact]
    public async Task A_failed_commit_leaves_the_event_to_the_relay()
    {
        var publisher = Create();
        var e = Stored("s", 1, new Announced(1));
        var state = publisher.BeforeCommit([e])!;

        publisher.AfterCommit(state, committed: false);

        Assert.Equal(0, publisher.PendingCount);
        Assert.False(await publisher.TakePublishedAsync(e.EventId, TimeSpan.FromSeconds(5), CancellationToken.None));
    }

    [Fact]
    public async Task A_failed_publication_leaves_the_event_and_the_rest_of_its_stream_to_the_relay()
    {
        var publisher = Create(); // the missing bus makes the publication throw
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
        Assert.False(await Create().TakePublishedAsync(Guid.NewGuid(), TimeSpan.FromSeconds(1), CancellationToken.None));
    }
}
