using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using OutreachOS.Ingestion.Gmail;

namespace OutreachOS.UnitTests.Ingestion;

public sealed class JwtRs256Tests : IDisposable
{
    private static readonly DateTimeOffset Now = DateTimeOffset.Parse("2026-11-22T10:00:00Z", System.Globalization.CultureInfo.InvariantCulture);
    private static readonly OidcExpectations Expected = new("https://app.test/ingest/gmail", "push@p.iam.gserviceaccount.com", TimeSpan.FromMinutes(5));
    private readonly RSA _key = RSA.Create(2048);
    private readonly RSA _other = RSA.Create(2048);

    public void Dispose()
    {
        _key.Dispose();
        _other.Dispose();
    }

    [Fact]
    public void A_google_signed_token_for_our_audience_and_service_account_is_valid()
    {
        var result = JwtRs256.Validate(Token(Claims()), Keys(), Expected, Now);
        Assert.True(result.Valid, result.Error);
        Assert.Equal("push@p.iam.gserviceaccount.com", result.Email);
    }

    [Theory]
    [InlineData("aud", "wrong audience")]
    [InlineData("iss", "wrong issuer")]
    [InlineData("exp", "expired")]
    [InlineData("email", "service account not allowed")]
    [InlineData("unverified", "service account not allowed")]
    public void A_token_failing_a_claim_is_rejected(string broken, string error)
    {
        var claims = Claims();
        switch (broken)
        {
            case "aud": claims["aud"] = "https://other.test"; break;
            case "iss": claims["iss"] = "https://accounts.google.com.evil.test"; break;
            case "exp": claims["exp"] = Now.AddMinutes(-6).ToUnixTimeSeconds(); break;
            case "email": claims["email"] = "x@p.iam.gserviceaccount.com"; break;
            default: claims["email_verified"] = false; break;
        }
        var result = JwtRs256.Validate(Token(claims), Keys(), Expected, Now);
        Assert.False(result.Valid);
        Assert.Equal(error, result.Error);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    public void Without_an_expected_service_account_no_token_is_accepted(string? serviceAccount)
    {
        // Any Google-signed token with our audience would otherwise pass: anyone can mint one for their own account.
        var result = JwtRs256.Validate(Token(Claims()), Keys(), Expected with { ServiceAccountEmail = serviceAccount! }, Now);
        Assert.False(result.Valid);
        Assert.Equal("service account not allowed", result.Error);
    }

    [Fact]
    public void An_expiry_within_the_clock_skew_is_accepted()
    {
        var claims = Claims();
        claims["exp"] = Now.AddMinutes(-4).ToUnixTimeSeconds();
        Assert.True(JwtRs256.Validate(Token(claims), Keys(), Expected, Now).Valid);
    }

    [Fact]
    public void A_token_signed_by_another_key_or_tampered_with_is_rejected()
    {
        Assert.Equal("bad signature", JwtRs256.Validate(Token(Claims(), _other), Keys(), Expected, Now).Error);
        var token = Token(Claims());
        var parts = token.Split('.');
        var forged = Claims();
        forged["email"] = "attacker@p.iam.gserviceaccount.com";
        var tampered = parts[0] + "." + B64(JsonSerializer.SerializeToUtf8Bytes(forged)) + "." + parts[2];
        Assert.Equal("bad signature", JwtRs256.Validate(tampered, Keys(), Expected, Now).Error);
    }

    [Fact]
    public void Alg_none_and_unknown_kids_are_rejected()
    {
        var header = B64(JsonSerializer.SerializeToUtf8Bytes(new { alg = "none", kid = "k1" }));
        var none = header + "." + B64(JsonSerializer.SerializeToUtf8Bytes(Claims())) + ".";
        Assert.Equal("alg must be RS256", JwtRs256.Validate(none, Keys(), Expected, Now).Error);
        Assert.Equal("unknown signing key", JwtRs256.Validate(Token(Claims(), kid: "k9"), Keys(), Expected, Now).Error);
        Assert.False(JwtRs256.Validate("not.a-jwt", Keys(), Expected, Now).Valid);
    }

    [Fact]
    public void Jwks_rsa_signature_keys_are_read_by_kid()
    {
        var p = _key.ExportParameters(false);
        var json = JsonSerializer.Serialize(new
        {
            keys = new object[]
            {
                new { kty = "RSA", use = "sig", kid = "k1", n = B64(p.Modulus!), e = B64(p.Exponent!) },
                new { kty = "EC", use = "sig", kid = "k2", crv = "P-256" },
            },
        });
        var keys = JwtRs256.ParseJwks(json);
        Assert.Equal(["k1"], keys.Keys);
        Assert.True(JwtRs256.Validate(Token(Claims()), keys, Expected, Now).Valid);
    }

    private Dictionary<string, RSAParameters> Keys() => new() { ["k1"] = _key.ExportParameters(false) };

    private static Dictionary<string, object> Claims() => new()
    {
        ["iss"] = "https://accounts.google.com",
        ["aud"] = "https://app.test/ingest/gmail",
        ["iat"] = Now.AddMinutes(-1).ToUnixTimeSeconds(),
        ["exp"] = Now.AddMinutes(59).ToUnixTimeSeconds(),
        ["email"] = "push@p.iam.gserviceaccount.com",
        ["email_verified"] = true,
    };

    private string Token(Dictionary<string, object> claims, RSA? key = null, string kid = "k1")
    {
        var header = B64(JsonSerializer.SerializeToUtf8Bytes(new { alg = "RS256", kid, typ = "JWT" }));
        var payload = B64(JsonSerializer.SerializeToUtf8Bytes(claims));
        var sig = (key ?? _key).SignData(Encoding.ASCII.GetBytes(header + "." + payload), HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        return header + "." + payload + "." + B64(sig);
    }

    private static string B64(byte[] b) => Convert.ToBase64String(b).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
