using System.Globalization;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using OutreachOS.BuildingBlocks.EventStore;
using OutreachOS.BuildingBlocks.Privacy;
using OutreachOS.BuildingBlocks.Web;
using OutreachOS.Ingestion.Contracts;
using OutreachOS.Ingestion.Graph;
using OutreachOS.Ingestion.Mailbox;
using OutreachOS.Ingestion.Normalizing;

namespace OutreachOS.Ingestion.Gmail;

/// <summary>
/// <c>POST /ingest/gmail</c> (anonymous: authenticated by the Pub/Sub push OIDC token when <c>Ingestion:Gmail:VerifyOidc</c>
/// is on, the default). The envelope's <c>message.data</c> is base64 JSON <c>{emailAddress, historyId}</c>; the mailbox
/// names the organization (configuration). Accepting is one append; history.list and messages.get run in the consumer.
/// An unknown mailbox is acknowledged (202, accepted 0): a non-2xx answer would make Pub/Sub redeliver it forever.
/// </summary>
internal static class GmailWebhook
{
    public static async Task<IResult> HandleAsync(HttpContext http, IngestionOptions options, GoogleOidcVerifier verifier, IEventStore store,
        TimeProvider clock, ILogger<GoogleOidcVerifier> logger, CancellationToken ct)
    {
        if (options.Gmail.VerifyOidc)
        {
            var check = await verifier.VerifyAsync(http.Request.Headers.Authorization.ToString() is { Length: > 0 } a ? a : null, ct);
            if (!check.Valid)
            {
                logger.LogWarning("Gmail push rejected: {Reason}", check.Error);
                return TypedResults.Problem(statusCode: StatusCodes.Status401Unauthorized, title: "Unauthorized",
                    detail: $"The push token was not accepted: {check.Error}.", type: "https://outreachos.dev/problems/unauthorized");
            }
        }

        var (errors, email, historyId) = await ParseAsync(http.Request.Body, ct);
        if (errors.Any)
        {
            return errors.ToProblem();
        }
        var mailbox = options.Gmail.Mailboxes.FirstOrDefault(m => string.Equals(m.EmailAddress, email, StringComparison.OrdinalIgnoreCase));
        if (mailbox is null)
        {
            logger.LogWarning("Gmail push for an unconfigured mailbox was acknowledged and dropped");
            return TypedResults.Accepted((string?)null, new NotificationsAccepted(0, 0, 1));
        }
        await store.AppendManyAsync([MailboxNotifications.Append(mailbox.OrganizationId, InboundSource.Gmail,
            EmailAddresses.Canonical(mailbox.EmailAddress), historyId!, clock.GetUtcNow())], ct);
        return TypedResults.Accepted((string?)null, new NotificationsAccepted(1, 0, 0));
    }

    internal static async Task<(FieldErrors Errors, string? Email, string? HistoryId)> ParseAsync(Stream body, CancellationToken ct)
    {
        var e = new FieldErrors();
        JsonDocument doc;
        try
        {
            doc = await JsonDocument.ParseAsync(body, cancellationToken: ct);
        }
        catch (JsonException ex)
        {
            return (e.Add("body", "is not valid JSON: " + ex.Message.Split(" Path:")[0]), null, null);
        }
        using var _ = doc;
        if (doc.RootElement.ValueKind != JsonValueKind.Object || !doc.RootElement.TryGetProperty("message", out var message)
            || message.ValueKind != JsonValueKind.Object)
        {
            return (e.Add("message", "is required"), null, null);
        }
        if (!message.TryGetProperty("data", out var data) || data.ValueKind != JsonValueKind.String)
        {
            return (e.Add("message.data", "is required (base64 JSON {emailAddress, historyId})"), null, null);
        }
        try
        {
            using var inner = JsonDocument.Parse(Encoding.UTF8.GetString(JwtRs256.Base64Url(data.GetString()!)));
            var root = inner.RootElement;
            var email = root.TryGetProperty("emailAddress", out var em) && em.ValueKind == JsonValueKind.String ? em.GetString() : null;
            string? history = root.TryGetProperty("historyId", out var h)
                ? h.ValueKind switch
                {
                    JsonValueKind.Number when h.TryGetUInt64(out var n) => n.ToString(CultureInfo.InvariantCulture),
                    JsonValueKind.String when ulong.TryParse(h.GetString(), NumberStyles.None, CultureInfo.InvariantCulture, out var n) => n.ToString(CultureInfo.InvariantCulture),
                    _ => null,
                }
                : null;
            if (!EmailAddresses.IsValid(email))
            {
                e.Add("message.data.emailAddress", "must be an e-mail address");
            }
            if (history is null)
            {
                e.Add("message.data.historyId", "must be a positive integer");
            }
            return (e, email, history);
        }
        catch (Exception ex) when (ex is FormatException or JsonException or DecoderFallbackException)
        {
            return (e.Add("message.data", "must be base64 of a JSON object {emailAddress, historyId}"), null, null);
        }
    }
}
