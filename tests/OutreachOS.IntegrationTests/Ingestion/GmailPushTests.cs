using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using OutreachOS.Ingestion.Accepting;
using OutreachOS.Ingestion.Contracts;
using OutreachOS.IntegrationTests.Messaging;
using static OutreachOS.IntegrationTests.Ingestion.IngestionAppFixture;

namespace OutreachOS.IntegrationTests.Ingestion;

/// <summary><c>POST /ingest/gmail</c>: OIDC push verification against a JWKS on the stub, then history.list + messages.get off the bus.</summary>
[Collection(IngestionCollection.Name)]
public sealed class GmailPushTests(IngestionAppFixture f)
{
    [Fact]
    public async Task A_verified_push_fetches_the_new_message_through_the_gmail_api_and_skips_sent_mail()
    {
        var gmailId = "g" + Guid.NewGuid().ToString("N")[..12];
        var sentId = "s" + Guid.NewGuid().ToString("N")[..12];
        var messageId = $"<{Guid.NewGuid():N}@gmail.test>";
        var historyId = (ulong)Random.Shared.NextInt64(1_000_000, 9_000_000);
        f.Stub.GmailMessages[gmailId] = GmailMessage(gmailId, messageId);
        f.Stub.GmailMessages[sentId] = GmailMessage(sentId, $"<{Guid.NewGuid():N}@acme.test>");
        f.Stub.GmailHistory.Enqueue((historyId, gmailId, ["INBOX", "UNREAD"]));
        f.Stub.GmailHistory.Enqueue((historyId, sentId, ["SENT"]));

        var (status, _, text) = await PushAsync(ValidToken(), GmailMailbox, historyId);

        Assert.Equal(HttpStatusCode.Accepted, status);
        var inboundId = DeterministicId.Inbound(PlatformOrg, messageId);
        await Eventually.TrueAsync(async () => (await f.EventsAsync(PlatformOrg, InboundStreams.StreamId(inboundId))).Count == 1, "the Gmail message accepted: " + text);
        var received = (await f.EventsAsync(PlatformOrg, InboundStreams.StreamId(inboundId)))[0].As<InboundMessageReceived>();
        Assert.Equal(InboundSource.Gmail, received.Source);
        Assert.Equal("Demo request", received.Message.Subject);
        Assert.Equal("Can we see a demo next week?", received.Message.Text);
        Assert.Equal("ana@prospect.test", received.Message.From.Email);
        Assert.Equal("Ana Ruiz", received.Message.From.Name);
        Assert.Equal(["<out-1@acme.test>"], received.Message.References);
        Assert.Equal(0, f.Stub.Count($"/gmail-api/gmail/v1/users/{GmailMailbox}/messages/{sentId}"));
        Assert.Contains(f.Stub.Requests, r => r.Path.Contains("/history?startHistoryId=", StringComparison.Ordinal) && r.Authorization == "Bearer " + ProviderStub.GmailToken);
    }

    [Fact]
    public async Task A_pushed_history_id_never_moves_the_cursor_past_what_gmail_returned()
    {
        var mailbox = GmailCursorMailboxes[0];
        var history = f.Stub.GmailMailboxHistory.GetOrAdd(mailbox, _ => new());
        var (first, second) = ("p" + Guid.NewGuid().ToString("N")[..12], "p" + Guid.NewGuid().ToString("N")[..12]);
        f.Stub.GmailMessages[first] = GmailMessage(first, $"<{first}@gmail.test>");
        f.Stub.GmailMessages[second] = GmailMessage(second, $"<{second}@gmail.test>");
        history.Enqueue((100, first, ["INBOX"]));
        Assert.Equal(HttpStatusCode.Accepted, (await PushAsync(ValidToken(), mailbox, 100)).Status);
        await AcceptedAsync(first);
        Assert.Equal("100", await CursorAsync(mailbox));

        // A push naming a history id far beyond the mailbox's (Pub/Sub data is the pusher's to choose).
        Assert.Equal(HttpStatusCode.Accepted, (await PushAsync(ValidToken(), mailbox, 9_000_000_000_000)).Status);
        await Eventually.TrueAsync(() => Task.FromResult(HistoryCalls(mailbox) >= 2), "the second push read the history");
        history.Enqueue((101, second, ["INBOX"]));
        Assert.Equal(HttpStatusCode.Accepted, (await PushAsync(ValidToken(), mailbox, 101)).Status);

        await AcceptedAsync(second);
        Assert.Equal("101", await CursorAsync(mailbox));
        Assert.DoesNotContain(f.Stub.Requests, r => r.Path.Contains("startHistoryId=9000000000000", StringComparison.Ordinal));
    }

    [Fact]
    public async Task When_gmail_no_longer_has_the_history_the_cursor_moves_to_the_mailbox_s_own_history_id_not_the_pushed_one()
    {
        var mailbox = GmailCursorMailboxes[2];
        var history = f.Stub.GmailMailboxHistory.GetOrAdd(mailbox, _ => new());
        var id = "e" + Guid.NewGuid().ToString("N")[..12];
        f.Stub.GmailMessages[id] = GmailMessage(id, $"<{id}@gmail.test>");
        history.Enqueue((700, id, ["INBOX"]));
        f.Stub.GmailHistoryAvailableFrom[mailbox] = 500;

        Assert.Equal(HttpStatusCode.Accepted, (await PushAsync(ValidToken(), mailbox, 5)).Status);

        await Eventually.TrueAsync(async () => await CursorAsync(mailbox) is not null, "the cursor written after the 404");
        Assert.Equal("700", await CursorAsync(mailbox));
    }

    [Fact]
    public async Task More_history_than_one_run_reads_is_read_to_the_end_and_the_cursor_stops_at_the_last_record()
    {
        var mailbox = GmailCursorMailboxes[1];
        var history = f.Stub.GmailMailboxHistory.GetOrAdd(mailbox, _ => new());
        f.Stub.GmailHistoryPageSize[mailbox] = 1; // 25 pages: more than one run's 20
        var ids = Enumerable.Range(0, 25).Select(i => $"pg{i:D2}" + Guid.NewGuid().ToString("N")[..8]).ToList();
        for (var i = 0; i < ids.Count; i++)
        {
            f.Stub.GmailMessages[ids[i]] = GmailMessage(ids[i], $"<{ids[i]}@gmail.test>");
            history.Enqueue((2001 + (ulong)i, ids[i], ["INBOX"]));
        }

        Assert.Equal(HttpStatusCode.Accepted, (await PushAsync(ValidToken(), mailbox, 2001)).Status);

        foreach (var id in ids)
        {
            await AcceptedAsync(id);
        }
        await Eventually.TrueAsync(async () => await CursorAsync(mailbox) == "2025", "the cursor at the last history record");
    }

    [Fact]
    public async Task A_message_to_undisclosed_recipients_or_a_group_is_kept_with_the_recipients_that_parse()
    {
        var mailbox = GmailCursorMailboxes[3];
        var history = f.Stub.GmailMailboxHistory.GetOrAdd(mailbox, _ => new());
        var id = "r" + Guid.NewGuid().ToString("N")[..12];
        f.Stub.GmailMessages[id] = GmailMessage(id, $"<{id}@gmail.test>", from: "ana@prospect.test (Ana Ruiz)", to: "undisclosed-recipients:;",
            cc: "Team: a@x.test, \"Bee, B\" <b@x.test>;, jane@x.test (Jane Doe), broken@");
        history.Enqueue((300, id, ["INBOX"]));

        Assert.Equal(HttpStatusCode.Accepted, (await PushAsync(ValidToken(), mailbox, 300)).Status);

        await AcceptedAsync(id);
        var stored = (await f.EventsAsync(PlatformOrg, InboundStreams.StreamId(DeterministicId.Inbound(PlatformOrg, $"<{id}@gmail.test>"))))[0];
        var message = stored.As<InboundMessageReceived>().Message;
        Assert.Equal(("ana@prospect.test", "Ana Ruiz"), (message.From.Email, message.From.Name));
        Assert.Empty(message.To);
        Assert.Equal(["a@x.test", "b@x.test", "jane@x.test"], message.Cc.Select(c => c.Email));
        Assert.Equal(["Bee, B", "Jane Doe"], message.Cc.Skip(1).Select(c => c.Name));
        Assert.Equal("1", stored.Metadata["recipients_dropped"]);
    }

    private async Task AcceptedAsync(string gmailId)
    {
        var stream = InboundStreams.StreamId(DeterministicId.Inbound(PlatformOrg, $"<{gmailId}@gmail.test>"));
        await Eventually.TrueAsync(async () => (await f.EventsAsync(PlatformOrg, stream)).Count == 1, "Gmail message " + gmailId + " accepted");
    }

    private int HistoryCalls(string mailbox) => f.Stub.Count($"/gmail-api/gmail/v1/users/{mailbox}/history");

    private async Task<string?> CursorAsync(string mailbox)
    {
        var dataSource = (Npgsql.NpgsqlDataSource)f.App.Services.GetService(typeof(Npgsql.NpgsqlDataSource))!;
        await using var cmd = dataSource.CreateCommand(
            "SELECT cursor FROM oos.ingestion_mailbox_cursors WHERE tenant_id = $1 AND source = 'GMAIL' AND mailbox = $2");
        cmd.Parameters.Add(new Npgsql.NpgsqlParameter { Value = PlatformOrg });
        cmd.Parameters.Add(new Npgsql.NpgsqlParameter { Value = mailbox });
        return (string?)await cmd.ExecuteScalarAsync();
    }

    [Theory]
    [InlineData("aud")]
    [InlineData("iss")]
    [InlineData("exp")]
    [InlineData("email")]
    [InlineData("key")]
    [InlineData("none")]
    public async Task A_push_without_a_valid_google_token_is_401(string broken)
    {
        var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        using var otherKey = RSA.Create(2048);
        var token = broken switch
        {
            "aud" => f.Stub.Token(Claims(now, aud: "https://elsewhere.test")),
            "iss" => f.Stub.Token(Claims(now, iss: "https://evil.test")),
            "exp" => f.Stub.Token(Claims(now - 7200)),
            "email" => f.Stub.Token(Claims(now, email: "someone@else.iam.gserviceaccount.com")),
            "key" => f.Stub.Token(Claims(now), key: otherKey),
            _ => null,
        };
        var (status, _, text) = await PushAsync(token, GmailMailbox, 42);
        Assert.True(status == HttpStatusCode.Unauthorized, text);
    }

    [Fact]
    public async Task A_push_for_an_unknown_mailbox_is_acknowledged_and_dropped()
    {
        var (status, json, _) = await PushAsync(ValidToken(), "stranger@elsewhere.test", 77);
        Assert.Equal(HttpStatusCode.Accepted, status);
        Assert.Equal(0, json!["accepted"]!.GetValue<int>());
    }

    [Fact]
    public async Task A_push_whose_data_is_not_base64_json_is_a_400_naming_message_data()
    {
        var envelope = new JsonObject { ["message"] = new JsonObject { ["data"] = "%%%", ["messageId"] = "1" }, ["subscription"] = "projects/p/subscriptions/s" };
        using var client = f.App.ClientWithKey(null);
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", ValidToken());
        var (status, _, text) = await PostJsonAsync(client, "/ingest/gmail", envelope);
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Contains("message.data", text, StringComparison.Ordinal);
    }

    private string ValidToken() => f.Stub.Token(Claims(DateTimeOffset.UtcNow.ToUnixTimeSeconds()));

    private static Dictionary<string, object> Claims(long now, string aud = PushAudience, string iss = "https://accounts.google.com", string email = PushServiceAccount) => new()
    {
        ["iss"] = iss, ["aud"] = aud, ["iat"] = now - 10, ["exp"] = now + 3600, ["email"] = email, ["email_verified"] = true, ["sub"] = "1234567890",
    };

    private async Task<(HttpStatusCode Status, JsonNode? Json, string Text)> PushAsync(string? token, string mailbox, ulong historyId)
    {
        var data = Convert.ToBase64String(JsonSerializer.SerializeToUtf8Bytes(new { emailAddress = mailbox, historyId }));
        var envelope = new JsonObject
        {
            ["message"] = new JsonObject { ["data"] = data, ["messageId"] = "2070443601311540", ["publishTime"] = "2026-11-21T19:13:55.749Z" },
            ["subscription"] = "projects/acme/subscriptions/gmail-push",
        };
        using var client = f.App.ClientWithKey(null);
        if (token is not null)
        {
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }
        return await PostJsonAsync(client, "/ingest/gmail", envelope);
    }

    private static JsonObject GmailMessage(string id, string messageId, string from = "\"Ana Ruiz\" <Ana@Prospect.test>",
        string to = "Inbox <inbox@acme.test>, \"Sales, EMEA\" <emea@acme.test>", string? cc = null)
    {
        static string B64Url(string s) => Convert.ToBase64String(Encoding.UTF8.GetBytes(s)).TrimEnd('=').Replace('+', '-').Replace('/', '_');
        return new JsonObject
        {
            ["id"] = id,
            ["threadId"] = "t-" + id,
            ["labelIds"] = new JsonArray("INBOX"),
            ["internalDate"] = "1763716435000",
            ["payload"] = new JsonObject
            {
                ["mimeType"] = "multipart/alternative",
                ["headers"] = new JsonArray(
                    new JsonObject { ["name"] = "Message-ID", ["value"] = messageId },
                    new JsonObject { ["name"] = "From", ["value"] = from },
                    new JsonObject { ["name"] = "To", ["value"] = to },
                    new JsonObject { ["name"] = "Cc", ["value"] = cc },
                    new JsonObject { ["name"] = "Subject", ["value"] = "Demo request" },
                    new JsonObject { ["name"] = "References", ["value"] = "<out-1@acme.test>" }),
                ["parts"] = new JsonArray(
                    new JsonObject { ["mimeType"] = "text/plain", ["body"] = new JsonObject { ["data"] = B64Url("Can we see a demo next week?") } },
                    new JsonObject { ["mimeType"] = "text/html", ["body"] = new JsonObject { ["data"] = B64Url("<p>Can we see a demo next week?</p>") } }),
            },
        };
    }
}
