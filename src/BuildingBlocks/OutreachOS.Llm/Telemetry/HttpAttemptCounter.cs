using System.Runtime.CompilerServices;

namespace OutreachOS.Llm;

/// <summary>
/// Counts the HTTP requests the SDKs send for the current call. The SDK clients are shared singletons, so the
/// count lives in an async-local box opened by each call; the SDK's send path (pipeline policy or HTTP
/// handler) runs in the same async flow and increments it.
/// </summary>
internal static class HttpAttemptCounter
{
    private static readonly AsyncLocal<StrongBox<int>?> Current = new();

    /// <summary>Opens a fresh count for this async flow; callers read it after the call.</summary>
    public static StrongBox<int> Begin()
    {
        var box = new StrongBox<int>(0);
        Current.Value = box;
        return box;
    }

    public static void Increment()
    {
        if (Current.Value is { } box)
        {
            Interlocked.Increment(ref box.Value);
        }
    }
}
