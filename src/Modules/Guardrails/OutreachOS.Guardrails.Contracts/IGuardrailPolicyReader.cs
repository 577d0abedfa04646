namespace OutreachOS.Guardrails.Contracts;

/// <summary>An organization's own lists (<c>PUT /guardrails/policy</c>): phrases it forbids and competitors it never names.</summary>
public sealed record OrganizationGuardrailLists(IReadOnlyList<string> ForbiddenPhrases, IReadOnlyList<string> CompetitorNames)
{
    public static OrganizationGuardrailLists None { get; } = new([], []);
}

/// <summary>
/// Reads an organization's lists once for a caller that evaluates several inputs under one reading of them (a screen of the
/// lead's context, then the variants of each attempt): it puts them in <see cref="GuardrailInput.ForbiddenPhrases"/> and
/// <see cref="GuardrailInput.CompetitorNames"/> and leaves <see cref="GuardrailInput.OrganizationId"/> unset, so no
/// evaluation reads them again.
/// </summary>
public interface IGuardrailPolicyReader
{
    ValueTask<OrganizationGuardrailLists> ReadAsync(Guid organizationId, CancellationToken ct);
}
