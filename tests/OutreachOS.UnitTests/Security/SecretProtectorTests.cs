using Microsoft.Extensions.Configuration;
using OutreachOS.BuildingBlocks.Security;

namespace OutreachOS.UnitTests.Security;

public sealed class SecretProtectorTests
{
    private static readonly byte[] KeyA = [.. Enumerable.Range(0, 32).Select(i => (byte)i)];
    private static readonly byte[] KeyB = [.. Enumerable.Range(100, 32).Select(i => (byte)i)];
    private const string Context = "table.column:tenant-1";

    private static SecretProtector Only(string id, byte[] key) => new(new Dictionary<string, byte[]> { [id] = key }, null);

    [Fact]
    public void A_value_round_trips_and_is_stored_encrypted_under_the_active_key_with_a_fresh_nonce()
    {
        var p = Only("a", KeyA);
        var first = p.Protect("plain-secret-value", Context);
        var second = p.Protect("plain-secret-value", Context);

        Assert.StartsWith("enc:v1:a:", first, StringComparison.Ordinal);
        Assert.DoesNotContain("secret", first, StringComparison.Ordinal);
        Assert.NotEqual(first, second);
        Assert.Equal("plain-secret-value", p.Unprotect(first, Context));
        Assert.Equal("", p.Unprotect(p.Protect("", Context), Context));
        Assert.False(p.NeedsRewrite(first));
    }

    [Fact]
    public void A_value_moved_to_another_context_or_altered_does_not_decrypt()
    {
        var p = Only("a", KeyA);
        var stored = p.Protect("secret", Context);

        Assert.Throws<SecretUnreadableException>(() => p.Unprotect(stored, "table.column:tenant-2"));
        var bytes = Convert.FromBase64String(stored["enc:v1:a:".Length..]);
        bytes[^1] ^= 1;
        Assert.Throws<SecretUnreadableException>(() => p.Unprotect("enc:v1:a:" + Convert.ToBase64String(bytes), Context));
        Assert.Throws<SecretUnreadableException>(() => p.Unprotect("enc:v1:a:not-base64!", Context));
        Assert.Throws<SecretUnreadableException>(() => p.Unprotect("enc:v1:a:AAAA", Context));
        Assert.Throws<SecretUnreadableException>(() => p.Unprotect("enc:v1:nokeyid", Context));
    }

    [Fact]
    public void A_value_under_a_key_that_is_not_configured_names_the_key()
    {
        var stored = Only("a", KeyA).Protect("secret", Context);
        var ex = Assert.Throws<SecretUnreadableException>(() => Only("b", KeyB).Unprotect(stored, Context));
        Assert.Contains("Secrets:Keys:a", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Rotation_reads_the_old_key_writes_the_active_one_and_flags_what_to_rewrite()
    {
        var old = Only("a", KeyA).Protect("secret", Context);
        var both = new SecretProtector(new Dictionary<string, byte[]> { ["a"] = KeyA, ["b"] = KeyB }, "b");

        Assert.Equal("secret", both.Unprotect(old, Context));
        Assert.True(both.NeedsRewrite(old));
        Assert.True(both.NeedsRewrite("plain legacy value"));
        var rewritten = both.Protect("secret", Context);
        Assert.StartsWith("enc:v1:b:", rewritten, StringComparison.Ordinal);
        Assert.False(both.NeedsRewrite(rewritten));
    }

    [Fact]
    public void Without_a_key_values_are_stored_as_given_and_legacy_values_read_as_they_are()
    {
        var p = SecretProtector.FromConfiguration(new ConfigurationBuilder().Build());
        Assert.False(p.Enabled);
        Assert.Equal("secret", p.Protect("secret", Context));
        Assert.Equal("secret", p.Unprotect("secret", Context));
        Assert.False(p.NeedsRewrite("secret"));
        Assert.Equal("legacy", Only("a", KeyA).Unprotect("legacy", Context));
    }

    [Theory]
    [InlineData("not base64 !", null, "not base64")]
    [InlineData("AAECAw==", null, "32 bytes")]
    [InlineData(null, "b", "no Secrets:Keys:b")]
    public void Bad_configuration_fails_at_start_with_the_setting_named(string? value, string? active, string expected)
    {
        // null: a well-formed key (made here, not a literal) with an active key id that is not configured.
        var settings = new Dictionary<string, string?> { ["Secrets:Keys:a"] = value ?? Convert.ToBase64String(KeyA), ["Secrets:ActiveKey"] = active };
        var ex = Assert.Throws<InvalidOperationException>(() => SecretProtector.FromConfiguration(new ConfigurationBuilder().AddInMemoryCollection(settings).Build()));
        Assert.Contains(expected, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Several_keys_need_an_active_one()
    {
        var ex = Assert.Throws<InvalidOperationException>(() => new SecretProtector(new Dictionary<string, byte[]> { ["a"] = KeyA, ["b"] = KeyB }, null));
        Assert.Contains("Secrets:ActiveKey", ex.Message, StringComparison.Ordinal);
    }
}
