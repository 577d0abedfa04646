using System.Diagnostics.Metrics;
using OutreachOS.Ingestion.Subscribing;

namespace OutreachOS.Ingestion.Mailbox;

/// <summary>Mailbox reading, on meter <c>OutreachOS.Ingestion</c> (see <see cref="SubscriptionMetrics"/>).</summary>
internal static class MailboxMetrics
{
    private static readonly Meter Meter = new(SubscriptionMetrics.MeterName);

    /// <summary>Tag <c>outcome</c>: complete | truncated (the bound was hit: older messages of the range not read).</summary>
    public static readonly Counter<long> GmailCatchUps = Meter.CreateCounter<long>("outreachos.ingestion.gmail_catch_ups", "{catch-up}",
        "Gmail catch-ups by listing messages after the history cursor expired, by outcome.");

    /// <summary>Tag <c>source</c>: gmail | graph.</summary>
    public static readonly Counter<long> MessageIdReused = Meter.CreateCounter<long>("outreachos.ingestion.message_id_reused", "{message}",
        "Mailbox messages kept under a derived inbound id because another message already held their Message-ID.");

    /// <summary>Tag <c>source</c>: gmail | graph. Each is set apart in a notification of its own (and, failing there too,
    /// in the dead letters).</summary>
    public static readonly Counter<long> MessagesRefused = Meter.CreateCounter<long>("outreachos.ingestion.mailbox_messages_refused", "{message}",
        "Mailbox messages that could not be stored with the rest of their read (a value refused by the serializer or the database).");
}
