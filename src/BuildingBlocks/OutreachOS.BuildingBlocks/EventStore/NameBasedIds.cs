using System.Security.Cryptography;
using System.Text;

namespace OutreachOS.BuildingBlocks.EventStore;

/// <summary>
/// Name-based ids (SHA-256 of a name, UUID version 8, RFC 4122 variant). An event whose id derives from what it means
/// is appended at most once however often its command is retried. Event ids are unique across organizations, so a
/// name that a caller can choose must include the caller's organization (<see cref="ForTenant"/>): otherwise one
/// organization could claim, or probe for, an id another organization's event will need.
/// </summary>
public static class NameBasedIds
{
    /// <summary>The id of <paramref name="name"/>, exactly as given (callers keep their historical name formats).</summary>
    public static Guid Of(string name)
    {
        Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(Encoding.UTF8.GetBytes(name), hash);
        hash[6] = (byte)((hash[6] & 0x0F) | 0x80);
        hash[8] = (byte)((hash[8] & 0x3F) | 0x80);
        return new Guid(hash[..16], bigEndian: true);
    }

    /// <summary>The id of "<paramref name="scope"/>:<paramref name="name"/>" (scope in 32 hex digits).</summary>
    public static Guid For(Guid scope, string name) => Of($"{scope:N}:{name}");

    /// <summary>An id scoped to one organization: the same name in two organizations gives two ids.</summary>
    public static Guid ForTenant(Guid tenantId, string kind, string name) => Of($"tenant:{tenantId:N}:{kind}:{name}");
}
