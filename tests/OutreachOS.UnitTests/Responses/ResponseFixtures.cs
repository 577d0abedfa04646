using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using OutreachOS.Guardrails.Contracts;
using OutreachOS.Ingestion.Contracts;
using OutreachOS.Llm;
using OutreachOS.Triage.Contracts;
using OutreachOS.Triage.Responses;
using OutreachOS.Triage.Templates;

namespace OutreachOS.UnitTests.Responses;

internal static class ResponseFixtures
{
    public static readonly IGuardrailEvaluator Evaluator = OutreachOS.Guardrails.Evaluation.GuardrailEvaluator.CreateDefault();

    public static readonly TemplateValues Values = new(
        "Best regards,\nDana from Acme Support",
        ["Tuesday 10:00 CET", "Wednesday 15:00 CET"],
        "https://cal.acme.example/dana",
        ["Our Team plan is 49 EUR per user per month, billed yearly.", "The Enterprise plan is priced per contract."],
        "within one business day",
        ["https://docs.acme.example/getting-started"],
        "partners@acme.example");

    public static InboundDecided Decided(string intent, string text, ResponsePath path = ResponsePath.AutoSend, string subject = "Question",
        IReadOnlyList<string>? flags = null, IReadOnlyDictionary<string, string>? redactions = null, string fromName = "Sarah Chen") =>
        new(Guid.NewGuid(), Guid.NewGuid(),
            new InboundEmail("<m1@customer.example>", null, new MailAddress("sarah@customer.example", fromName), [new MailAddress("support@acme.example")], [],
                subject, text, null, new Dictionary<string, string>(), DateTimeOffset.UnixEpoch, null, ["<m0@customer.example>"]),
            new InboundClassification(intent, "normal", "support", flags ?? [], 0.93, "offline", []),
            new RoutingDecision(Guid.NewGuid(), path, ["intent enabled for auto-send"], "support", DateTimeOffset.Parse("2026-11-23T10:00:00Z", System.Globalization.CultureInfo.InvariantCulture), 1, false),
            redactions ?? new Dictionary<string, string>(), DateTimeOffset.UnixEpoch);

    public static ReplyComposer Composer(bool paraphrase = false, ILlmClient? llm = null)
    {
        var services = new ServiceCollection();
        if (llm is not null)
        {
            services.AddSingleton(llm);
        }

        return new ReplyComposer(new TemplateRenderer(), Evaluator, new ResponseOptions(Values, paraphrase, null, 0.1),
            services.BuildServiceProvider(), NullLogger<ReplyComposer>.Instance);
    }

    public static TemplatesResponse Templates(TemplateValues? values = null) => new(0, DefaultTemplates.All, values ?? Values);
}

/// <summary>An LLM that answers every prompt with a fixed text and remembers what it was sent.</summary>
internal sealed class FixedLlm(string answer) : ILlmClient
{
    public List<LlmPrompt> Prompts { get; } = [];

    public Task<LlmCompletion> CompleteAsync(LlmPrompt prompt, CancellationToken ct)
    {
        Prompts.Add(prompt);
        return Task.FromResult(new LlmCompletion(answer, "Stub", "stub-1", 10, 10, 0.001m, TimeSpan.FromMilliseconds(5), 1));
    }
}
