using OutreachOS.BuildingBlocks.EventStore;
using OutreachOS.Ingestion.Normalizing;

namespace OutreachOS.Ingestion.Subscribing;

/// <summary>A Gmail <c>users.watch</c> call succeeded: Pub/Sub pushes for the mailbox until <see cref="Expiration"/>.</summary>
[EventName("ingestion_gmail_watch_started.v1")]
internal sealed record GmailWatchStarted(
    string Mailbox,
    string TopicName,
    IReadOnlyList<string> LabelIds,
    string? LabelFilterBehavior,
    string HistoryId,
    DateTimeOffset Expiration,
    string Reason,
    DateTimeOffset At);

/// <summary>A Graph subscription was created (<see cref="Replaces"/>: the one it supersedes — gone (404) or reconfigured).</summary>
[EventName("ingestion_graph_subscription_created.v1")]
internal sealed record GraphSubscriptionCreated(
    string UserId,
    string SubscriptionId,
    string Resource,
    string NotificationUrl,
    DateTimeOffset Expiration,
    string? Replaces,
    string Reason,
    DateTimeOffset At);

/// <summary>A Graph subscription's expiration was extended (<c>PATCH /subscriptions/{id}</c>).</summary>
[EventName("ingestion_graph_subscription_renewed.v1")]
internal sealed record GraphSubscriptionRenewed(string UserId, string SubscriptionId, DateTimeOffset Expiration, string Reason, DateTimeOffset At);

/// <summary>
/// The provider subscription of one mailbox, folded from its stream <c>mailbox-subscription-{gmail|graph}-{mailbox}</c>.
/// <see cref="Target"/> is what it was made for (topic + labels, or resource + notification URL): a configuration change
/// makes a new one. <see cref="Expiration"/> null = never subscribed.
/// </summary>
internal sealed record MailboxSubscription(string? SubscriptionId, DateTimeOffset? Expiration, DateTimeOffset? SubscribedAt, string? Target)
{
    public const string StreamType = "mailbox_subscription";

    public static readonly MailboxSubscription None = new(null, null, null, null);

    public static IReadOnlyList<Type> EventTypes { get; } = [typeof(GmailWatchStarted), typeof(GraphSubscriptionCreated), typeof(GraphSubscriptionRenewed)];

    public static string GmailStream(string email) => $"mailbox-subscription-gmail-{EmailAddresses.Canonical(email)}";

    public static string GraphStream(string userId) => $"mailbox-subscription-graph-{userId.Trim().ToLowerInvariant()}";

    public static string GmailTarget(string topic, IReadOnlyList<string> labels, string? behavior) =>
        $"{topic}|{string.Join(',', labels)}|{behavior}";

    public static string GraphTarget(string resource, Uri notificationUrl) => $"{resource}|{notificationUrl}";

    public static MailboxSubscription Evolve(MailboxSubscription s, object? e) => e switch
    {
        GmailWatchStarted w => new(null, w.Expiration, w.At, GmailTarget(w.TopicName, w.LabelIds, w.LabelFilterBehavior)),
        GraphSubscriptionCreated c => new(c.SubscriptionId, c.Expiration, c.At, GraphTarget(c.Resource, new Uri(c.NotificationUrl))),
        GraphSubscriptionRenewed r when r.SubscriptionId == s.SubscriptionId => s with { Expiration = r.Expiration, SubscribedAt = r.At },
        _ => s,
    };
}
