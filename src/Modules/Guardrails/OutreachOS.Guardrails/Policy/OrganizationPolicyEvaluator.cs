using OutreachOS.BuildingBlocks.Documents;
using OutreachOS.Guardrails.Contracts;

namespace OutreachOS.Guardrails.Policy;

/// <summary>
/// Adds the organization's forbidden phrases and competitor names to an input that names its organization, then runs the
/// pure checks. One indexed document read per evaluation keeps policy changes effective immediately on every host.
/// </summary>
internal sealed class OrganizationPolicyEvaluator(IGuardrailEvaluator inner, DocumentStore documents) : IGuardrailEvaluator
{
    public async ValueTask<GuardrailReport> EvaluateAsync(GuardrailInput input, CancellationToken ct)
    {
        if (input.OrganizationId is not { } org || org == Guid.Empty)
        {
            return await inner.EvaluateAsync(input, ct);
        }
        var policy = (await documents.GetAsync<GuardrailPolicyView>(org, GuardrailPolicyStream.DocumentId, ct))?.Data;
        if (policy is null || (policy.ForbiddenPhrases.Count == 0 && policy.CompetitorNames.Count == 0))
        {
            return await inner.EvaluateAsync(input, ct);
        }
        return await inner.EvaluateAsync(input with
        {
            ForbiddenPhrases = [.. input.ForbiddenPhrases, .. policy.ForbiddenPhrases],
            CompetitorNames = [.. input.CompetitorNames, .. policy.CompetitorNames],
        }, ct);
    }
}
