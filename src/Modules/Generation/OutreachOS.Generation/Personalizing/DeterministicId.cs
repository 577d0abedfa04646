using System.Security.Cryptography;
using System.Text;

namespace OutreachOS.Generation.Personalizing;

internal static class DeterministicId
{
    /// <summary>
    /// A name-based id (SHA-256, version 8): the credit reservation of "request R, attempt set N" always has the same id,
    /// so a retried call reserves, settles or refunds it at most once.
    /// </summary>
    public static Guid For(Guid requestId, string purpose)
    {
        var bytes = SHA256.HashData(Encoding.UTF8.GetBytes($"{requestId:N}:{purpose}"));
        bytes[6] = (byte)((bytes[6] & 0x0F) | 0x80);
        bytes[8] = (byte)((bytes[8] & 0x3F) | 0x80);
        return new Guid(bytes.AsSpan(0, 16), bigEndian: true);
    }
}
