using System.Diagnostics.Metrics;

namespace OutreachOS.Ingestion.Subscribing;

/// <summary>Meter <c>OutreachOS.Ingestion</c> (exported by the host's <c>OutreachOS.*</c> meter rule).</summary>
internal static class SubscriptionMetrics
{
    public const string MeterName = "OutreachOS.Ingestion";

    private static readonly Meter Meter = new(MeterName);

    /// <summary>Tags: <c>provider</c> (gmail | graph), <c>outcome</c> (subscribed | renewed | failed).</summary>
    public static readonly Counter<long> Attempts = Meter.CreateCounter<long>("outreachos.ingestion.mailbox_subscription.attempts", "calls",
        "Provider subscription calls for a mailbox (Gmail watch, Graph subscription create/renew) by outcome.");
}
