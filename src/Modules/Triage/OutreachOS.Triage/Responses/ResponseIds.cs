using System.Security.Cryptography;
using System.Text;

namespace OutreachOS.Triage.Responses;

/// <summary>
/// Name-based ids (SHA-256, version 8) derived from the decision: the draft, the Message-ID and every event of one
/// decision have the same id however often the decision is delivered, so a retry appends nothing new.
/// </summary>
internal static class ResponseIds
{
    public static Guid For(Guid decisionId, string purpose)
    {
        var bytes = SHA256.HashData(Encoding.UTF8.GetBytes($"triage-response:{decisionId:N}:{purpose}"));
        bytes[6] = (byte)((bytes[6] & 0x0F) | 0x80);
        bytes[8] = (byte)((bytes[8] & 0x3F) | 0x80);
        return new Guid(bytes.AsSpan(0, 16), bigEndian: true);
    }

    public static Guid DraftId(Guid decisionId) => For(decisionId, "draft");

    /// <summary>The RFC 5322 Message-ID of the reply to this decision (angle brackets included).</summary>
    public static string SmtpMessageId(Guid decisionId, string fromAddress)
    {
        var at = fromAddress.LastIndexOf('@');
        var domain = at > 0 && at < fromAddress.Length - 1 ? fromAddress[(at + 1)..] : "outreachos.local";
        return $"<reply-{decisionId:N}@{domain}>";
    }

    /// <summary>Support ticket number shown to the customer: short, stable for the inbound message.</summary>
    public static string TicketId(Guid inboundId) =>
        "TCK-" + inboundId.ToString("N")[..8].ToUpperInvariant();
}
