using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Npgsql;
using OutreachOS.BuildingBlocks.EventStore;
using OutreachOS.BuildingBlocks.Web;
using OutreachOS.Ingestion.Contracts;
using OutreachOS.Ingestion.Mailbox;
using OutreachOS.Ingestion.Subscribing;

namespace OutreachOS.Ingestion.Graph;

/// <param name="Lifecycle">Lifecycle notifications recorded for the renewer (reauthorize, re-create, catch up).</param>
internal sealed record NotificationsAccepted(int Accepted, int Rejected, int Ignored, int Lifecycle = 0);

/// <summary>
/// <c>POST /ingest/graph</c> (anonymous: Graph sends no API key). The subscription handshake echoes
/// <c>validationToken</c> as text/plain. A change notification is accepted only when its subscription is configured
/// (<c>Subscriptions:n</c>) or was created by this service for a configured mailbox (<c>oos.ingestion_graph_subscriptions</c>),
/// and its <c>clientState</c> matches (constant time); the organization and the mailbox come from that configuration. Only a
/// message of that mailbox is accepted (<see cref="GraphResource"/>); any other resource is ignored with a warning. Accepting
/// is one append of <see cref="MailboxNotified"/>; fetching the message happens in <see cref="MailboxNotificationConsumer"/>.
/// A lifecycle notification (<c>reauthorizationRequired</c>, <c>subscriptionRemoved</c>, <c>missed</c>) about a
/// subscription the service manages is recorded on the mailbox's subscription stream, in the same append, and wakes the
/// renewer, which renews, re-creates or catches up (ADR 0026). One about a subscription made elsewhere is logged only.
/// </summary>
internal static class GraphWebhook
{
    public const int MaxValidationTokenChars = 4096;

    public static async Task<IResult> HandleAsync(HttpContext http, IngestionOptions options, IEventStore store, NpgsqlDataSource dataSource,
        TimeProvider clock, ILogger<GraphWebhookLog> logger, CancellationToken ct)
    {
        if (http.Request.Query.TryGetValue("validationToken", out var token))
        {
            var value = token.ToString();
            if (value.Length is 0 or > MaxValidationTokenChars)
            {
                return new FieldErrors().Add("validationToken", $"must be 1-{MaxValidationTokenChars} characters").ToProblem();
            }
            http.Response.Headers.XContentTypeOptions = "nosniff";
            return TypedResults.Text(value, "text/plain", System.Text.Encoding.UTF8, StatusCodes.Status200OK);
        }

        JsonDocument doc;
        try
        {
            doc = await JsonDocument.ParseAsync(http.Request.Body, cancellationToken: ct);
        }
        catch (JsonException ex)
        {
            return new FieldErrors().Add("body", "is not valid JSON: " + ex.Message.Split(" Path:")[0]).ToProblem();
        }
        using var _ = doc;
        if (doc.RootElement.ValueKind != JsonValueKind.Object || !doc.RootElement.TryGetProperty("value", out var items) || items.ValueKind != JsonValueKind.Array)
        {
            return new FieldErrors().Add("value", "is required (an array of change notifications)").ToProblem();
        }

        var subscriptions = options.Graph.Subscriptions.ToDictionary(s => s.SubscriptionId, StringComparer.OrdinalIgnoreCase);
        await AddCreatedAsync(subscriptions, items, options, dataSource, ct);
        var appends = new Dictionary<string, StreamAppend>(StringComparer.Ordinal);
        var lifecycle = new Dictionary<string, (Guid Organization, List<EventToAppend> Events)>(StringComparer.Ordinal);
        int rejected = 0, ignored = 0;
        foreach (var item in items.EnumerateArray())
        {
            var subscriptionId = Str(item, "subscriptionId");
            if (subscriptionId is null || !subscriptions.TryGetValue(subscriptionId, out var subscription)
                || !ClientState.Matches(Str(item, "clientState"), subscription.ClientState))
            {
                rejected++;
                continue;
            }
            if (Str(item, "lifecycleEvent") is { } lifecycleEvent)
            {
                // No message to fetch: something about the subscription itself, for the renewer.
                if (subscription.ManagedUserId is { } user && lifecycleEvent is GraphLifecycleEvents.ReauthorizationRequired
                        or GraphLifecycleEvents.SubscriptionRemoved or GraphLifecycleEvents.Missed)
                {
                    var stream = MailboxSubscription.GraphStream(user);
                    if (!lifecycle.TryGetValue(stream, out var pending))
                    {
                        lifecycle[stream] = pending = (subscription.OrganizationId, []);
                    }
                    // One event per kind and subscription per delivery: a repeated notice adds nothing for the renewer.
                    if (!pending.Events.Any(e => e.Data is GraphLifecycleNotified n && n.LifecycleEvent == lifecycleEvent && n.SubscriptionId == subscription.SubscriptionId))
                    {
                        pending.Events.Add(EventToAppend.Create(new GraphLifecycleNotified(user, subscription.SubscriptionId, lifecycleEvent, clock.GetUtcNow())));
                    }
                }
                else
                {
                    ignored++;
                    logger.LogWarning("Graph lifecycle notification {LifecycleEvent} for subscription {SubscriptionId} not acted on: {Why}",
                        lifecycleEvent.Length <= 64 ? lifecycleEvent : lifecycleEvent[..64], subscription.SubscriptionId,
                        subscription.ManagedUserId is null ? "the subscription is managed outside the service" : "unknown lifecycle event");
                }
                continue;
            }
            var resource = Resource(item, subscription.UserId);
            if (resource is null)
            {
                // Not a message of the subscribed mailbox (another user, another host, a path that climbs...): never
                // fetched with our token. Graph gets the same 202 as for the rest of the batch; retrying would not help.
                ignored++;
                logger.LogWarning("Graph notification for subscription {SubscriptionId} ignored: its resource is not a message of the subscribed mailbox",
                    subscription.SubscriptionId);
                continue;
            }
            var append = MailboxNotifications.Append(subscription.OrganizationId, InboundSource.Graph, subscription.SubscriptionId, resource, clock.GetUtcNow());
            appends.TryAdd(append.StreamId, append);
        }
        var lifecycleCount = lifecycle.Values.Sum(l => l.Events.Count);
        if (appends.Count + lifecycle.Count > 0)
        {
            await store.AppendManyAsync([.. appends.Values,
                .. lifecycle.Select(l => new StreamAppend(l.Value.Organization, l.Key, MailboxSubscription.StreamType, ExpectedVersion.Any, l.Value.Events))], ct);
        }
        if (lifecycle.Count > 0 && http.RequestServices.GetService(typeof(MailboxSubscriptionRenewer)) is MailboxSubscriptionRenewer renewer)
        {
            foreach (var stream in lifecycle.Keys)
            {
                renewer.Wake(stream);
            }
        }
        if (rejected > 0)
        {
            logger.LogWarning("Graph notifications rejected (unknown subscription or clientState mismatch): {Rejected}", rejected);
        }
        if (appends.Count == 0 && lifecycleCount == 0 && rejected > 0)
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status401Unauthorized, title: "Unauthorized",
                detail: "No notification had a known subscriptionId with a matching clientState.", type: "https://outreachos.dev/problems/unauthorized");
        }
        return TypedResults.Accepted((string?)null, new NotificationsAccepted(appends.Count, rejected, ignored, lifecycleCount));
    }

    /// <summary>
    /// Subscriptions the renewer created, for the ids in this batch that configuration does not list. Their clientState is
    /// the configured one of the mailbox (user id) they were made for; a mailbox no longer configured is not accepted.
    /// </summary>
    private static async Task AddCreatedAsync(Dictionary<string, GraphSubscription> subscriptions, JsonElement items, IngestionOptions options,
        NpgsqlDataSource dataSource, CancellationToken ct)
    {
        if (options.Graph.Mailboxes.Count == 0)
        {
            return;
        }
        var unknown = items.EnumerateArray().Select(i => Str(i, "subscriptionId")).OfType<string>()
            .Where(id => id.Length <= 200 && !subscriptions.ContainsKey(id)).Distinct(StringComparer.OrdinalIgnoreCase).Take(100).ToList();
        foreach (var (id, (tenant, userId)) in await GraphSubscriptionTable.FindAsync(dataSource, unknown, ct))
        {
            var mailbox = options.Graph.Mailboxes.FirstOrDefault(m => m.OrganizationId == tenant && string.Equals(m.UserId, userId, StringComparison.OrdinalIgnoreCase));
            if (mailbox is not null)
            {
                subscriptions[id] = new GraphSubscription(id, mailbox.ClientState, tenant, mailbox.UserId, ManagedUserId: mailbox.UserId);
            }
        }
    }

    /// <summary>
    /// The message to fetch, as <c>users/{userId}/messages/{id}</c> (<see cref="GraphResource.MessageOf"/>): from
    /// <c>resource</c>, else <c>resourceData.@odata.id</c>, else <c>resourceData.id</c>; null when the notification names
    /// none, or names something other than a message of <paramref name="userId"/>'s mailbox.
    /// </summary>
    internal static string? Resource(JsonElement item, string userId)
    {
        if (Str(item, "resource") is { Length: > 0 } r)
        {
            return GraphResource.MessageOf(r, userId);
        }
        if (item.TryGetProperty("resourceData", out var data) && data.ValueKind == JsonValueKind.Object)
        {
            return Str(data, "@odata.id") is { Length: > 0 } odata ? GraphResource.MessageOf(odata, userId)
                : GraphResource.IsMessageId(Str(data, "id")) ? GraphResource.MessagePath(userId, Str(data, "id")!) : null;
        }
        return null;
    }

    private static string? Str(JsonElement e, string name) =>
        e.ValueKind == JsonValueKind.Object && e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;
}

/// <summary>Logger category of the Graph webhook.</summary>
internal sealed class GraphWebhookLog;
