using System.Globalization;
using OutreachOS.Ingestion;
using OutreachOS.Ingestion.Subscribing;

namespace OutreachOS.UnitTests.Ingestion.Subscribing;

public sealed class RenewalScheduleTests
{
    private static readonly DateTimeOffset T0 = DateTimeOffset.Parse("2026-11-22T08:00:00Z", CultureInfo.InvariantCulture);
    private static readonly RenewalPolicy Policy = new(TimeSpan.FromHours(24), TimeSpan.FromHours(12), TimeSpan.FromSeconds(30), TimeSpan.FromMinutes(30));
    private const string Target = "projects/p/topics/gmail||";

    private static MailboxSubscription Subscribed(TimeSpan lifetime, string target = Target) => new("sub-1", T0 + lifetime, T0, target);

    [Fact]
    public void A_mailbox_never_subscribed_is_subscribed_now()
    {
        var d = RenewalSchedule.Decide(MailboxSubscription.None, Target, T0, Policy);
        Assert.Equal(new RenewalDecision.Subscribe("none"), d);
    }

    [Fact]
    public void A_fresh_seven_day_watch_waits_for_the_renewal_interval()
    {
        var d = RenewalSchedule.Decide(Subscribed(TimeSpan.FromDays(7)), Target, T0 + TimeSpan.FromHours(1), Policy);
        Assert.Equal(new RenewalDecision.Wait(T0 + TimeSpan.FromHours(24)), d);
    }

    [Fact]
    public void A_short_subscription_waits_only_until_the_margin_before_its_expiration()
    {
        var d = RenewalSchedule.Decide(Subscribed(TimeSpan.FromHours(20)), Target, T0, Policy);
        Assert.Equal(new RenewalDecision.Wait(T0 + TimeSpan.FromHours(8)), d);
    }

    [Fact]
    public void Within_the_margin_before_expiration_it_is_renewed()
    {
        var d = RenewalSchedule.Decide(Subscribed(TimeSpan.FromHours(20)), Target, T0 + TimeSpan.FromHours(8), Policy);
        Assert.Equal(new RenewalDecision.Renew("expiring"), d);
    }

    [Fact]
    public void After_the_renewal_interval_it_is_renewed_even_far_from_expiry()
    {
        var d = RenewalSchedule.Decide(Subscribed(TimeSpan.FromDays(7)), Target, T0 + TimeSpan.FromHours(24), Policy);
        Assert.Equal(new RenewalDecision.Renew("interval"), d);
    }

    [Fact]
    public void An_expired_subscription_is_made_anew_not_renewed()
    {
        var d = RenewalSchedule.Decide(Subscribed(TimeSpan.FromHours(20)), Target, T0 + TimeSpan.FromHours(20), Policy);
        Assert.Equal(new RenewalDecision.Subscribe("expired"), d);
    }

    [Fact]
    public void A_subscription_made_for_another_configuration_is_made_anew()
    {
        var d = RenewalSchedule.Decide(Subscribed(TimeSpan.FromDays(7), "projects/p/topics/old||"), Target, T0 + TimeSpan.FromHours(1), Policy);
        Assert.Equal(new RenewalDecision.Subscribe("configuration changed"), d);
    }

    [Fact]
    public void A_pending_retry_waits_until_its_time_then_decides_normally()
    {
        var retry = new RetryState(2, T0 + TimeSpan.FromMinutes(1));
        Assert.Equal(retry.NextAttemptAt, RenewalSchedule.RetryPending(retry, T0));
        Assert.Null(RenewalSchedule.RetryPending(retry, retry.NextAttemptAt));
        Assert.Null(RenewalSchedule.RetryPending(null, T0));
        Assert.Equal(new RenewalDecision.Subscribe("none"), RenewalSchedule.Decide(MailboxSubscription.None, Target, retry.NextAttemptAt, Policy));
    }

    [Fact]
    public void Retry_delay_doubles_per_consecutive_failure_up_to_the_maximum()
    {
        RetryState? r = null;
        var delays = new List<TimeSpan>();
        for (var i = 0; i < 9; i++)
        {
            r = RenewalSchedule.Failed(r, T0, Policy);
            delays.Add(r.NextAttemptAt - T0);
        }
        Assert.Equal([30, 60, 120, 240, 480, 960, 1800, 1800, 1800], delays.Select(d => (int)d.TotalSeconds));
        Assert.Equal(9, r!.Failures);
    }

    [Fact]
    public void Evolve_folds_create_renew_and_ignores_a_renewal_of_another_subscription()
    {
        var created = new GraphSubscriptionCreated("u1", "s1", "users/u1/mailFolders('Inbox')/messages", "https://x.test/ingest/graph",
            T0 + TimeSpan.FromHours(70), null, "none", T0);
        var s = MailboxSubscription.Evolve(MailboxSubscription.None, created);
        Assert.Equal(new MailboxSubscription("s1", T0 + TimeSpan.FromHours(70), T0, "users/u1/mailFolders('Inbox')/messages|https://x.test/ingest/graph")
            { FirstSubscribedAt = T0 }, s);
        var stale = MailboxSubscription.Evolve(s, new GraphSubscriptionRenewed("u1", "s0", T0 + TimeSpan.FromHours(99), "interval", T0 + TimeSpan.FromHours(1)));
        Assert.Equal(s, stale);
        var renewed = MailboxSubscription.Evolve(s, new GraphSubscriptionRenewed("u1", "s1", T0 + TimeSpan.FromHours(94), "interval", T0 + TimeSpan.FromHours(24)));
        Assert.Equal(s with { Expiration = T0 + TimeSpan.FromHours(94), SubscribedAt = T0 + TimeSpan.FromHours(24) }, renewed);
    }

    private const string GraphTarget = "users/u1/mailFolders('Inbox')/messages|https://x.test/ingest/graph";

    private static MailboxSubscription Fold(params object[] events) => events.Aggregate(MailboxSubscription.None, MailboxSubscription.Evolve);

    private static GraphSubscriptionCreated Created(string id, DateTimeOffset at, string? replaces = null, string reason = "none") =>
        new("u1", id, "users/u1/mailFolders('Inbox')/messages", "https://x.test/ingest/graph", at + TimeSpan.FromHours(70), replaces, reason, at);

    [Fact]
    public void Reauthorization_required_renews_now_and_the_renewal_clears_it()
    {
        var at = T0 + TimeSpan.FromHours(1);
        var s = Fold(Created("s1", T0), new GraphLifecycleNotified("u1", "s1", GraphLifecycleEvents.ReauthorizationRequired, at));
        Assert.Equal(new RenewalDecision.Renew("reauthorization required"), RenewalSchedule.Decide(s, GraphTarget, at, Policy));
        var renewed = MailboxSubscription.Evolve(s, new GraphSubscriptionRenewed("u1", "s1", at + TimeSpan.FromHours(70), "reauthorization required", at));
        Assert.IsType<RenewalDecision.Wait>(RenewalSchedule.Decide(renewed, GraphTarget, at, Policy));
    }

    [Fact]
    public void A_removed_subscription_is_recreated_then_the_mailbox_is_caught_up_from_the_removal()
    {
        var removedAt = T0 + TimeSpan.FromHours(5);
        var s = Fold(Created("s1", T0), new GraphLifecycleNotified("u1", "s1", GraphLifecycleEvents.SubscriptionRemoved, removedAt));
        Assert.Equal(new RenewalDecision.Subscribe("removed by Graph"), RenewalSchedule.Decide(s, GraphTarget, removedAt, Policy));

        var recreated = MailboxSubscription.Evolve(s, Created("s2", removedAt, replaces: "s1", reason: "removed by Graph"));
        Assert.Equal(("s2", false, T0), (recreated.SubscriptionId, recreated.Removed, recreated.FirstSubscribedAt));
        Assert.Equal(new RenewalDecision.CatchUp(removedAt, GraphLifecycleEvents.SubscriptionRemoved), RenewalSchedule.Decide(recreated, GraphTarget, removedAt, Policy));

        var caughtUp = MailboxSubscription.Evolve(recreated, new GraphMailboxCaughtUp("u1", "s2", T0, 3, false, GraphLifecycleEvents.SubscriptionRemoved, removedAt));
        Assert.IsType<RenewalDecision.Wait>(RenewalSchedule.Decide(caughtUp, GraphTarget, removedAt, Policy));
    }

    [Fact]
    public void Missed_notifications_are_caught_up_from_the_earliest_loss_and_another_subscriptions_events_are_ignored()
    {
        var first = T0 + TimeSpan.FromHours(2);
        var s = Fold(Created("s1", T0),
            new GraphLifecycleNotified("u1", "s0", GraphLifecycleEvents.SubscriptionRemoved, T0 + TimeSpan.FromHours(1)), // an old subscription
            new GraphLifecycleNotified("u1", "s1", GraphLifecycleEvents.Missed, first),
            new GraphLifecycleNotified("u1", "s1", GraphLifecycleEvents.Missed, first + TimeSpan.FromHours(1)),
            new GraphLifecycleNotified("u1", "s1", "somethingNew", first));
        Assert.False(s.Removed);
        Assert.Equal(new RenewalDecision.CatchUp(first, GraphLifecycleEvents.Missed), RenewalSchedule.Decide(s, GraphTarget, first + TimeSpan.FromHours(2), Policy));
    }

    [Fact]
    public void A_subscription_that_lapsed_unnoticed_is_caught_up_after_its_replacement_and_a_reconfigured_one_is_not()
    {
        var later = T0 + TimeSpan.FromDays(4);
        var expired = Fold(Created("s1", T0), Created("s2", later, replaces: "s1", reason: "expired"));
        Assert.Equal(new RenewalDecision.CatchUp(later, "expired"), RenewalSchedule.Decide(expired, GraphTarget, later, Policy));
        var gone = Fold(Created("s1", T0), Created("s2", later, replaces: "s1", reason: "renewal answered 404"));
        Assert.Equal(new RenewalDecision.CatchUp(later, "renewal answered 404"), RenewalSchedule.Decide(gone, GraphTarget, later, Policy));
        var reconfigured = Fold(Created("s1", T0), Created("s2", later, replaces: "s1", reason: "configuration changed"));
        Assert.IsType<RenewalDecision.Wait>(RenewalSchedule.Decide(reconfigured, GraphTarget, later, Policy));
    }
}
