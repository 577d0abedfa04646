using Microsoft.Extensions.DependencyInjection;
using OutreachOS.BuildingBlocks.EventStore;
using OutreachOS.Ingestion.Mailbox;
using System.Globalization;
using System.Text.Json.Nodes;
using OutreachOS.Ingestion.Subscribing;
using OutreachOS.IntegrationTests.Credits;
using OutreachOS.IntegrationTests.Infrastructure;

namespace OutreachOS.IntegrationTests.Ingestion.Subscriptions;

/// <summary>
/// <see cref="MailboxSubscriptionRenewer"/> against <see cref="SubscriptionStub"/> over real HTTP and a real PostgreSQL
/// database: Gmail watch creation and renewal, Graph create / PATCH / re-create after 404, per-mailbox Gmail tokens,
/// backoff after failures, and two hosts sharing one database. Time is a hand-moved clock: no sleeps.
/// </summary>
public sealed class MailboxSubscriptionTests : IAsyncLifetime
{
    private const string Topic = "projects/acme/topics/gmail-push";
    private const string NotificationUrl = "https://outreachos.test/ingest/graph";
    private readonly TestClock _clock = Clocks.New();
    private SubscriptionStub _stub = null!;
    private string _db = null!;
    private readonly List<SubscriptionHarness> _hosts = [];

    public async Task InitializeAsync()
    {
        _stub = await SubscriptionStub.StartAsync(_clock);
        _db = await TestPostgres.CreateDatabaseAsync("subscriptions");
    }

    public async Task DisposeAsync()
    {
        foreach (var h in _hosts)
        {
            await h.DisposeAsync();
        }
        await _stub.DisposeAsync();
    }

    private async Task<SubscriptionHarness> HostAsync(Dictionary<string, string?> settings)
    {
        var host = await SubscriptionHarness.CreateAsync(_db, _clock, settings);
        _hosts.Add(host);
        return host;
    }

    private Dictionary<string, string?> GmailSettings() => SubscriptionHarness.Settings(_stub)
        .With("Ingestion:Gmail:OAuth:TokenUrl", new Uri(_stub.BaseUrl, "google/token").ToString())
        .With("Ingestion:Gmail:OAuth:ClientId", "gmail-client")
        .With("Ingestion:Gmail:OAuth:ClientSecret", "gmail-secret")
        .With("Ingestion:Gmail:OAuth:RetryDelayMs", "0")
        .With("Ingestion:Gmail:Watch:TopicName", Topic)
        .WithGmailMailbox(0, "support@acme.test", "refresh-support");

    private Dictionary<string, string?> GraphSettings() => SubscriptionHarness.Settings(_stub)
        .With("Ingestion:Graph:Subscriptions:NotificationUrl", NotificationUrl)
        .With("Ingestion:Graph:Subscriptions:ClientState", "graph-client-state")
        .WithGraphMailbox(0, "sales@acme.test");

    [Fact]
    public async Task Starting_the_service_creates_the_watch_records_it_and_starts_the_history_cursor_there()
    {
        _stub.GmailRefreshTokens["support@acme.test"] = "refresh-support";
        var host = await HostAsync(GmailSettings().With("Ingestion:Gmail:Watch:LabelIds", "INBOX"));
        using var stop = new CancellationTokenSource();
        await host.Renewer.StartAsync(stop.Token);
        try
        {
            await _stub.WatchArrived.Task.WaitAsync(TimeSpan.FromSeconds(30));
            var stream = MailboxSubscription.GmailStream("support@acme.test");
            var deadline = DateTime.UtcNow.AddSeconds(30);
            while ((await host.EventsAsync(stream)).Count == 0 && DateTime.UtcNow < deadline)
            {
                await Task.Delay(50);
            }
            var started = Assert.IsType<GmailWatchStarted>(Assert.Single(await host.EventsAsync(stream)));
            Assert.Equal(("support@acme.test", Topic, "none", Clocks.T0 + SubscriptionStub.GmailWatchLifetime), (started.Mailbox, started.TopicName, started.Reason, started.Expiration));
            Assert.Equal(["INBOX"], started.LabelIds);
            Assert.Equal(started.HistoryId, await host.CursorAsync("support@acme.test"));

            var (_, path, auth, body) = Assert.Single(_stub.Calls("POST", "/watch"));
            Assert.Equal("/gmail-api/gmail/v1/users/support@acme.test/watch", path);
            Assert.Equal("Bearer " + SubscriptionStub.AccessTokenFor("refresh-support"), auth);
            var json = JsonNode.Parse(body)!;
            Assert.Equal(Topic, json["topicName"]!.GetValue<string>());
            Assert.Equal("INBOX", json["labelIds"]![0]!.GetValue<string>());
        }
        finally
        {
            await stop.CancelAsync();
            await host.Renewer.StopAsync(CancellationToken.None);
        }
    }

    [Fact]
    public async Task The_watch_is_renewed_when_less_than_the_margin_remains_and_not_before()
    {
        _stub.GmailRefreshTokens["support@acme.test"] = "refresh-support";
        _stub.WatchLifetime = TimeSpan.FromDays(3);
        var host = await HostAsync(GmailSettings()
            .With("Ingestion:Gmail:Watch:RenewEveryHours", "1000")
            .With("Ingestion:Gmail:Watch:RenewBeforeHours", "48"));

        var due = await host.Renewer.RunOnceAsync(default);
        Assert.Equal(Clocks.T0 + TimeSpan.FromHours(24), due); // 3 days - 48 h
        _clock.Set(Clocks.T0 + TimeSpan.FromHours(23));
        Assert.Equal(Clocks.T0 + TimeSpan.FromHours(24), await host.Renewer.RunOnceAsync(default));
        Assert.Single(_stub.Calls("POST", "/watch"));

        _clock.Set(Clocks.T0 + TimeSpan.FromHours(24));
        await host.Renewer.RunOnceAsync(default);
        Assert.Equal(2, _stub.Calls("POST", "/watch").Count);
        var events = (await host.EventsAsync(MailboxSubscription.GmailStream("support@acme.test"))).Cast<GmailWatchStarted>().ToList();
        Assert.Equal(["none", "expiring"], events.Select(e => e.Reason));
        Assert.Equal(Clocks.T0 + TimeSpan.FromHours(24) + TimeSpan.FromDays(3), events[1].Expiration);
        // The cursor stays where the first watch put it: renewing never skips history.
        Assert.Equal(events[0].HistoryId, await host.CursorAsync("support@acme.test"));
    }

    [Fact]
    public async Task Each_gmail_mailbox_is_watched_and_fetched_with_its_own_token_and_the_rest_with_the_shared_one()
    {
        _stub.GmailRefreshTokens["support@acme.test"] = "refresh-support";
        _stub.GmailRefreshTokens["sales@acme.test"] = "refresh-sales";
        _stub.GmailRefreshTokens["ops@acme.test"] = "refresh-shared";
        var host = await HostAsync(GmailSettings()
            .WithGmailMailbox(1, "sales@acme.test", "refresh-sales")
            .WithGmailMailbox(2, "ops@acme.test", null)
            .With("Ingestion:Gmail:OAuth:RefreshToken", "refresh-shared"));

        await host.Renewer.RunOnceAsync(default);
        foreach (var mailbox in new[] { "support@acme.test", "sales@acme.test", "ops@acme.test" })
        {
            var email = await host.Gmail.FetchAsync(mailbox, "m1", default);
            Assert.Equal($"<m1@{mailbox}>", email!.MessageId);
            await host.Gmail.FetchAsync(mailbox, "m2", default);
        }

        var watches = _stub.Calls("POST", "/watch");
        Assert.Equal(3, watches.Count);
        Assert.All(_stub.Requests.Where(r => r.Path.StartsWith("/gmail-api/", StringComparison.Ordinal)), r =>
        {
            var user = Uri.UnescapeDataString(r.Path.Split('/')[5]);
            Assert.Equal("Bearer " + SubscriptionStub.AccessTokenFor(_stub.GmailRefreshTokens[user]), r.Authorization);
        });
        Assert.DoesNotContain(_stub.Requests, r => r.Path.StartsWith("/gmail-api/", StringComparison.Ordinal) && r.Authorization is null or "");
        // One token request per credential, whatever the number of calls made with it.
        var tokenForms = _stub.Calls("POST", "/google/token").Select(r => System.Web.HttpUtility.ParseQueryString(r.Body)["refresh_token"]).Order();
        Assert.Equal(["refresh-sales", "refresh-shared", "refresh-support"], tokenForms);
    }

    [Fact]
    public async Task A_mailbox_served_with_another_mailboxs_token_fails_and_is_retried_with_backoff_not_thrown()
    {
        // The stub expects sales' own token, but the mailbox is configured with support's refresh token.
        _stub.GmailRefreshTokens["support@acme.test"] = "refresh-support";
        _stub.GmailRefreshTokens["sales@acme.test"] = "refresh-sales";
        var host = await HostAsync(GmailSettings().WithGmailMailbox(1, "sales@acme.test", "refresh-support"));

        var due = await host.Renewer.RunOnceAsync(default);
        Assert.Equal(Clocks.T0 + TimeSpan.FromSeconds(30), due);
        Assert.Single(await host.EventsAsync(MailboxSubscription.GmailStream("support@acme.test")));
        Assert.Empty(await host.EventsAsync(MailboxSubscription.GmailStream("sales@acme.test")));
        // 401, then one retry with a fresh token of the same (wrong) credential, then the mailbox waits for its retry.
        Assert.Equal(2, _stub.Calls("POST", "sales@acme.test/watch").Count);
        _clock.Set(Clocks.T0 + TimeSpan.FromSeconds(29));
        await host.Renewer.RunOnceAsync(default);
        Assert.Equal(2, _stub.Calls("POST", "sales@acme.test/watch").Count);
    }

    [Fact]
    public async Task Graph_subscription_is_created_renewed_by_patch_and_recreated_when_patch_answers_404()
    {
        var host = await HostAsync(GraphSettings());
        await host.Renewer.RunOnceAsync(default);

        var (_, _, auth, body) = Assert.Single(_stub.Calls("POST", "/graph/v1.0/subscriptions"));
        Assert.Equal("Bearer " + SubscriptionStub.GraphToken, auth);
        var json = JsonNode.Parse(body)!;
        Assert.Equal("created", json["changeType"]!.GetValue<string>());
        Assert.Equal(NotificationUrl, json["notificationUrl"]!.GetValue<string>());
        Assert.Equal("users/sales@acme.test/mailFolders('Inbox')/messages", json["resource"]!.GetValue<string>());
        Assert.Equal("graph-client-state", json["clientState"]!.GetValue<string>());
        var requested = DateTimeOffset.Parse(json["expirationDateTime"]!.GetValue<string>(), CultureInfo.InvariantCulture);
        Assert.True(requested - Clocks.T0 < TimeSpan.FromMinutes(4230), $"expiration {requested:o} beyond Graph's limit for mail");
        Assert.Equal(["graph-sub-1"], await host.GraphSubscriptionRowsAsync());

        _clock.Set(Clocks.T0 + TimeSpan.FromHours(24));
        await host.Renewer.RunOnceAsync(default);
        var (_, patchPath, _, _) = Assert.Single(_stub.Calls("PATCH", "/graph/v1.0/subscriptions/"));
        Assert.Equal("/graph/v1.0/subscriptions/graph-sub-1", patchPath);

        _stub.GraphSubscriptions.Clear(); // Graph dropped it (e.g. missed lifecycle notifications)
        _clock.Set(Clocks.T0 + TimeSpan.FromHours(48));
        await host.Renewer.RunOnceAsync(default);
        Assert.Equal(2, _stub.Calls("PATCH", "/graph/v1.0/subscriptions/").Count);
        Assert.Equal(2, _stub.Calls("POST", "/graph/v1.0/subscriptions").Count);

        var events = await host.EventsAsync(MailboxSubscription.GraphStream("sales@acme.test"));
        Assert.Collection(events,
            e => Assert.Equal(("graph-sub-1", "none", (string?)null), (((GraphSubscriptionCreated)e).SubscriptionId, ((GraphSubscriptionCreated)e).Reason, ((GraphSubscriptionCreated)e).Replaces)),
            e => Assert.Equal(("graph-sub-1", "interval"), (((GraphSubscriptionRenewed)e).SubscriptionId, ((GraphSubscriptionRenewed)e).Reason)),
            e => Assert.Equal(("graph-sub-2", "renewal answered 404", "graph-sub-1"), (((GraphSubscriptionCreated)e).SubscriptionId, ((GraphSubscriptionCreated)e).Reason, ((GraphSubscriptionCreated)e).Replaces)));
        Assert.Equal(["graph-sub-2"], await host.GraphSubscriptionRowsAsync());
    }

    [Fact]
    public async Task A_failing_provider_is_retried_with_doubling_backoff_without_throwing()
    {
        var host = await HostAsync(GraphSettings());
        _stub.FailGraph(2);

        Assert.Equal(Clocks.T0 + TimeSpan.FromSeconds(30), await host.Renewer.RunOnceAsync(default));
        _clock.Set(Clocks.T0 + TimeSpan.FromSeconds(29));
        Assert.Equal(Clocks.T0 + TimeSpan.FromSeconds(30), await host.Renewer.RunOnceAsync(default)); // no call while backing off
        Assert.Single(_stub.Calls("POST", "/graph/v1.0/subscriptions"));

        _clock.Set(Clocks.T0 + TimeSpan.FromSeconds(30));
        Assert.Equal(Clocks.T0 + TimeSpan.FromSeconds(90), await host.Renewer.RunOnceAsync(default));
        _clock.Set(Clocks.T0 + TimeSpan.FromSeconds(90));
        var next = await host.Renewer.RunOnceAsync(default);

        Assert.Equal(3, _stub.Calls("POST", "/graph/v1.0/subscriptions").Count);
        Assert.IsType<GraphSubscriptionCreated>(Assert.Single(await host.EventsAsync(MailboxSubscription.GraphStream("sales@acme.test"))));
        Assert.Equal(Clocks.T0 + TimeSpan.FromSeconds(90) + TimeSpan.FromHours(24), next);
    }

    [Fact]
    public async Task Two_hosts_make_one_provider_call_per_due_mailbox()
    {
        _stub.GmailRefreshTokens["support@acme.test"] = "refresh-support";
        _stub.GmailRefreshTokens["sales@acme.test"] = "refresh-sales";
        var settings = GmailSettings().WithGmailMailbox(1, "sales@acme.test", "refresh-sales");
        var a = await HostAsync(settings);
        var b = await HostAsync(settings);

        // Host A is held inside its first watch call (support@) while host B runs a whole round.
        _stub.WatchGate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var roundA = a.Renewer.RunOnceAsync(default);
        await _stub.WatchArrived.Task.WaitAsync(TimeSpan.FromSeconds(30));
        var gate = _stub.WatchGate;
        _stub.WatchGate = null;
        await b.Renewer.RunOnceAsync(default);
        gate.SetResult();
        await roundA.WaitAsync(TimeSpan.FromSeconds(30));
        await b.Renewer.RunOnceAsync(default);
        await a.Renewer.RunOnceAsync(default);

        Assert.Single(_stub.Calls("POST", "support@acme.test/watch"));
        Assert.Single(_stub.Calls("POST", "sales@acme.test/watch"));

        // A day later both hosts wake up: still one renewal per mailbox.
        _clock.Set(Clocks.T0 + TimeSpan.FromHours(24));
        await Task.WhenAll(a.Renewer.RunOnceAsync(default), b.Renewer.RunOnceAsync(default));
        await Task.WhenAll(a.Renewer.RunOnceAsync(default), b.Renewer.RunOnceAsync(default));
        Assert.Equal(2, _stub.Calls("POST", "support@acme.test/watch").Count);
        Assert.Equal(2, _stub.Calls("POST", "sales@acme.test/watch").Count);
        Assert.Equal(2, (await a.EventsAsync(MailboxSubscription.GmailStream("sales@acme.test"))).Count);
    }

    /// <summary>What <c>/ingest/graph</c> appends for a lifecycle notification about a managed subscription.</summary>
    private static Task LifecycleAsync(SubscriptionHarness host, string subscriptionId, string lifecycleEvent, DateTimeOffset at) =>
        host.Store.AppendAsync(SubscriptionHarness.Org, MailboxSubscription.GraphStream("sales@acme.test"), MailboxSubscription.StreamType, ExpectedVersion.Any,
            [EventToAppend.Create(new GraphLifecycleNotified("sales@acme.test", subscriptionId, lifecycleEvent, at))]);

    private static async Task<List<string>> NotifiedResourcesAsync(SubscriptionHarness host)
    {
        var streams = await host.Store.ListStreamsAsync(SubscriptionHarness.Org, MailboxNotifications.StreamType, null, null, 1000);
        var resources = new List<string>();
        foreach (var stream in streams)
        {
            resources.AddRange((await host.Store.ReadStreamAsync(SubscriptionHarness.Org, stream.StreamId)).Select(e => ((MailboxNotified)e.Data!).Mailbox + " " + ((MailboxNotified)e.Data!).Resource));
        }
        resources.Sort(StringComparer.Ordinal);
        return resources;
    }

    [Fact]
    public async Task Graph_lifecycle_notifications_reauthorize_recreate_and_catch_up_the_messages_whose_notifications_were_lost()
    {
        var t0 = Clocks.T0;
        var host = await HostAsync(GraphSettings().With("Ingestion:Graph:Subscriptions:CatchUpHours", "6"));
        await host.Renewer.RunOnceAsync(default);
        var created = JsonNode.Parse(Assert.Single(_stub.Calls("POST", "/graph/v1.0/subscriptions")).Body)!;
        Assert.Equal(NotificationUrl, created["lifecycleNotificationUrl"]!.GetValue<string>()); // the same endpoint handles both
        _stub.GraphPageSize = 2;
        foreach (var (id, hours) in new[] { ("m-before", -1), ("m-1", 1), ("m-2", 2), ("m-3", 3) })
        {
            _stub.GraphMessages.Enqueue((id, t0 + TimeSpan.FromHours(hours)));
        }

        // reauthorizationRequired: renewed now (PATCH reauthorizes), not at the next interval.
        _clock.Set(t0 + TimeSpan.FromHours(1));
        await LifecycleAsync(host, "graph-sub-1", GraphLifecycleEvents.ReauthorizationRequired, _clock.GetUtcNow());
        await host.Renewer.RunOnceAsync(default);
        Assert.Single(_stub.Calls("PATCH", "/graph/v1.0/subscriptions/graph-sub-1"));

        // missed: the messages received since the loss less the window (6 h), but not before the mailbox was first
        // subscribed (m-before), are listed page by page and notified as Graph would have.
        _clock.Set(t0 + TimeSpan.FromHours(4));
        await LifecycleAsync(host, "graph-sub-1", GraphLifecycleEvents.Missed, _clock.GetUtcNow());
        await host.Renewer.RunOnceAsync(default);
        Assert.Equal(2, _stub.Calls("GET", "/mailFolders('Inbox')/messages").Count);
        Assert.Equal(["graph-sub-1 users/sales@acme.test/messages/m-1", "graph-sub-1 users/sales@acme.test/messages/m-2", "graph-sub-1 users/sales@acme.test/messages/m-3"],
            await NotifiedResourcesAsync(host));
        await host.Renewer.RunOnceAsync(default); // caught up: nothing more to list
        Assert.Equal(2, _stub.Calls("GET", "/mailFolders('Inbox')/messages").Count);

        // subscriptionRemoved: re-created at once, then caught up again under the new subscription; a message seen before
        // under the same subscription would be one notification, and the consumer drops re-ingested ones by Message-ID.
        _clock.Set(t0 + TimeSpan.FromHours(5));
        _stub.GraphSubscriptions.Clear();
        _stub.GraphMessages.Enqueue(("m-4", t0 + TimeSpan.FromHours(4.5)));
        await LifecycleAsync(host, "graph-sub-1", GraphLifecycleEvents.SubscriptionRemoved, _clock.GetUtcNow());
        await host.Renewer.RunOnceAsync(default);
        await host.Renewer.RunOnceAsync(default);
        Assert.Equal(2, _stub.Calls("POST", "/graph/v1.0/subscriptions").Count);
        Assert.Equal(7, (await NotifiedResourcesAsync(host)).Count); // 3 + m-1..m-4 under graph-sub-2

        var events = await host.EventsAsync(MailboxSubscription.GraphStream("sales@acme.test"));
        Assert.Collection(events,
            e => Assert.Equal("none", ((GraphSubscriptionCreated)e).Reason),
            e => Assert.Equal(GraphLifecycleEvents.ReauthorizationRequired, ((GraphLifecycleNotified)e).LifecycleEvent),
            e => Assert.Equal("reauthorization required", ((GraphSubscriptionRenewed)e).Reason),
            e => Assert.Equal(GraphLifecycleEvents.Missed, ((GraphLifecycleNotified)e).LifecycleEvent),
            e => Assert.Equal(new GraphMailboxCaughtUp("sales@acme.test", "graph-sub-1", t0, 3, false, GraphLifecycleEvents.Missed, t0 + TimeSpan.FromHours(4)), e),
            e => Assert.Equal(GraphLifecycleEvents.SubscriptionRemoved, ((GraphLifecycleNotified)e).LifecycleEvent),
            e => Assert.Equal(("graph-sub-2", "removed by Graph", "graph-sub-1"), (((GraphSubscriptionCreated)e).SubscriptionId, ((GraphSubscriptionCreated)e).Reason, ((GraphSubscriptionCreated)e).Replaces)),
            e => Assert.Equal(new GraphMailboxCaughtUp("sales@acme.test", "graph-sub-2", t0, 4, false, GraphLifecycleEvents.SubscriptionRemoved, t0 + TimeSpan.FromHours(5)), e));
        Assert.Equal(["graph-sub-2"], await host.GraphSubscriptionRowsAsync());
    }

    [Fact]
    public async Task A_catch_up_stops_at_its_maximum_and_never_follows_a_next_page_link_off_graphs_origin()
    {
        var t0 = Clocks.T0;
        var host = await HostAsync(GraphSettings().With("Ingestion:Graph:Subscriptions:MaxCatchUpMessages", "2"));
        await host.Renewer.RunOnceAsync(default);
        foreach (var id in new[] { "m-1", "m-2", "m-3" })
        {
            _stub.GraphMessages.Enqueue((id, t0 + TimeSpan.FromMinutes(10)));
        }
        _clock.Set(t0 + TimeSpan.FromHours(1));
        await LifecycleAsync(host, "graph-sub-1", GraphLifecycleEvents.Missed, _clock.GetUtcNow());
        await host.Renewer.RunOnceAsync(default);
        var caught = Assert.IsType<GraphMailboxCaughtUp>((await host.EventsAsync(MailboxSubscription.GraphStream("sales@acme.test")))[^1]);
        Assert.Equal((2, true), (caught.Listed, caught.Truncated));

        // A next-page link to another origin would carry the bearer token there: the catch-up fails (and is retried) instead.
        _stub.GraphPageSize = 1;
        _stub.GraphNextLinkOrigin = new Uri("https://attacker.test/");
        _clock.Set(t0 + TimeSpan.FromHours(2));
        await LifecycleAsync(host, "graph-sub-1", GraphLifecycleEvents.Missed, _clock.GetUtcNow());
        var retryAt = await host.Renewer.RunOnceAsync(default);
        Assert.Equal(_clock.GetUtcNow() + TimeSpan.FromSeconds(30), retryAt);
        Assert.IsType<GraphLifecycleNotified>((await host.EventsAsync(MailboxSubscription.GraphStream("sales@acme.test")))[^1]);
        Assert.Equal(2, (await NotifiedResourcesAsync(host)).Count);
    }

    [Fact]
    public async Task With_a_service_account_each_mailbox_is_watched_with_a_token_delegated_for_that_mailbox()
    {
        using var rsa = System.Security.Cryptography.RSA.Create(2048);
        _stub.ServiceAccountKey = rsa;
        var key = new JsonObject
        {
            ["type"] = "service_account",
            ["private_key_id"] = "kid-1",
            ["private_key"] = rsa.ExportPkcs8PrivateKeyPem(),
            ["client_email"] = "ingest@acme-mail.iam.gserviceaccount.com",
            ["token_uri"] = new Uri(_stub.BaseUrl, "google/token").ToString(),
        }.ToJsonString();
        var host = await HostAsync(SubscriptionHarness.Settings(_stub)
            .With("Ingestion:Gmail:ServiceAccount:KeyJson", key)
            .With("Ingestion:Gmail:ServiceAccount:RetryDelayMs", "0")
            .With("Ingestion:Gmail:Watch:TopicName", Topic)
            .WithGmailMailbox(0, "support@acme.test", refreshToken: null)
            .WithGmailMailbox(1, "sales@acme.test", refreshToken: null));

        await host.Renewer.RunOnceAsync(default);

        Assert.Equal("Bearer at-sa-support@acme.test", Assert.Single(_stub.Calls("POST", "support@acme.test/watch")).Authorization);
        Assert.Equal("Bearer at-sa-sales@acme.test", Assert.Single(_stub.Calls("POST", "sales@acme.test/watch")).Authorization);
        Assert.Equal(["sales@acme.test", "support@acme.test"], _stub.DelegatedSubjects.Order(StringComparer.Ordinal));
        Assert.IsType<GmailWatchStarted>(Assert.Single(await host.EventsAsync(MailboxSubscription.GmailStream("sales@acme.test"))));

        // A message is fetched as that mailbox too (the token is cached: no new grant).
        var fetched = await host.Gmail.FetchAsync("sales@acme.test", "m-1", default);
        Assert.NotNull(fetched);
        Assert.Equal(2, _stub.DelegatedSubjects.Count);
    }

    [Fact]
    public async Task A_changed_client_state_makes_the_subscription_again_with_the_new_one_and_catches_up_what_was_refused()
    {
        var before = await HostAsync(GraphSettings());
        await before.Renewer.RunOnceAsync(default);
        Assert.Equal(["graph-sub-1"], await before.GraphSubscriptionRowsAsync());

        // The operator rotates the secret and restarts: the next round (at start) replaces the subscription at once.
        _clock.Set(Clocks.T0 + TimeSpan.FromMinutes(10));
        var after = await HostAsync(GraphSettings().With("Ingestion:Graph:Subscriptions:ClientState", "rotated-client-state"));
        _stub.GraphMessages.Enqueue(("m-during-rotation", Clocks.T0 + TimeSpan.FromMinutes(9)));
        await after.Renewer.RunOnceAsync(default);
        Assert.Single(_stub.Calls("DELETE", "/graph/v1.0/subscriptions/graph-sub-1"));
        var posts = _stub.Calls("POST", "/graph/v1.0/subscriptions");
        Assert.Equal(2, posts.Count);
        Assert.Equal("rotated-client-state", JsonNode.Parse(posts[1].Body)!["clientState"]!.GetValue<string>());
        Assert.Equal(["graph-sub-2"], await after.GraphSubscriptionRowsAsync());

        // Notifications sent with the old secret in between were refused: the mailbox is caught up.
        await after.Renewer.RunOnceAsync(default);
        var events = await after.EventsAsync(MailboxSubscription.GraphStream("sales@acme.test"));
        var created = Assert.IsType<GraphSubscriptionCreated>(events[1]);
        Assert.Equal(("graph-sub-2", "client state changed", "graph-sub-1"), (created.SubscriptionId, created.Reason, created.Replaces));
        var caughtUp = Assert.IsType<GraphMailboxCaughtUp>(events[2]);
        Assert.Equal((1, "client state changed"), (caughtUp.Listed, caughtUp.Reason));

        // Renewals keep it: the stored fingerprint matches, so a day later it is a PATCH, not another replacement.
        _clock.Set(Clocks.T0 + TimeSpan.FromHours(25));
        await after.Renewer.RunOnceAsync(default);
        Assert.Single(_stub.Calls("PATCH", "/graph/v1.0/subscriptions/graph-sub-2"));
        Assert.Equal(2, _stub.Calls("POST", "/graph/v1.0/subscriptions").Count);
    }

    [Fact]
    public async Task A_subscription_stored_before_fingerprints_existed_is_kept_not_replaced()
    {
        var host = await HostAsync(GraphSettings());
        await host.Renewer.RunOnceAsync(default);
        await using (var cmd = host.Services.GetRequiredService<Npgsql.NpgsqlDataSource>().CreateCommand(
            "UPDATE oos.ingestion_graph_subscriptions SET client_state_sha256 = NULL"))
        {
            await cmd.ExecuteNonQueryAsync();
        }
        var restarted = await HostAsync(GraphSettings().With("Ingestion:Graph:Subscriptions:ClientState", "another-one"));
        _clock.Set(Clocks.T0 + TimeSpan.FromHours(25));
        await restarted.Renewer.RunOnceAsync(default);
        Assert.Single(_stub.Calls("POST", "/graph/v1.0/subscriptions"));
        Assert.Single(_stub.Calls("PATCH", "/graph/v1.0/subscriptions/graph-sub-1"));
    }
}
