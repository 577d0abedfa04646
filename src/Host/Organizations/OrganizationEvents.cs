using OutreachOS.BuildingBlocks.EventStore;
using OutreachOS.BuildingBlocks.Web;

namespace OutreachOS.Host.Organizations;

public enum Tier
{
    Free,
    Pro,
    Enterprise,
}

/// <summary>
/// What an API key may do in its organization. <see cref="Admin"/>: everything, including its API keys, policies, templates
/// and integrations. <see cref="Member"/>: the work (personalize, triage, drafts, ingestion, reads) but none of those settings.
/// <see cref="Viewer"/>: every read (the dashboard, GraphQL, audit views and verification, exports) and no change (ADR 0025).
/// </summary>
public enum ApiKeyRole
{
    Admin,
    Member,
    Viewer,
}

[EventName("organization_created.v1")]
internal sealed record OrganizationCreated(Guid OrganizationId, string Name, Tier Tier, bool IsPlatformAdmin, DateTimeOffset At);

/// <summary>
/// Only the SHA-256 of a key was stored; the key itself is shown once to the caller. Keys issued before roles existed
/// carry no role and are ADMIN (they could do everything then). No longer written: the unsalted hash, the key id derived
/// from it and a 12-character prefix let a reader of the events test guesses of a short bootstrap key (see
/// <see cref="ApiKeyIssuedV2"/>). Keys issued this way still authenticate.
/// </summary>
[EventName("api_key_issued.v1")]
internal sealed record ApiKeyIssued(Guid KeyId, Guid OrganizationId, string Name, string Prefix, string KeySha256, DateTimeOffset At, ApiKeyRole? Role = null)
{
    public ApiKeyRole EffectiveRole => Role ?? ApiKeyRole.Admin;
}

/// <summary>
/// A key issued with its <paramref name="Verifier"/>: a keyed hash under the deployment's secret (<see cref="ApiKeyVerifier"/>),
/// which is never in an event. <paramref name="Prefix"/> is empty for keys that OutreachOS did not generate.
/// </summary>
[EventName("api_key_issued.v2")]
internal sealed record ApiKeyIssuedV2(Guid KeyId, Guid OrganizationId, string Name, string Prefix, string Verifier, DateTimeOffset At, ApiKeyRole Role);

[EventName("api_key_revoked.v1")]
internal sealed record ApiKeyRevoked(Guid KeyId, Guid OrganizationId, DateTimeOffset At);

internal static class ApiKeyRoles
{
    /// <summary>The role as the API and the api_keys table spell it (ADMIN, MEMBER, VIEWER).</summary>
    public static string ToText(ApiKeyRole role) => role switch
    {
        ApiKeyRole.Admin => TenancyHttpContextExtensions.AdminRole,
        ApiKeyRole.Member => TenancyHttpContextExtensions.MemberRole,
        ApiKeyRole.Viewer => TenancyHttpContextExtensions.ViewerRole,
        _ => throw new ArgumentOutOfRangeException(nameof(role), role, "Unknown API key role."),
    };

    /// <summary>The role from the api_keys table (its CHECK admits exactly these three).</summary>
    public static ApiKeyRole Parse(string text) =>
        TryParse(text, out var role) ? role : throw new InvalidOperationException($"Unknown API key role '{text}' in oos.api_keys.");

    /// <summary>The role spelled ADMIN, MEMBER or VIEWER.</summary>
    public static bool TryParse(string text, out ApiKeyRole role)
    {
        (var known, role) = text switch
        {
            TenancyHttpContextExtensions.AdminRole => (true, ApiKeyRole.Admin),
            TenancyHttpContextExtensions.MemberRole => (true, ApiKeyRole.Member),
            TenancyHttpContextExtensions.ViewerRole => (true, ApiKeyRole.Viewer),
            _ => (false, default),
        };
        return known;
    }
}

internal static class OrganizationStreams
{
    public const string Type = "organization";

    public static string For(Guid organizationId) => $"organization-{organizationId:N}";
}
