using OutreachOS.Ingestion.Graph;

namespace OutreachOS.UnitTests.Ingestion;

public sealed class ClientStateTests
{
    [Theory]
    [InlineData("secretClientValue", "secretClientValue", true)]
    [InlineData("secretClientValuE", "secretClientValue", false)]
    [InlineData("secretClientValue ", "secretClientValue", false)]
    [InlineData("", "secretClientValue", false)]
    [InlineData(null, "secretClientValue", false)]
    [InlineData("", "", false)]
    public void Only_the_exact_configured_client_state_matches(string? presented, string expected, bool matches) =>
        Assert.Equal(matches, ClientState.Matches(presented, expected));
}
