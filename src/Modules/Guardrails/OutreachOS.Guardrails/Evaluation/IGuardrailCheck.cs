using OutreachOS.Guardrails.Contracts;

namespace OutreachOS.Guardrails.Evaluation;

/// <summary>One pure check. It only reads the context and appends findings; it must be thread-safe.</summary>
internal interface IGuardrailCheck
{
    string Name { get; }

    void Run(GuardrailContext context, List<RiskFlag> flags);
}
