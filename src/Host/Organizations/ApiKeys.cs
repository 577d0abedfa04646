using System.Security.Cryptography;
using System.Text;
using Npgsql;
using OutreachOS.BuildingBlocks.EventStore;

namespace OutreachOS.Host.Organizations;

/// <summary>
/// API keys: 32 random bytes, shown once. What is stored of a key (in its <c>api_key_issued.v2</c> event and in
/// <c>oos.api_keys</c>) is <see cref="ApiKeyVerifier"/>'s keyed hash, and a prefix only for generated keys: a key chosen
/// by an operator (the bootstrap key) may be short, and the organization's events are readable by its VIEWER keys.
/// </summary>
internal static class ApiKeys
{
    public const string Scheme = "oos_";

    /// <summary>"oos_" and 32 bytes in unpadded base64url.</summary>
    private const int GeneratedLength = 4 + 43;

    public static string Generate()
    {
        Span<byte> bytes = stackalloc byte[32];
        RandomNumberGenerator.Fill(bytes);
        return Scheme + Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
    }

    /// <summary>
    /// A short, non-secret prefix to recognise a key in listings: 8 of a generated key's 43 random characters (the rest
    /// keep 210 bits). An operator's key (the bootstrap key) gets none: 12 characters of a 16-character key would leave
    /// four to guess.
    /// </summary>
    public static string Prefix(string key) =>
        key.Length == GeneratedLength && key.StartsWith(Scheme, StringComparison.Ordinal) ? key[..12] : "";

    /// <summary>The verifier of <c>api_key_issued.v1</c>: an unsalted SHA-256. Only looked up, never written any more.</summary>
    public static string LegacySha256(string key) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(key)));
}

/// <summary>
/// Keyed hashes of API keys with a random secret of the deployment (ADR 0009, addendum). The secret lives in its own
/// table, never in an event: whoever reads an organization's events (its VIEWER keys, an export, the audit view) cannot
/// test guesses of a key against what they read. It is created on first use, once for all hosts of the deployment.
/// </summary>
internal sealed class ApiKeyVerifier(NpgsqlDataSource dataSource)
{
    public const string Scheme = "hmac-sha256:";

    public static readonly Migration Migration = new(23, "api key verifiers keyed with a deployment secret", """
        CREATE TABLE oos.api_key_secret (
            id          int         PRIMARY KEY CHECK (id = 1),
            secret      bytea       NOT NULL CHECK (length(secret) = 32),
            created_at  timestamptz NOT NULL DEFAULT now()
        );
        ALTER TABLE oos.api_keys RENAME COLUMN key_sha256 TO verifier;
        """);

    private readonly SemaphoreSlim _loading = new(1, 1);
    private byte[]? _secret;

    /// <summary>What is stored of a key: HMAC-SHA-256 under the deployment secret.</summary>
    public async ValueTask<string> VerifierAsync(string key, CancellationToken ct) =>
        Scheme + Convert.ToHexStringLower(HMACSHA256.HashData(await SecretAsync(ct), Encoding.UTF8.GetBytes("api-key\n" + key)));

    /// <summary>The verifiers a presented key may be stored under: this scheme's, and v1's unsalted SHA-256.</summary>
    public async ValueTask<string[]> CandidatesAsync(string key, CancellationToken ct) => Candidates(await VerifierAsync(key, ct), key);

    /// <summary>The candidates of <paramref name="key"/> when its keyed verifier is already known (a cache lookup needed it first).</summary>
    public static string[] Candidates(string verifier, string key) => [verifier, ApiKeys.LegacySha256(key)];

    /// <summary>
    /// The key's id, derived from the organization and the key under the secret, so that re-issuing the same bootstrap
    /// key (every start, several hosts at once) appends the same event id: an idempotent no-op.
    /// </summary>
    public async ValueTask<Guid> KeyIdAsync(Guid organizationId, string key, CancellationToken ct)
    {
        var bytes = HMACSHA256.HashData(await SecretAsync(ct), Encoding.UTF8.GetBytes($"api-key-id\n{organizationId:N}\n{key}"));
        bytes[6] = (byte)((bytes[6] & 0x0F) | 0x80); // version 8 (custom), variant RFC 4122
        bytes[8] = (byte)((bytes[8] & 0x3F) | 0x80);
        return new Guid(bytes.AsSpan(0, 16), bigEndian: true);
    }

    private async ValueTask<byte[]> SecretAsync(CancellationToken ct)
    {
        if (Volatile.Read(ref _secret) is { } known)
        {
            return known;
        }
        await _loading.WaitAsync(ct);
        try
        {
            while (_secret is null)
            {
                // The first host to get here creates it; every other host reads the same one. A host that lost the race
                // within the same instant sees neither row in its snapshot and reads again.
                await using var cmd = dataSource.CreateCommand("""
                    WITH created AS (
                        INSERT INTO oos.api_key_secret (id, secret) VALUES (1, $1) ON CONFLICT (id) DO NOTHING RETURNING secret)
                    SELECT secret FROM created UNION ALL SELECT secret FROM oos.api_key_secret WHERE id = 1 LIMIT 1
                    """);
                cmd.Parameters.AddWithValue(RandomNumberGenerator.GetBytes(32));
                if (await cmd.ExecuteScalarAsync(ct) is byte[] secret)
                {
                    Volatile.Write(ref _secret, secret);
                }
            }
            return _secret!;
        }
        finally
        {
            _loading.Release();
        }
    }
}
