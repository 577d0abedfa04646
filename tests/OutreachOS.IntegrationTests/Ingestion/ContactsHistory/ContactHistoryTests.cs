using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using OutreachOS.IntegrationTests.Messaging;
using static OutreachOS.IntegrationTests.Ingestion.IngestionAppFixture;

namespace OutreachOS.IntegrationTests.Ingestion.ContactsHistory;

/// <summary>
/// ContactRecord.History through <c>GET /contacts/{email}</c>: the CSV's last deal / last ticket, the messages received from
/// the contact and the outbound sends the contact answered, most recent first, at most 20, per organization.
/// </summary>
[Collection(IngestionCollection.Name)]
public sealed class ContactHistoryTests(IngestionAppFixture f)
{
    [Fact]
    public async Task History_merges_the_csv_deal_and_ticket_with_received_mail_and_answered_sends_most_recent_first()
    {
        var email = $"h{Guid.NewGuid():N}@customer.test";
        var csv = $"email,name,last_deal,last_deal_at,last_ticket,last_ticket_at\n{email},Hana,\"Renewal, 40 seats (won)\",2026-09-01,Export bug #881,2026-11-10T08:30:00Z\n";
        var import = await SendAsync(f.Client, HttpMethod.Post, "/contacts/import", new StringContent(csv, Encoding.UTF8, "text/csv"));
        Assert.True(import.Status == HttpStatusCode.OK, import.Text);
        Assert.Empty(import.Json!["errors"]!.AsArray());

        // An outbound send, then the contact's answer to it (reply tracking links them), then a later mail.
        var requestId = Guid.NewGuid();
        var outboundId = $"<{Guid.NewGuid():N}@acme.test>";
        var send = await PostJsonAsync(f.Client, "/outbound/sends", new JsonObject
        {
            ["request_id"] = requestId.ToString(), ["message_id"] = outboundId, ["channel"] = "EMAIL", ["variant_index"] = 0,
        });
        Assert.True(send.Status == HttpStatusCode.Created, send.Text);
        await IngestAsync(email, "Re: Quick idea", "2026-11-12T09:00:00Z", inReplyTo: outboundId);
        await IngestAsync(email, "Invoice question", "2026-11-15T09:00:00Z");

        var history = await HistoryAsync(email, expected: 5);

        Assert.Equal(
            [
                ("MESSAGE", "Received: \"Invoice question\""),
                ("MESSAGE", "Received: \"Re: Quick idea\""),
                ("TICKET", "Export bug #881"),
                ("DEAL", "Renewal, 40 seats (won)"),
            ],
            history.Where(h => !h!["summary"]!.GetValue<string>().StartsWith("Sent:", StringComparison.Ordinal))
                .Select(h => (h!["kind"]!.GetValue<string>(), h["summary"]!.GetValue<string>())));
        var sent = Assert.Single(history, h => h!["summary"]!.GetValue<string>().StartsWith("Sent:", StringComparison.Ordinal));
        Assert.Contains(requestId.ToString(), sent!["summary"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Equal("MESSAGE", sent["kind"]!.GetValue<string>());
        var times = history.Select(h => DateTimeOffset.Parse(h!["at"]!.GetValue<string>(), System.Globalization.CultureInfo.InvariantCulture)).ToList();
        Assert.Equal(times.OrderByDescending(t => t), times);
        Assert.Equal(new DateTimeOffset(2026, 11, 10, 8, 30, 0, TimeSpan.Zero), times[history.FindIndex(h => h!["kind"]!.GetValue<string>() == "TICKET")]);

        // The history is the organization's own: another organization does not see the contact at all.
        using var other = await f.NewOrganizationAsync();
        Assert.Equal(HttpStatusCode.NotFound, (await SendAsync(other, HttpMethod.Get, $"/contacts/{email}", null)).Status);

        // Re-importing without the history columns keeps them; an empty cell clears one.
        await SendAsync(f.Client, HttpMethod.Post, "/contacts/import", new StringContent($"email,vip\n{email},yes\n", Encoding.UTF8, "text/csv"));
        Assert.Equal(5, (await HistoryAsync(email, expected: 5)).Count);
        await SendAsync(f.Client, HttpMethod.Post, "/contacts/import", new StringContent($"email,last_deal\n{email},\n", Encoding.UTF8, "text/csv"));
        Assert.DoesNotContain(await HistoryAsync(email, expected: 4), h => h!["kind"]!.GetValue<string>() == "DEAL");
    }

    [Fact]
    public async Task History_is_capped_at_the_20_most_recent_items_and_a_sender_known_only_by_mail_is_a_contact()
    {
        var email = $"many{Guid.NewGuid():N}@customer.test";
        var start = new DateTimeOffset(2026, 10, 1, 9, 0, 0, TimeSpan.Zero);
        for (var i = 0; i < 22; i++)
        {
            await IngestAsync(email, $"Message {i:00}", start.AddDays(i).ToString("o", System.Globalization.CultureInfo.InvariantCulture));
        }

        // The projection is asynchronous: wait until it has seen the last message, not just any 20.
        var history = await HistoryAsync(email, expected: 20, newest: "Received: \"Message 21\"");

        Assert.Equal(20, history.Count);
        Assert.Equal("Received: \"Message 21\"", history[0]!["summary"]!.GetValue<string>());
        Assert.Equal("Received: \"Message 02\"", history[^1]!["summary"]!.GetValue<string>());
        var (_, contact, _) = await SendAsync(f.Client, HttpMethod.Get, $"/contacts/{email}", null);
        Assert.Equal(email, contact!["email"]!.GetValue<string>());
        Assert.Null(contact["crm_id"]);
    }

    [Fact]
    public async Task Bad_history_cells_are_reported_with_line_and_field()
    {
        var email = $"bad{Guid.NewGuid():N}@customer.test";
        var csv = $"email,last_deal,last_deal_at,last_ticket\n{email},Deal,yesterday,T\n{email},Deal,2026-01-01,{new string('x', 501)}\n";
        var (status, json, text) = await SendAsync(f.Client, HttpMethod.Post, "/contacts/import", new StringContent(csv, Encoding.UTF8, "text/csv"));
        Assert.True(status == HttpStatusCode.OK, text);
        var errors = json!["errors"]!.AsArray().Select(e => (e!["line"]!.GetValue<int>(), e["field"]!.GetValue<string>())).ToList();
        Assert.Equal([(2, "last_deal_at"), (3, "last_ticket")], errors);
        Assert.Equal(0, json["imported"]!.GetValue<int>());
    }

    private async Task IngestAsync(string from, string subject, string receivedAt, string? inReplyTo = null)
    {
        var body = Email(from: from);
        body["subject"] = subject;
        body["received_at"] = receivedAt;
        body["in_reply_to"] = inReplyTo;
        var (status, _, text) = await PostJsonAsync(f.Client, "/ingest/email", body);
        Assert.True(status == HttpStatusCode.Accepted, text);
    }

    /// <summary>The contact's history once the async projection has caught up to <paramref name="expected"/> items.</summary>
    private async Task<List<JsonNode?>> HistoryAsync(string email, int expected, string? newest = null)
    {
        List<JsonNode?> items = [];
        await Eventually.TrueAsync(async () =>
        {
            var (status, json, _) = await SendAsync(f.Client, HttpMethod.Get, $"/contacts/{email}", null);
            items = status == HttpStatusCode.OK ? [.. json!["history"]!.AsArray()] : [];
            return items.Count == expected && (newest is null || items[0]!["summary"]!.GetValue<string>() == newest);
        }, $"{expected} history items for {email}");
        return items;
    }
}
