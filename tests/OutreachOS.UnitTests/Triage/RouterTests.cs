using OutreachOS.Triage.Classification;
using OutreachOS.Triage.Contracts;
using OutreachOS.Triage.Policies;
using OutreachOS.Triage.Routing;

namespace OutreachOS.UnitTests.Triage;

public sealed class RouterTests
{
    private static readonly TriagePolicy AutoScheduling = TriagePolicy.Default with
    {
        Intents = new Dictionary<string, IntentPolicy>(TriagePolicy.Default.Intents)
        {
            ["scheduling"] = new(true, 0.7, "sales", false),
            ["complaint"] = new(true, 0.1, "support", false),
        },
    };

    private static RoutingDecision Decide(string intent = "scheduling", double confidence = 0.9, string urgency = "normal", string[]? flags = null,
        TriagePolicy? policy = null, string sender = "pat@customer.example") =>
        Router.Decide(new RouteInput(Guid.Empty,
            new InboundClassification(intent, urgency, "sales", flags ?? [], confidence, "test", []), sender, policy ?? AutoScheduling, 3, Mail.At));

    [Fact]
    public void Auto_send_enabled_intent_with_enough_confidence_is_auto_sent()
    {
        var d = Decide();
        Assert.Equal(ResponsePath.AutoSend, d.Path);
        Assert.Equal(3, d.PolicyVersion);
        Assert.False(d.DryRun);
        Assert.Equal(Mail.At.AddMinutes(480), d.SlaDueAt);
    }

    [Fact]
    public void Below_min_confidence_is_a_draft_and_below_the_human_threshold_is_a_human()
    {
        Assert.Equal(ResponsePath.DraftForReview, Decide(confidence: 0.6).Path);
        Assert.Equal(ResponsePath.Human, Decide(confidence: 0.2).Path);
    }

    [Fact]
    public void Auto_send_off_is_a_draft() => Assert.Equal(ResponsePath.DraftForReview, Decide(intent: "pricing").Path);

    [Theory]
    [InlineData(PolicyFlags.PromptInjection, ResponsePath.Human)]
    [InlineData(PolicyFlags.Legal, ResponsePath.Human)]
    [InlineData(PolicyFlags.Vip, ResponsePath.DraftForReview)]
    [InlineData(PolicyFlags.PiiSensitive, ResponsePath.DraftForReview)]
    [InlineData(PolicyFlags.ClassifierFallback, ResponsePath.DraftForReview)]
    public void Hard_rules_override_a_policy_that_enables_auto_send(string flag, ResponsePath expected)
    {
        var d = Decide(confidence: 0.97, flags: [flag]);
        Assert.Equal(expected, d.Path);
        Assert.Contains(d.Reasons, r => r.StartsWith("hard rule", StringComparison.Ordinal));
    }

    [Fact]
    public void Complaints_and_critical_urgency_go_to_a_human_even_with_auto_send_on()
    {
        Assert.Equal(ResponsePath.Human, Decide(intent: "complaint", confidence: 0.99).Path);
        Assert.Equal(ResponsePath.Human, Decide(urgency: "critical").Path);
        Assert.Equal(Mail.At.AddMinutes(30), Decide(urgency: "critical").SlaDueAt);
    }

    [Fact]
    public void Dry_run_global_or_per_intent_is_carried_on_the_decision()
    {
        Assert.True(Decide(policy: AutoScheduling with { DryRun = true }).DryRun);
        var perIntent = AutoScheduling with
        {
            Intents = new Dictionary<string, IntentPolicy>(AutoScheduling.Intents) { ["scheduling"] = new(true, 0.7, null, true) },
        };
        var d = Decide(policy: perIntent);
        Assert.True(d.DryRun);
        Assert.Equal("sales", d.Owner); // the classification's owner (the pipeline fills it from the policy)
        Assert.False(Decide(intent: "pricing", policy: perIntent).DryRun);
    }

    [Fact]
    public void A_domain_rule_caps_the_path_and_names_the_owner()
    {
        var policy = AutoScheduling with { DomainRules = [new DomainRule("bigbank.example", "key-accounts", ResponsePath.DraftForReview)] };
        var d = Decide(policy: policy, sender: "cfo@eu.bigbank.example");
        Assert.Equal(ResponsePath.DraftForReview, d.Path);
        Assert.Equal("key-accounts", d.Owner);
        Assert.Equal(ResponsePath.AutoSend, Decide(policy: policy).Path);
    }

    [Theory]
    [InlineData("counsel@legal.acme.com", ResponsePath.Human, "legal", "legal.acme.com")]
    [InlineData("counsel@eu.legal.acme.com", ResponsePath.Human, "legal", "legal.acme.com")]
    [InlineData("buyer@sales.acme.com", ResponsePath.AutoSend, "accounts", "acme.com")]
    [InlineData("buyer@acme.com", ResponsePath.AutoSend, "accounts", "acme.com")]
    public void The_most_specific_domain_rule_wins_whatever_the_order(string sender, ResponsePath path, string owner, string rule)
    {
        DomainRule broad = new("acme.com", "accounts", ResponsePath.AutoSend), narrow = new("legal.acme.com", "legal", ResponsePath.Human);
        foreach (var rules in new[] { new[] { broad, narrow }, [narrow, broad] })
        {
            var d = Decide(policy: AutoScheduling with { DomainRules = rules }, sender: sender);
            Assert.Equal(path, d.Path);
            Assert.Equal(owner, d.Owner);
            Assert.Equal(path == ResponsePath.Human, d.Reasons.Contains($"domain rule {rule}: at most HUMAN"));
        }
    }

    [Theory]
    [InlineData("billing", new[] { PolicyFlags.Unsubscribe })]
    [InlineData("unsubscribe", new string[0])]
    public void An_opt_out_flag_or_intent_is_never_auto_sent_and_goes_to_a_human(string intent, string[] flags)
    {
        var policy = AutoScheduling with
        {
            Intents = new Dictionary<string, IntentPolicy>(AutoScheduling.Intents)
            {
                ["billing"] = new(true, 0.1, "billing", false),
                ["unsubscribe"] = new(true, 0.1, "ops", false),
            },
        };
        var d = Decide(intent: intent, confidence: 0.97, flags: flags, policy: policy);
        Assert.Equal(ResponsePath.Human, d.Path);
        Assert.Contains("hard rule: opt-out requests go to a human (never an automatic reply)", d.Reasons);
    }

    [Fact]
    public void A_complaint_the_policy_does_not_list_still_goes_to_a_human()
    {
        var policy = TriagePolicy.Default with
        {
            AllowedIntents = ["billing", "other"],
            Intents = new Dictionary<string, IntentPolicy> { ["billing"] = new(true, 0.1, "billing", false), ["other"] = new(false, 0.75, null, false) },
        };
        var d = Router.Decide(new RouteInput(Guid.Empty, new InboundClassification("other", "normal", "triage", [], 0.9, "test", []), "pat@customer.example",
            policy, 1, Mail.At, ClassifiedIntent: "complaint"));
        Assert.Equal(ResponsePath.Human, d.Path);
        Assert.Contains("hard rule: complaints go to a human", d.Reasons);
    }
}
