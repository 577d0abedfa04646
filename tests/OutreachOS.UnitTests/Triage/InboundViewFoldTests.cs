using System.Text.Json.Nodes;
using OutreachOS.BuildingBlocks.EventStore;
using OutreachOS.Triage.InboundView;

namespace OutreachOS.UnitTests.Triage;

/// <summary>The audit view folds the response paths' events by name from raw JSON (their types live elsewhere in the module).</summary>
public sealed class InboundViewFoldTests
{
    private static readonly Guid InboundId = Guid.Parse("0195a8f0-0000-7000-8000-0000000000aa");
    private static readonly Guid DraftId = Guid.Parse("0195a8f0-0000-7000-8000-0000000000dd");

    private static VerifiedStream Stream(params (string Type, string Json)[] events)
    {
        var stored = events.Select((e, i) => new StoredEvent(i + 1, 1, Guid.NewGuid(), Guid.Empty, $"inbound-{InboundId:D}", i + 1, e.Type, e.Json,
            new Dictionary<string, string>(), Mail.At.AddSeconds(i), new byte[32], null)).ToList();
        return new VerifiedStream(new StreamInfo(Guid.Empty, $"inbound-{InboundId:D}", "inbound", stored.Count, Mail.At, Mail.At, false), stored,
            ChainVerification.Ok($"inbound-{InboundId:D}", stored.Count));
    }

    [Fact]
    public void Drafts_approvals_sends_assignment_and_qa_are_folded_in_order_and_redaction_values_are_hidden()
    {
        var view = InboundViewEndpoint.Fold(InboundId, Stream(
            ("inbound_received.v1", """{"inbound_id":"x","message":{"subject":"Invoice"}}"""),
            ("inbound_pii_redacted.v1", """{"inbound_id":"x","counts":{"email":1,"phone":0,"card":1,"iban":0,"ssn":0}}"""),
            ("inbound_classified.v1", """{"inbound_id":"x","classification":{"intent":"billing"},"provider":"Offline"}"""),
            ("inbound_decided.v1", """{"inbound_id":"x","decision":{"path":"AUTO_SEND"},"redactions":{"[CARD_1]":"4111 1111 1111 1111","[EMAIL_1]":"a@b.example"}}"""),
            ("inbound_reply_drafted.v1", $$"""{"inbound_id":"x","draft_id":"{{DraftId}}","text":"Hello"}"""),
            ("inbound_path_downgraded.v1", """{"inbound_id":"x","from":"AUTO_SEND","to":"DRAFT_FOR_REVIEW","reasons":["guardrail BLOCK"]}"""),
            ("inbound_draft_approved.v1", $$"""{"inbound_id":"x","draft_id":"{{DraftId}}","edited":true,"final_text":"Hello!","edit_distance":1}"""),
            ("inbound_reply_sent.v1", """{"inbound_id":"x","smtp_message_id":"<m@x>","auto":false}"""),
            ("inbound_assigned.v1", """{"inbound_id":"x","owner":"billing","outline":["check"]}"""),
            ("inbound_qa_verdict.v1", """{"inbound_id":"x","correct":true,"reviewer":"qa"}"""),
            ("something_new.v1", """{"inbound_id":"x"}""")));

        Assert.Equal("ASSIGNED", view["status"]!.GetValue<string>());
        Assert.Equal("Invoice", view["message"]!["subject"]!.GetValue<string>());
        Assert.Equal(1, view["redactions"]!["card"]!.GetValue<int>());
        Assert.Equal("DRAFT_FOR_REVIEW", view["decision"]!["path"]!.GetValue<string>());
        var draft = view["drafts"]!.AsArray().Single()!;
        Assert.Equal("APPROVED", draft["status"]!.GetValue<string>());
        Assert.Equal("Hello!", draft["final_text"]!.GetValue<string>());
        Assert.Equal("<m@x>", view["sends"]![0]!["smtp_message_id"]!.GetValue<string>());
        Assert.Equal("billing", view["assignment"]!["owner"]!.GetValue<string>());
        Assert.Equal("inbound_qa_verdict.v1", view["qa"]![0]!["type"]!.GetValue<string>());
        var events = view["events"]!.AsArray();
        Assert.Equal(11, events.Count);
        Assert.Equal("something_new.v1", events[10]!["type"]!.GetValue<string>());
        var all = view.ToJsonString();
        Assert.DoesNotContain("4111 1111 1111 1111", all, StringComparison.Ordinal);
        Assert.DoesNotContain("a@b.example", all, StringComparison.Ordinal);
        Assert.Equal("""["[CARD_1]","[EMAIL_1]"]""", events[3]!["data"]!["redactions"]!.ToJsonString());
    }

    [Fact]
    public void Without_a_redaction_event_counts_come_from_the_placeholder_map_or_are_zero()
    {
        var fromMap = InboundViewEndpoint.Fold(InboundId, Stream(
            ("inbound_received.v1", """{"message":{}}"""),
            ("inbound_decided.v1", """{"decision":{"path":"HUMAN"},"redactions":{"[PHONE_1]":"1","[PHONE_2]":"2"}}""")));
        Assert.Equal(2, fromMap["redactions"]!["phone"]!.GetValue<int>());
        var none = InboundViewEndpoint.Fold(InboundId, Stream(("inbound_received.v1", """{"message":{}}""")));
        Assert.Equal(0, none["redactions"]!["email"]!.GetValue<int>());
        Assert.Equal("RECEIVED", none["status"]!.GetValue<string>());
        Assert.IsType<JsonArray>(none["drafts"]);
    }

    /// <summary>v2 counts names and addresses; a v1 event (written before) shows them as 0, so every view has the same keys.</summary>
    [Fact]
    public void Redaction_counts_of_both_versions_show_the_same_keys()
    {
        var v2 = InboundViewEndpoint.Fold(InboundId, Stream(
            ("inbound_received.v1", """{"message":{}}"""),
            ("inbound_pii_redacted.v2", """{"inbound_id":"x","counts":{"email":1,"phone":0,"card":0,"iban":0,"ssn":0,"name":2,"address":1}}""")));
        Assert.Equal(2, v2["redactions"]!["name"]!.GetValue<int>());
        Assert.Equal(1, v2["redactions"]!["address"]!.GetValue<int>());
        var v1 = InboundViewEndpoint.Fold(InboundId, Stream(
            ("inbound_received.v1", """{"message":{}}"""),
            ("inbound_pii_redacted.v1", """{"inbound_id":"x","counts":{"email":1,"phone":0,"card":0,"iban":0,"ssn":0}}""")));
        Assert.Equal(0, v1["redactions"]!["address"]!.GetValue<int>());
        Assert.Equal(0, v1["redactions"]!["name"]!.GetValue<int>());
        var fromMap = InboundViewEndpoint.Fold(InboundId, Stream(
            ("inbound_received.v1", """{"message":{}}"""),
            ("inbound_decided.v1", """{"decision":{"path":"HUMAN"},"redactions":{"[ADDRESS_1]":"221B Baker Street","[NAME_1]":"Jane"}}""")));
        Assert.Equal(1, fromMap["redactions"]!["address"]!.GetValue<int>());
        Assert.Equal(1, fromMap["redactions"]!["name"]!.GetValue<int>());
        Assert.DoesNotContain("Baker", fromMap.ToJsonString(), StringComparison.Ordinal);
    }
}
