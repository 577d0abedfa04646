using OutreachOS.Guardrails.Checks;
using OutreachOS.Guardrails.Contracts;
using static OutreachOS.UnitTests.Guardrails.GuardrailFixtures;

namespace OutreachOS.UnitTests.Guardrails;

/// <summary>
/// A figure the lead's context gives about the lead ("40% growth in shipments", "hiring 12 SDRs", "opened … in 2024")
/// must not source the same figure claimed as the sender's own result, when the caller separates the texts it vouches
/// for (as /personalize does).
/// </summary>
public sealed class SenderAttributionTests
{
    // What /personalize passes: the lead's context is untrusted, only the lead's domain (and the goal) is trusted.
    private static GuardrailInput Outbound(string body) =>
        Email(body, subject: "Quick question") with { TrustedSourceTexts = ["acme-logistics.com"] };

    private static List<RiskFlag> Misattributed(GuardrailInput input) =>
        [.. Run<UnsourcedClaimsCheck>(input).Where(f => f.Code == RiskCodes.MisattributedClaim)];

    [Theory]
    [InlineData("Hi Sarah, we cut onboarding time by 40% for brokers.", "40%")]
    [InlineData("Hi Sarah, our customers see 40% more replies.", "40%")]
    [InlineData("Hi Sarah, we help teams like yours book 40% more meetings.", "40%")]
    [InlineData("Hi Sarah, we help SaaS teams, like yours, book 40% more meetings.", "40%")]
    [InlineData("Hi Sarah, we can help you cut ramp time by 40%.", "40%")]
    [InlineData("Hi Sarah, at Outreachly we onboarded 12 SDRs in a week.", "12")]
    [InlineData("Hi Sarah, we have served brokers since 2024.", "2024")]
    [InlineData("Hi Sarah, 40% fewer no-shows is what our clients report.", "40%")]
    [InlineData("Hi Sarah, I helped Acme Logistics cut churn by 40%.", "40%")]
    [InlineData("Hi Sarah, customers using Outreachly grew replies by 40%.", "40%")]
    [InlineData("Hi Sarah, clients typically book 12 extra demos a month.", "12")]
    [InlineData("Hi Sarah, we saw a 40% lift for clients.", "40%")]
    [InlineData("Hi Sarah, we saw a 40% jump across our customer base.", "40%")]
    [InlineData("Hi Sarah, we noticed 40% more replies among teams we work with.", "40%")]
    [InlineData("Hi Sarah, we work with SaaS teams. Their reply rates rose 40%.", "40%")]
    [InlineData("Hi Sarah, our clients switched last year and they booked 40% more meetings.", "40%")]
    [InlineData("Hi Sarah, we help teams like yours; they book 40% more meetings.", "40%")]
    [InlineData("Hi Sarah, our customers love it. Their 40% lift in replies says it all.", "40%")]
    public void A_lead_figure_claimed_as_the_senders_result_is_blocked(string body, string span)
    {
        var flag = Single(Run<UnsourcedClaimsCheck>(Outbound(body)), RiskCodes.MisattributedClaim);
        Assert.Equal(RiskSeverity.Block, flag.Severity);
        AssertSpan(flag, body, span);
        Assert.Contains("sender's own result", flag.Detail, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Hi Sarah, congrats on the 40% growth in shipments last quarter.")]
    [InlineData("Hi Sarah, your 40% growth in shipments stood out.")]
    [InlineData("Hi Sarah, we noticed Acme Logistics is hiring 12 SDRs.")]
    [InlineData("Hi Sarah, I read about your team's 40% growth in shipments.")]
    [InlineData("Hi Sarah, we saw that shipments grew 40% last quarter.")]
    [InlineData("Hi Sarah, since you are hiring 12 SDRs, we would love to help them ramp.")]
    [InlineData("Hi Sarah, we'd love to help you keep your 40% growth going.")]
    [InlineData("Hi Sarah, with 12 SDRs joining, ramp time gets tight; we help reps ramp faster.")]
    [InlineData("Hi Sarah, Acme Logistics opened a Chicago office in 2024 and we would like to help.")]
    [InlineData("Hi Sarah, could we book a 15-min call?")]
    [InlineData("Hi Sarah, your customers saw 40% growth in shipments last quarter.")]
    [InlineData("Hi Sarah, Acme Logistics' clients drove 40% growth in shipments.")]
    [InlineData("Hi Sarah, a 40% jump in shipments usually strains carrier onboarding.")]
    [InlineData("Hi Sarah, Acme Logistics is hiring fast. Their shipments grew 40% last quarter.")]
    [InlineData("Hi Sarah, your reps are busy; they closed 40% more loads last quarter.")]
    [InlineData("Hi Sarah, we noticed a 40% jump in shipments at Acme Logistics.")]
    [InlineData("Hi Sarah, we saw a 40% lift in shipments for your team.")]
    [InlineData("Hi Sarah, your customers must be happy: they shipped 40% more last quarter.")]
    [InlineData("Hi Sarah, we work with brokers. Your team grew shipments 40% last quarter.")]
    public void A_lead_figure_used_about_the_lead_is_not_a_claim(string body) =>
        Assert.Empty(Misattributed(Outbound(body)));

    [Fact]
    public void A_figure_the_sender_vouches_for_may_be_claimed()
    {
        var body = "Hi Sarah, our customers see 40% more replies.";
        var input = Outbound(body) with
        {
            SourceTexts = [.. Sources, "Sender proof: customers see 40% more replies"],
            TrustedSourceTexts = ["acme-logistics.com", "Sender proof: customers see 40% more replies"],
        };
        Assert.Empty(Misattributed(input));
    }

    [Fact]
    public void Without_a_trusted_list_every_source_is_the_senders_and_nothing_is_misattributed() =>
        Assert.Empty(Misattributed(Email("Hi Sarah, our customers see 40% more replies.", subject: "Quick question")));

    [Fact]
    public void A_multiplier_from_the_leads_context_is_not_the_senders()
    {
        var body = "Hi Sarah, our customers see 3x more replies.";
        var input = Outbound(body) with { SourceTexts = [.. Sources, "Signals: pipeline grew 3x since the Chicago office opened"] };
        AssertSpan(Single(Run<UnsourcedClaimsCheck>(input), RiskCodes.MisattributedClaim), body, "3x");
    }

    [Theory]
    [InlineData("Hi Sarah, we double reply rates for new SDRs.", "double", RiskSeverity.Block)]
    [InlineData("Hi Sarah, our customers see a fast payback on new reps.", "payback", RiskSeverity.Warn)]
    public void A_result_word_the_context_uses_about_the_lead_is_not_the_senders(string body, string span, RiskSeverity severity)
    {
        var input = Outbound(body) with { SourceTexts = [.. Sources, "Signals: doubled headcount this year; new office paid back its payback period early"] };
        var flag = Single(Run<UnsourcedClaimsCheck>(input), RiskCodes.MisattributedClaim);
        Assert.Equal(severity, flag.Severity);
        Assert.StartsWith(span, flag.Span!.Text, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public void A_result_word_about_the_lead_stays_sourced()
    {
        var input = Outbound("Hi Sarah, congrats on doubling headcount this year.") with { SourceTexts = [.. Sources, "Signals: doubled headcount this year"] };
        Assert.Empty(Misattributed(input));
    }

    [Fact]
    public void An_unsourced_figure_is_still_reported_as_unsourced_not_misattributed()
    {
        var flags = Run<UnsourcedClaimsCheck>(Outbound("Hi Sarah, we cut onboarding time by 55%."));
        Assert.Single(flags, f => f.Code == RiskCodes.UnsourcedPercent);
        Assert.DoesNotContain(flags, f => f.Code == RiskCodes.MisattributedClaim);
    }

    [Theory]
    [InlineData(nameof(CleanEmailBody))]
    [InlineData(nameof(CleanLinkedIn))]
    [InlineData(nameof(CleanSms))]
    public void The_clean_fixtures_attribute_the_leads_figures_to_the_lead(string which)
    {
        var body = which switch { nameof(CleanEmailBody) => CleanEmailBody, nameof(CleanLinkedIn) => CleanLinkedIn, _ => CleanSms };
        Assert.Empty(Misattributed(Outbound(body) with { Subject = CleanEmailSubject }));
    }

    [Fact]
    public void The_fix_hint_tells_the_model_whose_figure_it_is() =>
        Assert.Contains("your own results", RiskCodes.FixHint(RiskCodes.MisattributedClaim), StringComparison.Ordinal);
}
