namespace OutreachOS.IntegrationTests.Infrastructure;

/// <summary>Npgsql commands (one per round trip, a batch counting once) started on this async flow.</summary>
internal sealed class CommandCounter : IDisposable
{
    private readonly System.Diagnostics.ActivityListener _listener;
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
        };
        System.Diagnostics.ActivitySource.AddActivityListener(_listener);
    }

    public int Count => Volatile.Read(ref _count);

    public void Dispose() => _listener.Dispose();
}
