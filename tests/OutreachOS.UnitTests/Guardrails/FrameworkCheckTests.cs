using OutreachOS.Guardrails.Checks;
using OutreachOS.Guardrails.Contracts;
using static OutreachOS.UnitTests.Guardrails.GuardrailFixtures;

namespace OutreachOS.UnitTests.Guardrails;

public sealed class FrameworkCheckTests
{
    private const string Pas = """
        Hi Sarah,
        Ramping 12 new SDRs usually means reps struggle with manual research for weeks.
        That costs pipeline every week they are not productive.
        Outreachly gives them researched drafts inside HubSpot, so you can shorten ramp time.
        Open to a 15-min call?
        """;

    [Fact]
    public void No_framework_requested_means_no_framework_findings()
    {
        Assert.Empty(Run<FrameworkCheck>(Email("Hi Sarah, hello.")));
    }

    [Fact]
    public void A_complete_pas_message_passes()
    {
        var flags = Run<FrameworkCheck>(Email(Pas) with { Framework = CopyFramework.Pas });
        Assert.True(flags.Count == 0, Describe(flags));
    }

    [Fact]
    public void A_pas_message_without_agitation_warns_naming_the_part()
    {
        var body = """
            Hi Sarah,
            Ramping 12 new SDRs means reps struggle with manual research.
            Outreachly gives them researched drafts inside HubSpot, so you can shorten ramp time.
            Open to a 15-min call?
            """;
        var flags = Run<FrameworkCheck>(Email(body.Replace("means reps", "and reps", StringComparison.Ordinal)) with { Framework = CopyFramework.Pas });
        var flag = Single(flags, RiskCodes.FrameworkPartMissing);
        Assert.Equal(RiskSeverity.Warn, flag.Severity);
        Assert.Contains("Agitate", flag.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void A_complete_aida_message_passes_and_one_without_a_closing_ask_warns()
    {
        var aida = Email(CleanEmailBody) with { Framework = CopyFramework.Aida };
        var flags = Run<FrameworkCheck>(aida);
        Assert.True(flags.Count == 0, Describe(flags));

        var noAsk = aida with { Message = "Hi Sarah,\nCongrats on the Chicago office.\nOur drafts help reps ramp faster.\nBest,\nTom" };
        Assert.Contains("Action", Single(Run<FrameworkCheck>(noAsk), RiskCodes.FrameworkPartMissing).Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void A_bab_message_without_an_after_picture_warns()
    {
        var bab = """
            Hi Sarah,
            Right now your new SDRs still research every account by hand.
            Imagine them starting each day with researched drafts instead.
            That's where Outreachly comes in. Open to a 15-min call?
            """;
        Assert.Empty(Run<FrameworkCheck>(Email(bab) with { Framework = CopyFramework.Bab }));

        var missingAfter = bab.Replace("Imagine them starting each day with researched drafts instead.", "Drafts are nice.", StringComparison.Ordinal);
        var flag = Single(Run<FrameworkCheck>(Email(missingAfter) with { Framework = CopyFramework.Bab }), RiskCodes.FrameworkPartMissing);
        Assert.Contains("After", flag.Detail, StringComparison.Ordinal);
    }
}
