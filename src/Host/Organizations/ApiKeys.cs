using System.Security.Cryptography;
using System.Text;

namespace OutreachOS.Host.Organizations;

/// <summary>
/// API keys: 32 random bytes, shown once, stored as SHA-256. Keys carry enough entropy that a fast hash is safe
/// (no dictionary to attack), which keeps per-request authentication to one indexed lookup.
/// </summary>
internal static class ApiKeys
{
    public const string Scheme = "oos_";

    public static string Generate()
    {
        Span<byte> bytes = stackalloc byte[32];
        RandomNumberGenerator.Fill(bytes);
        return Scheme + Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
    }

    public static string Hash(string key) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(key)));

    /// <summary>A short, non-secret prefix to recognise a key in listings.</summary>
    public static string Prefix(string key) => key.Length <= 12 ? key[..Math.Min(4, key.Length)] : key[..12];
}
