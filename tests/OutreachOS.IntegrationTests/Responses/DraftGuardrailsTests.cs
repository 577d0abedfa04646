using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using OutreachOS.IntegrationTests.Messaging;
using OutreachOS.Triage.Contracts;
using OutreachOS.Triage.Responses;

namespace OutreachOS.IntegrationTests.Responses;

/// <summary>
/// An approver's edit goes through the same guardrail checks as a generated reply: real host, real PostgreSQL,
/// smtp-sink as the SMTP server. BLOCK → 422 and nothing sent; override → sent once and recorded.
/// </summary>
public sealed class DraftGuardrailsTests(ResponsesFixture f) : IClassFixture<ResponsesFixture>
{
    private const string Question = "What would the Team plan cost for 12 users?";

    [Fact]
    public async Task A_clean_edit_that_uses_only_approved_values_is_sent_once_and_its_check_is_recorded()
    {
        var (d, draftId) = await PendingDraftAsync();
        // 12 users: the customer's own figure; the booking link: an approved template value.
        var edited = "Hi Sarah,\n\nThanks for asking about the Team plan for 12 users. You can pick a time for a call at https://cal.acme.example/dana.\n\n"
            + "Best regards,\nDana from Acme Support";

        using var approve = await f.Client.PostAsJsonAsync($"/drafts/{draftId}/approve", new { edited_text = edited });

        var body = await approve.Content.ReadAsStringAsync();
        Assert.True(approve.StatusCode == HttpStatusCode.OK, body);
        var view = JsonNode.Parse(body)!;
        Assert.Equal("SENT", view["send_status"]!.GetValue<string>());
        Assert.DoesNotContain(view["final_risk_flags"]!.AsArray(), x => x!["severity"]!.GetValue<string>() == "BLOCK");
        Assert.Null(view["block_overridden_by"]);
        var mail = Assert.Single(f.Sink.WithMessageId(f.MessageIdOf(d)));
        Assert.Equal(edited, mail.Body.TrimEnd('\n'));

        var check = await f.WaitForEventAsync(d, "inbound_draft_edit_checked.v1");
        Assert.True(check["passed"]!.GetValue<bool>());
        Assert.False(check["override"]!.GetValue<bool>());
        Assert.Equal(edited, check["text"]!.GetValue<string>());
        Assert.Empty(await f.EventsAsync(d, "inbound_draft_block_overridden.v1"));

        using (var retry = await f.Client.PostAsJsonAsync($"/drafts/{draftId}/approve", new { edited_text = edited }))
        {
            Assert.Equal(HttpStatusCode.Conflict, retry.StatusCode);
        }

        Assert.Single(f.Sink.WithMessageId(f.MessageIdOf(d)));
        Assert.Single(await f.EventsAsync(d, "inbound_reply_sent.v1"));
    }

    [Fact]
    public async Task An_edit_inventing_a_discount_is_a_422_listing_the_findings_sends_nothing_and_an_override_then_sends_once_and_is_recorded()
    {
        var (d, draftId) = await PendingDraftAsync();
        var edited = "Hi Sarah,\n\nFor 12 users we can offer you a 30% discount on the Team plan.\n\nBest regards,\nDana from Acme Support";

        using (var blocked = await f.Client.PostAsJsonAsync($"/drafts/{draftId}/approve", new { edited_text = edited }))
        {
            var text = await blocked.Content.ReadAsStringAsync();
            Assert.True(blocked.StatusCode == HttpStatusCode.UnprocessableEntity, text);
            Assert.Equal("application/problem+json", blocked.Content.Headers.ContentType!.MediaType);
            var problem = JsonNode.Parse(text)!;
            Assert.Equal("https://outreachos.dev/problems/draft-blocked", problem["type"]!.GetValue<string>());
            Assert.Equal(422, problem["status"]!.GetValue<int>());
            var findings = problem["findings"]!.AsArray();
            var percent = Assert.Single(findings, x => x!["code"]!.GetValue<string>() == "UNSOURCED_PERCENT");
            Assert.Equal("BLOCK", percent!["severity"]!.GetValue<string>());
            Assert.Equal("30%", percent["span"]!["text"]!.GetValue<string>());
            Assert.Equal(edited.IndexOf("30%", StringComparison.Ordinal), percent["span"]!["start"]!.GetValue<int>());
            Assert.Equal("BODY", percent["span"]!["part"]!.GetValue<string>());
            Assert.Contains(findings, x => x!["code"]!.GetValue<string>() == "UNSOURCED_PROMISE");
            Assert.Contains("UNSOURCED_PERCENT", problem["blocking_codes"]!.AsArray().Select(x => x!.GetValue<string>()));
        }

        Assert.Empty(f.Sink.WithMessageId(f.MessageIdOf(d)));
        var still = JsonNode.Parse(await f.Client.GetStringAsync($"/drafts/{draftId}"))!;
        Assert.Equal("PENDING", still["status"]!.GetValue<string>());
        Assert.Empty(await f.EventsAsync(d, "inbound_draft_approved.v1"));
        var refused = await f.WaitForEventAsync(d, "inbound_draft_edit_checked.v1");
        Assert.False(refused["passed"]!.GetValue<bool>());

        // override: false is the same as no override.
        using (var notOverridden = await f.Client.PostAsJsonAsync($"/drafts/{draftId}/approve", new { edited_text = edited, @override = false }))
        {
            Assert.Equal(HttpStatusCode.UnprocessableEntity, notOverridden.StatusCode);
        }

        using (var overridden = await f.Client.PostAsJsonAsync($"/drafts/{draftId}/approve", new { edited_text = edited, @override = true }))
        {
            var text = await overridden.Content.ReadAsStringAsync();
            Assert.True(overridden.StatusCode == HttpStatusCode.OK, text);
            var view = JsonNode.Parse(text)!;
            Assert.Equal("SENT", view["send_status"]!.GetValue<string>());
            Assert.StartsWith("api_key:", view["block_overridden_by"]!.GetValue<string>(), StringComparison.Ordinal);
            Assert.Contains(view["final_risk_flags"]!.AsArray(), x => x!["code"]!.GetValue<string>() == "UNSOURCED_PERCENT");
        }

        using (var retried = await f.Client.PostAsJsonAsync($"/drafts/{draftId}/approve", new { edited_text = edited, @override = true }))
        {
            Assert.Equal(HttpStatusCode.Conflict, retried.StatusCode);
        }

        var mail = Assert.Single(f.Sink.WithMessageId(f.MessageIdOf(d)));
        Assert.Contains("30% discount", mail.Body, StringComparison.Ordinal);
        Assert.Single(await f.EventsAsync(d, "inbound_reply_sent.v1"));

        // The audit view: the override sits in the approval's transaction, right before the approval, naming who and what.
        var inbound = JsonNode.Parse(await f.Client.GetStringAsync($"/inbound/{d.InboundId}"))!;
        var types = inbound["events"]!.AsArray().Select(e => e!["type"]!.GetValue<string>()).ToList();
        var overrideAt = types.IndexOf("inbound_draft_block_overridden.v1");
        Assert.True(overrideAt > 0, string.Join(", ", types));
        Assert.Equal("inbound_draft_approved.v1", types[overrideAt + 1]);
        Assert.Equal("inbound_draft_edit_checked.v1", types[overrideAt - 1]);
        Assert.Equal(3, types.Count(t => t == "inbound_draft_edit_checked.v1")); // two refused attempts and the sent one
        var recorded = inbound["events"]![overrideAt]!["data"]!;
        Assert.StartsWith("api_key:", recorded["overridden_by"]!.GetValue<string>(), StringComparison.Ordinal);
        var codes = recorded["findings"]!.AsArray().Select(x => x!["code"]!.GetValue<string>()).ToList();
        Assert.Contains("UNSOURCED_PERCENT", codes);
        Assert.Contains("UNSOURCED_PROMISE", codes);
        Assert.All(recorded["findings"]!.AsArray(), x => Assert.Equal("BLOCK", x!["severity"]!.GetValue<string>()));
        Assert.Equal("APPROVED", inbound["drafts"]![0]!["status"]!.GetValue<string>());
    }

    [Fact]
    public async Task An_edit_with_only_warn_findings_is_sent_and_the_warnings_are_returned_and_recorded()
    {
        var (d, draftId) = await PendingDraftAsync();
        var edited = "Hi Sarah,\n\nI can call you at 2pm to go through the Team plan for 12 users.\n\nBest regards,\nDana from Acme Support";

        using var approve = await f.Client.PostAsJsonAsync($"/drafts/{draftId}/approve", new { edited_text = edited });

        var body = await approve.Content.ReadAsStringAsync();
        Assert.True(approve.StatusCode == HttpStatusCode.OK, body);
        var view = JsonNode.Parse(body)!;
        Assert.Equal("SENT", view["send_status"]!.GetValue<string>());
        var warn = Assert.Single(view["final_risk_flags"]!.AsArray(), x => x!["code"]!.GetValue<string>() == "UNSOURCED_TIME");
        Assert.Equal("WARN", warn!["severity"]!.GetValue<string>());
        Assert.Equal("2pm", warn["span"]!["text"]!.GetValue<string>());
        Assert.Single(f.Sink.WithMessageId(f.MessageIdOf(d)));
        var check = await f.WaitForEventAsync(d, "inbound_draft_edit_checked.v1");
        Assert.True(check["passed"]!.GetValue<bool>());
        Assert.Contains(check["risk_flags"]!.AsArray(), x => x!["code"]!.GetValue<string>() == "UNSOURCED_TIME");
        Assert.Empty(await f.EventsAsync(d, "inbound_draft_block_overridden.v1"));
    }

    [Fact]
    public async Task An_approval_without_an_edit_is_rechecked_and_sent_when_clean_and_another_organization_cannot_override()
    {
        var (d, draftId) = await PendingDraftAsync();
        var (other, _) = await f.NewOrganizationAsync();
        using (var foreign = await other.PostAsJsonAsync($"/drafts/{draftId}/approve", new { edited_text = "Hi, 50% off today.", @override = true }))
        {
            Assert.Equal(HttpStatusCode.NotFound, foreign.StatusCode);
        }

        using var approve = await f.Client.PostAsJsonAsync($"/drafts/{draftId}/approve", new { });
        Assert.Equal(HttpStatusCode.OK, approve.StatusCode);
        Assert.Single(f.Sink.WithMessageId(f.MessageIdOf(d)));
        var check = await f.WaitForEventAsync(d, "inbound_draft_edit_checked.v1");
        Assert.True(check["passed"]!.GetValue<bool>());
        Assert.Empty(await f.EventsAsync(d, "inbound_draft_block_overridden.v1"));
    }

    [Fact]
    public async Task A_draft_approved_unchanged_after_its_wording_was_forbidden_is_a_422_and_sends_only_with_an_override()
    {
        // An organization of its own: its guardrail policy changes here.
        var (client, orgId) = await f.NewOrganizationAsync();
        var (d, draftId) = await PendingDraftAsync(client, orgId);
        using var draft = await client.GetAsync($"/drafts/{draftId}");
        var text = JsonNode.Parse(await draft.Content.ReadAsStringAsync())!["text"]!.GetValue<string>();
        // The organization forbids a word of the pending draft after it was written.
        var word = text.Split([' ', ',', '.', '\n', '!', '?', ':', ';'], StringSplitOptions.RemoveEmptyEntries).First(w => w.Length >= 6 && w.All(char.IsLetter));
        using (var policy = await client.PutAsJsonAsync("/guardrails/policy", new { forbidden_phrases = new[] { word } }))
        {
            Assert.Equal(HttpStatusCode.OK, policy.StatusCode);
        }

        using (var blocked = await client.PostAsJsonAsync($"/drafts/{draftId}/approve", new { }))
        {
            var problem = JsonNode.Parse(await blocked.Content.ReadAsStringAsync())!;
            Assert.Equal(HttpStatusCode.UnprocessableEntity, blocked.StatusCode);
            Assert.Equal("Draft reply blocked by guardrails", problem["title"]!.GetValue<string>());
            Assert.Contains(problem["findings"]!.AsArray(), x => x!["severity"]!.GetValue<string>() == "BLOCK"
                && x["span"]?["text"]?.GetValue<string>()?.Contains(word, StringComparison.OrdinalIgnoreCase) == true);
        }
        Assert.Empty(f.Sink.WithMessageId(f.MessageIdOf(d)));
        Assert.Empty(await f.EventsAsync(d, "inbound_draft_approved.v1"));

        using (var overridden = await client.PostAsJsonAsync($"/drafts/{draftId}/approve", new { @override = true }))
        {
            Assert.Equal(HttpStatusCode.OK, overridden.StatusCode);
        }
        Assert.Single(f.Sink.WithMessageId(f.MessageIdOf(d)));
        Assert.Single(await f.EventsAsync(d, "inbound_draft_block_overridden.v1"));
    }

    private async Task<(InboundDecided Decided, Guid DraftId)> PendingDraftAsync(HttpClient? client = null, Guid? organizationId = null)
    {
        var d = await f.DecideAsync(ResponsePath.DraftForReview, "pricing", Question, organizationId, subject: "Pricing question");
        var draftId = ResponseIds.DraftId(d.Decision.DecisionId);
        await Eventually.TrueAsync(async () =>
        {
            using var r = await (client ?? f.Client).GetAsync($"/drafts/{draftId}");
            return r.StatusCode == HttpStatusCode.OK;
        }, $"draft {draftId}");
        return (d, draftId);
    }
}
