using OutreachOS.BuildingBlocks.EventStore;

namespace OutreachOS.Host.Organizations;

public enum Tier
{
    Free,
    Pro,
    Enterprise,
}

[EventName("organization_created.v1")]
internal sealed record OrganizationCreated(Guid OrganizationId, string Name, Tier Tier, bool IsPlatformAdmin, DateTimeOffset At);

/// <summary>Only the SHA-256 of a key is ever stored; the key itself is shown once to the caller.</summary>
[EventName("api_key_issued.v1")]
internal sealed record ApiKeyIssued(Guid KeyId, Guid OrganizationId, string Name, string Prefix, string KeySha256, DateTimeOffset At);

[EventName("api_key_revoked.v1")]
internal sealed record ApiKeyRevoked(Guid KeyId, Guid OrganizationId, DateTimeOffset At);

internal static class OrganizationStreams
{
    public const string Type = "organization";

    public static string For(Guid organizationId) => $"organization-{organizationId:N}";
}
