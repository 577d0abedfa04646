using Microsoft.Extensions.DependencyInjection;
using OutreachOS.Guardrails;
using OutreachOS.Guardrails.Contracts;
using OutreachOS.Guardrails.Evaluation;
using static OutreachOS.UnitTests.Guardrails.GuardrailFixtures;

namespace OutreachOS.UnitTests.Guardrails;

public sealed class GuardrailEvaluatorTests
{
    [Fact]
    public async Task A_clean_realistic_three_variant_set_passes()
    {
        var evaluator = GuardrailEvaluator.CreateDefault();
        GuardrailInput[] variants = [Email(CleanEmailBody), LinkedIn(CleanLinkedIn), Sms(CleanSms)];

        var reports = await evaluator.EvaluateVariantsAsync(variants, CancellationToken.None);

        Assert.Equal(3, reports.Count);
        foreach (var report in reports)
        {
            Assert.True(report.Flags.Count == 0, Describe(report.Flags));
            Assert.True(report.Passed);
        }
    }

    [Fact]
    public async Task A_draft_with_planted_problems_fails_with_every_problem_named()
    {
        var body = """
            Hello,

            Acme grew 40% last quarter, and customers like Globex already use us. Act now: it's risk-free.

            Best,
            Tom
            """;
        var report = await EvaluateAsync(Email(body) with { SourceTexts = ["Acme Logistics: freight brokerage", "Sender: Tom"] });

        Assert.False(report.Passed);
        var codes = report.Blocking.Select(f => f.Code).ToHashSet();
        Assert.Contains(RiskCodes.UnsourcedPercent, codes);
        Assert.Contains(RiskCodes.UnsourcedCustomer, codes);
        Assert.Contains(RiskCodes.SpamPhrase, codes);
        Assert.Contains(RiskCodes.GreetingMissingName, codes);
        Assert.Contains(RiskCodes.CtaMissing, codes);
        AssertSpan(report.Flags.Single(f => f.Code == RiskCodes.UnsourcedPercent), body, "40%");
        AssertSpan(report.Flags.Single(f => f.Code == RiskCodes.UnsourcedCustomer), body, "Globex");
    }

    [Fact]
    public async Task The_concurrent_path_reports_the_same_flags_in_the_same_order_as_the_inline_path()
    {
        var input = Email("Hello,\nAcme grew 40% with customers like Globex. Act now! Email me at tom@x.io.");
        var inline = await GuardrailEvaluator.CreateDefault().EvaluateAsync(input, CancellationToken.None);
        var concurrent = await GuardrailEvaluator.CreateDefault(parallelThreshold: 0).EvaluateAsync(input, CancellationToken.None);

        Assert.NotEmpty(inline.Flags);
        Assert.Equal(inline.Flags, concurrent.Flags);
    }

    [Fact]
    public async Task A_draft_with_full_width_digits_is_evaluated_instead_of_failing()
    {
        var body = "Hi Sarah,\nI noticed Acme Logistics is hiring 12 SDRs. Does Tuesday at \uFF13pm work for a 15-min call?";
        var report = await EvaluateAsync(Email(body));

        var time = report.Flags.Single(f => f.Code == RiskCodes.UnsourcedTime);
        AssertSpan(time, body, "\uFF13pm");
        Assert.True(report.Passed, Describe(report.Flags));
    }

    [Fact]
    public void A_short_message_is_evaluated_synchronously()
    {
        var pending = GuardrailEvaluator.CreateDefault().EvaluateAsync(Email(CleanEmailBody), CancellationToken.None);
        Assert.True(pending.IsCompletedSuccessfully);
    }

    [Fact]
    public async Task Every_check_reports_a_timing()
    {
        var report = await EvaluateAsync(Email(CleanEmailBody));
        Assert.Equal(
            ["prepare", "length", "spam", "unsourced-claims", "required-elements", "framework", "safety"],
            report.Timings.Select(t => t.Check));
    }

    [Fact]
    public async Task A_cancelled_token_stops_evaluation()
    {
        using var cts = new CancellationTokenSource();
        await cts.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(
            async () => await GuardrailEvaluator.CreateDefault().EvaluateAsync(Email(CleanEmailBody), cts.Token));
    }

    [Fact]
    public void The_module_registers_one_singleton_evaluator()
    {
        using var provider = new ServiceCollection().AddGuardrailsModule().BuildServiceProvider();
        var first = provider.GetRequiredService<IGuardrailEvaluator>();
        Assert.Same(first, provider.GetRequiredService<IGuardrailEvaluator>());
    }
}

/// <summary>Runs alone (no other test class of this assembly in parallel) so timings measure the evaluator.</summary>
[CollectionDefinition(nameof(GuardrailPerformanceCollection), DisableParallelization = true)]
public sealed class GuardrailPerformanceCollection;

[Collection(nameof(GuardrailPerformanceCollection))]
public sealed class GuardrailPerformanceTests
{
    [Fact]
    public async Task A_realistic_120_word_email_passes_every_check()
    {
        var body = """
            Hi Sarah,

            Congrats on the Chicago office. I noticed Acme Logistics is hiring 12 SDRs, and ramp time usually becomes
            the bottleneck when a team grows that fast: new reps spend their first weeks researching accounts instead
            of talking to retailers across the Midwest.

            Outreachly gives new reps researched, personalized drafts inside HubSpot, grounded in what each account
            actually shares, so they can focus on conversations from their first week. Managers keep control of tone
            and wording, and every draft stays inside the process you already run in Gong and HubSpot today.

            Would you be open to a 15-min call next week to see if it fits your outbound prospecting plans?

            Best,
            Tom
            """;
        var input = Email(body);
        Assert.InRange(input.Message.Split((char[])[' ', '\n'], StringSplitOptions.RemoveEmptyEntries).Length, 110, 130);
        var evaluator = GuardrailEvaluator.CreateDefault();
        Assert.True((await evaluator.EvaluateAsync(input, CancellationToken.None)).Passed);

        // Speed is measured in bench/ (guardrails suite), never asserted here: wall-clock checks are flaky on shared machines.
    }
}

public sealed class SourceIndexReuseTests
{
    [Fact]
    public async Task Variants_with_different_sources_are_never_judged_against_each_others_context()
    {
        var evaluator = GuardrailEvaluator.CreateDefault();
        var withFigure = GuardrailFixtures.Email("Hi Sarah,\nAcme Logistics grew 55% in shipments. Open to a 15-min call?") with
        {
            SourceTexts = [.. GuardrailFixtures.Sources, "55% more shipments"],
        };
        var without = withFigure with { SourceTexts = GuardrailFixtures.Sources };

        Assert.True((await evaluator.EvaluateAsync(withFigure, CancellationToken.None)).Passed);
        Assert.False((await evaluator.EvaluateAsync(without, CancellationToken.None)).Passed);
        Assert.True((await evaluator.EvaluateAsync(withFigure, CancellationToken.None)).Passed);
        Assert.False((await evaluator.EvaluateAsync(without with { Goal = "book a call" }, CancellationToken.None)).Passed);
    }
}

public sealed class SourceIndexMutationTests
{
    [Fact]
    public async Task A_source_list_mutated_between_evaluations_is_indexed_again()
    {
        var evaluator = GuardrailEvaluator.CreateDefault();
        var sources = new List<string>(GuardrailFixtures.Sources);
        var input = GuardrailFixtures.Email("Hi Sarah,\nAcme Logistics grew 55% in shipments. Open to a 15-min call?") with { SourceTexts = sources };

        Assert.False((await evaluator.EvaluateAsync(input, CancellationToken.None)).Passed);
        sources.Add("55% more shipments");
        Assert.True((await evaluator.EvaluateAsync(input, CancellationToken.None)).Passed);
    }
}
