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

    /// <summary>Metadata of <c>inbound_received.v1</c>: <see cref="MessageSha256"/>.</summary>
    public const string MessageMetadataKey = "message_sha256";

    /// <summary>
    /// Metadata of an <c>inbound_received.v1</c> kept under a derived inbound id: the inbound id of the message that
    /// holds its Message-ID first.
    /// </summary>
    public const string ReusedFromMetadataKey = "message_id_reused_from";

    /// <summary>
    /// What one message keeps wherever it is delivered: SHA-256 (hex) of the bare Message-ID, the sender's address, the
    /// subject and the text. Headers, thread ids, HTML and recipients are left out: a copy of one message in two
    /// mailboxes (or two folders) differs in delivery headers and provider thread ids, and must stay one inbound message.
    /// Stored as the <c>message_sha256</c> metadata of <c>inbound_received.v1</c>; compared on the mailbox path only.
    /// </summary>
    public static string MessageSha256(InboundEmail e)
    {
        var canonical = JsonSerializer.SerializeToUtf8Bytes(new[]
        {
            Normalizing.MessageIds.Bare(e.MessageId), e.From.Email, e.Subject, e.Text,
        });
        return Convert.ToHexStringLower(SHA256.HashData(canonical));
    }

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
