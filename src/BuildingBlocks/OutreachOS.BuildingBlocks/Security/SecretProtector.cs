using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Configuration;

namespace OutreachOS.BuildingBlocks.Security;

/// <summary>A stored secret that cannot be read back: its key is not configured, or it was altered or moved.</summary>
public sealed class SecretUnreadableException(string message) : Exception(message);

/// <summary>
/// Encrypts secrets that must be stored in PostgreSQL (an organization's Slack signing secret and webhook URL) with
/// AES-256-GCM under a key from configuration, never from the database (ADR 0023):
/// <c>Secrets__Keys__&lt;id&gt;</c> = 32 random bytes in base64, <c>Secrets__ActiveKey</c> = the id new values are written
/// with (optional when only one key is configured). Older keys stay configured so that values written with them remain
/// readable until the re-encryption at start moves them to the active key.
/// <para>
/// Stored form: <c>enc:v1:&lt;key id&gt;:&lt;base64(nonce ‖ ciphertext ‖ tag)&gt;</c>. The associated data is the caller's
/// context (table, column, organization), so a value copied to another row or organization does not decrypt.
/// </para>
/// <para>
/// Without a key the protector is disabled: values are stored as given and a warning says so at start. Values stored
/// before a key was configured (no prefix) are read as they are and encrypted by the re-encryption at start.
/// </para>
/// </summary>
public sealed class SecretProtector
{
    public const string Prefix = "enc:v1:";
    private const int NonceSize = 12;
    private const int TagSize = 16;

    private readonly IReadOnlyDictionary<string, byte[]> _keys;

    public SecretProtector(IReadOnlyDictionary<string, byte[]> keys, string? activeKey)
    {
        ArgumentNullException.ThrowIfNull(keys);
        foreach (var (id, key) in keys)
        {
            if (key.Length != 32)
            {
                throw new InvalidOperationException($"Secrets:Keys:{id} must be 32 bytes in base64 (it is {key.Length} bytes).");
            }
            if (id.Length == 0 || id.Contains(':', StringComparison.Ordinal))
            {
                throw new InvalidOperationException($"Secrets:Keys: the key id '{id}' must be non-empty and contain no ':'.");
            }
        }
        _keys = keys;
        if (activeKey is not null && !keys.ContainsKey(activeKey))
        {
            throw new InvalidOperationException($"Secrets:ActiveKey is '{activeKey}', but no Secrets:Keys:{activeKey} is configured.");
        }
        if (activeKey is null && keys.Count > 1)
        {
            throw new InvalidOperationException("Several Secrets:Keys are configured: set Secrets:ActiveKey to the one new values are written with.");
        }
        ActiveKey = activeKey ?? keys.Keys.SingleOrDefault();
    }

    /// <summary>The id new values are encrypted with; null when no key is configured (values are stored as given).</summary>
    public string? ActiveKey { get; }

    public bool Enabled => ActiveKey is not null;

    public static SecretProtector FromConfiguration(IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var keys = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        foreach (var entry in configuration.GetSection("Secrets:Keys").GetChildren())
        {
            if (string.IsNullOrWhiteSpace(entry.Value))
            {
                continue;
            }
            try
            {
                keys[entry.Key] = Convert.FromBase64String(entry.Value.Trim());
            }
            catch (FormatException)
            {
                throw new InvalidOperationException($"Secrets:Keys:{entry.Key} is not base64 (generate one with: openssl rand -base64 32).");
            }
        }
        var active = configuration["Secrets:ActiveKey"];
        return new SecretProtector(keys, string.IsNullOrWhiteSpace(active) ? null : active.Trim());
    }

    /// <summary>The value to store: encrypted under the active key, or as given when no key is configured.</summary>
    public string Protect(string plaintext, string context)
    {
        ArgumentNullException.ThrowIfNull(plaintext);
        ArgumentNullException.ThrowIfNull(context);
        if (ActiveKey is not { } id)
        {
            return plaintext;
        }
        var data = Encoding.UTF8.GetBytes(plaintext);
        var sealedBytes = new byte[NonceSize + data.Length + TagSize];
        var nonce = sealedBytes.AsSpan(0, NonceSize);
        RandomNumberGenerator.Fill(nonce);
        using var aes = new AesGcm(_keys[id], TagSize);
        aes.Encrypt(nonce, data, sealedBytes.AsSpan(NonceSize, data.Length), sealedBytes.AsSpan(NonceSize + data.Length), Encoding.UTF8.GetBytes(context));
        return $"{Prefix}{id}:{Convert.ToBase64String(sealedBytes)}";
    }

    /// <summary>The plaintext of a stored value (a value stored before encryption was configured is returned as it is).</summary>
    public string Unprotect(string stored, string context)
    {
        ArgumentNullException.ThrowIfNull(stored);
        ArgumentNullException.ThrowIfNull(context);
        if (!stored.StartsWith(Prefix, StringComparison.Ordinal))
        {
            return stored;
        }
        SecretUnreadableException Malformed() => new($"A stored secret ({context}) is malformed.");
        var rest = stored.AsSpan(Prefix.Length);
        var colon = rest.IndexOf(':');
        if (colon <= 0)
        {
            throw Malformed();
        }
        var id = rest[..colon].ToString();
        if (!_keys.TryGetValue(id, out var key))
        {
            throw new SecretUnreadableException($"A stored secret ({context}) was encrypted with key '{id}', which is not configured (Secrets:Keys:{id}).");
        }
        byte[] sealedBytes;
        try
        {
            sealedBytes = Convert.FromBase64String(rest[(colon + 1)..].ToString());
        }
        catch (FormatException)
        {
            throw Malformed();
        }
        if (sealedBytes.Length < NonceSize + TagSize)
        {
            throw Malformed();
        }
        var length = sealedBytes.Length - NonceSize - TagSize;
        var data = new byte[length];
        try
        {
            using var aes = new AesGcm(key, TagSize);
            aes.Decrypt(sealedBytes.AsSpan(0, NonceSize), sealedBytes.AsSpan(NonceSize, length), sealedBytes.AsSpan(NonceSize + length), data,
                Encoding.UTF8.GetBytes(context));
        }
        catch (AuthenticationTagMismatchException)
        {
            throw new SecretUnreadableException($"A stored secret ({context}) does not decrypt: it was altered or belongs to another row.");
        }
        return Encoding.UTF8.GetString(data);
    }

    /// <summary>Whether a stored value should be rewritten: stored before encryption, or under a key that is no longer the active one.</summary>
    public bool NeedsRewrite(string stored)
    {
        ArgumentNullException.ThrowIfNull(stored);
        return ActiveKey is { } id && !stored.StartsWith($"{Prefix}{id}:", StringComparison.Ordinal);
    }
}
