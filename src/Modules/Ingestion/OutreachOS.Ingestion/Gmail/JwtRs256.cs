using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace OutreachOS.Ingestion.Gmail;

/// <summary>What a Pub/Sub push token must satisfy.</summary>
/// <param name="ServiceAccountEmail">The push subscription's service account: required, since anyone can get a
/// Google-signed token with any audience for an account of their own.</param>
internal sealed record OidcExpectations(string Audience, string ServiceAccountEmail, TimeSpan ClockSkew);

internal sealed record OidcResult(bool Valid, string? Error, string? Email)
{
    public static OidcResult Fail(string error) => new(false, error, null);
}

/// <summary>
/// Verifies a Google-signed OIDC ID token (JWT, RS256) with the BCL only: signature against the JWKS key named by
/// <c>kid</c>, issuer accounts.google.com, audience, expiry, and the push service account's verified e-mail (without an
/// expected account nothing passes). Pure: keys and time come in.
/// </summary>
internal static class JwtRs256
{
    private static readonly string[] Issuers = ["accounts.google.com", "https://accounts.google.com"];

    public static OidcResult Validate(string token, IReadOnlyDictionary<string, RSAParameters> keys, OidcExpectations expected, DateTimeOffset now)
    {
        var parts = token.Split('.');
        if (parts.Length != 3)
        {
            return OidcResult.Fail("not a JWT");
        }
        JsonElement header, payload;
        byte[] signature;
        try
        {
            header = JsonDocument.Parse(Base64Url(parts[0])).RootElement.Clone();
            payload = JsonDocument.Parse(Base64Url(parts[1])).RootElement.Clone();
            signature = Base64Url(parts[2]);
        }
        catch (Exception e) when (e is FormatException or JsonException)
        {
            return OidcResult.Fail("malformed token");
        }
        if (Str(header, "alg") != "RS256")
        {
            return OidcResult.Fail("alg must be RS256");
        }
        var kid = Str(header, "kid");
        RSAParameters key;
        if (kid is not null)
        {
            if (!keys.TryGetValue(kid, out key))
            {
                return OidcResult.Fail("unknown signing key");
            }
        }
        else if (keys.Count == 1)
        {
            key = keys.Values.Single();
        }
        else
        {
            return OidcResult.Fail("unknown signing key");
        }
        using (var rsa = RSA.Create(key))
        {
            var signed = Encoding.ASCII.GetBytes(parts[0] + "." + parts[1]);
            if (!rsa.VerifyData(signed, signature, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1))
            {
                return OidcResult.Fail("bad signature");
            }
        }
        if (payload.ValueKind != JsonValueKind.Object)
        {
            return OidcResult.Fail("malformed claims");
        }
        if (!Issuers.Contains(Str(payload, "iss"), StringComparer.Ordinal))
        {
            return OidcResult.Fail("wrong issuer");
        }
        if (!Audiences(payload).Contains(expected.Audience, StringComparer.Ordinal))
        {
            return OidcResult.Fail("wrong audience");
        }
        if (!payload.TryGetProperty("exp", out var exp) || exp.ValueKind != JsonValueKind.Number
            || DateTimeOffset.FromUnixTimeSeconds(exp.GetInt64()) + expected.ClockSkew < now)
        {
            return OidcResult.Fail("expired");
        }
        if (payload.TryGetProperty("iat", out var iat) && iat.ValueKind == JsonValueKind.Number
            && DateTimeOffset.FromUnixTimeSeconds(iat.GetInt64()) - expected.ClockSkew > now)
        {
            return OidcResult.Fail("issued in the future");
        }
        var email = Str(payload, "email");
        var verified = payload.TryGetProperty("email_verified", out var v) && (v.ValueKind == JsonValueKind.True
            || (v.ValueKind == JsonValueKind.String && v.GetString() == "true"));
        if (string.IsNullOrEmpty(expected.ServiceAccountEmail) || !string.Equals(email, expected.ServiceAccountEmail, StringComparison.OrdinalIgnoreCase) || !verified)
        {
            return OidcResult.Fail("service account not allowed");
        }
        return new OidcResult(true, null, email);
    }

    /// <summary>RSA public keys of a JWKS document by kid (only RSA keys meant for signatures).</summary>
    public static Dictionary<string, RSAParameters> ParseJwks(string json)
    {
        var keys = new Dictionary<string, RSAParameters>(StringComparer.Ordinal);
        using var doc = JsonDocument.Parse(json);
        if (!doc.RootElement.TryGetProperty("keys", out var list) || list.ValueKind != JsonValueKind.Array)
        {
            return keys;
        }
        foreach (var k in list.EnumerateArray())
        {
            if (Str(k, "kty") != "RSA" || Str(k, "use") is { } use && use != "sig" || Str(k, "n") is not { } n || Str(k, "e") is not { } e)
            {
                continue;
            }
            keys[Str(k, "kid") ?? ""] = new RSAParameters { Modulus = Base64Url(n), Exponent = Base64Url(e) };
        }
        return keys;
    }

    internal static byte[] Base64Url(string s)
    {
        var b = s.Replace('-', '+').Replace('_', '/');
        b = b.PadRight(b.Length + (4 - b.Length % 4) % 4, '=');
        return Convert.FromBase64String(b);
    }

    private static IEnumerable<string> Audiences(JsonElement payload) =>
        !payload.TryGetProperty("aud", out var aud) ? []
        : aud.ValueKind == JsonValueKind.String ? [aud.GetString()!]
        : aud.ValueKind == JsonValueKind.Array ? aud.EnumerateArray().Where(a => a.ValueKind == JsonValueKind.String).Select(a => a.GetString()!)
        : [];

    private static string? Str(JsonElement e, string name) =>
        e.ValueKind == JsonValueKind.Object && e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;
}
