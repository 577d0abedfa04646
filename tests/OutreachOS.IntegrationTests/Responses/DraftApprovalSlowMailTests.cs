using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using OutreachOS.BuildingBlocks.EventStore;
using OutreachOS.IntegrationTests.Api;
using OutreachOS.IntegrationTests.Messaging;

namespace OutreachOS.IntegrationTests.Responses;

/// <summary>
/// Approving a draft while the mail server is slow: the rest of the system keeps moving (no transaction id is held during
/// the SMTP dialogue, so the event log's readers are not held back), a reviewer who gives up before the server answered
/// leaves nothing claimed, so the next approval sends, and a reply already handed to the server cannot be rejected.
/// </summary>
public sealed class DraftApprovalSlowMailTests
{
    private static JsonObject Question(string messageId) => new()
    {
        ["message_id"] = messageId,
        ["from"] = new JsonObject { ["email"] = "jane@customer.test", ["name"] = "Jane" },
        ["to"] = new JsonArray("support@acme.test"),
        ["subject"] = "Pricing question",
        ["text"] = "Hello, what does the team plan cost per seat and is there an annual price?",
        ["received_at"] = "2026-11-20T10:00:00Z",
    };

    private static async Task<JsonObject> GetAsync(HttpClient client, string path) =>
        JsonNode.Parse(await client.GetStringAsync(path))!.AsObject();

    /// <summary>Ingests a pricing question and waits for its draft: (draft id, decision id).</summary>
    private static async Task<(Guid Draft, Guid Decision)> PendingDraftAsync(HttpClient client, string messageId)
    {
        using var ingested = await client.PostAsJsonAsync("/ingest/email", Question(messageId));
        Assert.Equal(HttpStatusCode.Accepted, ingested.StatusCode);
        var inbound = JsonNode.Parse(await ingested.Content.ReadAsStringAsync())!["inbound_id"]!.GetValue<string>();
        JsonObject view = [];
        await Eventually.TrueAsync(async () => (view = await GetAsync(client, $"/inbound/{inbound}"))["drafts"] is JsonArray { Count: > 0 }, "the draft");
        return (view["drafts"]![0]!["draft_id"]!.GetValue<Guid>(), view["decision"]!["decision_id"]!.GetValue<Guid>());
    }

    private static async Task<string?> SendStatusAsync(OutreachApp app, Guid decisionId)
    {
        await using var conn = new NpgsqlConnection(app.ConnectionString);
        await conn.OpenAsync();
        await using var cmd = new NpgsqlCommand("SELECT status FROM oos.triage_sends WHERE decision_id = $1", conn) { Parameters = { new() { Value = decisionId } } };
        return await cmd.ExecuteScalarAsync() as string;
    }

    [Fact]
    public async Task A_slow_mail_server_holds_back_no_events_a_cancelled_approval_can_be_retried_and_a_handed_over_reply_cannot_be_rejected()
    {
        await using var smtp = new HeldSmtpServer();
        await using var app = await OutreachApp.StartAsync(new Dictionary<string, string?>
        {
            ["Mail:Smtp:Host"] = "127.0.0.1",
            ["Mail:Smtp:Port"] = smtp.Port.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Mail:Smtp:From"] = "Acme Support <support@acme.test>",
            ["Mail:Smtp:TimeoutSeconds"] = "300",
        });
        using var admin = app.ClientWithKey();
        var (draftId, decisionId) = await PendingDraftAsync(admin, "<slow-1@customer.test>");

        // The approval reaches the mail server, which does not answer yet.
        using var giveUp = new CancellationTokenSource();
        var approving = admin.PostAsJsonAsync($"/drafts/{draftId}/approve", new { }, giveUp.Token);
        await Eventually.TrueAsync(() => Task.FromResult(smtp.Connections == 1), "the approval's SMTP connection");
        Assert.Equal("SENDING", await SendStatusAsync(app, decisionId));

        // Meanwhile another write commits, and the log's readers (relay, projections) get its event.
        using (var added = await admin.PostAsJsonAsync("/suppressions", new { email = "someone@elsewhere.test" }))
        {
            Assert.Equal(HttpStatusCode.Created, added.StatusCode);
        }
        var store = app.Services.GetRequiredService<IEventStore>();
        await Eventually.TrueAsync(async () => (await store.ReadAllAsync(GlobalPosition.Start, 100_000)).Any(e => e.EventType == "address_suppressed.v1"),
            "the suppression event in the global read while the approval waits on SMTP", TimeSpan.FromSeconds(20));

        // The reviewer gives up before the server greeted: nothing was sent, so the claim is released.
        await giveUp.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => approving);
        await Eventually.TrueAsync(async () => await SendStatusAsync(app, decisionId) is null, "the released send claim");
        Assert.Equal("PENDING", (await GetAsync(admin, $"/drafts/{draftId}"))["status"]!.GetValue<string>());

        // Once the server answers, approving again sends the reply, once.
        smtp.Release();
        using (var approved = await admin.PostAsJsonAsync($"/drafts/{draftId}/approve", new { }))
        {
            var body = await approved.Content.ReadAsStringAsync();
            Assert.True(approved.StatusCode == HttpStatusCode.OK, body);
            Assert.Equal("SENT", JsonNode.Parse(body)!["send_status"]!.GetValue<string>());
        }
        Assert.Single(smtp.Messages);
        Assert.Equal("SENT", await SendStatusAsync(app, decisionId));

        // A reply that reached the server before its approval was recorded (a crash in between): rejecting it would
        // record a lie, so it is a 409; approving records the send without a second mail.
        var (secondDraft, secondDecision) = await PendingDraftAsync(admin, "<slow-2@customer.test>");
        await using (var conn = new NpgsqlConnection(app.ConnectionString))
        {
            await conn.OpenAsync();
            await using var crash = new NpgsqlCommand("""
                INSERT INTO oos.triage_sends (decision_id, tenant_id, inbound_id, smtp_message_id, recipient, subject, status, sent_at)
                SELECT $1, tenant_id, inbound_id, smtp_message_id || '.2', recipient, subject, 'SENT', now() FROM oos.triage_sends WHERE decision_id = $2
                """, conn)
            {
                Parameters = { new() { Value = secondDecision }, new() { Value = decisionId } },
            };
            Assert.Equal(1, await crash.ExecuteNonQueryAsync());
        }
        using (var rejected = await admin.PostAsJsonAsync($"/drafts/{secondDraft}/reject", new { reason = "not needed" }))
        {
            Assert.Equal(HttpStatusCode.Conflict, rejected.StatusCode);
            Assert.Contains("cannot be rejected", await rejected.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }
        using (var approved = await admin.PostAsJsonAsync($"/drafts/{secondDraft}/approve", new { }))
        {
            Assert.Equal(HttpStatusCode.OK, approved.StatusCode);
        }
        Assert.Single(smtp.Messages);
    }

    [Fact]
    public async Task An_approval_claims_its_send_only_while_the_draft_exists_so_an_erasure_in_between_sends_nothing()
    {
        await using var app = await OutreachApp.StartAsync();
        var ledger = new OutreachOS.Triage.Smtp.SendLedger(app.Services.GetRequiredService<NpgsqlDataSource>());
        var tenant = Guid.NewGuid();
        var (draft, decision, inbound) = (Guid.NewGuid(), Guid.NewGuid(), Guid.NewGuid());
        var document = (OutreachOS.BuildingBlocks.Documents.DocumentStore.TypeName<OutreachOS.Triage.Drafts.DraftRecord>(), draft.ToString());

        // The draft is gone (an erasure committed after the approval read it): no claim, nothing to send.
        Assert.Equal(OutreachOS.Triage.Smtp.SendClaim.Withdrawn,
            await ledger.ClaimAsync(tenant, decision, inbound, "<m@acme.test>", "jane@customer.test", "Re: hi", CancellationToken.None, document));
        Assert.Null(await ledger.StatusAsync(tenant, decision, CancellationToken.None));

        // While it exists, the claim is made as before; the auto-send path (no document) is unchanged.
        await using (var conn = new NpgsqlConnection(app.ConnectionString))
        {
            await conn.OpenAsync();
            await using var insert = new NpgsqlCommand(
                "INSERT INTO oos.documents (tenant_id, type, id, data, version, updated_at) VALUES ($1, $2, $3, '{}'::jsonb, 1, now())", conn)
            {
                Parameters = { new() { Value = tenant }, new() { Value = document.Item1 }, new() { Value = document.Item2 } },
            };
            await insert.ExecuteNonQueryAsync();
        }
        Assert.Equal(OutreachOS.Triage.Smtp.SendClaim.Claimed,
            await ledger.ClaimAsync(tenant, decision, inbound, "<m@acme.test>", "jane@customer.test", "Re: hi", CancellationToken.None, document));
        Assert.Equal(OutreachOS.Triage.Smtp.SendClaim.OutcomeUnknown,
            await ledger.ClaimAsync(tenant, decision, inbound, "<m@acme.test>", "jane@customer.test", "Re: hi", CancellationToken.None, document));
        Assert.Equal(OutreachOS.Triage.Smtp.SendClaim.Claimed,
            await ledger.ClaimAsync(tenant, Guid.NewGuid(), inbound, "<n@acme.test>", "jane@customer.test", "Re: hi", CancellationToken.None));
    }
}
