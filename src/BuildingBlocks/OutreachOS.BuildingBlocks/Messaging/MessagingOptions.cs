using Microsoft.Extensions.Configuration;

namespace OutreachOS.BuildingBlocks.Messaging;

/// <summary>The "Messaging" configuration section.</summary>
public sealed class MessagingOptions
{
    public const string Section = "Messaging";

    /// <summary>"InMemory" (default, embedded) or "RabbitMQ" (uses ConnectionStrings:RabbitMQ, an amqp URI).</summary>
    public string Transport { get; set; } = "InMemory";

    public RetryOptions Retry { get; set; } = new();

    /// <summary>
    /// Messages each receive endpoint processes at once (<c>Messaging:ConcurrentMessageLimit</c>); the broker prefetches
    /// twice as many. 0 = MassTransit's default.
    /// </summary>
    public int ConcurrentMessageLimit { get; set; } = 0;

    public RelayOptions Relay { get; set; } = new();

    public ProbeOptions Probe { get; set; } = new();

    public bool UseRabbitMq => string.Equals(Transport, "RabbitMQ", StringComparison.OrdinalIgnoreCase);

    internal static MessagingOptions From(IConfiguration configuration)
    {
        var options = new MessagingOptions();
        configuration.GetSection(Section).Bind(options);
        return options;
    }
}

public sealed class RetryOptions
{
    /// <summary>Retries after the first attempt on every receive endpoint (attempts = Limit + 1).</summary>
    public int Limit { get; set; } = 3;

    public int IntervalMs { get; set; } = 200;
}

public sealed class RelayOptions
{
    /// <summary>Run the integration relay in this process (one host across the cluster is active at a time anyway).</summary>
    public bool Enabled { get; set; } = true;

    public int BatchSize { get; set; } = 100;

    /// <summary>
    /// Publishes awaiting their broker confirm at once (<c>Messaging:Relay:MaxInFlight</c>). Events of one stream are
    /// always published one after the other, in log order; different streams overlap. 1 = strictly one at a time.
    /// </summary>
    public int MaxInFlight { get; set; } = 32;

    /// <summary>
    /// Publish the integration events of a stream an append opens right after the append commits, instead of waiting for
    /// the relay to read them (<c>Messaging:Relay:PublishOnCommit</c>, ADR 0019). The relay still covers every event.
    /// </summary>
    public bool PublishOnCommit { get; set; } = true;

    /// <summary>How long a publication on commit may take before the relay publishes the event itself.</summary>
    public TimeSpan PublishOnCommitTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>How long an outcome of a publication on commit waits for the relay to collect it (another host may run it).</summary>
    public TimeSpan HandoffRetention { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>
    /// TEST HOOK, never set in production: the process dies (Environment.FailFast) right after a batch is published and
    /// before its checkpoint commits, to prove that a re-published batch has no second effect.
    /// </summary>
    public bool CrashAfterPublish { get; set; }

    /// <summary>
    /// In-memory transport only (<c>Messaging:Relay:MaxUnsettled</c>): integration events published and not yet finished by
    /// every endpoint they reached, beyond which the relay waits before publishing more. The stored checkpoint stays behind
    /// the oldest of them, so this bounds what a crash makes the next host publish again (and the ledger's memory).
    /// </summary>
    public int MaxUnsettled { get; set; } = 10_000;

    /// <summary>
    /// In-memory transport only (<c>Messaging:Relay:UnsettledWarnAfter</c>): when the oldest unfinished event has held the
    /// relay's checkpoint back this long, a warning names its type, id and the endpoints it waits for (at most once per
    /// this interval). Zero: never warn.
    /// </summary>
    public TimeSpan UnsettledWarnAfter { get; set; } = TimeSpan.FromSeconds(30);
}

public sealed class ProbeOptions
{
    /// <summary>
    /// TEST HOOK, never set in production (<c>Messaging:Probe:HangConsumer</c>): the probe consumer waits forever instead of
    /// handling a probe, so that a test can kill the host while the probe is published and not yet consumed.
    /// </summary>
    public bool HangConsumer { get; set; }
}
