using Microsoft.Extensions.Configuration;
using OutreachOS.Ingestion;
using OutreachOS.Ingestion.OAuth;

namespace OutreachOS.UnitTests.Ingestion.Subscribing;

public sealed class SubscriptionConfigurationTests
{
    private const string Org = "00000000-0000-7000-8000-000000000001";

    private static IngestionOptions Load(Dictionary<string, string?> settings)
    {
        settings.TryAdd("Ingestion:Gmail:ServiceAccountEmail", "push@p.iam.gserviceaccount.com");
        return IngestionOptions.From(new ConfigurationBuilder().AddInMemoryCollection(settings).Build());
    }

    [Fact]
    public void A_mailbox_refresh_token_takes_the_client_from_the_shared_section_and_others_use_the_shared_token()
    {
        var options = Load(new()
        {
            ["Ingestion:Gmail:OAuth:ClientId"] = "shared-id",
            ["Ingestion:Gmail:OAuth:ClientSecret"] = "shared-secret",
            ["Ingestion:Gmail:OAuth:RefreshToken"] = "shared-refresh",
            ["Ingestion:Gmail:OAuth:TokenUrl"] = "https://token.test/",
            ["Ingestion:Gmail:Mailboxes:0:EmailAddress"] = "a@acme.test",
            ["Ingestion:Gmail:Mailboxes:0:OrganizationId"] = Org,
            ["Ingestion:Gmail:Mailboxes:0:OAuth:RefreshToken"] = "a-refresh",
            ["Ingestion:Gmail:Mailboxes:1:EmailAddress"] = "b@acme.test",
            ["Ingestion:Gmail:Mailboxes:1:OrganizationId"] = Org,
            ["Ingestion:Gmail:Mailboxes:1:OAuth:RefreshToken"] = "b-refresh",
            ["Ingestion:Gmail:Mailboxes:1:OAuth:ClientId"] = "b-id",
            ["Ingestion:Gmail:Mailboxes:1:OAuth:ClientSecret"] = "b-secret",
            ["Ingestion:Gmail:Mailboxes:2:EmailAddress"] = "c@acme.test",
            ["Ingestion:Gmail:Mailboxes:2:OrganizationId"] = Org,
        });
        var (a, b, c) = (options.Gmail.Mailboxes[0].OAuth!, options.Gmail.Mailboxes[1].OAuth!, options.Gmail.Mailboxes[2].OAuth);
        Assert.Equal(("shared-id", "shared-secret", "a-refresh", "https://token.test/"), (a.ClientId, a.ClientSecret, a.RefreshToken, a.TokenUrl.ToString()));
        Assert.Equal(("b-id", "b-secret", "b-refresh"), (b.ClientId, b.ClientSecret, b.RefreshToken));
        Assert.Null(c);
        Assert.Equal("shared-refresh", options.Gmail.OAuth!.RefreshToken);
        Assert.DoesNotContain("a-refresh", options.Gmail.Mailboxes[0].ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain("a-refresh", a.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void A_mailbox_refresh_token_without_any_client_id_names_both_keys()
    {
        var e = Assert.Throws<InvalidOperationException>(() => Load(new()
        {
            ["Ingestion:Gmail:Mailboxes:0:EmailAddress"] = "a@acme.test",
            ["Ingestion:Gmail:Mailboxes:0:OrganizationId"] = Org,
            ["Ingestion:Gmail:Mailboxes:0:OAuth:RefreshToken"] = "a-refresh",
        }));
        Assert.Equal("Ingestion:Gmail:Mailboxes:0:OAuth:ClientId (or Ingestion:Gmail:OAuth:ClientId) is required when Ingestion:Gmail:Mailboxes:0:OAuth is configured.", e.Message);
    }

    [Fact]
    public void The_shared_section_needs_no_refresh_token_when_every_mailbox_has_its_own()
    {
        var settings = new Dictionary<string, string?>
        {
            ["Ingestion:Gmail:OAuth:ClientId"] = "shared-id",
            ["Ingestion:Gmail:OAuth:ClientSecret"] = "shared-secret",
            ["Ingestion:Gmail:Mailboxes:0:EmailAddress"] = "a@acme.test",
            ["Ingestion:Gmail:Mailboxes:0:OrganizationId"] = Org,
            ["Ingestion:Gmail:Mailboxes:0:OAuth:RefreshToken"] = "a-refresh",
        };
        Assert.Null(Load(settings).Gmail.OAuth);
        settings["Ingestion:Gmail:Mailboxes:1:EmailAddress"] = "b@acme.test";
        settings["Ingestion:Gmail:Mailboxes:1:OrganizationId"] = Org;
        var e = Assert.Throws<InvalidOperationException>(() => Load(settings));
        Assert.Equal("Ingestion:Gmail:OAuth:RefreshToken is required when Ingestion:Gmail:OAuth is configured.", e.Message);
    }

    [Fact]
    public void Mailbox_token_sources_are_per_mailbox_cached_and_case_insensitive_with_the_shared_one_as_fallback()
    {
        var options = Load(new()
        {
            ["Ingestion:Gmail:OAuth:ClientId"] = "id",
            ["Ingestion:Gmail:OAuth:ClientSecret"] = "secret",
            ["Ingestion:Gmail:AccessToken"] = "static",
            ["Ingestion:Gmail:Mailboxes:0:EmailAddress"] = "A@acme.test",
            ["Ingestion:Gmail:Mailboxes:0:OrganizationId"] = Org,
            ["Ingestion:Gmail:Mailboxes:0:OAuth:RefreshToken"] = "a-refresh",
        });
        var shared = new StaticAccessToken("static");
        var created = new List<string>();
        using var sources = new MailboxTokenSources(shared, options.Gmail.Mailboxes, o =>
        {
            created.Add(o.RefreshToken!);
            return new StaticAccessToken("own-" + o.RefreshToken);
        });
        var a = sources.For("a@acme.test");
        Assert.Same(a, sources.For(" A@ACME.test"));
        Assert.Same(shared, sources.For("other@acme.test"));
        Assert.Equal(["a-refresh"], created);
    }

    [Fact]
    public void Named_graph_subscription_keys_configure_renewal_and_numbered_ones_stay_static_subscriptions()
    {
        var options = Load(new()
        {
            ["Ingestion:Graph:Subscriptions:0:SubscriptionId"] = "sub-static",
            ["Ingestion:Graph:Subscriptions:0:ClientState"] = "cs",
            ["Ingestion:Graph:Subscriptions:0:OrganizationId"] = Org,
            ["Ingestion:Graph:Subscriptions:0:UserId"] = "static@acme.test",
            ["Ingestion:Graph:Subscriptions:NotificationUrl"] = "https://outreachos.test/ingest/graph",
            ["Ingestion:Graph:Subscriptions:ClientState"] = "shared-state",
            ["Ingestion:Graph:Mailboxes:0:UserId"] = "u1@acme.test",
            ["Ingestion:Graph:Mailboxes:0:OrganizationId"] = Org,
            ["Ingestion:Graph:Mailboxes:1:UserId"] = "u2",
            ["Ingestion:Graph:Mailboxes:1:OrganizationId"] = Org,
            ["Ingestion:Graph:Mailboxes:1:ClientState"] = "own-state",
        });
        Assert.Equal(("sub-static", "static@acme.test"), Assert.Single(options.Graph.Subscriptions) is var s ? (s.SubscriptionId, s.UserId) : default);
        Assert.True(options.Graph.Subscribe.Enabled);
        Assert.Equal(4200, options.Graph.Subscribe.ExpirationMinutes);
        Assert.Equal(["shared-state", "own-state"], options.Graph.Mailboxes.Select(m => m.ClientState));
        Assert.Equal("users/u1@acme.test/mailFolders('Inbox')/messages", options.Graph.Mailboxes[0].Resource);
    }

    [Fact]
    public void Gmail_mailboxes_with_push_verification_on_need_the_push_service_account()
    {
        var settings = new Dictionary<string, string?>
        {
            ["Ingestion:Gmail:AccessToken"] = "t",
            ["Ingestion:Gmail:Audience"] = "https://outreachos.test/ingest/gmail",
            ["Ingestion:Gmail:Mailboxes:0:EmailAddress"] = "a@acme.test",
            ["Ingestion:Gmail:Mailboxes:0:OrganizationId"] = Org,
        };
        var e = Assert.Throws<InvalidOperationException>(() => IngestionOptions.From(new ConfigurationBuilder().AddInMemoryCollection(settings).Build()));
        Assert.StartsWith("Ingestion:Gmail:ServiceAccountEmail is required when Ingestion:Gmail:VerifyOidc is on", e.Message, StringComparison.Ordinal);

        settings["Ingestion:Gmail:VerifyOidc"] = "false"; // local demos only: no check to configure
        Assert.False(IngestionOptions.From(new ConfigurationBuilder().AddInMemoryCollection(settings).Build()).Gmail.VerifyOidc);
        settings["Ingestion:Gmail:VerifyOidc"] = null;
        settings["Ingestion:Gmail:ServiceAccountEmail"] = "push@p.iam.gserviceaccount.com";
        Assert.Equal("push@p.iam.gserviceaccount.com", IngestionOptions.From(new ConfigurationBuilder().AddInMemoryCollection(settings).Build()).Gmail.ServiceAccountEmail);
    }

    [Fact]
    public void A_static_graph_subscription_without_its_mailbox_fails_at_start_up()
    {
        var e = Assert.Throws<InvalidOperationException>(() => Load(new()
        {
            ["Ingestion:Graph:Subscriptions:0:SubscriptionId"] = "sub-static",
            ["Ingestion:Graph:Subscriptions:0:ClientState"] = "cs",
            ["Ingestion:Graph:Subscriptions:0:OrganizationId"] = Org,
        }));
        Assert.StartsWith("Ingestion:Graph:Subscriptions:0:UserId is required", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("4230")]
    [InlineData("10")]
    public void A_graph_expiration_outside_graph_limits_fails_at_start_up(string minutes)
    {
        var e = Assert.Throws<InvalidOperationException>(() => Load(new() { ["Ingestion:Graph:Subscriptions:ExpirationMinutes"] = minutes }));
        Assert.Contains("Ingestion:Graph:Subscriptions:ExpirationMinutes", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_graph_mailbox_without_client_state_fails_when_subscriptions_are_managed()
    {
        var e = Assert.Throws<InvalidOperationException>(() => Load(new()
        {
            ["Ingestion:Graph:Subscriptions:NotificationUrl"] = "https://outreachos.test/ingest/graph",
            ["Ingestion:Graph:Mailboxes:0:UserId"] = "u1",
            ["Ingestion:Graph:Mailboxes:0:OrganizationId"] = Org,
        }));
        Assert.StartsWith("Ingestion:Graph:Mailboxes:0:ClientState (or Ingestion:Graph:Subscriptions:ClientState) is required", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Gmail_watch_is_off_without_a_topic_and_a_mailbox_topic_or_labels_override_the_deployment_ones()
    {
        var settings = new Dictionary<string, string?>
        {
            ["Ingestion:Gmail:Mailboxes:0:EmailAddress"] = "a@acme.test",
            ["Ingestion:Gmail:Mailboxes:0:OrganizationId"] = Org,
            ["Ingestion:Gmail:Mailboxes:1:EmailAddress"] = "b@acme.test",
            ["Ingestion:Gmail:Mailboxes:1:OrganizationId"] = Org,
            ["Ingestion:Gmail:Mailboxes:1:TopicName"] = "projects/p/topics/b",
            ["Ingestion:Gmail:Mailboxes:1:LabelIds:0"] = "IMPORTANT",
        };
        var off = Load(settings).Gmail;
        Assert.Equal(["b@acme.test"], off.Watched.Select(m => m.EmailAddress));

        settings["Ingestion:Gmail:Watch:TopicName"] = "projects/p/topics/all";
        settings["Ingestion:Gmail:Watch:LabelIds"] = "INBOX, UNREAD";
        var on = Load(settings).Gmail;
        Assert.Equal(["projects/p/topics/all", "projects/p/topics/b"], on.Watched.Select(on.TopicFor));
        Assert.Equal([["INBOX", "UNREAD"], ["IMPORTANT"]], on.Watched.Select(m => on.LabelsFor(m).ToArray()));
        Assert.Equal(TimeSpan.FromHours(24), on.Watch.Policy.RenewEvery);
    }
}
