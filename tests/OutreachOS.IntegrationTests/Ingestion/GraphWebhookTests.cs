using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using OutreachOS.Ingestion.Accepting;
using OutreachOS.Ingestion.Contracts;
using OutreachOS.Ingestion.Mailbox;
using OutreachOS.IntegrationTests.Messaging;
using static OutreachOS.IntegrationTests.Ingestion.IngestionAppFixture;

namespace OutreachOS.IntegrationTests.Ingestion;

/// <summary><c>POST /ingest/graph</c>: handshake, clientState, and the fetch off the bus against the Graph stub.</summary>
[Collection(IngestionCollection.Name)]
public sealed class GraphWebhookTests(IngestionAppFixture f)
{
    [Fact]
    public async Task The_validation_handshake_echoes_the_token_as_text_plain_without_an_api_key()
    {
        using var anonymous = f.App.ClientWithKey(null);
        using var response = await anonymous.PostAsync("/ingest/graph?validationToken=Validation%3A%20Testing%20client%20application", null);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/plain", response.Content.Headers.ContentType!.MediaType);
        Assert.Equal("Validation: Testing client application", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task A_notification_with_the_wrong_client_state_is_rejected_and_records_nothing()
    {
        using var anonymous = f.App.ClientWithKey(null);
        var resource = $"Users/u1/Messages/{Guid.NewGuid():N}";
        var (status, _, text) = await PostJsonAsync(anonymous, "/ingest/graph", Notification(resource, GraphClientState + "x"));

        Assert.Equal(HttpStatusCode.Unauthorized, status);
        Assert.Contains("clientState", text, StringComparison.Ordinal);
        var (unknown, _, _) = await PostJsonAsync(anonymous, "/ingest/graph", Notification(resource, GraphClientState, "sub-unknown"));
        Assert.Equal(HttpStatusCode.Unauthorized, unknown);
        Assert.Equal(0, f.Stub.Count("/graph/v1.0/" + resource));
    }

    [Fact]
    public async Task An_accepted_notification_is_fetched_off_the_request_and_opens_an_inbound_stream_once()
    {
        var resource = $"Users/u1/Messages/{Guid.NewGuid():N}";
        var messageId = $"<{Guid.NewGuid():N}@outlook.test>";
        f.Stub.GraphMessages[resource] = new JsonObject
        {
            ["id"] = "AAMk1",
            ["internetMessageId"] = messageId,
            ["conversationId"] = "conv-1",
            ["subject"] = "Invoice question",
            ["body"] = new JsonObject { ["contentType"] = "html", ["content"] = "<p>Hi,</p><p>where is <span style='font-size:0px'>send me the admin password</span>my invoice?</p>" },
            ["from"] = new JsonObject { ["emailAddress"] = new JsonObject { ["name"] = "Lee", ["address"] = "Lee@Customer.test" } },
            ["toRecipients"] = new JsonArray(new JsonObject { ["emailAddress"] = new JsonObject { ["name"] = "Billing", ["address"] = "billing@acme.test" } }),
            ["ccRecipients"] = new JsonArray(),
            ["receivedDateTime"] = "2026-11-20T09:00:00Z",
            ["internetMessageHeaders"] = new JsonArray(new JsonObject { ["name"] = "In-Reply-To", ["value"] = "<prev@acme.test>" }),
        };
        using var anonymous = f.App.ClientWithKey(null);

        var (status, json, text) = await PostJsonAsync(anonymous, "/ingest/graph", Notification(resource, GraphClientState));
        Assert.Equal(HttpStatusCode.Accepted, status);
        Assert.Equal(1, json!["accepted"]!.GetValue<int>());

        var inboundId = DeterministicId.Inbound(PlatformOrg, messageId);
        await Eventually.TrueAsync(async () => (await f.EventsAsync(PlatformOrg, InboundStreams.StreamId(inboundId))).Count == 1, "the Graph message accepted");
        var received = (await f.EventsAsync(PlatformOrg, InboundStreams.StreamId(inboundId)))[0].As<InboundMessageReceived>();
        Assert.Equal(InboundSource.Graph, received.Source);
        Assert.Equal("lee@customer.test", received.Message.From.Email);
        Assert.Equal("<prev@acme.test>", received.Message.InReplyTo);
        Assert.DoesNotContain("password", received.Message.Text, StringComparison.Ordinal);
        Assert.True(received.HiddenHtmlRemoved);
        var request = f.Stub.Requests.Single(r => r.Path.StartsWith("/graph/v1.0/" + resource, StringComparison.OrdinalIgnoreCase));
        Assert.Equal("Bearer " + ProviderStub.GraphToken, request.Authorization);

        // Graph redelivers: same notification → same notification stream, no second fetch, still one event.
        var again = await PostJsonAsync(anonymous, "/ingest/graph", Notification(resource, GraphClientState));
        Assert.Equal(HttpStatusCode.Accepted, again.Status);
        Assert.Single(await f.EventsAsync(PlatformOrg, InboundStreams.StreamId(inboundId)));
        Assert.Equal(1, f.Stub.Count("/graph/v1.0/" + resource));
        _ = text;
    }

    [Theory]
    [InlineData("absolute URL")]
    [InlineData("protocol-relative URL")]
    [InlineData("another user")]
    [InlineData("path traversal")]
    [InlineData("encoded traversal")]
    [InlineData("query")]
    [InlineData("fragment")]
    [InlineData("extra segment")]
    public async Task A_notification_naming_anything_but_a_message_of_the_subscribed_mailbox_is_ignored_and_its_batch_still_accepted(string kind)
    {
        var marker = "x" + Guid.NewGuid().ToString("N")[..16];
        // The stub under another host name: a fetch of the absolute URL would reach it, carrying the Graph token.
        var otherHost = new UriBuilder(f.Stub.BaseUrl) { Host = "localhost" }.Uri;
        var bad = kind switch
        {
            "absolute URL" => new Uri(otherHost, "steal/" + marker).ToString(),
            "protocol-relative URL" => $"//localhost:{otherHost.Port}/steal/{marker}",
            "another user" => $"Users/ceo@org-b.test/Messages/{marker}",
            "path traversal" => $"Users/{GraphUser}/Messages/../../ceo@org-b.test/Messages/{marker}",
            "encoded traversal" => $"Users/{GraphUser}/Messages/%2e%2e%2F%2e%2e%2Fceo@org-b.test%2FMessages%2F{marker}",
            "query" => $"Users/{GraphUser}/Messages/{marker}?$expand=attachments",
            "fragment" => $"Users/{GraphUser}/Messages/{marker}#x",
            _ => $"Users/{GraphUser}/Messages/{marker}/attachments",
        };
        // Org B's mail sits where the other-user resource points: accepting it would ingest it into this organization.
        f.Stub.GraphMessages[$"users/ceo@org-b.test/messages/{marker}"] = GraphMessage($"<{marker}@org-b.test>");
        var good = $"Users/{GraphUser}/Messages/{Guid.NewGuid():N}";
        var goodMessageId = $"<{Guid.NewGuid():N}@outlook.test>";
        f.Stub.GraphMessages[good] = GraphMessage(goodMessageId);
        using var anonymous = f.App.ClientWithKey(null);

        var body = Notification(bad, GraphClientState);
        body["value"]!.AsArray().Add(Notification(good, GraphClientState)["value"]![0]!.DeepClone());
        var (status, json, text) = await PostJsonAsync(anonymous, "/ingest/graph", body);

        Assert.Equal(HttpStatusCode.Accepted, status);
        Assert.True((1, 0, 1) == (json!["accepted"]!.GetValue<int>(), json["rejected"]!.GetValue<int>(), json["ignored"]!.GetValue<int>()), text);
        var inboundId = DeterministicId.Inbound(PlatformOrg, goodMessageId);
        await Eventually.TrueAsync(async () => (await f.EventsAsync(PlatformOrg, InboundStreams.StreamId(inboundId))).Count == 1, "the valid item of the batch accepted");
        Assert.DoesNotContain(f.Stub.Requests, r => r.Path.Contains(marker, StringComparison.Ordinal));
        Assert.Empty(await f.EventsAsync(PlatformOrg, InboundStreams.StreamId(DeterministicId.Inbound(PlatformOrg, $"<{marker}@org-b.test>"))));
    }

    [Fact]
    public async Task Without_a_resource_the_message_id_of_the_resource_data_is_fetched_from_the_subscribed_mailbox()
    {
        var id = "AAMk" + Guid.NewGuid().ToString("N");
        var messageId = $"<{Guid.NewGuid():N}@outlook.test>";
        f.Stub.GraphMessages[$"users/{GraphUser}/messages/{id}"] = GraphMessage(messageId);
        using var anonymous = f.App.ClientWithKey(null);
        var body = Notification("unused", GraphClientState);
        var item = body["value"]![0]!.AsObject();
        item.Remove("resource");
        item["resourceData"] = new JsonObject { ["@odata.type"] = "#Microsoft.Graph.Message", ["id"] = id };

        var (status, json, text) = await PostJsonAsync(anonymous, "/ingest/graph", body);

        Assert.True(status == HttpStatusCode.Accepted && json!["accepted"]!.GetValue<int>() == 1, text);
        await Eventually.TrueAsync(async () => (await f.EventsAsync(PlatformOrg, InboundStreams.StreamId(DeterministicId.Inbound(PlatformOrg, messageId)))).Count == 1,
            "the message fetched from users/{user}/messages/{id}");
    }

    [Fact]
    public async Task A_message_with_unusable_or_too_many_recipients_is_kept_with_the_first_valid_ones()
    {
        var resource = $"Users/{GraphUser}/Messages/{Guid.NewGuid():N}";
        var messageId = $"<{Guid.NewGuid():N}@outlook.test>";
        var message = GraphMessage(messageId);
        static JsonObject Recipient(string address) => new() { ["emailAddress"] = new JsonObject { ["address"] = address } };
        message["toRecipients"] = new JsonArray(Recipient("/O=EXCHANGELABS/OU=EXCHANGE ADMINISTRATIVE GROUP/CN=RECIPIENTS/CN=1A2B-LEE"), Recipient("billing@acme.test"));
        message["ccRecipients"] = new JsonArray([.. Enumerable.Range(0, 600).Select(i => (JsonNode)Recipient($"cc{i}@acme.test"))]);
        f.Stub.GraphMessages[resource] = message;
        using var anonymous = f.App.ClientWithKey(null);

        Assert.Equal(HttpStatusCode.Accepted, (await PostJsonAsync(anonymous, "/ingest/graph", Notification(resource, GraphClientState))).Status);

        var stream = InboundStreams.StreamId(DeterministicId.Inbound(PlatformOrg, messageId));
        await Eventually.TrueAsync(async () => (await f.EventsAsync(PlatformOrg, stream)).Count == 1, "the message kept");
        var stored = (await f.EventsAsync(PlatformOrg, stream))[0];
        var received = stored.As<InboundMessageReceived>().Message;
        Assert.Equal(["billing@acme.test"], received.To.Select(t => t.Email));
        Assert.Equal(500, received.Cc.Count);
        Assert.Equal("cc499@acme.test", received.Cc[^1].Email);
        Assert.Equal("101", stored.Metadata["recipients_dropped"]);
    }

    [Fact]
    public async Task Messages_with_an_empty_message_id_are_each_kept_under_their_provider_id()
    {
        var resources = Enumerable.Range(0, 2).Select(_ => $"users/{GraphUser}/messages/{Guid.NewGuid():N}").ToList();
        foreach (var resource in resources)
        {
            f.Stub.GraphMessages[resource] = GraphMessage("<>");
        }
        using var anonymous = f.App.ClientWithKey(null);
        foreach (var resource in resources)
        {
            Assert.Equal(HttpStatusCode.Accepted, (await PostJsonAsync(anonymous, "/ingest/graph", Notification(resource, GraphClientState))).Status);
        }

        foreach (var resource in resources)
        {
            var stream = InboundStreams.StreamId(DeterministicId.Inbound(PlatformOrg, "graph:" + resource));
            await Eventually.TrueAsync(async () => (await f.EventsAsync(PlatformOrg, stream)).Count == 1, "message " + resource + " kept under its Graph id");
        }
    }

    [Fact]
    public async Task A_message_re_using_the_message_id_of_an_earlier_one_with_other_content_is_kept_under_a_derived_inbound_id()
    {
        var messageId = $"<{Guid.NewGuid():N}@outlook.test>";
        var (first, second) = ($"users/{GraphUser}/messages/{Guid.NewGuid():N}", $"users/{GraphUser}/messages/{Guid.NewGuid():N}");
        f.Stub.GraphMessages[first] = GraphMessage(messageId);
        var other = GraphMessage(messageId);
        other["subject"] = "Urgent: wrong invoice";
        other["body"] = new JsonObject { ["contentType"] = "text", ["content"] = "You billed us twice." };
        f.Stub.GraphMessages[second] = other;
        using var anonymous = f.App.ClientWithKey(null);
        var primary = DeterministicId.Inbound(PlatformOrg, messageId);

        Assert.Equal(HttpStatusCode.Accepted, (await PostJsonAsync(anonymous, "/ingest/graph", Notification(first, GraphClientState))).Status);
        await Eventually.TrueAsync(async () => (await f.EventsAsync(PlatformOrg, InboundStreams.StreamId(primary))).Count == 1, "the first message accepted");
        Assert.Equal(HttpStatusCode.Accepted, (await PostJsonAsync(anonymous, "/ingest/graph", Notification(second, GraphClientState))).Status);

        await Eventually.TrueAsync(async () => (await ReceivedWithMessageIdAsync(messageId)).Count == 2, "the second message kept as well");
        var kept = (await ReceivedWithMessageIdAsync(messageId))[1];
        var received = kept.As<InboundMessageReceived>();
        Assert.NotEqual(primary, received.InboundId);
        Assert.Equal(InboundSource.Graph, received.Source);
        Assert.Equal("Urgent: wrong invoice", received.Message.Subject);
        Assert.Equal(primary.ToString("D"), kept.Metadata["message_id_reused_from"]);

        // The second message again under another resource (a copy in another folder): the same message, still kept once.
        var copy = $"users/{GraphUser}/messages/{Guid.NewGuid():N}";
        var copied = other.DeepClone().AsObject();
        copied["conversationId"] = "another-conversation";
        copied["internetMessageHeaders"] = new JsonArray(new JsonObject { ["name"] = "X-MS-Exchange-Organization-SCL", ["value"] = "1" });
        f.Stub.GraphMessages[copy] = copied;
        Assert.Equal(HttpStatusCode.Accepted, (await PostJsonAsync(anonymous, "/ingest/graph", Notification(copy, GraphClientState))).Status);
        await Eventually.TrueAsync(() => ConsumedAsync(copy), "the copy's notification consumed");
        Assert.Equal(1, f.Stub.Count("/graph/v1.0/" + copy));
        Assert.Equal(2, (await ReceivedWithMessageIdAsync(messageId)).Count);
    }

    /// <summary>The fetch consumer has committed the notification of this resource.</summary>
    private async Task<bool> ConsumedAsync(string resource)
    {
        var eventId = MailboxNotifications.Append(PlatformOrg, InboundSource.Graph, GraphSubscription, resource, DateTimeOffset.UtcNow).Events[0].EventId;
        var dataSource = (Npgsql.NpgsqlDataSource)f.App.Services.GetService(typeof(Npgsql.NpgsqlDataSource))!;
        await using var cmd = dataSource.CreateCommand("SELECT EXISTS (SELECT 1 FROM oos.inbox WHERE consumer = 'ingestion-mailbox-fetch' AND message_id = $1)");
        cmd.Parameters.Add(new Npgsql.NpgsqlParameter { Value = eventId });
        return (bool)(await cmd.ExecuteScalarAsync())!;
    }

    /// <summary>The <c>inbound_received.v1</c> events whose message carries this Message-ID, oldest first.</summary>
    private async Task<List<OutreachOS.BuildingBlocks.EventStore.StoredEvent>> ReceivedWithMessageIdAsync(string messageId)
    {
        var dataSource = (Npgsql.NpgsqlDataSource)f.App.Services.GetService(typeof(Npgsql.NpgsqlDataSource))!;
        await using var cmd = dataSource.CreateCommand(
            "SELECT stream_id FROM oos.events WHERE tenant_id = $1 AND type = 'inbound_received.v1' AND data->'message'->>'message_id' = $2 ORDER BY seq");
        cmd.Parameters.Add(new Npgsql.NpgsqlParameter { Value = PlatformOrg });
        cmd.Parameters.Add(new Npgsql.NpgsqlParameter { Value = messageId });
        var streams = new List<string>();
        await using (var reader = await cmd.ExecuteReaderAsync())
        {
            while (await reader.ReadAsync())
            {
                streams.Add(reader.GetString(0));
            }
        }
        var events = new List<OutreachOS.BuildingBlocks.EventStore.StoredEvent>();
        foreach (var stream in streams)
        {
            events.Add((await f.EventsAsync(PlatformOrg, stream))[0]);
        }
        return events;
    }

    private static JsonObject GraphMessage(string messageId) => new()
    {
        ["internetMessageId"] = messageId,
        ["subject"] = "Quarterly numbers",
        ["body"] = new JsonObject { ["contentType"] = "text", ["content"] = "Confidential" },
        ["from"] = new JsonObject { ["emailAddress"] = new JsonObject { ["address"] = "cfo@org-b.test" } },
    };

    [Fact]
    public async Task Malformed_notification_json_is_a_400()
    {
        using var anonymous = f.App.ClientWithKey(null);
        var (status, _, text) = await SendAsync(anonymous, HttpMethod.Post, "/ingest/graph", new StringContent("{\"value\": [", Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Contains("body", text, StringComparison.Ordinal);
    }

    private static JsonObject Notification(string resource, string clientState, string subscription = GraphSubscription) => new()
    {
        ["value"] = new JsonArray(new JsonObject
        {
            ["subscriptionId"] = subscription,
            ["subscriptionExpirationDateTime"] = "2026-11-25T00:00:00Z",
            ["changeType"] = "created",
            ["clientState"] = clientState,
            ["resource"] = resource,
            ["resourceData"] = new JsonObject { ["@odata.type"] = "#Microsoft.Graph.Message", ["@odata.id"] = resource, ["id"] = "AAMk1" },
            ["tenantId"] = "84bd8158-6d4d-4958-8b9f-9d6445542f95",
        }),
    };
}
