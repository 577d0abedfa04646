using Npgsql;
using OutreachOS.Host.Hosting;

namespace OutreachOS.UnitTests.Hosting;

/// <summary>
/// Which database failures a client may retry: a 503 says "retry later", so only what a retry can cure gets it. A value
/// the server refuses is refused again (it answered 503 before, and clients retried bad input for ever).
/// </summary>
public sealed class ProblemMappingTests
{
    [Theory]
    [InlineData("22021", 400)] // invalid byte sequence (a NUL, say)
    [InlineData("22003", 400)] // numeric value out of range
    [InlineData("22P02", 400)] // invalid text representation
    [InlineData("23505", 500)] // a unique violation the code did not expect is a bug, not the client's fault
    [InlineData("42P01", 500)] // undefined table
    [InlineData("08006", 503)] // connection failure
    [InlineData("53300", 503)] // too many connections
    [InlineData("57P01", 503)] // administrator shutdown
    [InlineData("57014", 503)] // statement timeout / cancelled
    [InlineData("40001", 503)] // serialization failure
    [InlineData("40P01", 503)] // deadlock
    public void A_database_error_is_answered_by_what_a_retry_would_do(string sqlState, int status)
    {
        var (answered, _, _, type, _) = ProblemExceptionHandler.Map(new PostgresException("refused", "ERROR", "ERROR", sqlState));
        Assert.Equal(status, answered);
        Assert.StartsWith("https://outreachos.dev/problems/", type, StringComparison.Ordinal);
    }

    [Fact]
    public void A_serialization_failure_says_to_send_the_request_again_not_that_the_database_is_down()
    {
        var (_, _, detail, _, _) = ProblemExceptionHandler.Map(new PostgresException("a newer transaction appended to this stream first", "ERROR", "ERROR", "40001"));
        Assert.Contains("concurrent change", detail, StringComparison.Ordinal);
    }

    [Fact]
    public void An_organization_the_ledger_does_not_know_is_a_404_naming_it()
    {
        var id = Guid.NewGuid();
        var (status, _, detail, type, _) = ProblemExceptionHandler.Map(new OutreachOS.Credits.Contracts.CreditOrganizationNotFoundException(id));
        Assert.Equal((404, $"Organization {id} was not found.", "https://outreachos.dev/problems/not-found"), (status, detail, type));
    }

    [Theory]
    [InlineData("40001", 1)] // a lost race: send again at once
    [InlineData("40P01", 1)]
    [InlineData("08006", 5)] // the database is away for longer
    [InlineData("57P01", 5)]
    public void A_503_tells_the_client_when_to_send_again(string sqlState, int seconds)
    {
        var error = new PostgresException("failed", "ERROR", "ERROR", sqlState);
        var (status, _, _, _, _) = ProblemExceptionHandler.Map(error);
        Assert.Equal(seconds, ProblemExceptionHandler.RetryAfterSeconds(error, status));
    }

    [Fact]
    public void Only_a_503_carries_a_retry_after()
    {
        var refused = new PostgresException("value too long", "ERROR", "ERROR", "22001");
        Assert.Null(ProblemExceptionHandler.RetryAfterSeconds(refused, ProblemExceptionHandler.Map(refused).Status));
        Assert.Equal(5, ProblemExceptionHandler.RetryAfterSeconds(new NpgsqlException("connection refused"), 503));
    }

    [Fact]
    public void A_connection_that_cannot_be_made_is_a_503()
    {
        Assert.Equal(503, ProblemExceptionHandler.Map(new NpgsqlException("connection refused")).Status);
    }
}
