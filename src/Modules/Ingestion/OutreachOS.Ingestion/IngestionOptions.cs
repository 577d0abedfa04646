using System.Globalization;
using Microsoft.Extensions.Configuration;
using OutreachOS.Ingestion.OAuth;

namespace OutreachOS.Ingestion;

/// <summary>
/// <c>Ingestion</c> configuration. Size caps bound what one message can make downstream stages (models, rules) read;
/// webhook subscriptions map a provider's mailbox to the organization that owns it, because those calls carry no API key.
/// </summary>
internal sealed record IngestionOptions(
    int MaxTextChars,
    int MaxHtmlChars,
    int MaxSubjectChars,
    int MaxHeaders,
    int MaxHeaderValueChars,
    int MaxRecipients,
    GraphOptions Graph,
    GmailOptions Gmail)
{
    public static IngestionOptions From(IConfiguration configuration)
    {
        var s = configuration.GetSection("Ingestion");
        return new IngestionOptions(
            s.GetValue("MaxTextChars", 100_000),
            s.GetValue("MaxHtmlChars", 500_000),
            s.GetValue("MaxSubjectChars", 998),
            s.GetValue("MaxHeaders", 200),
            s.GetValue("MaxHeaderValueChars", 8_000),
            s.GetValue("MaxRecipients", 500),
            GraphOptions.From(s.GetSection("Graph")),
            GmailOptions.From(s.GetSection("Gmail")));
    }
}

/// <summary>One Graph subscription: its id, the secret clientState it was created with, the owning organization, and the
/// mailbox (user id or principal name) it is for — notifications naming any other resource are ignored.</summary>
/// <param name="ManagedUserId">The mailbox (user id) when the service created the subscription and renews it itself;
/// null for one made elsewhere and listed in configuration.</param>
internal sealed record GraphSubscription(string SubscriptionId, string ClientState, Guid OrganizationId, string UserId, string? ManagedUserId = null);

/// <summary>
/// When a provider subscription (Gmail watch, Graph subscription) is renewed: every <see cref="RenewEvery"/> since the
/// last (re)subscription, or as soon as less than <see cref="RenewBefore"/> remains before its expiration, whichever comes
/// first. A failed attempt is retried after <see cref="RetryDelay"/>, doubled per consecutive failure up to
/// <see cref="MaxRetryDelay"/>.
/// </summary>
internal sealed record RenewalPolicy(TimeSpan RenewEvery, TimeSpan RenewBefore, TimeSpan RetryDelay, TimeSpan MaxRetryDelay)
{
    public static RenewalPolicy From(IConfigurationSection s, double everyHours, double beforeHours)
    {
        var every = TimeSpan.FromHours(s.GetValue("RenewEveryHours", everyHours));
        var before = TimeSpan.FromHours(s.GetValue("RenewBeforeHours", beforeHours));
        var retry = TimeSpan.FromSeconds(s.GetValue("RetryDelaySeconds", 30.0));
        var maxRetry = TimeSpan.FromMinutes(s.GetValue("MaxRetryDelayMinutes", 30.0));
        if (every <= TimeSpan.Zero || before < TimeSpan.Zero || retry <= TimeSpan.Zero || maxRetry < retry)
        {
            throw new InvalidOperationException(
                $"{s.Path}: RenewEveryHours and RetryDelaySeconds must be positive, RenewBeforeHours not negative, MaxRetryDelayMinutes at least the retry delay.");
        }
        return new RenewalPolicy(every, before, retry, maxRetry);
    }
}

/// <summary>A mailbox whose Graph subscription the service creates and renews itself (<c>Ingestion:Graph:Mailboxes:n</c>).</summary>
internal sealed record GraphMailbox(string UserId, Guid OrganizationId, string ClientState)
{
    /// <summary>Graph's resource for new messages of the mailbox's Inbox.</summary>
    public string Resource => $"users/{UserId}/mailFolders('Inbox')/messages";
}

/// <summary>
/// <c>Ingestion:Graph:Subscriptions</c> (the non-numbered keys): where Graph sends notifications for the subscriptions the
/// service creates. Null <see cref="NotificationUrl"/> = subscription management off (subscriptions made elsewhere and
/// listed as <c>Subscriptions:n</c> keep working).
/// </summary>
/// <param name="LifecycleNotificationUrl">Where Graph sends lifecycle notifications (reauthorizationRequired,
/// subscriptionRemoved, missed); the notification URL unless set, since <c>/ingest/graph</c> handles both.</param>
/// <param name="CatchUpWindow">After missed notifications or a lapsed subscription, messages received this long before
/// the problem was noticed are listed and notified again (never before the mailbox was first subscribed).</param>
/// <param name="MaxCatchUpMessages">The most messages one catch-up lists; beyond it the catch-up is recorded as truncated.</param>
internal sealed record GraphSubscribeOptions(Uri? NotificationUrl, Uri? LifecycleNotificationUrl, int ExpirationMinutes, RenewalPolicy Policy,
    TimeSpan CatchUpWindow, int MaxCatchUpMessages)
{
    /// <summary>Graph's limit for subscriptions to Outlook messages is under 4230 minutes (about 3 days); beyond it the
    /// create/renew request is refused.</summary>
    public const int MaxExpirationMinutes = 4229;

    public bool Enabled => NotificationUrl is not null;
}

/// <summary>
/// <c>Ingestion:Graph</c>: REST base URL, adapter (Rest | InMemory), subscriptions, and the credentials: an
/// <c>OAuth</c> section (client-credentials grant, tokens refreshed by the service) or else a static bearer token.
/// <see cref="Mailboxes"/> and <see cref="Subscribe"/> are for subscriptions the service creates and renews itself.
/// </summary>
internal sealed record GraphOptions(
    Uri BaseUrl,
    string? AccessToken,
    string Adapter,
    IReadOnlyList<GraphSubscription> Subscriptions,
    OAuthClientOptions? OAuth,
    IReadOnlyList<GraphMailbox> Mailboxes,
    GraphSubscribeOptions Subscribe)
{
    public static GraphOptions From(IConfigurationSection s)
    {
        var subs = s.GetSection("Subscriptions");
        // Numbered children are subscriptions made elsewhere; named ones (NotificationUrl, ...) configure our own.
        var configured = subs.GetChildren().Where(c => int.TryParse(c.Key, NumberStyles.None, CultureInfo.InvariantCulture, out _))
            .Select(c => new GraphSubscription(
                c["SubscriptionId"] ?? throw Missing(c, "SubscriptionId"),
                c["ClientState"] ?? throw Missing(c, "ClientState"),
                Guid.Parse(c["OrganizationId"] ?? throw Missing(c, "OrganizationId"), CultureInfo.InvariantCulture),
                c["UserId"] is { Length: > 0 } user ? user
                    : throw new InvalidOperationException($"{c.Path}:UserId is required: the mailbox (user id or principal name) the subscription is for; notifications for any other are refused.")))
            .ToList();
        var notificationUrl = subs["NotificationUrl"] is { Length: > 0 } n ? new Uri(n, UriKind.Absolute) : null;
        var expiration = subs.GetValue("ExpirationMinutes", 4200);
        if (expiration is < 45 or > GraphSubscribeOptions.MaxExpirationMinutes)
        {
            throw new InvalidOperationException($"{subs.Path}:ExpirationMinutes must be between 45 and {GraphSubscribeOptions.MaxExpirationMinutes} (Graph's limit for mail).");
        }
        var catchUpHours = subs.GetValue("CatchUpHours", 24.0);
        var maxCatchUp = subs.GetValue("MaxCatchUpMessages", 5000);
        if (catchUpHours is <= 0 or > 24 * 31 || maxCatchUp is < 1 or > 100_000)
        {
            throw new InvalidOperationException($"{subs.Path}:CatchUpHours must be in (0, 744] and {subs.Path}:MaxCatchUpMessages in [1, 100000].");
        }
        var subscribe = new GraphSubscribeOptions(
            notificationUrl,
            subs["LifecycleNotificationUrl"] is { Length: > 0 } l ? new Uri(l, UriKind.Absolute) : notificationUrl,
            expiration,
            RenewalPolicy.From(subs, everyHours: 24, beforeHours: 12),
            TimeSpan.FromHours(catchUpHours),
            maxCatchUp);
        var sharedState = subs["ClientState"];
        var mailboxes = s.GetSection("Mailboxes").GetChildren().Select(c =>
        {
            var state = c["ClientState"] is { Length: > 0 } own ? own : sharedState;
            if (notificationUrl is not null && string.IsNullOrEmpty(state))
            {
                throw new InvalidOperationException($"{c.Path}:ClientState (or {subs.Path}:ClientState) is required when {subs.Path}:NotificationUrl is set.");
            }
            if (state is { Length: > 128 })
            {
                throw new InvalidOperationException($"{c.Path}:ClientState must be at most 128 characters (Graph's limit).");
            }
            return new GraphMailbox(
                c["UserId"] ?? throw Missing(c, "UserId"),
                Guid.Parse(c["OrganizationId"] ?? throw Missing(c, "OrganizationId"), CultureInfo.InvariantCulture),
                state ?? "");
        }).ToList();
        return new GraphOptions(
            new Uri(WithSlash(s["BaseUrl"] ?? "https://graph.microsoft.com/v1.0/")),
            s["AccessToken"],
            s["Adapter"] ?? "Rest",
            configured,
            OAuthClientOptions.Graph(s),
            mailboxes,
            subscribe);
    }

    internal static string WithSlash(string url) => url.EndsWith('/') ? url : url + "/";

    internal static InvalidOperationException Missing(IConfigurationSection c, string key) =>
        new($"{c.Path}:{key} is required.");
}

/// <summary>
/// One Gmail mailbox watched through Pub/Sub, the organization that owns it, and optionally its own OAuth credential
/// (a refresh token belongs to one user) and its own watch topic / labels (else <c>Ingestion:Gmail:Watch</c>'s).
/// </summary>
internal sealed record GmailMailbox(string EmailAddress, Guid OrganizationId, OAuthClientOptions? OAuth = null, string? TopicName = null,
    IReadOnlyList<string>? LabelIds = null)
{
    /// <summary>Never prints the credential (the generated record ToString would include the OAuth options).</summary>
    public override string ToString() =>
        $"Gmail mailbox {EmailAddress} (organization {OrganizationId}, {(OAuth is null ? "shared" : OAuth.Delegation is not null ? "delegated" : "own")} credential)";
}

/// <summary>
/// <c>Ingestion:Gmail:Watch</c>: the Pub/Sub topic every mailbox without its own is watched on (null: no watch calls
/// unless a mailbox names a topic), the labels to watch (empty: all changes), and the renewal policy.
/// </summary>
internal sealed record GmailWatchOptions(string? TopicName, IReadOnlyList<string> LabelIds, string? LabelFilterBehavior, RenewalPolicy Policy);

/// <summary>
/// <c>Ingestion:Gmail:CatchUp</c>: when the history cursor is older than Gmail keeps history (<c>history.list</c> answers
/// 404), the messages received since the last complete read, less <see cref="Overlap"/> (clock skew, and mail Gmail
/// accepted before that read but added to the history after it), are listed with <c>messages.list</c> — at most
/// <see cref="MaxMessages"/> messages on <see cref="MaxPages"/> pages, newest first; beyond either the catch-up is
/// truncated (logged and counted) and the older messages of the range are not read.
/// </summary>
internal sealed record GmailCatchUpOptions(int MaxMessages, int MaxPages, TimeSpan Overlap)
{
    public static GmailCatchUpOptions From(IConfigurationSection s)
    {
        var maxMessages = s.GetValue("MaxMessages", 1000);
        var maxPages = s.GetValue("MaxPages", 20);
        var overlapMinutes = s.GetValue("OverlapMinutes", 60.0);
        if (maxMessages is < 1 or > 100_000 || maxPages is < 1 or > 1000 || overlapMinutes is < 0 or > 24 * 60)
        {
            throw new InvalidOperationException(
                $"{s.Path}:MaxMessages must be in [1, 100000], {s.Path}:MaxPages in [1, 1000] and {s.Path}:OverlapMinutes in [0, 1440].");
        }
        return new GmailCatchUpOptions(maxMessages, maxPages, TimeSpan.FromMinutes(overlapMinutes));
    }
}

/// <summary>
/// <c>Ingestion:Gmail</c>: Gmail API base URL and token, adapter (Rest | InMemory), Pub/Sub push OIDC verification
/// (on by default: the endpoint is anonymous, the token is its only authentication), the mailbox → organization map, and
/// an optional <c>OAuth</c> section (refresh-token grant) that replaces the static token when present.
/// </summary>
internal sealed record GmailOptions(
    Uri BaseUrl,
    string? AccessToken,
    string Adapter,
    bool VerifyOidc,
    string? Audience,
    string? ServiceAccountEmail,
    Uri JwksUrl,
    IReadOnlyList<GmailMailbox> Mailboxes,
    OAuthClientOptions? OAuth,
    GmailWatchOptions Watch,
    GmailCatchUpOptions CatchUp)
{
    public string? TopicFor(GmailMailbox m) => m.TopicName ?? Watch.TopicName;

    public IReadOnlyList<string> LabelsFor(GmailMailbox m) => m.LabelIds ?? Watch.LabelIds;

    /// <summary>The mailboxes whose watch this service creates and renews (a topic is configured for them).</summary>
    public IEnumerable<GmailMailbox> Watched => Mailboxes.Where(m => TopicFor(m) is not null);

    public static GmailOptions From(IConfigurationSection s)
    {
        // Domain-wide delegation: every mailbox without a refresh token of its own is served as itself by the service account.
        var serviceAccount = ServiceAccountDelegation.FromConfiguration(s);
        var mailboxes = s.GetSection("Mailboxes").GetChildren().Select(c =>
        {
            var email = c["EmailAddress"] ?? throw GraphOptions.Missing(c, "EmailAddress");
            return new GmailMailbox(
                email,
                Guid.Parse(c["OrganizationId"] ?? throw GraphOptions.Missing(c, "OrganizationId"), CultureInfo.InvariantCulture),
                OAuthClientOptions.GmailMailbox(c, s, email)
                    ?? (serviceAccount is { } sa ? OAuthClientOptions.Delegated(s, sa.Key, sa.Scope, email) : null),
                c["TopicName"] is { Length: > 0 } t ? t : null,
                Labels(c) is { Count: > 0 } l ? l : null);
        }).ToList();
        var verifyOidc = s.GetValue("VerifyOidc", true);
        if (verifyOidc && mailboxes.Count > 0 && string.IsNullOrWhiteSpace(s["ServiceAccountEmail"]))
        {
            throw new InvalidOperationException(
                $"{s.Path}:ServiceAccountEmail is required when {s.Path}:VerifyOidc is on and Gmail mailboxes are configured: the e-mail of " +
                "the service account the Pub/Sub push subscription authenticates as (its push auth service account). Without it any " +
                "Google-signed token for the audience would be accepted.");
        }
        // A shared refresh token is needed only for a mailbox without its own.
        var everyMailboxHasOwn = mailboxes.Count > 0 && mailboxes.All(m => m.OAuth is not null);
        var watch = s.GetSection("Watch");
        return new GmailOptions(
            new Uri(GraphOptions.WithSlash(s["BaseUrl"] ?? "https://gmail.googleapis.com/")),
            s["AccessToken"],
            s["Adapter"] ?? "Rest",
            verifyOidc,
            s["Audience"],
            s["ServiceAccountEmail"],
            new Uri(s["JwksUrl"] ?? "https://www.googleapis.com/oauth2/v3/certs"),
            mailboxes,
            OAuthClientOptions.Gmail(s, refreshTokenRequired: !everyMailboxHasOwn),
            new GmailWatchOptions(
                watch["TopicName"] is { Length: > 0 } topic ? topic : null,
                Labels(watch),
                watch["LabelFilterBehavior"] is { Length: > 0 } b ? b : null,
                RenewalPolicy.From(watch, everyHours: 24, beforeHours: 48)),
            GmailCatchUpOptions.From(s.GetSection("CatchUp")));
    }

    /// <summary><c>LabelIds</c> as a list (<c>LabelIds:0</c>, ...) or one comma-separated value (<c>INBOX,UNREAD</c>).</summary>
    private static List<string> Labels(IConfigurationSection s)
    {
        var section = s.GetSection("LabelIds");
        var values = section.Value is { Length: > 0 } csv ? csv.Split(',') : section.GetChildren().Select(c => c.Value ?? "");
        return [.. values.Select(v => v.Trim()).Where(v => v.Length > 0)];
    }
}
