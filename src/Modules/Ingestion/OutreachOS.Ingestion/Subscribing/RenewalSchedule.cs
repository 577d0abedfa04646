namespace OutreachOS.Ingestion.Subscribing;

/// <summary>What to do with a mailbox's provider subscription now.</summary>
internal abstract record RenewalDecision
{
    /// <summary>Make a new subscription (none yet, expired, or made for another configuration). Gmail: watch; Graph: POST.</summary>
    internal sealed record Subscribe(string Reason) : RenewalDecision;

    /// <summary>Extend the current one. Gmail: watch again; Graph: PATCH its expiration.</summary>
    internal sealed record Renew(string Reason) : RenewalDecision;

    /// <summary>
    /// Notifications may have been lost since about <see cref="From"/> (Graph): list the messages received since then
    /// and notify each again.
    /// </summary>
    internal sealed record CatchUp(DateTimeOffset From, string Reason) : RenewalDecision;

    /// <summary>Nothing is due before <see cref="Until"/>.</summary>
    internal sealed record Wait(DateTimeOffset Until) : RenewalDecision;
}

/// <summary>
/// Why a subscription is made anew, as recorded in its events. The fold reads some of them back (a replacement after a
/// lapse means notifications were lost), so they are spelled in one place.
/// </summary>
internal static class RenewalReasons
{
    public const string ConfigurationChanged = "configuration changed";
    public const string RemovedByGraph = "removed by Graph";
    public const string Expired = "expired";
    public const string Gone = "renewal answered 404";
    public const string ClientStateChanged = "client state changed";
}

/// <summary>Consecutive failed attempts for one mailbox, and when the next one may start.</summary>
internal sealed record RetryState(int Failures, DateTimeOffset NextAttemptAt);

/// <summary>The pure scheduling rules of <see cref="MailboxSubscriptionRenewer"/> (time passed in, no I/O).</summary>
internal static class RenewalSchedule
{
    /// <summary>When a mailbox whose last attempt failed may be tried again; null when it may be now (checked before any I/O).</summary>
    public static DateTimeOffset? RetryPending(RetryState? retry, DateTimeOffset now) =>
        retry is not null && now < retry.NextAttemptAt ? retry.NextAttemptAt : null;

    public static RenewalDecision Decide(MailboxSubscription s, string target, DateTimeOffset now, RenewalPolicy policy)
    {
        if (s.Expiration is not { } expiration || s.SubscribedAt is not { } subscribedAt)
        {
            return new RenewalDecision.Subscribe("none");
        }
        if (s.Target != target)
        {
            return new RenewalDecision.Subscribe(RenewalReasons.ConfigurationChanged);
        }
        if (s.Removed)
        {
            return new RenewalDecision.Subscribe(RenewalReasons.RemovedByGraph);
        }
        if (now >= expiration)
        {
            return new RenewalDecision.Subscribe(RenewalReasons.Expired);
        }
        if (s.ReauthorizationRequired)
        {
            return new RenewalDecision.Renew("reauthorization required");
        }
        if (s.CatchUpFrom is { } from)
        {
            return new RenewalDecision.CatchUp(from, s.CatchUpReason ?? "notifications lost");
        }
        if (expiration - now <= policy.RenewBefore)
        {
            return new RenewalDecision.Renew("expiring");
        }
        var dueByAge = subscribedAt + policy.RenewEvery;
        if (now >= dueByAge)
        {
            return new RenewalDecision.Renew("interval");
        }
        var dueByExpiry = expiration - policy.RenewBefore;
        return new RenewalDecision.Wait(dueByAge < dueByExpiry ? dueByAge : dueByExpiry);
    }

    /// <summary>After a failure: the retry delay doubles per consecutive failure, capped at the policy's maximum.</summary>
    public static RetryState Failed(RetryState? previous, DateTimeOffset now, RenewalPolicy policy)
    {
        var failures = (previous?.Failures ?? 0) + 1;
        var factor = Math.Pow(2, Math.Min(failures - 1, 30));
        var delay = TimeSpan.FromTicks((long)Math.Min(policy.MaxRetryDelay.Ticks, policy.RetryDelay.Ticks * factor));
        return new RetryState(failures, now + delay);
    }
}
