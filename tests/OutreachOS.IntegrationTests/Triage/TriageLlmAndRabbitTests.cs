using System.Text.Json;
using System.Text.Json.Nodes;
using OutreachOS.IntegrationTests.Generation;
using OutreachOS.IntegrationTests.Messaging;

namespace OutreachOS.IntegrationTests.Triage;

public sealed class TriageLlmAndRabbitTests
{
    private const string PiiText = """
        Hello, this is Jane Roe (jane.roe@customer.example, phone +1 415 555 0134).
        Please charge the invoice to card 4111 1111 1111 1111 or IBAN DE89 3704 0044 0532 0130 00. Our SSN on file is 123-45-6789.
        """;

    [Fact]
    public async Task With_an_external_model_the_stub_receives_no_PII_and_the_view_shows_counts_not_values()
    {
        var answer = JsonSerializer.Serialize(new
        {
            intent = "billing", urgency = "normal", confidence = 0.93, policy_flags = Array.Empty<string>(), evidence = new[] { "invoice" },
        });
        await using var stub = await OpenAIStub.StartAsync(answer);
        await using var h = await TriageHarness.StartAsync(stub.Settings());
        var (org, client) = await h.NewOrganizationAsync();
        var received = await h.ReceiveAsync(org, TriageHarness.Email("Invoice for jane.roe@customer.example", PiiText, from: "jane.roe@customer.example"));

        var events = await h.OutcomeAsync(org, received.InboundId);

        var body = Assert.Single(stub.Bodies);
        foreach (var pii in new[] { "jane.roe@customer.example", "415 555 0134", "4111 1111 1111 1111", "DE89 3704 0044 0532 0130 00", "123-45-6789" })
        {
            Assert.DoesNotContain(pii, body, StringComparison.Ordinal);
        }
        Assert.Contains("[CARD_1]", body, StringComparison.Ordinal);
        Assert.Equal(["inbound_received.v1", "inbound_pii_redacted.v2", "inbound_classified.v1", "inbound_decided.v1"], events.Select(e => e.EventType).Where(TriageHarness.IsTriageEvent));
        var classified = JsonNode.Parse(events[2].Json)!;
        Assert.Equal("OpenAI", classified["provider"]!.GetValue<string>());
        Assert.Equal(400, classified["tokens_in"]!.GetValue<int>());

        var view = await TriageHarness.ViewAsync(client, received.InboundId);
        Assert.Equal(1, view["redactions"]!["card"]!.GetValue<int>());
        Assert.Equal(1, view["redactions"]!["ssn"]!.GetValue<int>());
        var decidedData = view["events"]!.AsArray().Single(e => e!["type"]!.GetValue<string>() == "inbound_decided.v1")!["data"]!;
        Assert.DoesNotContain("4111 1111 1111 1111", decidedData["redactions"]!.ToJsonString(), StringComparison.Ordinal);
        Assert.Equal("DRAFT_FOR_REVIEW", view["decision"]!["path"]!.GetValue<string>()); // PII-sensitive: never auto-sent
    }

    [Fact]
    public async Task Through_real_RabbitMQ_a_message_is_decided_once()
    {
        await using var rabbit = await RabbitVhost.CreateAsync("triage");
        await using var h = await TriageHarness.StartAsync(new Dictionary<string, string?>
        {
            ["Messaging:Transport"] = "RabbitMQ",
            ["ConnectionStrings:RabbitMQ"] = rabbit.Uri.ToString(),
        });
        var (org, client) = await h.NewOrganizationAsync();
        await TriageHarness.PutPolicyAsync(client, new { intents = new { scheduling = new { auto_send = true, min_confidence = 0.6 } } });
        var received = await h.ReceiveAsync(org, TriageHarness.Email("Need to reschedule our demo",
            "Hi, something came up and I need to reschedule our demo. Can we move it to Thursday? Does Tuesday or Friday work on your calendar instead?"));

        var events = await h.OutcomeAsync(org, received.InboundId);

        var decided = JsonNode.Parse(Assert.Single(events, e => e.EventType == "inbound_decided.v1").Json)!;
        Assert.Equal("scheduling", decided["classification"]!["intent"]!.GetValue<string>());
        Assert.Equal("AUTO_SEND", decided["decision"]!["path"]!.GetValue<string>());
        Assert.Equal(0u, await rabbit.MessageCountAsync("inbound-triage_error"));
    }
}
