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

internal sealed record NotificationsAccepted(int Accepted, int Rejected, int Ignored);

/// <summary>
/// <c>POST /ingest/graph</c> (anonymous: Graph sends no API key). The subscription handshake echoes
/// <c>validationToken</c> as text/plain. A change notification is accepted only when its subscription is configured
/// (<c>Subscriptions:n</c>) or was created by this service for a configured mailbox (<c>oos.ingestion_graph_subscriptions</c>),
/// and its <c>clientState</c> matches (constant time); the organization comes from that configuration. Accepting is one
/// append of <see cref="MailboxNotified"/>; fetching the message happens in <see cref="MailboxNotificationConsumer"/>.
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
            // Lifecycle notifications (reauthorizationRequired, missed...) carry no message: nothing to fetch.
            var resource = Resource(item);
            if (Str(item, "lifecycleEvent") is not null || resource is null)
            {
                ignored++;
                continue;
            }
            var append = MailboxNotifications.Append(subscription.OrganizationId, InboundSource.Graph, subscription.SubscriptionId, resource, clock.GetUtcNow());
            appends.TryAdd(append.StreamId, append);
        }
        if (appends.Count > 0)
        {
            await store.AppendManyAsync(appends.Values.ToList(), ct);
        }
        if (rejected > 0)
        {
            logger.LogWarning("Graph notifications rejected (unknown subscription or clientState mismatch): {Rejected}", rejected);
        }
        if (appends.Count == 0 && rejected > 0)
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status401Unauthorized, title: "Unauthorized",
                detail: "No notification had a known subscriptionId with a matching clientState.", type: "https://outreachos.dev/problems/unauthorized");
        }
        return TypedResults.Accepted((string?)null, new NotificationsAccepted(appends.Count, rejected, ignored));
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
                subscriptions[id] = new GraphSubscription(id, mailbox.ClientState, tenant);
            }
        }
    }

    /// <summary>The message resource path: <c>resource</c> as sent, else built from <c>resourceData.@odata.id</c> or its id.</summary>
    internal static string? Resource(JsonElement item)
    {
        if (Str(item, "resource") is { Length: > 0 and <= 1000 } r)
        {
            return r.TrimStart('/');
        }
        if (item.TryGetProperty("resourceData", out var data) && data.ValueKind == JsonValueKind.Object)
        {
            return Str(data, "@odata.id") is { Length: > 0 } odata ? odata.TrimStart('/') : Str(data, "id") is { Length: > 0 } id ? $"me/messages/{id}" : null;
        }
        return null;
    }

    private static string? Str(JsonElement e, string name) =>
        e.ValueKind == JsonValueKind.Object && e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;
}

/// <summary>Logger category of the Graph webhook.</summary>
internal sealed class GraphWebhookLog;
