using Npgsql;

namespace OutreachOS.IntegrationTests.Infrastructure;

public sealed class TestPostgresTests
{
    [Fact]
    public async Task CreateDatabaseAsync_returns_a_fresh_database_of_its_own_on_every_call()
    {
        var first = await TestPostgres.CreateDatabaseAsync("Infra-Probe");
        var second = await TestPostgres.CreateDatabaseAsync("Infra-Probe");

        var firstName = new NpgsqlConnectionStringBuilder(first).Database!;
        Assert.StartsWith("infra_probe_", firstName, StringComparison.Ordinal);
        Assert.NotEqual(firstName, new NpgsqlConnectionStringBuilder(second).Database);

        await using (var connection = new NpgsqlConnection(first))
        {
            await connection.OpenAsync();
            Assert.Equal(1, await Scalar<int>(connection, "SELECT 1"));
            Assert.Equal(firstName, await Scalar<string>(connection, "SELECT current_database()"));
            await Scalar<int>(connection, "CREATE TABLE marker(id int); SELECT 0");
        }

        await using (var connection = new NpgsqlConnection(second))
        {
            await connection.OpenAsync();
            Assert.Equal(0L, await Scalar<long>(connection, "SELECT count(*) FROM pg_tables WHERE tablename = 'marker'"));
        }
    }

    private static async Task<T> Scalar<T>(NpgsqlConnection connection, string sql)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        return (T)(await command.ExecuteScalarAsync())!;
    }
}
