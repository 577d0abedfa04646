using OutreachOS.BuildingBlocks.Privacy;

namespace OutreachOS.UnitTests.Privacy;

public sealed class EmailSpellingsTests
{
    [Fact]
    public void An_ascii_address_has_one_spelling() =>
        Assert.Equal(["jane.doe@customer.test"], EmailAddresses.Spellings(" Jane.Doe@Customer.test "));

    [Fact]
    public void A_non_ascii_address_is_spelled_composed_decomposed_and_with_its_domain_in_punycode()
    {
        var spellings = EmailAddresses.Spellings("JOS\u00c9@EX\u00c4MPLE.TEST");

        Assert.Contains("jos\u00e9@ex\u00e4mple.test", spellings);
        Assert.Contains("jose\u0301@exa\u0308mple.test", spellings);
        Assert.Contains("jos\u00e9@xn--exmple-cua.test", spellings);
        Assert.Contains("jose\u0301@xn--exmple-cua.test", spellings);
        Assert.Equal(spellings.Count, spellings.Distinct(StringComparer.Ordinal).Count());
    }

    [Fact]
    public void A_punycode_domain_is_also_spelled_in_unicode() =>
        Assert.Contains("ann@ex\u00e4mple.test", EmailAddresses.Spellings("ann@xn--exmple-cua.test"));

    [Theory]
    [InlineData("\u01d6", "u\u0308\u0304")] // recursive
    [InlineData("\uac01", "\u1100\u1161\u11a8")] // Hangul with a final jamo
    [InlineData("plain", "plain")]
    public void Decomposition_undoes_composition(string composed, string decomposed)
    {
        Assert.Equal(decomposed, CanonicalComposition.Decompose(composed));
        Assert.Equal(composed, CanonicalComposition.Compose(decomposed));
    }
}
