using System.Diagnostics;
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

    [Fact]
    public async Task A_120_word_email_evaluates_well_under_a_millisecond_at_the_median()
    {
        var body = string.Join(' ', Enumerable.Repeat("Hi Sarah, Acme Logistics is hiring 12 SDRs and ramp time matters.", 10))
            + " Open to a 15-min call?";
        var input = Email(body);
        Assert.InRange(body.Split(' ').Length, 110, 130);
        var evaluator = GuardrailEvaluator.CreateDefault();

        for (var i = 0; i < 50; i++)
        {
            _ = await evaluator.EvaluateAsync(input, CancellationToken.None);
        }

        var samples = new double[200];
        for (var i = 0; i < samples.Length; i++)
        {
            var started = Stopwatch.GetTimestamp();
            _ = await evaluator.EvaluateAsync(input, CancellationToken.None);
            samples[i] = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
        }

        Array.Sort(samples);
        var median = samples[samples.Length / 2];
        Assert.True(median < 1.0, $"median {median:0.000} ms");
    }
}
