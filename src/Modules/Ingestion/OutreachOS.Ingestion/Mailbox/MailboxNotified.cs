using OutreachOS.BuildingBlocks.EventStore;
using OutreachOS.BuildingBlocks.Messaging;
using OutreachOS.Ingestion.Accepting;
using OutreachOS.Ingestion.Contracts;

namespace OutreachOS.Ingestion.Mailbox;

/// <summary>
/// A provider told us a mailbox changed (Graph: <see cref="Resource"/> is the message resource path; Gmail: the new
/// history id). Appended by the webhook — its only write — and relayed to <see cref="MailboxNotificationConsumer"/>,
/// which fetches the message off the request. Internal to the module: only Ingestion consumes it.
/// </summary>
[EventName("ingestion_mailbox_notified.v1")]
internal sealed record MailboxNotified(Guid NotificationId, Guid OrganizationId, InboundSource Source, string Mailbox, string Resource, DateTimeOffset At)
    : IIntegrationEvent;

internal static class MailboxNotifications
{
    public const string StreamType = "mailbox_notification";

    public static string StreamId(Guid notificationId) => $"mailbox-notification-{notificationId:D}";

    /// <summary>A provider re-delivering the same notification lands on the same stream with the same event id: a no-op.</summary>
    public static StreamAppend Append(Guid organizationId, InboundSource source, string mailbox, string resource, DateTimeOffset now)
    {
        var id = DeterministicId.For(organizationId, $"{source}:{mailbox}:{resource}");
        return new StreamAppend(organizationId, StreamId(id), StreamType, ExpectedVersion.Any,
            [new EventToAppend(DeterministicId.For(id, "notified"), new MailboxNotified(id, organizationId, source, mailbox, resource, now))]);
    }
}
