using System.Text;
using OutreachOS.BuildingBlocks.EventStore;

namespace OutreachOS.UnitTests.EventStore;

/// <summary>An event read from the log keeps its payload as UTF-8 and makes its text and typed value on first use.</summary>
public sealed class StoredEventTests
{
    private sealed record Deposited(string Account, decimal Amount);

    private static StoredEvent Read(string json, Func<string, byte[], object?> deserialize) =>
        new(7, 3, Guid.NewGuid(), Guid.NewGuid(), "s-1", 1, "deposited.v1", Encoding.UTF8.GetBytes(json),
            new Dictionary<string, string>(), DateTimeOffset.UnixEpoch, [1, 2, 3], data: null, deserialize);

    [Fact]
    public void The_payload_is_deserialised_once_on_first_use_and_its_text_is_the_bytes_read()
    {
        var calls = 0;
        var e = Read("""{"account": "a-1", "amount": 12.5}""", (type, utf8) =>
        {
            calls++;
            Assert.Equal("deposited.v1", type);
            return System.Text.Json.JsonSerializer.Deserialize<Deposited>(utf8, OutreachOS.BuildingBlocks.Json.OutreachJson.Options);
        });

        Assert.Equal(0, calls);
        Assert.Equal("""{"account": "a-1", "amount": 12.5}""", e.Json);
        Assert.Equal(0, calls);
        Assert.Equal(new Deposited("a-1", 12.5m), e.Data);
        Assert.Same(e.Data, e.Data);
        Assert.Equal(1, calls);
        Assert.Equal(new Deposited("a-1", 12.5m), e.As<Deposited>());
    }

    [Fact]
    public void A_payload_that_does_not_read_as_its_type_has_no_data_but_keeps_its_text()
    {
        var e = Read("""{"account": 5""", (_, _) => null);
        Assert.Null(e.Data);
        Assert.Equal("""{"account": 5""", e.Json);
    }

    [Fact]
    public void A_copy_with_other_text_reads_its_data_from_that_text()
    {
        var e = Read("""{"account": "a-1", "amount": 1}""", (_, utf8) =>
            System.Text.Json.JsonSerializer.Deserialize<Deposited>(utf8, OutreachOS.BuildingBlocks.Json.OutreachJson.Options));
        var copy = e with { Json = """{"account": "a-2", "amount": 2}""" };

        Assert.Equal(new Deposited("a-2", 2m), copy.Data);
        Assert.Equal(new Deposited("a-2", 2m), copy.As<Deposited>());
        Assert.Equal(new Deposited("a-1", 1m), e.Data);
        Assert.NotEqual(e, copy);
        Assert.Equal(e, e with { });
    }
}
