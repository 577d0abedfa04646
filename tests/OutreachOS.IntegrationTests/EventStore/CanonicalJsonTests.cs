namespace OutreachOS.IntegrationTests.EventStore;

public sealed class CanonicalJsonTests
{
    [Theory]
    [InlineData("1.50", "1.5")]
    [InlineData("15E-1", "1.5")]
    [InlineData("100", "100")]
    [InlineData("1e2", "100")]
    [InlineData("-0.000", "0")]
    public void Numbers_are_normalised_the_same_way_jsonb_prints_them(string raw, string expected) =>
        Assert.Equal(expected, OutreachOS.BuildingBlocks.EventStore.CanonicalJson.NormalizeNumber(raw));

    [Fact]
    public void Keys_are_sorted_and_whitespace_removed()
    {
        var bytes = OutreachOS.BuildingBlocks.EventStore.CanonicalJson.Canonicalize("{ \"b\": [1, {\"z\":1,\"a\":2}], \"a\": \"x\" }");
        Assert.Equal("{\"a\":\"x\",\"b\":[1,{\"a\":2,\"z\":1}]}", System.Text.Encoding.UTF8.GetString(bytes));
    }
}
