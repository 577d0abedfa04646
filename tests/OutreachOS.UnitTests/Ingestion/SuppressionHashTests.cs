using System.Security.Cryptography;
using System.Text;
using OutreachOS.Ingestion.Suppressions;

namespace OutreachOS.UnitTests.Ingestion;

public sealed class SuppressionHashTests
{
    private static byte[] Sha256(string s) => SHA256.HashData(Encoding.UTF8.GetBytes(s));

    [Theory]
    [InlineData(" Ana.Ruiz+News@Example.COM ", "ana.ruiz+news@example.com")]
    [InlineData("info@xn--bro-hoa.test", "info@xn--bro-hoa.test")]
    public void An_ascii_address_hashes_as_it_always_did(string email, string canonical)
    {
        // Entries stored before the match key, and erased ones kept by hash only, must still match.
        Assert.Equal(canonical, SuppressionStreams.MatchKey(email));
        Assert.Equal(Sha256(canonical), SuppressionStreams.Hash(email));
        Assert.Equal([Sha256(canonical)], SuppressionStreams.Hashes(email));
        Assert.Equal("suppression-" + Convert.ToHexStringLower(Sha256(canonical))[..32], SuppressionStreams.StreamId(email));
    }

    [Theory]
    [InlineData("jos\u00E9@ex\u00E4mple.test")] // composed (NFC), Unicode domain
    [InlineData("Jose\u0301@Exa\u0308mple.test")] // decomposed (NFD), upper case
    [InlineData("JOS\u00C9@xn--exmple-cua.test")] // punycode domain
    public void Unicode_forms_and_a_punycode_domain_of_one_address_share_one_key(string email)
    {
        Assert.Equal("jos\u00E9@xn--exmple-cua.test", SuppressionStreams.MatchKey(email));
        Assert.Equal(SuppressionStreams.Hash("jos\u00E9@ex\u00E4mple.test"), SuppressionStreams.Hash(email));
    }

    [Fact]
    public void A_non_ascii_address_is_also_looked_up_by_the_hash_it_was_stored_under_before()
    {
        var hashes = SuppressionStreams.Hashes("Info@B\u00DCro.test");
        Assert.Equal([Sha256("info@xn--bro-hoa.test"), Sha256("info@b\u00FCro.test")], hashes);
    }

    [Fact]
    public void Plus_tags_are_kept()
    {
        Assert.NotEqual(SuppressionStreams.Hash("jos\u00E9+news@ex\u00E4mple.test"), SuppressionStreams.Hash("jos\u00E9@ex\u00E4mple.test"));
    }

    [Theory]
    [InlineData("Nguye\u0323\u0302n", "Nguy\u1EC7n")] // two marks in canonical order: ẹ, then ệ
    [InlineData("x\u0323\u0308", "\u1E8D\u0323")] // a mark that does not compose does not block one of a higher class
    [InlineData("\u1100\u1161\u11A8", "\uAC01")] // Hangul jamo
    [InlineData("\u0301e", "\u0301e")] // a leading mark has nothing to compose with
    [InlineData("d\u00E9j\u00E0", "d\u00E9j\u00E0")] // already composed
    public void Decomposed_text_composes_as_nfc_does(string input, string nfc) =>
        Assert.Equal(nfc, OutreachOS.BuildingBlocks.Privacy.CanonicalComposition.Compose(input));
}
