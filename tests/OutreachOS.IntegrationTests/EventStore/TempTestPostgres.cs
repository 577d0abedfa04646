using Npgsql;

namespace OutreachOS.IntegrationTests.Infrastructure;

// Temporary until the shared fixture lands: fresh database per call on OUTREACHOS_TEST_POSTGRES.
internal static class TestPostgres
{
    public static async Task<string> CreateDatabaseAsync(string prefix)
    {
        var baseCs = Environment.GetEnvironmentVariable("OUTREACHOS_TEST_POSTGRES") ?? throw new InvalidOperationException("OUTREACHOS_TEST_POSTGRES is not set");
        var name = $"{prefix}_{Guid.NewGuid():N}".ToLowerInvariant();
        await using var conn = new NpgsqlConnection(baseCs);
        await conn.OpenAsync();
        await using var cmd = new NpgsqlCommand($"CREATE DATABASE \"{name}\"", conn);
        await cmd.ExecuteNonQueryAsync();
        return new NpgsqlConnectionStringBuilder(baseCs) { Database = name }.ConnectionString;
    }
}
