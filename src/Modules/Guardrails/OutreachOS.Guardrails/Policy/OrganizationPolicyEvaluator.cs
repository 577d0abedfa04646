using OutreachOS.BuildingBlocks.Documents;
using OutreachOS.Guardrails.Contracts;

namespace OutreachOS.Guardrails.Policy;

/// <summary>
/// Adds the organization's forbidden phrases and competitor names to an input that names its organization, then runs the
/// pure checks. The policy is read per evaluation (changes take effect immediately on every host), but concurrent
/// evaluations for one organization — the variants of one attempt — share a single read that is in flight.
/// </summary>
internal sealed class OrganizationPolicyEvaluator(IGuardrailEvaluator inner, DocumentStore documents) : IGuardrailEvaluator, IGuardrailPolicyReader
{
    public async ValueTask<OrganizationGuardrailLists> ReadAsync(Guid organizationId, CancellationToken ct) =>
        await ReadPolicyAsync(organizationId) is { } policy ? new(policy.ForbiddenPhrases, policy.CompetitorNames) : OrganizationGuardrailLists.None;

    private readonly System.Collections.Concurrent.ConcurrentDictionary<Guid, Lazy<Task<GuardrailPolicyView?>>> _inFlight = new();

    public async ValueTask<GuardrailReport> EvaluateAsync(GuardrailInput input, CancellationToken ct)
    {
        if (input.OrganizationId is not { } org || org == Guid.Empty)
        {
            return await inner.EvaluateAsync(input, ct);
        }
        var policy = await ReadPolicyAsync(org);
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

    private async Task<GuardrailPolicyView?> ReadPolicyAsync(Guid org)
    {
        var read = _inFlight.GetOrAdd(org, o => new Lazy<Task<GuardrailPolicyView?>>(async () =>
        {
            try
            {
                // Not cancelled by one caller: the read is shared by every evaluation waiting on it.
                return (await documents.GetAsync<GuardrailPolicyView>(o, GuardrailPolicyStream.DocumentId, CancellationToken.None))?.Data;
            }
            finally
            {
                _inFlight.TryRemove(o, out _);
            }
        }));
        return await read.Value;
    }
}
