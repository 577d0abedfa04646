using OutreachOS.Generation;
using OutreachOS.Generation.Contracts;
using OutreachOS.Generation.Prompting;
using OutreachOS.Guardrails.Contracts;
using Microsoft.Extensions.Configuration;

namespace OutreachOS.UnitTests.Generation;

internal static class GenerationFixtures
{
    public static readonly IGuardrailEvaluator Evaluator = OutreachOS.Guardrails.Evaluation.GuardrailEvaluator.CreateDefault();

    public static PromptRenderer Renderer { get; } = new(GenerationOptions.From(new ConfigurationBuilder().Build()));

    public static PersonalizeRequest Rich(Channel channel = Channel.Email, Tone tone = Tone.Professional, Framework? framework = null, int? count = 3, int? maxWords = 120) => new(
        channel, tone, "book a 15-min call", framework, count,
        new LeadInput("Sarah", "Chen", "VP of Sales", "Acme Logistics", "acmelogistics.com"),
        new CompanyContextInput("Acme Logistics runs same-day freight for 40 regional retailers.", ["freight visibility", "carrier onboarding"], ["Salesforce", "Snowflake"]),
        new SignalsInput(["Opened the pricing page twice"], null, ["Hiring 3 SDRs"], null),
        new ConstraintsInput(maxWords, true, true));

    public static PersonalizeRequest Thin(Channel channel = Channel.Email, Tone tone = Tone.Professional, Framework? framework = null) => new(
        channel, tone, "book a 15-min call", framework, 3,
        new LeadInput("Tom", null, null, "Globex", null), null, null, null);

    public static IReadOnlyList<int> All(int n) => [.. Enumerable.Range(0, n)];
}
