using System.Text.Json;
using OutreachOS.BuildingBlocks.Web;
using OutreachOS.Triage.Contracts;
using OutreachOS.Triage.Policies;

namespace OutreachOS.UnitTests.Triage;

public sealed class PolicyParserTests
{
    private static (TriagePolicy? Policy, FieldErrors Errors) Parse(string json)
    {
        var errors = new FieldErrors();
        using var doc = JsonDocument.Parse(json);
        return (PolicyParser.Parse(doc.RootElement, "policy", errors), errors);
    }

    [Fact]
    public void An_empty_document_is_the_default_policy()
    {
        var (policy, errors) = Parse("{}");
        Assert.False(errors.Any);
        Assert.Equal(TriagePolicy.DefaultIntents, policy!.AllowedIntents);
        Assert.All(policy.Intents.Values, i => Assert.False(i.AutoSend));
        Assert.True(policy.Pii.RedactBeforeLlm);
    }

    [Fact]
    public void A_full_document_is_read()
    {
        var (policy, errors) = Parse("""
            {"allowed_intents":["scheduling","support","other"],"senders":{"allow":["partner.example"],"block":["spam@x.example"]},
             "domain_rules":[{"domain":"bank.example","owner":"key-accounts","max_path":"HUMAN"}],"vip_senders":["ceo@big.example"],
             "intents":{"scheduling":{"auto_send":true,"min_confidence":0.8,"owner":"sdr","dry_run":true}},
             "sla_minutes":{"high":60},"pii":{"redact_before_llm":false},"dry_run":true,"human_below_confidence":0.3,"default_owner":"ops"}
            """);
        Assert.False(errors.Any);
        Assert.Equal(new IntentPolicy(true, 0.8, "sdr", true), policy!.Intents["scheduling"]);
        Assert.Equal(ResponsePath.Human, policy.DomainRules[0].MaxPath);
        Assert.Equal(60, policy.SlaMinutes["high"]);
        Assert.Equal(480, policy.SlaMinutes["normal"]);
        Assert.False(policy.Pii.RedactBeforeLlm);
        Assert.Equal(3, policy.Intents.Count);
    }

    [Fact]
    public void Each_error_names_its_json_path()
    {
        var (policy, errors) = Parse("""
            {"intents":{"pricing":{"min_confidence":1.5,"auto_sned":true},"teleport":{}},"sla_minutes":{"urgent":5,"low":0},
             "senders":{"block":["not an address"]},"domain_rules":[{"domain":"x","max_path":"SEND"}],"surprise":1,"allowed_intents":["pricing"]}
            """);
        Assert.Null(policy);
        var problem = errors.ToProblem();
        var fields = ((Microsoft.AspNetCore.Http.HttpResults.ValidationProblem)problem).ProblemDetails.Errors.Keys.ToHashSet();
        Assert.Superset(new HashSet<string>
        {
            "policy.intents.pricing.min_confidence", "policy.intents.pricing.auto_sned", "policy.intents.teleport", "policy.sla_minutes.urgent",
            "policy.sla_minutes.low", "policy.senders.block[0]", "policy.domain_rules[0].domain", "policy.domain_rules[0].max_path", "policy.surprise",
            "policy.allowed_intents",
        }, fields);
    }
}
