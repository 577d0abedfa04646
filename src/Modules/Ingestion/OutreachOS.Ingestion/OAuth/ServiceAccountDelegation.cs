using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Configuration;

namespace OutreachOS.Ingestion.OAuth;

/// <summary>
/// A Google service account key (the JSON file Google Cloud issues: <c>client_email</c>, <c>private_key</c>,
/// <c>private_key_id</c>, <c>token_uri</c>). <see cref="ToString"/> leaves the private key out.
/// </summary>
internal sealed record ServiceAccountKey(string ClientEmail, string PrivateKeyPem, string? PrivateKeyId, Uri TokenUri)
{
    public override string ToString() => $"service account {ClientEmail} (key {PrivateKeyId ?? "-"})";

    /// <summary>Parses and checks a key file's JSON: the private key must load as RSA, or start-up fails naming <paramref name="source"/>.</summary>
    public static ServiceAccountKey Parse(string json, string source)
    {
        try
        {
            using var doc = JsonDocument.Parse(json);
            var root = doc.RootElement;
            string? Text(string name) => root.ValueKind == JsonValueKind.Object && root.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String
                ? v.GetString()
                : null;
            if (Text("type") is { } type && type != "service_account")
            {
                throw new InvalidOperationException($"{source} is a '{type}' key, not a service account key.");
            }
            var key = new ServiceAccountKey(
                Text("client_email") is { Length: > 0 } email ? email : throw new InvalidOperationException($"{source} has no client_email."),
                Text("private_key") is { Length: > 0 } pem ? pem : throw new InvalidOperationException($"{source} has no private_key."),
                Text("private_key_id"),
                new Uri(Text("token_uri") is { Length: > 0 } uri ? uri : OAuthClientOptions.GoogleTokenUrl, UriKind.Absolute));
            using var rsa = RSA.Create();
            rsa.ImportFromPem(key.PrivateKeyPem); // fails now rather than at the first token request
            return key;
        }
        catch (Exception e) when (e is JsonException or ArgumentException or CryptographicException or UriFormatException)
        {
            // Never the key's content in the message.
            throw new InvalidOperationException($"{source} is not a valid service account key: {e.GetType().Name}.", e);
        }
    }
}

/// <summary>
/// Domain-wide delegation: the service account acts as <see cref="Subject"/> (one mailbox of the Workspace domain) with
/// <see cref="Scope"/>, through the JWT-bearer grant (RFC 7523). The assertion is signed per token request (RS256) and
/// valid for an hour.
/// </summary>
internal sealed record ServiceAccountDelegation(ServiceAccountKey Key, string Subject, string Scope)
{
    public const string GrantType = "urn:ietf:params:oauth:grant-type:jwt-bearer";
    public const string DefaultScope = "https://www.googleapis.com/auth/gmail.readonly";
    public static readonly TimeSpan AssertionLifetime = TimeSpan.FromHours(1);

    public override string ToString() => $"{Key} as {Subject}";

    /// <summary>The signed assertion: header {alg, typ, kid}, claims {iss, sub, scope, aud, iat, exp}.</summary>
    public string Assertion(DateTimeOffset now)
    {
        var header = new Dictionary<string, string> { ["alg"] = "RS256", ["typ"] = "JWT" };
        if (Key.PrivateKeyId is { } kid)
        {
            header["kid"] = kid;
        }
        var iat = now.ToUnixTimeSeconds();
        var claims = new Dictionary<string, object>
        {
            ["iss"] = Key.ClientEmail,
            ["sub"] = Subject,
            ["scope"] = Scope,
            ["aud"] = Key.TokenUri.ToString(),
            ["iat"] = iat,
            ["exp"] = iat + (long)AssertionLifetime.TotalSeconds,
        };
        var signingInput = Base64Url.EncodeToString(JsonSerializer.SerializeToUtf8Bytes(header)) + "." + Base64Url.EncodeToString(JsonSerializer.SerializeToUtf8Bytes(claims));
        using var rsa = RSA.Create();
        rsa.ImportFromPem(Key.PrivateKeyPem);
        var signature = rsa.SignData(Encoding.ASCII.GetBytes(signingInput), HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        return signingInput + "." + Base64Url.EncodeToString(signature);
    }

    /// <summary>
    /// <c>Ingestion:Gmail:ServiceAccount</c>: <c>KeyFile</c> (a path) or <c>KeyJson</c> (the file's content), and
    /// <c>Scopes</c> (space-separated, default gmail.readonly). Null when neither key setting is present.
    /// </summary>
    public static (ServiceAccountKey Key, string Scope)? FromConfiguration(IConfigurationSection gmail)
    {
        var s = gmail.GetSection("ServiceAccount");
        var file = s["KeyFile"];
        var json = s["KeyJson"];
        var fromFile = !string.IsNullOrWhiteSpace(file);
        var inline = !string.IsNullOrWhiteSpace(json);
        if (!fromFile && !inline)
        {
            return null;
        }
        if (fromFile && inline)
        {
            throw new InvalidOperationException($"Set either {s.Path}:KeyFile or {s.Path}:KeyJson, not both.");
        }
        string content;
        try
        {
            content = fromFile ? File.ReadAllText(file!) : json!;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new InvalidOperationException($"{s.Path}:KeyFile '{file}' cannot be read: {e.Message}", e);
        }
        var key = ServiceAccountKey.Parse(content, fromFile ? $"{s.Path}:KeyFile" : $"{s.Path}:KeyJson");
        var scope = s["Scopes"] is { Length: > 0 } scopes ? string.Join(' ', scopes.Split([' ', ','], StringSplitOptions.RemoveEmptyEntries)) : DefaultScope;
        return (key, scope);
    }
}
