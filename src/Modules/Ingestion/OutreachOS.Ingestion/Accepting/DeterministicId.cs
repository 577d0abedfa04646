using System.Security.Cryptography;
using System.Text;

namespace OutreachOS.Ingestion.Accepting;

/// <summary>
/// Name-based ids (SHA-256, UUID version 8). The inbound id of (organization, Message-ID) is always the same, so a
/// re-posted or re-notified message lands on the same stream, and its first event id is fixed, so the event store's
/// idempotent append turns every repeat — sequential or concurrent — into a no-op.
/// </summary>
internal static class DeterministicId
{
    public static Guid For(Guid scope, string name)
    {
        var bytes = SHA256.HashData(Encoding.UTF8.GetBytes($"{scope:N}:{name}"));
        bytes[6] = (byte)((bytes[6] & 0x0F) | 0x80);
        bytes[8] = (byte)((bytes[8] & 0x3F) | 0x80);
        return new Guid(bytes.AsSpan(0, 16), bigEndian: true);
    }

    /// <summary>Inbound id of a message: the Message-ID without angle brackets, so "&lt;a@b&gt;" and "a@b" are one message.</summary>
    public static Guid Inbound(Guid organizationId, string messageId) =>
        For(organizationId, "inbound:" + Normalizing.MessageIds.Bare(messageId));

    /// <summary>
    /// Inbound id of a mailbox message whose Message-ID another message (other <see cref="InboundContent.MessageSha256"/>)
    /// already holds: derived from both, so the same message delivered again lands on the same stream.
    /// </summary>
    public static Guid InboundReused(Guid organizationId, string messageId, string messageSha256) =>
        For(organizationId, "inbound:" + Normalizing.MessageIds.Bare(messageId) + "#message_sha256:" + messageSha256);
}
