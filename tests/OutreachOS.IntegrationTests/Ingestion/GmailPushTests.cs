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

    private static JsonObject GmailMessage(string id, string messageId)
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
                    new JsonObject { ["name"] = "From", ["value"] = "\"Ana Ruiz\" <Ana@Prospect.test>" },
                    new JsonObject { ["name"] = "To", ["value"] = "Inbox <inbox@acme.test>, \"Sales, EMEA\" <emea@acme.test>" },
                    new JsonObject { ["name"] = "Subject", ["value"] = "Demo request" },
                    new JsonObject { ["name"] = "References", ["value"] = "<out-1@acme.test>" }),
                ["parts"] = new JsonArray(
                    new JsonObject { ["mimeType"] = "text/plain", ["body"] = new JsonObject { ["data"] = B64Url("Can we see a demo next week?") } },
                    new JsonObject { ["mimeType"] = "text/html", ["body"] = new JsonObject { ["data"] = B64Url("<p>Can we see a demo next week?</p>") } }),
            },
        };
    }
}
