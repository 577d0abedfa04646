using OutreachOS.Host.Organizations;

namespace OutreachOS.UnitTests.Security;

public sealed class ApiKeysTests
{
    [Fact]
    public void A_generated_key_is_listed_by_a_prefix_of_eight_random_characters()
    {
        var key = ApiKeys.Generate();
        Assert.Equal(key[..12], ApiKeys.Prefix(key));
        Assert.StartsWith(ApiKeys.Scheme, key, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("test-bootstrap-key-0123456789")]
    [InlineData("oos_chosen-by-an-operator")]
    [InlineData("sixteen-chars-ok")]
    public void A_key_chosen_by_an_operator_gets_no_prefix_since_a_short_one_would_be_mostly_given_away(string key) =>
        Assert.Equal("", ApiKeys.Prefix(key));
}
