namespace OutreachOS.Llm;

/// <summary>The offline provider got a prompt task that no module registered a handler for: a wiring error, never transient.</summary>
public sealed class OfflineTaskNotSupportedException : InvalidOperationException
{
    public OfflineTaskNotSupportedException(string message, string task)
        : base(message)
    {
        Task = task;
    }

    public string Task { get; }
}
