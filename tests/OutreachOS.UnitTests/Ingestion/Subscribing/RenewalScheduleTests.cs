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
        Assert.Equal(new MailboxSubscription("s1", T0 + TimeSpan.FromHours(70), T0, "users/u1/mailFolders('Inbox')/messages|https://x.test/ingest/graph"), s);
        var stale = MailboxSubscription.Evolve(s, new GraphSubscriptionRenewed("u1", "s0", T0 + TimeSpan.FromHours(99), "interval", T0 + TimeSpan.FromHours(1)));
        Assert.Equal(s, stale);
        var renewed = MailboxSubscription.Evolve(s, new GraphSubscriptionRenewed("u1", "s1", T0 + TimeSpan.FromHours(94), "interval", T0 + TimeSpan.FromHours(24)));
        Assert.Equal(s with { Expiration = T0 + TimeSpan.FromHours(94), SubscribedAt = T0 + TimeSpan.FromHours(24) }, renewed);
    }
}
