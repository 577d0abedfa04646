using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using OutreachOS.BuildingBlocks.EventStore;
using OutreachOS.Triage.Contracts;
using OutreachOS.Triage.Responses;
using OutreachOS.Triage.Templates;

namespace OutreachOS.IntegrationTests.Responses;

/// <summary>
/// Templates stored before <c>PUT /templates</c> validated strictly (written here straight to the organization's
/// <c>triage-templates</c> stream, as an older version did) are re-checked when a reply is filled from them: an invalid one
/// never sends on its own, the downgrade says why, and <c>GET /templates</c> shows the problem.
/// </summary>
public sealed class StoredTemplateTests(ResponsesFixture f) : IClassFixture<ResponsesFixture>
{
    [Fact]
    public async Task A_stored_template_with_an_unknown_name_is_drafted_for_review_not_sent_and_the_downgrade_and_GET_name_the_problem()
    {
        var (client, orgId) = await f.NewOrganizationAsync();
        await StoreUnvalidatedAsync(orgId, new Dictionary<string, ReplyTemplate>
        {
            ["support"] = new(["support"], "{{reply_subject}}", "Hi {{sendr_name}},\n\nWe have logged your request as ticket {{ticket_id}}.\n\n{{signature}}"),
        });

        var templates = JsonNode.Parse(await client.GetStringAsync("/templates"))!;
        Assert.Equal(1, templates["version"]!.GetValue<int>());
        var problem = Assert.Single(templates["problems"]!["templates.support.body"]!.AsArray())!.GetValue<string>();
        Assert.Contains("unknown variable", problem, StringComparison.Ordinal);
        Assert.Contains("sendr_name", problem, StringComparison.Ordinal);

        var d = await f.DecideAsync(ResponsePath.AutoSend, "support", "My login does not work since this morning.", organizationId: orgId, subject: "Login");
        var drafted = await f.WaitForEventAsync(d, "inbound_reply_drafted.v1");
        Assert.Equal("DRAFT_FOR_REVIEW", drafted["path"]!.GetValue<string>());
        Assert.Equal("support", drafted["template_id"]!.GetValue<string>());
        Assert.Empty(await f.EventsAsync(d, "inbound_reply_sent.v1")); // appended with the draft, in one transaction
        Assert.Empty(f.Sink.WithMessageId(f.MessageIdOf(d)));

        var downgraded = Assert.Single(await f.EventsAsync(d, "inbound_path_downgraded.v1"));
        var data = JsonNode.Parse(downgraded.Json)!;
        Assert.Equal("AUTO_SEND", data["from"]!.GetValue<string>());
        Assert.Equal("DRAFT_FOR_REVIEW", data["to"]!.GetValue<string>());
        var reason = Assert.Single(data["reasons"]!.AsArray())!.GetValue<string>();
        Assert.StartsWith("template_invalid templates.support.body: ", reason, StringComparison.Ordinal);
        Assert.Contains("sendr_name", reason, StringComparison.Ordinal);

        // The reviewer sees why on the draft; an auditor on the message's history.
        var draft = JsonNode.Parse(await client.GetStringAsync($"/drafts/{ResponseIds.DraftId(d.Decision.DecisionId)}"))!;
        Assert.Equal("PENDING", draft["status"]!.GetValue<string>());
        Assert.Contains(draft["reasons"]!.AsArray(), r => r!.GetValue<string>() == reason);
        var view = JsonNode.Parse(await client.GetStringAsync($"/inbound/{d.InboundId}"))!;
        Assert.Equal("DRAFT_FOR_REVIEW", view["decision"]!["path"]!.GetValue<string>());
        Assert.Equal(reason, view["decision"]!["downgraded"]!["reasons"]![0]!.GetValue<string>());

        // The verdict is computed once per stored version, not per message.
        var store = f.App.Services.GetRequiredService<TemplateStore>();
        Assert.Same((await store.GetAsync(orgId, default)).Problems, (await store.GetAsync(orgId, default)).Problems);
    }

    [Fact]
    public async Task A_stored_template_with_a_malformed_block_is_drafted_from_the_built_in_template_and_never_sent()
    {
        var (client, orgId) = await f.NewOrganizationAsync();
        await StoreUnvalidatedAsync(orgId, new Dictionary<string, ReplyTemplate>
        {
            ["support"] = new(["support"], "{{reply_subject}}", "Hi {{#if}}{{sender_name}}{{/if}},\n\nThanks.\n\n{{signature}}"),
        });

        var problems = JsonNode.Parse(await client.GetStringAsync("/templates"))!["problems"]!.AsObject();
        Assert.Equal(["templates.support.body"], problems.Select(p => p.Key));

        var d = await f.DecideAsync(ResponsePath.AutoSend, "support", "My login does not work since this morning.", organizationId: orgId, subject: "Login");
        var reasons = (await f.WaitForEventAsync(d, "inbound_path_downgraded.v1"))["reasons"]!.AsArray().Select(r => r!.GetValue<string>()).ToList();
        Assert.Contains(reasons, r => r.StartsWith("template_invalid templates.support.body: does not compile", StringComparison.Ordinal));
        Assert.Contains(reasons, r => r.StartsWith("template_invalid templates.support: does not render", StringComparison.Ordinal)
            && r.EndsWith("the draft uses the built-in 'support' template", StringComparison.Ordinal));

        var drafted = await f.WaitForEventAsync(d, "inbound_reply_drafted.v1");
        Assert.Equal("DRAFT_FOR_REVIEW", drafted["path"]!.GetValue<string>());
        Assert.Contains($"We have logged your request as ticket {ResponseIds.TicketId(d.InboundId)}.", drafted["text"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Empty(await f.EventsAsync(d, "inbound_reply_sent.v1"));
        Assert.Empty(f.Sink.WithMessageId(f.MessageIdOf(d)));

        // A decision for review gets its draft too (the render used to throw), with the reasons on it.
        var review = await f.DecideAsync(ResponsePath.DraftForReview, "support", "Where is my invoice?", organizationId: orgId, subject: "Invoice");
        Assert.Equal("DRAFT_FOR_REVIEW", (await f.WaitForEventAsync(review, "inbound_reply_drafted.v1"))["path"]!.GetValue<string>());
        Assert.Empty(await f.EventsAsync(review, "inbound_path_downgraded.v1"));
        var draft = JsonNode.Parse(await client.GetStringAsync($"/drafts/{ResponseIds.DraftId(review.Decision.DecisionId)}"))!;
        Assert.Contains(draft["reasons"]!.AsArray(), r => r!.GetValue<string>().StartsWith("template_invalid templates.support", StringComparison.Ordinal));
        // The audit has the problems too, not only the draft: the same list, on the inbound stream.
        var noted = await f.WaitForEventAsync(review, "inbound_template_problems_noted.v1");
        Assert.Equal(ResponseIds.DraftId(review.Decision.DecisionId), Guid.Parse(noted["draft_id"]!.GetValue<string>()));
        Assert.Equal(draft["reasons"]!.AsArray().Select(r => r!.GetValue<string>()).Where(r => r.StartsWith("template_invalid", StringComparison.Ordinal)),
            noted["problems"]!.AsArray().Select(r => r!.GetValue<string>()));
        Assert.Empty(await f.EventsAsync(d, "inbound_template_problems_noted.v1")); // the downgrade already carries them
    }

    [Fact]
    public async Task A_valid_stored_template_still_sends_automatically_while_another_stored_template_is_invalid()
    {
        var (client, orgId) = await f.NewOrganizationAsync();
        await StoreUnvalidatedAsync(orgId, new Dictionary<string, ReplyTemplate>
        {
            ["support"] = new(["support"], "{{reply_subject}}", "Hi {{sender_name}},\n\nWe have logged your request as ticket {{ticket_id}}.\n\n{{signature}}"),
            ["pricing"] = new(["pricing"], "{{reply_subject}}", "Hi {{sender_name}},\n\n{{pricing_table}}\n\n{{signature}}"),
        });

        var problems = JsonNode.Parse(await client.GetStringAsync("/templates"))!["problems"]!.AsObject();
        Assert.Equal(["templates.pricing.body"], problems.Select(p => p.Key));

        var d = await f.DecideAsync(ResponsePath.AutoSend, "support", "My login does not work since this morning.", organizationId: orgId, subject: "Login");
        var sent = await f.WaitForEventAsync(d, "inbound_reply_sent.v1");
        Assert.True(sent["auto"]!.GetValue<bool>());
        Assert.Empty(await f.EventsAsync(d, "inbound_path_downgraded.v1"));
        var mail = Assert.Single(f.Sink.WithMessageId(f.MessageIdOf(d)));
        Assert.StartsWith("Hi Sarah,", mail.Body, StringComparison.Ordinal);
        Assert.Contains($"ticket {ResponseIds.TicketId(d.InboundId)}", mail.Body, StringComparison.Ordinal);

        // A set that passes PUT has no problems.
        using var put = await client.PutAsJsonAsync("/templates", new
        {
            templates = new { support = new { intents = new[] { "support" }, subject = "{{reply_subject}}", body = "Hi {{sender_name}},\n\nThanks.\n\n{{signature}}" } },
        });
        Assert.Equal(HttpStatusCode.OK, put.StatusCode);
        Assert.Empty(JsonNode.Parse(await client.GetStringAsync("/templates"))!["problems"]!.AsObject());
    }

    /// <summary>The organization's templates as an older version stored them: the event, with no validation.</summary>
    private Task StoreUnvalidatedAsync(Guid orgId, IReadOnlyDictionary<string, ReplyTemplate> templates) =>
        f.Store.AppendAsync(orgId, TemplateStreams.StreamId, TemplateStreams.StreamType, ExpectedVersion.NoStream,
            [EventToAppend.Create(new TriageTemplatesUpdated(1, new TemplateSet(templates, null), DateTimeOffset.UtcNow))]);
}
