using Npgsql;
using OutreachOS.BuildingBlocks.Documents;
using OutreachOS.BuildingBlocks.EventStore;

namespace OutreachOS.Guardrails.Policy;

/// <summary>An organization replaced its guardrail policy (the whole lists: the latest event wins).</summary>
[EventName("guardrail_policy_set.v1")]
internal sealed record GuardrailPolicySet(IReadOnlyList<string> ForbiddenPhrases, IReadOnlyList<string> CompetitorNames, Guid ActorKeyId, DateTimeOffset At);

[DocumentName("guardrail_policy")]
internal sealed record GuardrailPolicyView(IReadOnlyList<string> ForbiddenPhrases, IReadOnlyList<string> CompetitorNames, long Version, DateTimeOffset UpdatedAt)
{
    public static readonly GuardrailPolicyView Empty = new([], [], 0, DateTimeOffset.MinValue);
}

internal static class GuardrailPolicyStream
{
    public const string Id = "guardrail-policy";
    public const string Type = "guardrail_policy";
    public const string DocumentId = "current";
}

/// <summary>Keeps the policy document consistent with the write (a new phrase applies to the very next evaluation).</summary>
internal sealed class GuardrailPolicyProjection : IInlineProjection
{
    public IReadOnlyCollection<Type> EventTypes { get; } = [typeof(GuardrailPolicySet)];

    public async Task ApplyAsync(NpgsqlTransaction transaction, IReadOnlyList<StoredEvent> events, CancellationToken ct)
    {
        foreach (var e in events)
        {
            var set = (GuardrailPolicySet)e.Data!;
            await DocumentStore.UpsertAsync(transaction, e.TenantId, GuardrailPolicyStream.DocumentId,
                new GuardrailPolicyView(set.ForbiddenPhrases, set.CompetitorNames, e.Version, set.At), ct);
        }
    }
}
