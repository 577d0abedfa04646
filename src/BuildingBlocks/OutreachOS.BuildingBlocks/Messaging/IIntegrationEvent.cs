namespace OutreachOS.BuildingBlocks.Messaging;

/// <summary>
/// Marks an event (a record in a module's *.Contracts) that other modules may consume. When such an event is appended to
/// the log, the integration relay publishes it to the bus; nothing else publishes integration events.
/// </summary>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Design", "CA1040:Avoid empty interfaces", Justification = "A marker read by the relay through a type test.")]
public interface IIntegrationEvent;

/// <summary>
/// Implemented by exceptions whose operation was already retried by its own client (the LLM SDK). The bus does not retry
/// them again: retries of retries would multiply paid model calls.
/// </summary>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Design", "CA1040:Avoid empty interfaces", Justification = "A marker read by the retry filter through a type test.")]
public interface IAlreadyRetriedException;
