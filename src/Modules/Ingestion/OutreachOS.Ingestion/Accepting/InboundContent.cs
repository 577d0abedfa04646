using System.Security.Cryptography;
using System.Text.Json;
using OutreachOS.Ingestion.Contracts;

namespace OutreachOS.Ingestion.Accepting;

/// <summary>
/// What makes two posts under one Message-ID the same message: SHA-256 (hex) of the normalized message without its
/// received time (which defaults to the time of acceptance, so a retry that leaves it out would differ), headers in
/// ordinal order. Stored as the <c>content_sha256</c> metadata of <c>inbound_received.v1</c>.
/// </summary>
internal static class InboundContent
{
    public const string MetadataKey = "content_sha256";

    public static string Sha256(InboundEmail e)
    {
        var canonical = JsonSerializer.SerializeToUtf8Bytes(new
        {
            e.MessageId,
            e.ThreadId,
            e.From,
            e.To,
            e.Cc,
            e.Subject,
            e.Text,
            e.Html,
            Headers = e.Headers.OrderBy(h => h.Key, StringComparer.Ordinal).Select(h => new[] { h.Key, h.Value }),
            e.InReplyTo,
            e.References,
        });
        return Convert.ToHexStringLower(SHA256.HashData(canonical));
    }
}
