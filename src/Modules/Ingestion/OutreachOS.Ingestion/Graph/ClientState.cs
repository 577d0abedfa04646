using System.Security.Cryptography;
using System.Text;

namespace OutreachOS.Ingestion.Graph;

/// <summary>
/// The Graph <c>clientState</c> check. Both sides are hashed first so the comparison is constant-time whatever their
/// lengths (FixedTimeEquals alone returns early on a length difference).
/// </summary>
internal static class ClientState
{
    public static bool Matches(string? presented, string expected)
    {
        if (presented is null || expected.Length == 0)
        {
            return false;
        }
        Span<byte> a = stackalloc byte[32];
        Span<byte> b = stackalloc byte[32];
        SHA256.HashData(Encoding.UTF8.GetBytes(presented), a);
        SHA256.HashData(Encoding.UTF8.GetBytes(expected), b);
        return CryptographicOperations.FixedTimeEquals(a, b);
    }
}
