using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Configuration;
using OutreachOS.Ingestion;
using OutreachOS.Ingestion.OAuth;

namespace OutreachOS.UnitTests.Ingestion.OAuth;

/// <summary>Gmail through a service account's domain-wide delegation: configuration, precedence and the signed assertion.</summary>
public sealed class ServiceAccountDelegationTests : IDisposable
{
    private readonly RSA _rsa = RSA.Create(2048);

    public void Dispose() => _rsa.Dispose();

    private string KeyJson(string type = "service_account") => new JsonObject
    {
        ["type"] = type,
        ["project_id"] = "acme-mail",
        ["private_key_id"] = "kid-123",
        ["private_key"] = _rsa.ExportPkcs8PrivateKeyPem(),
        ["client_email"] = "ingest@acme-mail.iam.gserviceaccount.com",
        ["token_uri"] = "https://oauth2.example.test/token",
    }.ToJsonString();

    private static IngestionOptions Load(Dictionary<string, string?> settings)
    {
        settings.TryAdd("Ingestion:Gmail:ServiceAccountEmail", "push@p.iam.gserviceaccount.com");
        return IngestionOptions.From(new ConfigurationBuilder().AddInMemoryCollection(settings).Build());
    }

    private Dictionary<string, string?> Settings() => new()
    {
        ["Ingestion:Gmail:ServiceAccount:KeyJson"] = KeyJson(),
        ["Ingestion:Gmail:Mailboxes:0:EmailAddress"] = "support@acme.test",
        ["Ingestion:Gmail:Mailboxes:0:OrganizationId"] = Guid.NewGuid().ToString(),
        ["Ingestion:Gmail:Mailboxes:1:EmailAddress"] = "ceo@acme.test",
        ["Ingestion:Gmail:Mailboxes:1:OrganizationId"] = Guid.NewGuid().ToString(),
        ["Ingestion:Gmail:Mailboxes:1:OAuth:ClientId"] = "cid",
        ["Ingestion:Gmail:Mailboxes:1:OAuth:ClientSecret"] = "csecret",
        ["Ingestion:Gmail:Mailboxes:1:OAuth:RefreshToken"] = "ceo-refresh",
    };

    [Fact]
    public void A_mailbox_without_its_own_refresh_token_is_served_as_itself_by_the_service_account_and_its_own_token_wins()
    {
        var options = Load(Settings());
        var delegated = options.Gmail.Mailboxes[0].OAuth!;
        Assert.Equal(ServiceAccountDelegation.GrantType, delegated.GrantType);
        Assert.Equal(("support@acme.test", ServiceAccountDelegation.DefaultScope), (delegated.Delegation!.Subject, delegated.Delegation.Scope));
        Assert.Equal(new Uri("https://oauth2.example.test/token"), delegated.TokenUrl);
        Assert.Equal("refresh_token", options.Gmail.Mailboxes[1].OAuth!.GrantType);
        Assert.Null(options.Gmail.OAuth); // no shared refresh token needed

        // Never the private key in anything printed, and the token request carries only the grant and the assertion.
        var printed = string.Join(" ", options.Gmail.Mailboxes[0].ToString(), delegated.ToString(), delegated.Delegation.ToString());
        Assert.DoesNotContain("PRIVATE KEY", printed, StringComparison.Ordinal);
        Assert.Contains("delegated", options.Gmail.Mailboxes[0].ToString(), StringComparison.Ordinal);
        Assert.Equal(["grant_type", "assertion"], delegated.Form(DateTimeOffset.UtcNow).Select(kv => kv.Key));
        Assert.Contains(delegated.Delegation.Key.PrivateKeyPem, delegated.Secrets());
    }

    [Fact]
    public void The_assertion_is_an_rs256_jwt_for_the_mailbox_signed_with_the_service_accounts_key()
    {
        var delegated = Load(Settings()).Gmail.Mailboxes[0].OAuth!;
        var now = DateTimeOffset.Parse("2026-12-02T12:00:00Z", CultureInfo.InvariantCulture);
        var jwt = delegated.Form(now).Single(kv => kv.Key == "assertion").Value;
        var parts = jwt.Split('.');
        Assert.Equal(3, parts.Length);

        var header = JsonNode.Parse(Decode(parts[0]))!;
        Assert.Equal(("RS256", "JWT", "kid-123"), (header["alg"]!.GetValue<string>(), header["typ"]!.GetValue<string>(), header["kid"]!.GetValue<string>()));
        var claims = JsonNode.Parse(Decode(parts[1]))!;
        Assert.Equal("ingest@acme-mail.iam.gserviceaccount.com", claims["iss"]!.GetValue<string>());
        Assert.Equal("support@acme.test", claims["sub"]!.GetValue<string>());
        Assert.Equal(ServiceAccountDelegation.DefaultScope, claims["scope"]!.GetValue<string>());
        Assert.Equal("https://oauth2.example.test/token", claims["aud"]!.GetValue<string>());
        Assert.Equal(now.ToUnixTimeSeconds(), claims["iat"]!.GetValue<long>());
        Assert.Equal(now.ToUnixTimeSeconds() + 3600, claims["exp"]!.GetValue<long>());

        Assert.True(_rsa.VerifyData(Encoding.ASCII.GetBytes(parts[0] + "." + parts[1]), Decode(parts[2]), HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1));
        using var other = RSA.Create(2048);
        Assert.False(other.VerifyData(Encoding.ASCII.GetBytes(parts[0] + "." + parts[1]), Decode(parts[2]), HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1));
    }

    [Fact]
    public void A_key_file_is_read_and_scopes_can_be_set()
    {
        var path = Path.Combine(Path.GetTempPath(), $"sa-{Guid.NewGuid():N}.json");
        File.WriteAllText(path, KeyJson());
        try
        {
            var settings = Settings();
            settings.Remove("Ingestion:Gmail:ServiceAccount:KeyJson");
            settings["Ingestion:Gmail:ServiceAccount:KeyFile"] = path;
            settings["Ingestion:Gmail:ServiceAccount:Scopes"] = "https://www.googleapis.com/auth/gmail.readonly, https://www.googleapis.com/auth/gmail.send";
            var delegation = Load(settings).Gmail.Mailboxes[0].OAuth!.Delegation!;
            Assert.Equal("https://www.googleapis.com/auth/gmail.readonly https://www.googleapis.com/auth/gmail.send", delegation.Scope);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Theory]
    [InlineData("not json", "is not a valid service account key")]
    [InlineData("{\"type\":\"authorized_user\"}", "is a 'authorized_user' key, not a service account key")]
    [InlineData("{\"type\":\"service_account\",\"client_email\":\"x@y\"}", "has no private_key")]
    [InlineData("{\"type\":\"service_account\",\"client_email\":\"x@y\",\"private_key\":\"-----BEGIN PRIVATE KEY-----\\nAAAA\\n-----END PRIVATE KEY-----\\n\"}", "is not a valid service account key")]
    public void A_bad_key_fails_at_start_up_naming_the_setting_and_never_its_content(string json, string expected)
    {
        var settings = Settings();
        settings["Ingestion:Gmail:ServiceAccount:KeyJson"] = json;
        var e = Assert.Throws<InvalidOperationException>(() => Load(settings));
        Assert.Contains("Ingestion:Gmail:ServiceAccount:KeyJson", e.Message, StringComparison.Ordinal);
        Assert.Contains(expected, e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("AAAA", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Both_a_key_file_and_inline_json_is_an_error_and_an_unreadable_file_is_named()
    {
        var both = Settings();
        both["Ingestion:Gmail:ServiceAccount:KeyFile"] = "/nonexistent/key.json";
        Assert.Contains("not both", Assert.Throws<InvalidOperationException>(() => Load(both)).Message, StringComparison.Ordinal);
        var missing = Settings();
        missing.Remove("Ingestion:Gmail:ServiceAccount:KeyJson");
        missing["Ingestion:Gmail:ServiceAccount:KeyFile"] = "/nonexistent/key.json";
        Assert.Contains("'/nonexistent/key.json' cannot be read", Assert.Throws<InvalidOperationException>(() => Load(missing)).Message, StringComparison.Ordinal);
    }

    private static byte[] Decode(string part) => OutreachOS.Ingestion.Gmail.JwtRs256.Base64Url(part);
}
