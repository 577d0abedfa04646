using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

using OutreachOS.IntegrationTests.Infrastructure;

namespace OutreachOS.IntegrationTests.Ingestion;

/// <summary>
/// One loopback server (127.0.0.1, ephemeral port) playing the providers the Ingestion module talks to: Microsoft Graph
/// messages, the Gmail API (history.list, messages.get), Google's JWKS (a locally generated RSA key) and HubSpot CRM v3.
/// Records every request (method, path+query, authorization, body).
/// </summary>
internal sealed class ProviderStub : IAsyncDisposable
{
    public const string GraphToken = "graph-token-123";
    public const string GmailToken = "gmail-token-456";
    public const string HubSpotToken = "hubspot-token-789";
    public const string Kid = "test-key-1";

    private readonly WebApplication _app;

    private ProviderStub()
    {
        _app = LoopbackApp.Create(HandleAsync);
        HubSpotAccount(HubSpotToken);
    }

    public RSA SigningKey { get; } = RSA.Create(2048);

    public Uri BaseUrl { get; private set; } = null!;

    public ConcurrentQueue<(string Method, string Path, string? Authorization, string Body)> Requests { get; } = new();

    /// <summary>Graph messages by resource path (lower-case, e.g. "users/u1/messages/m1").</summary>
    public ConcurrentDictionary<string, JsonObject> GraphMessages { get; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>Gmail messages by id, and the history records returned by history.list (all, whatever startHistoryId).</summary>
    public ConcurrentDictionary<string, JsonObject> GmailMessages { get; } = new();

    /// <summary>Gmail message ids that messages.get answers with this status (a message Gmail refuses to return).</summary>
    public ConcurrentDictionary<string, int> GmailMessageFailures { get; } = new();

    public ConcurrentQueue<(ulong HistoryId, string MessageId, string[] Labels)> GmailHistory { get; } = new();

    /// <summary>A mailbox's own history (instead of <see cref="GmailHistory"/>), by lower-case address.</summary>
    public ConcurrentDictionary<string, ConcurrentQueue<(ulong HistoryId, string MessageId, string[] Labels)>> GmailMailboxHistory { get; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>History records per page of history.list for a mailbox (default: all in one page).</summary>
    public ConcurrentDictionary<string, int> GmailHistoryPageSize { get; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>history.list answers 404 (history no longer available) for a start id below this, per mailbox.</summary>
    public ConcurrentDictionary<string, ulong> GmailHistoryAvailableFrom { get; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>The Gmail ids that messages.list finds in a mailbox (newest first by <c>internalDate</c> of
    /// <see cref="GmailMessages"/>; <c>q=after:{unix seconds}</c>, <c>-in:sent</c> and <c>-in:drafts</c> honoured), by lower-case address.</summary>
    public ConcurrentDictionary<string, ConcurrentQueue<string>> GmailMailboxMessages { get; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>HubSpot accounts by access token: each its own contacts, and a request with any other token is a 401.</summary>
    public ConcurrentDictionary<string, ConcurrentDictionary<string, (string Id, string First, string Last, string Company)>> HubSpotAccounts { get; } = new(StringComparer.Ordinal);

    /// <summary>The contacts (by e-mail → id, firstname, lastname, company) of the HubSpot account of <paramref name="token"/>, made on first use.</summary>
    public ConcurrentDictionary<string, (string Id, string First, string Last, string Company)> HubSpotAccount(string token) =>
        HubSpotAccounts.GetOrAdd(token, _ => new(StringComparer.OrdinalIgnoreCase));

    /// <summary>The contacts of the account of <see cref="HubSpotToken"/>.</summary>
    public ConcurrentDictionary<string, (string Id, string First, string Last, string Company)> HubSpotContacts => HubSpotAccount(HubSpotToken);

    public int Count(string pathPrefix) => Requests.Count(r => r.Path.StartsWith(pathPrefix, StringComparison.OrdinalIgnoreCase));

    public static async Task<ProviderStub> StartAsync()
    {
        var stub = new ProviderStub();
        stub.BaseUrl = await LoopbackApp.StartAsync(stub._app);
        return stub;
    }

    public Dictionary<string, string?> Settings() => new()
    {
        ["Ingestion:Graph:BaseUrl"] = new Uri(BaseUrl, "graph/v1.0/").ToString(),
        ["Ingestion:Graph:AccessToken"] = GraphToken,
        ["Ingestion:Gmail:BaseUrl"] = new Uri(BaseUrl, "gmail-api/").ToString(),
        ["Ingestion:Gmail:AccessToken"] = GmailToken,
        ["Ingestion:Gmail:JwksUrl"] = new Uri(BaseUrl, "oauth2/v3/certs").ToString(),
        ["Crm:Provider"] = "HubSpot",
        ["Crm:HubSpot:BaseUrl"] = new Uri(BaseUrl, "hubspot/").ToString(),
        ["Crm:HubSpot:AccessToken"] = HubSpotToken,
    };

    /// <summary>An RS256 token signed with <see cref="SigningKey"/> (claims as given).</summary>
    public string Token(object claims, string kid = Kid, RSA? key = null)
    {
        static string B64(byte[] b) => Convert.ToBase64String(b).TrimEnd('=').Replace('+', '-').Replace('/', '_');
        var header = B64(JsonSerializer.SerializeToUtf8Bytes(new { alg = "RS256", kid, typ = "JWT" }));
        var payload = B64(JsonSerializer.SerializeToUtf8Bytes(claims));
        var signature = (key ?? SigningKey).SignData(Encoding.ASCII.GetBytes(header + "." + payload), HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        return header + "." + payload + "." + B64(signature);
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
        SigningKey.Dispose();
    }

    /// <summary>users.messages.list: ids only, newest first, <c>maxResults</c> per page, the page token an offset.</summary>
    private async Task ListGmailMessagesAsync(HttpContext context, string mailbox)
    {
        var q = context.Request.Query["q"].ToString();
        var after = System.Text.RegularExpressions.Regex.Match(q, @"after:(\d+)") is { Success: true } a
            ? long.Parse(a.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture) : (long?)null;
        static long InternalDate(JsonObject m) => long.Parse(m["internalDate"]!.GetValue<string>(), System.Globalization.CultureInfo.InvariantCulture);
        static bool Labelled(JsonObject m, string label) => m["labelIds"] is JsonArray labels && labels.Any(l => l!.GetValue<string>() == label);
        var found = (GmailMailboxMessages.TryGetValue(mailbox, out var ids) ? ids.ToArray() : [])
            .Select(id => (Id: id, Message: GmailMessages[id]))
            .Where(m => after is null || InternalDate(m.Message) / 1000 > after)
            .Where(m => !(q.Contains("-in:sent", StringComparison.Ordinal) && Labelled(m.Message, "SENT")))
            .Where(m => !(q.Contains("-in:drafts", StringComparison.Ordinal) && Labelled(m.Message, "DRAFT")))
            .OrderByDescending(m => InternalDate(m.Message))
            .ToList();
        var offset = int.TryParse(context.Request.Query["pageToken"], System.Globalization.CultureInfo.InvariantCulture, out var o) ? o : 0;
        var size = int.TryParse(context.Request.Query["maxResults"], System.Globalization.CultureInfo.InvariantCulture, out var max) ? max : 100;
        var page = found.Skip(offset).Take(size).Select(m => new { id = m.Id, threadId = "t-" + m.Id }).ToList();
        var next = offset + page.Count < found.Count ? (offset + page.Count).ToString(System.Globalization.CultureInfo.InvariantCulture) : null;
        await context.Response.WriteAsJsonAsync(new { messages = page, nextPageToken = next, resultSizeEstimate = found.Count });
    }

    private async Task HandleAsync(HttpContext context)
    {
        using var reader = new StreamReader(context.Request.Body);
        var body = await reader.ReadToEndAsync(context.RequestAborted);
        var path = context.Request.Path.Value ?? "";
        var auth = context.Request.Headers.Authorization.ToString();
        Requests.Enqueue((context.Request.Method, path + context.Request.QueryString, auth, body));
        context.Response.ContentType = "application/json";

        if (path == "/oauth2/v3/certs")
        {
            var p = SigningKey.ExportParameters(false);
            static string B64(byte[] b) => Convert.ToBase64String(b).TrimEnd('=').Replace('+', '-').Replace('/', '_');
            await context.Response.WriteAsJsonAsync(new { keys = new[] { new { kty = "RSA", alg = "RS256", use = "sig", kid = Kid, n = B64(p.Modulus!), e = B64(p.Exponent!) } } });
            return;
        }
        if (path.StartsWith("/graph/v1.0/", StringComparison.Ordinal))
        {
            if (auth != "Bearer " + GraphToken)
            {
                context.Response.StatusCode = 401;
                return;
            }
            if (GraphMessages.TryGetValue(path["/graph/v1.0/".Length..], out var m))
            {
                await context.Response.WriteAsync(m.ToJsonString());
                return;
            }
            context.Response.StatusCode = 404;
            return;
        }
        if (path.StartsWith("/gmail-api/gmail/v1/users/", StringComparison.Ordinal))
        {
            if (auth != "Bearer " + GmailToken)
            {
                context.Response.StatusCode = 401;
                return;
            }
            var rest = path["/gmail-api/gmail/v1/users/".Length..].Split('/');
            var mailbox = Uri.UnescapeDataString(rest[0]);
            var source = GmailMailboxHistory.TryGetValue(mailbox, out var own) ? own : GmailHistory;
            if (rest.Length == 2 && rest[1] == "history")
            {
                var start = ulong.Parse(context.Request.Query["startHistoryId"]!, System.Globalization.CultureInfo.InvariantCulture);
                if (GmailHistoryAvailableFrom.TryGetValue(mailbox, out var from) && start < from)
                {
                    context.Response.StatusCode = 404;
                    return;
                }
                var offset = int.TryParse(context.Request.Query["pageToken"], System.Globalization.CultureInfo.InvariantCulture, out var o) ? o : 0;
                var size = GmailHistoryPageSize.GetValueOrDefault(mailbox, int.MaxValue);
                // One reading of the history for both the records and the mailbox's history id, as Gmail answers: a test that
                // adds a record while this runs must not get an id past records the answer left out (a CI flake of
                // GmailPushTests: the cursor moved past a message no read returned).
                var snapshot = source.ToArray();
                var after = snapshot.Where(h => h.HistoryId > start).OrderBy(h => h.HistoryId).ToList();
                var history = after.Skip(offset).Take(size).Select(h => new
                {
                    id = h.HistoryId.ToString(System.Globalization.CultureInfo.InvariantCulture),
                    messagesAdded = new[] { new { message = new { id = h.MessageId, threadId = "t-" + h.MessageId, labelIds = h.Labels } } },
                }).ToList();
                var latest = snapshot.Select(h => h.HistoryId).DefaultIfEmpty(start).Max();
                var next = offset + history.Count < after.Count ? (offset + history.Count).ToString(System.Globalization.CultureInfo.InvariantCulture) : null;
                await context.Response.WriteAsJsonAsync(new { history, historyId = latest.ToString(System.Globalization.CultureInfo.InvariantCulture), nextPageToken = next });
                return;
            }
            if (rest.Length == 2 && rest[1] == "profile")
            {
                var latest = source.Select(h => h.HistoryId).DefaultIfEmpty(1UL).Max();
                await context.Response.WriteAsJsonAsync(new { emailAddress = mailbox, historyId = latest.ToString(System.Globalization.CultureInfo.InvariantCulture) });
                return;
            }
            if (rest.Length == 2 && rest[1] == "messages")
            {
                await ListGmailMessagesAsync(context, mailbox);
                return;
            }
            if (rest.Length == 3 && rest[1] == "messages" && GmailMessageFailures.TryGetValue(rest[2], out var failure))
            {
                context.Response.StatusCode = failure;
                await context.Response.WriteAsJsonAsync(new { error = new { code = failure, message = "Invalid id value", status = "INVALID_ARGUMENT" } });
                return;
            }
            if (rest.Length == 3 && rest[1] == "messages" && GmailMessages.TryGetValue(rest[2], out var gm))
            {
                await context.Response.WriteAsync(gm.ToJsonString());
                return;
            }
            context.Response.StatusCode = 404;
            return;
        }
        if (path.StartsWith("/hubspot/", StringComparison.Ordinal))
        {
            if (!auth.StartsWith("Bearer ", StringComparison.Ordinal) || !HubSpotAccounts.TryGetValue(auth["Bearer ".Length..], out var account))
            {
                context.Response.StatusCode = 401;
                return;
            }
            if (path == "/hubspot/crm/v3/objects/contacts/search")
            {
                var email = JsonNode.Parse(body)!["filterGroups"]![0]!["filters"]![0]!["value"]!.GetValue<string>();
                var results = account.TryGetValue(email, out var c)
                    ? new object[] { new { id = c.Id, properties = new { email, firstname = c.First, lastname = c.Last, company = c.Company } } }
                    : [];
                await context.Response.WriteAsJsonAsync(new { total = results.Length, results });
                return;
            }
            if (path == "/hubspot/crm/v3/objects/notes")
            {
                context.Response.StatusCode = 201;
                await context.Response.WriteAsJsonAsync(new { id = "note-" + Requests.Count });
                return;
            }
        }
        context.Response.StatusCode = 404;
    }
}
