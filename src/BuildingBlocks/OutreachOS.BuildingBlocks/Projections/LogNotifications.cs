using Microsoft.Extensions.Logging;
using Npgsql;
using OutreachOS.BuildingBlocks.EventStore;
using OutreachOS.BuildingBlocks.Postgres;

namespace OutreachOS.BuildingBlocks.Projections;

/// <summary>
/// One LISTEN connection per process for the log's notifications (<see cref="PostgresEventStore.NotifyChannel"/>: events
/// appended; <see cref="PostgresEventStore.ReleasedChannel"/>: a subscription's transaction ended), handed to every
/// subscription runner of the process with the same read mark. With a connection per runner, each runner received a
/// notification at its own moment and took its own mark, so a shared end read of the log (<see cref="LogTail"/>) that one
/// runner started rarely answered for the others; with one mark, runners woken by one notification share one read.
/// </summary>
internal sealed class LogNotifications(NpgsqlDataSource dataSource, Func<long> readMark, ILogger logger)
{
    private readonly Lock _gate = new();
    private Wake[] _wakes = [];
    private readonly TaskCompletionSource _listening = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Completes once the first LISTEN is active: a mark taken after it covers everything committed before.</summary>
    public Task Listening => _listening.Task;

    public Wake Register()
    {
        var wake = new Wake();
        lock (_gate)
        {
            _wakes = [.. _wakes, wake];
        }
        return wake;
    }

    public void Unregister(Wake wake)
    {
        lock (_gate)
        {
            _wakes = [.. _wakes.Where(w => w != wake)];
        }
    }

    /// <summary>Listens until <paramref name="ct"/> is cancelled, reconnecting after a failure.</summary>
    public Task RunAsync(CancellationToken ct) => NotificationListener.RunAsync(dataSource,
        [PostgresEventStore.NotifyChannel, PostgresEventStore.ReleasedChannel],
        e => Announce(e.Channel == PostgresEventStore.NotifyChannel),
        () =>
        {
            // Anything announced while no connection listened (start-up, a reconnect) is to be read now.
            Announce(appended: true);
            _listening.TrySetResult();
        },
        (ex, backoff) => logger.LogError(ex, "The log's notification listener failed; runners poll until it reconnects in {Backoff}", backoff),
        probeEvery: null, ct);

    private void Announce(bool appended)
    {
        // Taken once for all runners: a read of the log's end started after it includes what was announced.
        var mark = readMark();
        foreach (var wake in Volatile.Read(ref _wakes))
        {
            wake.Set(appended, mark);
        }
    }

    /// <summary>
    /// One runner's side: the latest notification's marks and a signal that coalesces (a burst of notifications while the
    /// runner works wakes it once, with the newest mark, which covers the earlier ones).
    /// </summary>
    internal sealed class Wake
    {
        private readonly SemaphoreSlim _signal = new(0, 1);
        private long _anyMark;
        private long _appendMark;
        private int _appended;

        /// <summary>The mark at the latest notification of either kind.</summary>
        public long AnyMark => Volatile.Read(ref _anyMark);

        /// <summary>The mark at the latest notification of new events.</summary>
        public long AppendMark => Volatile.Read(ref _appendMark);

        /// <summary>Whether new events were announced since the last <see cref="TakeAppended"/>.</summary>
        public bool Appended => Volatile.Read(ref _appended) == 1;

        /// <summary>
        /// Whether new events were announced, clearing it. Read <see cref="AppendMark"/> after this call: the mark is written
        /// before the flag, so it is at least as new as the announcement taken.
        /// </summary>
        public bool TakeAppended() => Interlocked.Exchange(ref _appended, 0) == 1;

        internal void Set(bool appended, long mark)
        {
            Volatile.Write(ref _anyMark, mark);
            if (appended)
            {
                Volatile.Write(ref _appendMark, mark);
                Volatile.Write(ref _appended, 1);
            }
            lock (_signal)
            {
                if (_signal.CurrentCount == 0)
                {
                    _signal.Release();
                }
            }
        }

        /// <summary>True when a notification arrived (or was pending) within <paramref name="timeout"/>.</summary>
        public Task<bool> WaitAsync(TimeSpan timeout, CancellationToken ct) => _signal.WaitAsync(timeout, ct);
    }
}
