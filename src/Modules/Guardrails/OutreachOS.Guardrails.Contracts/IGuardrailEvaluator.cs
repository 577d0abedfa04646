namespace OutreachOS.Guardrails.Contracts;

/// <summary>Pure, deterministic checks over one message variant: no I/O, no LLM.</summary>
public interface IGuardrailEvaluator
{
    ValueTask<GuardrailReport> EvaluateAsync(GuardrailInput input, CancellationToken ct);
}

public static class GuardrailEvaluatorExtensions
{
    /// <summary>Evaluates several variants concurrently; reports come back in input order.</summary>
    public static async Task<IReadOnlyList<GuardrailReport>> EvaluateVariantsAsync(
        this IGuardrailEvaluator evaluator, IReadOnlyList<GuardrailInput> variants, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(evaluator);
        ArgumentNullException.ThrowIfNull(variants);
        var pending = new Task<GuardrailReport>[variants.Count];
        for (var i = 0; i < variants.Count; i++)
        {
            pending[i] = evaluator.EvaluateAsync(variants[i], ct).AsTask();
        }

        return await Task.WhenAll(pending);
    }
}
