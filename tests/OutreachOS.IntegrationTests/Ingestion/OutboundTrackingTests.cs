using System.Net;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using OutreachOS.Ingestion.Outbound;
using OutreachOS.IntegrationTests.Messaging;
using static OutreachOS.IntegrationTests.Ingestion.IngestionAppFixture;

namespace OutreachOS.IntegrationTests.Ingestion;

/// <summary>Outbound sends, reply tracking (a bus consumer of inbound_received) and meetings.</summary>
[Collection(IngestionCollection.Name)]
public sealed class OutboundTrackingTests(IngestionAppFixture f)
{
    [Fact]
    public async Task A_reply_in_the_thread_of_a_send_is_recorded_once_on_the_outbound_stream()
    {
        var requestId = Guid.NewGuid();
        var outMessageId = $"<{Guid.NewGuid():N}@acme.test>";
        var (status, json, text) = await PostJsonAsync(f.Client, "/outbound/sends", Send(requestId, outMessageId));
        Assert.True(status == HttpStatusCode.Created, text);
        Assert.Equal(requestId, json!["request_id"]!.GetValue<Guid>());

        var reply = Email();
        reply["in_reply_to"] = outMessageId;
        reply["references"] = new JsonArray("<older@acme.test>", outMessageId);
        var accepted = await PostJsonAsync(f.Client, "/ingest/email", reply);
        var inboundId = accepted.Json!["inbound_id"]!.GetValue<Guid>();
        var stream = OutboundStreams.StreamId(requestId);
        await Eventually.TrueAsync(async () => (await f.EventsAsync(PlatformOrg, stream)).Any(e => e.EventType == "outbound_reply_received.v1"), "reply recorded");

        // The same inbound message again (a duplicate webhook) adds nothing.
        await PostJsonAsync(f.Client, "/ingest/email", reply);
        var (again, _, _) = await PostJsonAsync(f.Client, "/outbound/sends", Send(requestId, outMessageId));
        Assert.Equal(HttpStatusCode.Created, again);
        var events = await f.EventsAsync(PlatformOrg, stream);
        Assert.Equal(["outbound_sent.v1", "outbound_reply_received.v1"], events.Select(e => e.EventType));
        var r = events[1].As<OutboundReplyReceived>();
        Assert.Equal(inboundId, r.InboundId);
        Assert.Equal(requestId, r.RequestId);
        Assert.Equal(reply["message_id"]!.GetValue<string>(), r.ReplyMessageId);
        Assert.Equal(outMessageId.Trim('<', '>'), r.MessageId);
    }

    [Fact]
    public async Task A_message_that_names_no_other_message_is_acknowledged_by_reply_tracking_without_a_claim_or_inbox_row()
    {
        var fresh = Email();
        fresh.Remove("thread_id"); // no In-Reply-To, References or thread id
        var accepted = await PostJsonAsync(f.Client, "/ingest/email", fresh);
        var inboundId = accepted.Json!["inbound_id"]!.GetValue<Guid>();
        var received = (await f.Store.ReadStreamAsync(PlatformOrg, OutreachOS.Ingestion.Contracts.InboundStreams.StreamId(inboundId)))[0];
        var dataSource = f.App.Services.GetRequiredService<Npgsql.NpgsqlDataSource>();
        // The triage consumer of the same message has an effect and records it; reply tracking had none to record.
        await Eventually.TrueAsync(() => OutreachOS.BuildingBlocks.Messaging.InboxTransaction.IsProcessedAsync(dataSource,
            OutreachOS.Triage.Pipeline.InboundTriageConsumer.Name, received.EventId), "triaged");
        await Task.Delay(300);
        Assert.False(await OutreachOS.BuildingBlocks.Messaging.InboxTransaction.IsProcessedAsync(dataSource, "ingestion-reply-tracking", received.EventId));
    }

    [Fact]
    public async Task A_message_id_already_sent_for_another_request_is_a_409()
    {
        var outMessageId = $"<{Guid.NewGuid():N}@acme.test>";
        Assert.Equal(HttpStatusCode.Created, (await PostJsonAsync(f.Client, "/outbound/sends", Send(Guid.NewGuid(), outMessageId))).Status);
        Assert.Equal(HttpStatusCode.Conflict, (await PostJsonAsync(f.Client, "/outbound/sends", Send(Guid.NewGuid(), outMessageId))).Status);
    }

    [Fact]
    public async Task An_invalid_send_names_each_field()
    {
        var (status, json, text) = await PostJsonAsync(f.Client, "/outbound/sends", new JsonObject { ["channel"] = "FAX", ["variant_index"] = -1 });
        Assert.Equal(HttpStatusCode.BadRequest, status);
        var errors = json!["errors"]!.AsObject();
        foreach (var field in new[] { "request_id", "message_id", "channel", "variant_index" })
        {
            Assert.True(errors.ContainsKey(field), text);
        }
    }

    [Fact]
    public async Task A_meeting_is_recorded_once_and_only_for_the_callers_own_send()
    {
        var requestId = Guid.NewGuid();
        await PostJsonAsync(f.Client, "/outbound/sends", Send(requestId, $"<{Guid.NewGuid():N}@acme.test>"));
        using var other = await f.NewOrganizationAsync();

        var theirs = await PostJsonAsync(other, $"/outbound/{requestId}/meeting", new JsonObject());
        var first = await PostJsonAsync(f.Client, $"/outbound/{requestId}/meeting", new JsonObject { ["booked_at"] = "2026-11-30T15:00:00Z" });
        var second = await PostJsonAsync(f.Client, $"/outbound/{requestId}/meeting", new JsonObject());
        var unknown = await PostJsonAsync(f.Client, $"/outbound/{Guid.NewGuid()}/meeting", new JsonObject());

        Assert.Equal(HttpStatusCode.NotFound, theirs.Status);
        Assert.Equal(HttpStatusCode.Created, first.Status);
        Assert.Equal(HttpStatusCode.Created, second.Status);
        Assert.Equal(HttpStatusCode.NotFound, unknown.Status);
        var events = await f.EventsAsync(PlatformOrg, OutboundStreams.StreamId(requestId));
        var booked = Assert.Single(events, e => e.EventType == "outbound_meeting_booked.v1").As<OutboundMeetingBooked>();
        Assert.Equal(DateTimeOffset.Parse("2026-11-30T15:00:00Z", System.Globalization.CultureInfo.InvariantCulture), booked.BookedAt);
    }

    [Fact]
    public async Task Another_organization_recording_the_same_request_id_first_does_not_block_the_owners_send_or_meeting()
    {
        // Event ids of sends and meetings used to derive from the request id alone, which the caller names: an
        // organization that recorded it first took the ids, and the owner's send then failed as a duplicate event.
        var requestId = Guid.NewGuid();
        var messageId = $"<{Guid.NewGuid():N}@acme.test>";
        using var other = await f.NewOrganizationAsync();
        Assert.Equal(HttpStatusCode.Created, (await PostJsonAsync(other, "/outbound/sends", Send(requestId, messageId))).Status);
        Assert.Equal(HttpStatusCode.Created, (await PostJsonAsync(other, $"/outbound/{requestId}/meeting", new JsonObject())).Status);

        var sent = await PostJsonAsync(f.Client, "/outbound/sends", Send(requestId, messageId));
        var meeting = await PostJsonAsync(f.Client, $"/outbound/{requestId}/meeting", new JsonObject());

        Assert.True(sent.Status == HttpStatusCode.Created, sent.Text);
        Assert.True(meeting.Status == HttpStatusCode.Created, meeting.Text);
        var events = await f.EventsAsync(PlatformOrg, OutboundStreams.StreamId(requestId));
        Assert.Equal(["outbound_sent.v1", "outbound_meeting_booked.v1"], events.Select(e => e.EventType));
    }

    internal static JsonObject Send(Guid requestId, string messageId) => new()
    {
        ["request_id"] = requestId, ["message_id"] = messageId, ["channel"] = "EMAIL", ["variant_index"] = 1,
    };
}
