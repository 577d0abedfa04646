using OutreachOS.Generation.Contracts;
using OutreachOS.Generation.Events;
using OutreachOS.Generation.Projection;
using static OutreachOS.UnitTests.Generation.GenerationFixtures;

namespace OutreachOS.UnitTests.Generation;

public sealed class PersonalizationEvolveTests
{
    private static readonly DateTimeOffset At = new(2026, 11, 22, 0, 0, 0, TimeSpan.Zero);
    private static readonly Guid Id = Guid.Parse("0196a000-0000-7000-8000-000000000001");
    private static readonly PromptDto Prompt = new("personalize.v1", "1.0.0", "sys", "user", null, 0.7, "s", "{}", 1200);

    private static PersonalizationRecord? Fold(params object[] events)
    {
        PersonalizationRecord? s = null;
        for (var i = 0; i < events.Length; i++)
        {
            s = PersonalizationEvolve.Evolve(s, events[i], i + 1);
        }

        return s;
    }

    private static VariantDto Variant(string message, bool blocked = false) => new("S", message, ["p"], [], blocked);

    [Fact]
    public void Given_a_request_with_a_retry_Then_each_attempt_keeps_its_prompt_output_verdicts_and_reasons()
    {
        var s = Fold(
            new PersonalizationRequested(Id, Rich(), Guid.Empty, At),
            new AttemptSetStarted(1, "initial", 3, 3, false, At),
            new PromptRendered(1, 1, Prompt, [0, 1, 2], At),
            new ModelResponded(1, 1, new ModelOutputDto("raw1", "OpenAI", "m", 1, 2, 0.1m, 5, 1), At),
            new VariantsParsed(1, 1, [new ParsedVariantDto("S", "a", [])], [0], At),
            new GuardrailsEvaluated(1, 1, [new VerdictDto(0, false, [new RiskFlagDto("UNSOURCED_PERCENT", FlagSeverity.Block, "d", null)])], 0, 1, At),
            new RetryRequested(1, 2, [0], "fix 40%", At),
            new PromptRendered(1, 2, Prompt with { User = "user + feedback" }, [0], At),
            new VariantsReturned(1, [Variant("b")], 2, 0, 3, At))!;

        Assert.Equal(9, s.Version);
        var attempts = s.AttemptSets.Single().Attempts;
        Assert.Equal(2, attempts.Count);
        Assert.Equal("raw1", attempts[0].Output!.Raw);
        Assert.Equal("fix 40%", attempts[0].RetryReasons);
        Assert.False(attempts[0].Verdicts.Single().Passed);
        Assert.Equal("user + feedback", attempts[1].Prompt.User);
        Assert.False(s.AttemptSets[0].FirstAttemptPassed);
        Assert.Equal("b", s.AttemptSets[0].Variants!.Single().Message);
    }

    [Fact]
    public void Given_a_selection_When_it_is_edited_and_overridden_Then_the_selection_and_its_history_say_so()
    {
        var s = Fold(
            new PersonalizationRequested(Id, Rich(), Guid.Empty, At),
            new AttemptSetStarted(1, "initial", 2, 2, false, At),
            new VariantsReturned(1, [Variant("a"), Variant("b", blocked: true)], 1, 1, 2, At),
            new VariantSelected(1, 0, Guid.Empty, At),
            new VariantSelected(1, 1, Guid.Empty, At),
            new VariantEdited(1, 1, "edited", [], At),
            new BlockedVariantOverridden(1, 1, ["UNSOURCED_PERCENT"], Guid.Empty, At))!;

        var sel = s.Selection!;
        Assert.Equal((1, 1, "edited", true, true), (sel.AttemptSet, sel.VariantIndex, sel.Message, sel.Edited, sel.Overridden));
        Assert.Equal(["a", "edited"], s.SelectionHistory.Select(h => h.Message));
    }

    [Fact]
    public void A_regeneration_clears_the_selection_and_adds_an_attempt_set()
    {
        var s = Fold(
            new PersonalizationRequested(Id, Rich(), Guid.Empty, At),
            new AttemptSetStarted(1, "initial", 1, 1, false, At),
            new VariantsReturned(1, [Variant("a")], 1, 1, 1, At),
            new VariantSelected(1, 0, Guid.Empty, At),
            new RegenerationRequested(2, 1, At),
            new AttemptSetStarted(2, "regeneration", 1, 1, false, At),
            new VariantsReturned(2, [Variant("c")], 1, 1, 1, At))!;

        Assert.Null(s.Selection);
        Assert.Equal(1, s.Regenerations);
        Assert.Equal([1, 2], s.AttemptSets.Select(a => a.Number));
    }

    [Fact]
    public void Events_before_the_request_event_do_not_create_a_record()
    {
        Assert.Null(PersonalizationEvolve.Evolve(null, new VariantSelected(1, 0, Guid.Empty, At), 1));
    }
}
