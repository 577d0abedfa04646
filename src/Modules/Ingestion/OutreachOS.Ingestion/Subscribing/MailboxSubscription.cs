using OutreachOS.BuildingBlocks.EventStore;
using OutreachOS.BuildingBlocks.Privacy;
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
/// Graph sent a lifecycle notification for the mailbox's subscription (<c>reauthorizationRequired</c>,
/// <c>subscriptionRemoved</c> or <c>missed</c>), recorded by <c>/ingest/graph</c> for the renewer to act on.
/// </summary>
[EventName("ingestion_graph_lifecycle_notified.v1")]
internal sealed record GraphLifecycleNotified(string UserId, string SubscriptionId, string LifecycleEvent, DateTimeOffset At);

/// <summary>
/// After missed notifications or a lapsed subscription: the messages received since <see cref="Since"/> were listed
/// (<see cref="Listed"/>) and each notified again, as if Graph had (duplicates are dropped by resource and Message-ID).
/// <see cref="Truncated"/>: the listing stopped at the configured maximum.
/// </summary>
[EventName("ingestion_graph_mailbox_caught_up.v1")]
internal sealed record GraphMailboxCaughtUp(string UserId, string SubscriptionId, DateTimeOffset Since, int Listed, bool Truncated, string Reason, DateTimeOffset At);

/// <summary>Graph's lifecycle events (the <c>lifecycleEvent</c> property of a notification).</summary>
internal static class GraphLifecycleEvents
{
    public const string ReauthorizationRequired = "reauthorizationRequired";
    public const string SubscriptionRemoved = "subscriptionRemoved";
    public const string Missed = "missed";
}

/// <summary>
/// The provider subscription of one mailbox, folded from its stream <c>mailbox-subscription-{gmail|graph}-{mailbox}</c>.
/// <see cref="Target"/> is what it was made for (topic + labels, or resource + notification URL): a configuration change
/// makes a new one. <see cref="Expiration"/> null = never subscribed. Graph only: <see cref="Removed"/> and
/// <see cref="ReauthorizationRequired"/> come from lifecycle notifications about the current subscription;
/// <see cref="CatchUpFrom"/> is when notifications were last known to be lost (missed, removed, or a subscription that
/// lapsed) and no catch-up has run since; <see cref="FirstSubscribedAt"/> bounds how far back a catch-up looks.
/// </summary>
internal sealed record MailboxSubscription(string? SubscriptionId, DateTimeOffset? Expiration, DateTimeOffset? SubscribedAt, string? Target)
{
    public const string StreamType = "mailbox_subscription";

    public static readonly MailboxSubscription None = new(null, null, null, null);

    public bool Removed { get; init; }

    public bool ReauthorizationRequired { get; init; }

    public DateTimeOffset? CatchUpFrom { get; init; }

    /// <summary>Why notifications are thought lost: the lifecycle event, or the reason the subscription was replaced.</summary>
    public string? CatchUpReason { get; init; }

    public DateTimeOffset? FirstSubscribedAt { get; init; }

    public static IReadOnlyList<Type> EventTypes { get; } =
        [typeof(GmailWatchStarted), typeof(GraphSubscriptionCreated), typeof(GraphSubscriptionRenewed), typeof(GraphLifecycleNotified), typeof(GraphMailboxCaughtUp)];

    /// <summary>The earliest pending loss is kept: a catch-up from it covers the later ones.</summary>
    private static MailboxSubscription LostSince(MailboxSubscription s, GraphLifecycleNotified l) =>
        s.CatchUpFrom is not null ? s : s with { CatchUpFrom = l.At, CatchUpReason = l.LifecycleEvent };

    /// <summary>
    /// A new Graph subscription that replaced one which stopped notifying without our knowing when (one whose clientState
    /// changed had its notifications refused from the restart until it was made again).
    /// </summary>
    private static bool Lapsed(GraphSubscriptionCreated c) =>
        c.Replaces is not null && c.Reason is RenewalReasons.Expired or RenewalReasons.Gone or RenewalReasons.ClientStateChanged;

    public static string GmailStream(string email) => $"mailbox-subscription-gmail-{EmailAddresses.Canonical(email)}";

    public static string GraphStream(string userId) => $"mailbox-subscription-graph-{userId.Trim().ToLowerInvariant()}";

    public static string GmailTarget(string topic, IReadOnlyList<string> labels, string? behavior) =>
        $"{topic}|{string.Join(',', labels)}|{behavior}";

    public static string GraphTarget(string resource, Uri notificationUrl) => $"{resource}|{notificationUrl}";

    public static MailboxSubscription Evolve(MailboxSubscription s, object? e) => e switch
    {
        GmailWatchStarted w => new(null, w.Expiration, w.At, GmailTarget(w.TopicName, w.LabelIds, w.LabelFilterBehavior)),
        GraphSubscriptionCreated c => new(c.SubscriptionId, c.Expiration, c.At, GraphTarget(c.Resource, new Uri(c.NotificationUrl)))
        {
            FirstSubscribedAt = s.FirstSubscribedAt ?? c.At,
            CatchUpFrom = s.CatchUpFrom ?? (Lapsed(c) ? c.At : null),
            CatchUpReason = s.CatchUpFrom is not null ? s.CatchUpReason : Lapsed(c) ? c.Reason : null,
        },
        GraphSubscriptionRenewed r when r.SubscriptionId == s.SubscriptionId => s with { Expiration = r.Expiration, SubscribedAt = r.At, ReauthorizationRequired = false },
        GraphLifecycleNotified l when l.SubscriptionId == s.SubscriptionId => l.LifecycleEvent switch
        {
            GraphLifecycleEvents.ReauthorizationRequired => s with { ReauthorizationRequired = true },
            GraphLifecycleEvents.SubscriptionRemoved => LostSince(s with { Removed = true }, l),
            GraphLifecycleEvents.Missed => LostSince(s, l),
            _ => s,
        },
        GraphMailboxCaughtUp => s with { CatchUpFrom = null, CatchUpReason = null },
        _ => s,
    };
}
