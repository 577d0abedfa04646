namespace OutreachOS.IntegrationTests.Infrastructure;

/// <summary>Npgsql commands (one per round trip, a batch counting once) started on this async flow.</summary>
internal sealed class CommandCounter : IDisposable
{
    private readonly System.Diagnostics.ActivityListener _listener;
    private readonly System.Collections.Concurrent.ConcurrentQueue<string> _texts = new();
    private int _count;

    public CommandCounter()
    {
        var flow = new AsyncLocal<bool> { Value = true };
        _listener = new System.Diagnostics.ActivityListener
        {
            ShouldListenTo = s => s.Name == "Npgsql",
            Sample = (ref System.Diagnostics.ActivityCreationOptions<System.Diagnostics.ActivityContext> _) =>
                System.Diagnostics.ActivitySamplingResult.AllData,
            ActivityStarted = _ =>
            {
                if (flow.Value)
                {
                    Interlocked.Increment(ref _count);
                }
            },
            ActivityStopped = a =>
            {
                if (flow.Value)
                {
                    _texts.Enqueue((a.GetTagItem("db.query.text") ?? a.GetTagItem("db.statement")) as string ?? "");
                }
            },
        };
        System.Diagnostics.ActivitySource.AddActivityListener(_listener);
    }

    public int Count => Volatile.Read(ref _count);

    /// <summary>The statement text of each finished command, as Npgsql traces it (a batch's statements joined), in order.</summary>
    public IReadOnlyList<string> Texts => [.. _texts];

    public void Dispose() => _listener.Dispose();
}
