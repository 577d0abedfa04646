using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using MassTransit;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using OutreachOS.BuildingBlocks.Messaging;
using OutreachOS.Ingestion.Contracts;
using OutreachOS.IntegrationTests.Messaging;
using OutreachOS.Triage.Contracts;
using OutreachOS.Triage.Drafts;
using OutreachOS.Triage.Responses;
using OutreachOS.Triage.Slack;

namespace OutreachOS.IntegrationTests.Responses;

/// <summary>The response paths end to end: real host, real PostgreSQL, smtp-sink as the SMTP server (in-memory bus).</summary>
public sealed class ResponsePathTests(ResponsesFixture f) : IClassFixture<ResponsesFixture>
{
    [Fact]
    public async Task Auto_send_delivers_one_threaded_mail_records_it_and_samples_it_for_qa()
    {
        var d = await f.DecideAsync(ResponsePath.AutoSend, "scheduling", "Could we meet next week to talk about onboarding?");

        var sent = await f.WaitForEventAsync(d, "inbound_reply_sent.v1");
        var mail = Assert.Single(f.Sink.WithMessageId(f.MessageIdOf(d)));
        Assert.Equal("<sarah@customer.example>", mail.Header("X-Rcpt-Args"));
        Assert.Equal("Sarah Chen <sarah@customer.example>", mail.Header("To"));
        Assert.Equal("Acme Support <help@acme.example>", mail.Header("From"));
        Assert.Equal("Re: Meeting next week", mail.Header("Subject"));
        Assert.Equal(d.Message.MessageId, mail.Header("In-Reply-To"));
        Assert.Equal($"<first@acme.example> <earlier@acme.example> {d.Message.MessageId}", mail.Header("References"));
        Assert.Equal("auto-replied", mail.Header("Auto-Submitted"));
        Assert.Contains("- Tuesday 10:00 CET\n- Wednesday 15:00 CET", mail.Body, StringComparison.Ordinal);
        Assert.Contains("https://cal.acme.example/dana", mail.Body, StringComparison.Ordinal);

        Assert.True(sent["auto"]!.GetValue<bool>());
        Assert.Equal(f.MessageIdOf(d), sent["smtp_message_id"]!.GetValue<string>());
        Assert.Equal(d.Decision.DecisionId.ToString(), sent["decision_id"]!.GetValue<string>());
        var drafted = await f.WaitForEventAsync(d, "inbound_reply_drafted.v1");
        Assert.Equal("AUTO_SEND", drafted["path"]!.GetValue<string>());
        Assert.Equal("scheduling", drafted["template_id"]!.GetValue<string>());

        // QA: Triage:Qa:SampleRate = 1 samples every auto-send; the secondary check re-ran the guardrails.
        var sampled = await f.WaitForEventAsync(d, "inbound_qa_sampled.v1");
        Assert.True(sampled["check_passed"]!.GetValue<bool>());
        var pending = JsonNode.Parse(await f.Client.GetStringAsync("/qa/pending"))!["items"]!.AsArray();
        Assert.Contains(pending, q => q!["inbound_id"]!.GetValue<string>() == d.InboundId.ToString());

        using (var missing = await f.Client.PostAsJsonAsync($"/qa/{d.InboundId}/verdict", new { notes = "no verdict" }))
        {
            Assert.Equal(HttpStatusCode.BadRequest, missing.StatusCode);
            Assert.Contains("correct", await missing.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }

        var (other, _) = await f.NewOrganizationAsync();
        using (var foreign = await other.PostAsJsonAsync($"/qa/{d.InboundId}/verdict", new { correct = false }))
        {
            Assert.Equal(HttpStatusCode.NotFound, foreign.StatusCode);
        }

        using (var ok = await f.Client.PostAsJsonAsync($"/qa/{d.InboundId}/verdict", new { correct = true, notes = "good reply" }))
        {
            Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
        }

        using (var twice = await f.Client.PostAsJsonAsync($"/qa/{d.InboundId}/verdict", new { correct = false }))
        {
            Assert.Equal(HttpStatusCode.Conflict, twice.StatusCode);
        }

        var verdict = await f.WaitForEventAsync(d, "inbound_qa_verdict.v1");
        Assert.True(verdict["correct"]!.GetValue<bool>());
        Assert.Equal("good reply", verdict["notes"]!.GetValue<string>());
    }

    [Fact]
    public async Task The_same_decision_delivered_again_under_the_same_or_a_new_message_id_sends_nothing_more()
    {
        var d = await f.DecideAsync(ResponsePath.AutoSend, "support", "The export button does nothing since this morning.", subject: "Export broken");
        await f.WaitForEventAsync(d, "inbound_reply_sent.v1");
        var decidedEvent = Assert.Single(await f.EventsAsync(d, "inbound_decided.v1"));

        var bus = f.App.Services.GetRequiredService<IBus>();
        var again = Guid.NewGuid();
        foreach (var messageId in new[] { decidedEvent.EventId, again })
        {
            await bus.Publish(d, ctx =>
            {
                ctx.MessageId = messageId;
                ctx.Headers.Set(MessagingHeaders.TenantId, d.OrganizationId.ToString());
            });
        }

        var dataSource = f.App.Services.GetRequiredService<NpgsqlDataSource>();
        await Eventually.TrueAsync(() => InboxTransaction.IsProcessedAsync(dataSource, "triage-responses", again), "the re-published decision was consumed");
        await Task.Delay(500); // a duplicate of the original message id, if consumed late, would land now
        Assert.Single(f.Sink.WithMessageId(f.MessageIdOf(d)));
        Assert.Single(await f.EventsAsync(d, "inbound_reply_sent.v1"));
        Assert.Single(await f.EventsAsync(d, "inbound_reply_drafted.v1"));
    }

    [Fact]
    public async Task A_crash_after_the_smtp_send_but_before_the_events_is_recorded_as_sent_without_a_second_mail()
    {
        // The ledger says SENT, but the consumer's transaction (events + inbox row) was lost: the state a crash right
        // after the SMTP server's 250 leaves behind. The redelivery must record the send, not repeat it.
        var sentBefore = await DecideWithLedgerAsync("SENT");
        await f.WaitForEventAsync(sentBefore, "inbound_reply_sent.v1");
        Assert.Empty(f.Sink.WithMessageId(f.MessageIdOf(sentBefore)));

        // A crash during the SMTP dialogue (SENDING): the outcome is unknown, so nothing is sent and that is recorded.
        var unknown = await DecideWithLedgerAsync("SENDING");
        var skipped = await f.WaitForEventAsync(unknown, "inbound_send_skipped.v1");
        Assert.Equal("SEND_OUTCOME_UNKNOWN", skipped["reason"]!.GetValue<string>());
        Assert.Empty(f.Sink.WithMessageId(f.MessageIdOf(unknown)));
    }

    private async Task<InboundDecided> DecideWithLedgerAsync(string status)
    {
        var decisionId = Guid.NewGuid();
        await using (var cmd = f.App.Services.GetRequiredService<NpgsqlDataSource>().CreateCommand("""
            INSERT INTO oos.triage_sends (decision_id, tenant_id, inbound_id, smtp_message_id, recipient, subject, status)
            VALUES (@d, @t, @i, @m, 'sarah@customer.example', 'Re: x', @s)
            """))
        {
            cmd.Parameters.AddWithValue("d", decisionId);
            cmd.Parameters.AddWithValue("t", f.OrganizationId);
            cmd.Parameters.AddWithValue("i", Guid.NewGuid());
            cmd.Parameters.AddWithValue("m", $"<reply-{decisionId:N}@acme.example>");
            cmd.Parameters.AddWithValue("s", status);
            await cmd.ExecuteNonQueryAsync();
        }

        return await f.DecideAsync(ResponsePath.AutoSend, "scheduling", "Can we talk on Tuesday?", decisionId: decisionId);
    }

    [Fact]
    public async Task Draft_for_review_then_approve_with_an_edit_sends_the_edited_text_and_records_the_edit_distance()
    {
        var d = await f.DecideAsync(ResponsePath.DraftForReview, "pricing", "What would the Team plan cost for 12 users?", subject: "Pricing question");
        var draftId = ResponseIds.DraftId(d.Decision.DecisionId);
        var draft = await WaitForDraftAsync(draftId);
        Assert.Equal("PENDING", draft["status"]!.GetValue<string>());
        Assert.Equal("Re: Pricing question", draft["subject"]!.GetValue<string>());
        Assert.Equal("sarah@customer.example", draft["from"]!["email"]!.GetValue<string>());
        Assert.Equal("pricing", draft["classification"]!["intent"]!.GetValue<string>());
        Assert.Equal("DRAFT_FOR_REVIEW", draft["decided_path"]!.GetValue<string>());
        var pending = JsonNode.Parse(await f.Client.GetStringAsync("/drafts?status=PENDING"))!["items"]!.AsArray();
        Assert.Contains(pending, x => x!["draft_id"]!.GetValue<string>() == draftId.ToString());
        await Eventually.TrueAsync(() => Task.FromResult(f.Slack.Bodies.Any(b => b.Contains(draftId.ToString("N"), StringComparison.Ordinal))), "the Slack notification");

        var (other, _) = await f.NewOrganizationAsync();
        using (var foreignGet = await other.GetAsync($"/drafts/{draftId}"))
        {
            Assert.Equal(HttpStatusCode.NotFound, foreignGet.StatusCode);
        }

        using (var foreignApprove = await other.PostAsJsonAsync($"/drafts/{draftId}/approve", new { }))
        {
            Assert.Equal(HttpStatusCode.NotFound, foreignApprove.StatusCode);
        }

        using (var blank = await f.Client.PostAsJsonAsync($"/drafts/{draftId}/approve", new { edited_text = "   " }))
        {
            Assert.Equal(HttpStatusCode.BadRequest, blank.StatusCode);
            Assert.Contains("edited_text", await blank.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }

        var original = draft["text"]!.GetValue<string>();
        var edited = "Hi Sarah,\n\nThank you for asking. I will send the Team plan details for 12 users later today.\n\nBest regards,\nDana";
        using var approve = await f.Client.PostAsJsonAsync($"/drafts/{draftId}/approve", new { edited_text = edited });
        Assert.Equal(HttpStatusCode.OK, approve.StatusCode);
        var view = JsonNode.Parse(await approve.Content.ReadAsStringAsync())!;
        Assert.Equal("APPROVED", view["status"]!.GetValue<string>());
        Assert.Equal(edited, view["text"]!.GetValue<string>());
        Assert.Equal("SENT", view["send_status"]!.GetValue<string>());

        var mail = Assert.Single(f.Sink.WithMessageId(f.MessageIdOf(d)));
        Assert.Equal(edited, mail.Body.TrimEnd('\n')); // smtp-sink ends its dump with an empty line
        Assert.Null(mail.Header("Auto-Submitted"));
        Assert.Equal(d.Message.MessageId, mail.Header("In-Reply-To"));

        var approved = await f.WaitForEventAsync(d, "inbound_draft_approved.v1");
        Assert.True(approved["edited"]!.GetValue<bool>());
        Assert.Equal(original, approved["original_text"]!.GetValue<string>());
        Assert.Equal(edited, approved["final_text"]!.GetValue<string>());
        Assert.Equal(Levenshtein.Distance(original, edited), approved["edit_distance"]!.GetValue<int>());
        var sent = await f.WaitForEventAsync(d, "inbound_reply_sent.v1");
        Assert.False(sent["auto"]!.GetValue<bool>());

        using (var twice = await f.Client.PostAsJsonAsync($"/drafts/{draftId}/approve", new { }))
        {
            Assert.Equal(HttpStatusCode.Conflict, twice.StatusCode);
        }

        Assert.Single(f.Sink.WithMessageId(f.MessageIdOf(d)));

        // The approved edit is a fine-tuning example.
        using var export = await f.Client.GetAsync("/feedback/export");
        Assert.Equal("application/x-ndjson", export.Content.Headers.ContentType!.MediaType);
        var line = (await export.Content.ReadAsStringAsync()).Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(l => JsonNode.Parse(l)!).Single(l => l["draft_id"]!.GetValue<string>() == draftId.ToString());
        // Redacted at export whatever triage redacted: the sender's name (known from the From header) is a placeholder, and
        // so is a name standing alone under the reply's sign-off (the template's "Dana from Acme Support" is not a name line).
        Assert.Equal(original.Replace("Sarah", "[NAME_1]", StringComparison.Ordinal), line["original_draft"]!.GetValue<string>());
        Assert.Equal(edited.Replace("Sarah", "[NAME_1]", StringComparison.Ordinal).Replace("regards,\nDana", "regards,\n[NAME_2]", StringComparison.Ordinal),
            line["final_text"]!.GetValue<string>());
        Assert.DoesNotContain("Dana", line["final_text"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.DoesNotContain("Sarah", line.ToJsonString(), StringComparison.Ordinal);
        Assert.Equal(d.Message.Text, line["input_email"]!["text"]!.GetValue<string>());
        Assert.Equal(approved["edit_distance"]!.GetValue<int>(), line["edit_distance"]!.GetValue<int>());
    }

    [Fact]
    public async Task Two_concurrent_approvals_of_one_draft_send_one_mail_and_the_loser_gets_409()
    {
        var d = await f.DecideAsync(ResponsePath.DraftForReview, "support", "The dashboard shows no data.", subject: "No data");
        var draftId = ResponseIds.DraftId(d.Decision.DecisionId);
        await WaitForDraftAsync(draftId);
        using var second = f.App.ClientWithKey();
        var responses = await Task.WhenAll(
            f.Client.PostAsJsonAsync($"/drafts/{draftId}/approve", new { }),
            second.PostAsJsonAsync($"/drafts/{draftId}/approve", new { edited_text = "Hi Sarah,\n\nWe are looking into it.\n\nDana" }));
        Assert.Equal([HttpStatusCode.OK, HttpStatusCode.Conflict], responses.Select(r => r.StatusCode).Order());
        foreach (var r in responses)
        {
            r.Dispose();
        }

        Assert.Single(f.Sink.WithMessageId(f.MessageIdOf(d)));
        Assert.Single(await f.EventsAsync(d, "inbound_draft_approved.v1"));
        Assert.Single(await f.EventsAsync(d, "inbound_reply_sent.v1"));
    }

    [Fact]
    public async Task Rejecting_needs_a_reason_records_it_and_sends_nothing()
    {
        var d = await f.DecideAsync(ResponsePath.DraftForReview, "other", "Hello, just checking in.", subject: "Hello");
        var draftId = ResponseIds.DraftId(d.Decision.DecisionId);
        await WaitForDraftAsync(draftId);

        using (var noReason = await f.Client.PostAsJsonAsync($"/drafts/{draftId}/reject", new { reason = "" }))
        {
            Assert.Equal(HttpStatusCode.BadRequest, noReason.StatusCode);
            var problem = JsonNode.Parse(await noReason.Content.ReadAsStringAsync())!;
            Assert.NotNull(problem["errors"]!["reason"]);
        }

        using (var reject = await f.Client.PostAsJsonAsync($"/drafts/{draftId}/reject", new { reason = "Needs a personal answer" }))
        {
            Assert.Equal(HttpStatusCode.OK, reject.StatusCode);
            Assert.Equal("REJECTED", JsonNode.Parse(await reject.Content.ReadAsStringAsync())!["status"]!.GetValue<string>());
        }

        using (var again = await f.Client.PostAsJsonAsync($"/drafts/{draftId}/reject", new { reason = "again" }))
        {
            Assert.Equal(HttpStatusCode.Conflict, again.StatusCode);
        }

        using (var approveAfter = await f.Client.PostAsJsonAsync($"/drafts/{draftId}/approve", new { }))
        {
            Assert.Equal(HttpStatusCode.Conflict, approveAfter.StatusCode);
        }

        var rejected = await f.WaitForEventAsync(d, "inbound_draft_rejected.v1");
        Assert.Equal("Needs a personal answer", rejected["reason"]!.GetValue<string>());
        Assert.Empty(f.Sink.WithMessageId(f.MessageIdOf(d)));
        var list = JsonNode.Parse(await f.Client.GetStringAsync("/drafts?status=REJECTED"))!["items"]!.AsArray();
        Assert.Contains(list, x => x!["draft_id"]!.GetValue<string>() == draftId.ToString());
        using var badStatus = await f.Client.GetAsync("/drafts?status=DONE");
        Assert.Equal(HttpStatusCode.BadRequest, badStatus.StatusCode);
    }

    [Fact]
    public async Task Human_path_assigns_the_owner_with_an_outline_and_drafts_nothing()
    {
        var d = await f.DecideAsync(ResponsePath.Human, "complaint", "Why was I charged twice this month? Can you refund the second charge?",
            subject: "Charged twice", flags: ["vip"]);
        var assigned = await f.WaitForEventAsync(d, "inbound_assigned.v1");
        Assert.Equal("support", assigned["owner"]!.GetValue<string>());
        var outline = assigned["outline"]!.AsArray().Select(x => x!.GetValue<string>()).ToList();
        Assert.Contains("Answer: \"Why was I charged twice this month?\"", outline);
        Assert.Contains(outline, l => l.StartsWith("VIP sender", StringComparison.Ordinal));
        Assert.NotNull(assigned["sla_due_at"]);
        Assert.Empty(await f.EventsAsync(d, "inbound_reply_drafted.v1"));
        using var draft = await f.Client.GetAsync($"/drafts/{ResponseIds.DraftId(d.Decision.DecisionId)}");
        Assert.Equal(HttpStatusCode.NotFound, draft.StatusCode);
        Assert.Empty(f.Sink.WithMessageId(f.MessageIdOf(d)));
    }

    [Fact]
    public async Task A_dry_run_auto_send_is_drafted_and_skipped_and_sends_nothing()
    {
        var d = await f.DecideAsync(ResponsePath.AutoSend, "scheduling", "Can we meet on Tuesday?", dryRun: true);
        var skipped = await f.WaitForEventAsync(d, "inbound_send_skipped.v1");
        Assert.Equal("DRY_RUN", skipped["reason"]!.GetValue<string>());
        Assert.Single(await f.EventsAsync(d, "inbound_reply_drafted.v1"));
        Assert.Empty(await f.EventsAsync(d, "inbound_reply_sent.v1"));
        Assert.Empty(f.Sink.WithMessageId(f.MessageIdOf(d)));

        // A dry-run draft can be approved (the edit is still a training example) and is still not sent.
        var review = await f.DecideAsync(ResponsePath.DraftForReview, "pricing", "How much is the Team plan?", dryRun: true, subject: "Price");
        var draftId = ResponseIds.DraftId(review.Decision.DecisionId);
        await WaitForDraftAsync(draftId);
        using var approve = await f.Client.PostAsJsonAsync($"/drafts/{draftId}/approve", new { });
        Assert.Equal(HttpStatusCode.OK, approve.StatusCode);
        Assert.Equal("DRY_RUN", JsonNode.Parse(await approve.Content.ReadAsStringAsync())!["send_status"]!.GetValue<string>());
        Assert.Equal("DRY_RUN", (await f.WaitForEventAsync(review, "inbound_send_skipped.v1"))["reason"]!.GetValue<string>());
        Assert.False((await f.WaitForEventAsync(review, "inbound_draft_approved.v1"))["edited"]!.GetValue<bool>());
        Assert.Empty(f.Sink.WithMessageId(f.MessageIdOf(review)));
    }

    [Fact]
    public async Task Redaction_placeholders_stay_in_the_recorded_draft_and_are_restored_only_in_the_mail()
    {
        var redactions = new Dictionary<string, string> { ["[EMAIL_1]"] = "sarah.private@customer.example", ["[NAME_1]"] = "Sarah" };
        var d = await f.DecideAsync(ResponsePath.AutoSend, "scheduling", "Reach me at [EMAIL_1]. Can we meet?", from: new MailAddress("[EMAIL_1]", "[NAME_1]"),
            redactions: redactions);
        await f.WaitForEventAsync(d, "inbound_reply_sent.v1");
        var drafted = await f.WaitForEventAsync(d, "inbound_reply_drafted.v1");
        Assert.StartsWith("Hi [NAME_1],", drafted["text"]!.GetValue<string>(), StringComparison.Ordinal);
        var mail = Assert.Single(f.Sink.WithMessageId(f.MessageIdOf(d)));
        Assert.StartsWith("Hi Sarah,", mail.Body, StringComparison.Ordinal);
        Assert.Equal("<sarah.private@customer.example>", mail.Header("X-Rcpt-Args"));
        Assert.DoesNotContain("[EMAIL_1]", mail.Header("To"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Templates_are_versioned_per_organization_a_broken_one_is_a_400_and_a_guardrail_block_downgrades_auto_send()
    {
        var (client, orgId) = await f.NewOrganizationAsync();
        var initial = JsonNode.Parse(await client.GetStringAsync("/templates"))!;
        Assert.Equal(0, initial["version"]!.GetValue<int>());
        Assert.NotNull(initial["templates"]!["scheduling"]);

        using (var broken = await client.PutAsJsonAsync("/templates", new { templates = new { generic = new { intents = Array.Empty<string>(), body = "Hi {{#if x}}" } } }))
        {
            Assert.Equal(HttpStatusCode.BadRequest, broken.StatusCode);
            Assert.NotNull(JsonNode.Parse(await broken.Content.ReadAsStringAsync())!["errors"]!["templates.generic.body"]);
        }

        using (var put = await client.PutAsJsonAsync("/templates", new
        {
            templates = new { generic = new { intents = Array.Empty<string>(), subject = "{{reply_subject}}", body = "Hi {{sender_name}}, act now: 50% discount for you!\n\n{{signature}}" } },
            values = new { signature = "Cheers, Team B" },
        }))
        {
            Assert.Equal(HttpStatusCode.OK, put.StatusCode);
            Assert.Equal(1, JsonNode.Parse(await put.Content.ReadAsStringAsync())!["version"]!.GetValue<int>());
        }

        Assert.Equal(1, JsonNode.Parse(await client.GetStringAsync("/templates"))!["version"]!.GetValue<int>());
        // The bootstrap organization still has the defaults.
        Assert.Equal(0, JsonNode.Parse(await f.Client.GetStringAsync("/templates"))!["version"]!.GetValue<int>());

        var d = await f.DecideAsync(ResponsePath.AutoSend, "other", "Just saying hello.", organizationId: orgId, subject: "Hello");
        var downgraded = await f.WaitForEventAsync(d, "inbound_path_downgraded.v1");
        Assert.Equal("AUTO_SEND", downgraded["from"]!.GetValue<string>());
        Assert.Equal("DRAFT_FOR_REVIEW", downgraded["to"]!.GetValue<string>());
        Assert.NotEmpty(downgraded["reasons"]!.AsArray());
        var drafted = await f.WaitForEventAsync(d, "inbound_reply_drafted.v1");
        Assert.Equal("DRAFT_FOR_REVIEW", drafted["path"]!.GetValue<string>());
        Assert.Contains(drafted["risk_flags"]!.AsArray(), x => x!["severity"]!.GetValue<string>() == "BLOCK");
        using var draft = await client.GetAsync($"/drafts/{ResponseIds.DraftId(d.Decision.DecisionId)}");
        Assert.Equal(HttpStatusCode.OK, draft.StatusCode);
        Assert.Empty(f.Sink.WithMessageId(f.MessageIdOf(d)));
    }

    [Fact]
    public async Task Slack_interactions_need_a_valid_fresh_signature_and_the_approve_button_sends_the_draft()
    {
        var d = await f.DecideAsync(ResponsePath.DraftForReview, "support", "My invoice PDF is empty.", subject: "Invoice");
        var draftId = ResponseIds.DraftId(d.Decision.DecisionId);
        await WaitForDraftAsync(draftId);
        var payload = $$"""{"type":"block_actions","user":{"id":"U123","username":"dana"},"actions":[{"action_id":"{{SlackNotifier.ApproveAction}}","value":"{{d.OrganizationId:N}}:{{draftId:N}}"}]}""";
        var body = "payload=" + Uri.EscapeDataString(payload);
        using var anonymous = f.App.CreateClient();

        var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture);
        using (var forged = await anonymous.SendAsync(SlackRequest(body, now, SlackSignature.Compute("wrong-secret", now, body))))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, forged.StatusCode);
        }

        var old = DateTimeOffset.UtcNow.AddMinutes(-6).ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture);
        using (var replayed = await anonymous.SendAsync(SlackRequest(body, old, SlackSignature.Compute(ResponsesFixture.SigningSecret, old, body))))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, replayed.StatusCode);
        }

        Assert.Empty(f.Sink.WithMessageId(f.MessageIdOf(d)));
        using (var ok = await anonymous.SendAsync(SlackRequest(body, now, SlackSignature.Compute(ResponsesFixture.SigningSecret, now, body))))
        {
            Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
            var view = JsonNode.Parse(await ok.Content.ReadAsStringAsync())!;
            Assert.Equal("APPROVED", view["status"]!.GetValue<string>());
            Assert.Equal("slack:dana", view["decided_by"]!.GetValue<string>());
        }

        Assert.Single(f.Sink.WithMessageId(f.MessageIdOf(d)));
    }

    /// <summary>
    /// The sender writes the subject: in the reviewers' Slack channel it must show as written, not ping the channel
    /// (&lt;!channel&gt;) nor show a link with a label of their choosing (escaping itself: SlackNotifierTests).
    /// </summary>
    [Fact]
    public async Task The_Slack_message_shows_what_the_sender_wrote_as_text_not_as_Slack_markup()
    {
        const string subject = "<!channel> <https://evil.example/sso|Open the OutreachOS dashboard to approve> & more";
        var d = await f.DecideAsync(ResponsePath.DraftForReview, "support", "My invoice PDF is empty.", subject: subject);
        var draftId = ResponseIds.DraftId(d.Decision.DecisionId);
        await Eventually.TrueAsync(() => Task.FromResult(f.Slack.Bodies.Any(b => b.Contains(draftId.ToString("N"), StringComparison.Ordinal))), "the Slack notification");
        var payload = JsonNode.Parse(f.Slack.Bodies.First(b => b.Contains(draftId.ToString("N"), StringComparison.Ordinal)))!;
        var section = payload["blocks"]![0]!["text"]!["text"]!.GetValue<string>();
        var fallback = payload["text"]!.GetValue<string>();

        foreach (var text in new[] { section, fallback })
        {
            Assert.DoesNotContain("<!channel>", text, StringComparison.Ordinal);
            Assert.DoesNotContain("<https://evil.example", text, StringComparison.Ordinal);
            Assert.Contains("&lt;!channel&gt; &lt;https://evil.example/sso|Open the OutreachOS dashboard to approve&gt; &amp; more", text, StringComparison.Ordinal);
        }
        Assert.DoesNotContain('<', section);
    }

    /// <summary>A POST to the Slack interactions endpoint as Slack sends it (form body, timestamp and v0 signature headers).</summary>
    internal static HttpRequestMessage SlackRequest(string body, string timestamp, string signature)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/slack/interactions")
        {
            Content = new StringContent(body, Encoding.UTF8, "application/x-www-form-urlencoded"),
        };
        request.Headers.Add("X-Slack-Request-Timestamp", timestamp);
        request.Headers.Add("X-Slack-Signature", signature);
        return request;
    }

    private async Task<JsonNode> WaitForDraftAsync(Guid draftId)
    {
        await Eventually.TrueAsync(async () =>
        {
            using var r = await f.Client.GetAsync($"/drafts/{draftId}");
            return r.StatusCode == HttpStatusCode.OK;
        }, $"draft {draftId}");
        return JsonNode.Parse(await f.Client.GetStringAsync($"/drafts/{draftId}"))!;
    }
}
