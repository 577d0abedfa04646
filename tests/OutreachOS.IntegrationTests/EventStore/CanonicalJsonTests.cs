using OutreachOS.BuildingBlocks.EventStore;

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

public sealed class EventToAppendTests
{
    [Fact]
    public void A_canonicalized_event_keeps_its_value_equality_and_a_copy_with_other_data_is_serialised_again()
    {
        var id = Guid.NewGuid();
        var first = new EventToAppend(id, new TestDeposited("acc-1", 1.50m, "n")).Canonicalized();
        var plain = new EventToAppend(id, new TestDeposited("acc-1", 1.50m, "n"));

        Assert.Equal(plain, first);
        Assert.Equal(plain.GetHashCode(), first.GetHashCode());
        Assert.Equal("{\"account\":\"acc-1\",\"amount\":1.5,\"note\":\"n\"}", System.Text.Encoding.UTF8.GetString(first.CanonicalPayload()));

        var copy = first with { Data = new TestDeposited("acc-2", 2m, "m") };
        Assert.Equal("{\"account\":\"acc-2\",\"amount\":2,\"note\":\"m\"}", System.Text.Encoding.UTF8.GetString(copy.CanonicalPayload()));
        Assert.NotEqual(first, copy);
    }
}
