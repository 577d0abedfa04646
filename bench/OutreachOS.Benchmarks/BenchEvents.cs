using OutreachOS.BuildingBlocks.Messaging;

namespace OutreachOS.Benchmarks;

/// <summary>A typical small domain event (about 200 bytes of JSON).</summary>
public sealed record BenchDeposited(string Account, decimal Amount, int N, string Note)
{
    public static BenchDeposited Sample(string account, int n) =>
        new(account, 10.25m + n, n, "personalized follow-up sent after the discovery call; variant B, tone formal, 3 paragraphs");
}

/// <summary>An integration event: the relay publishes it to the bus.</summary>
public sealed record BenchIntegrationHappened(Guid OrderId, string Account, int N, string Note) : IIntegrationEvent;
