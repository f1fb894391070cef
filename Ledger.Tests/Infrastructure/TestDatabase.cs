using Npgsql;

namespace Ledger.Tests.Infrastructure;

/// <summary>
/// Every test class works in a schema of its own inside one shared test database, so classes run in
/// parallel and never see each other's rows. ops/test.sh exports LEDGER_TEST_DB (a superuser connection).
/// </summary>
public static class TestDatabase
{
    private const string DatabaseName = "ledger_tests";
    private static readonly Lazy<Task<string>> Database = new(CreateDatabaseAsync);

    public static string AdminConnectionString =>
        Environment.GetEnvironmentVariable("LEDGER_TEST_DB")
        ?? "Host=127.0.0.1;Port=54329;Username=ledger;Password=ledger;Database=postgres";

    /// <summary>The connection string of the shared test database, created on first use.</summary>
    public static Task<string> ConnectionStringAsync() => Database.Value;

    /// <summary>Runs a statement on the shared test database.</summary>
    public static async Task ExecuteAsync(string sql)
    {
        await using var connection = new NpgsqlConnection(await ConnectionStringAsync());
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }

    /// <summary>The first column of the first row of a query on the shared test database.</summary>
    public static async Task<T> ScalarAsync<T>(string sql)
    {
        await using var connection = new NpgsqlConnection(await ConnectionStringAsync());
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        return (T)(await command.ExecuteScalarAsync())!;
    }

    public static string NewSchemaName(string hint)
    {
        var letters = new string(hint.ToLowerInvariant().Where(char.IsAsciiLetterOrDigit).Take(16).ToArray());
        return $"t_{letters}_{Guid.NewGuid():N}"[..36];
    }

    private static async Task<string> CreateDatabaseAsync()
    {
        await using (var admin = new NpgsqlConnection(AdminConnectionString))
        {
            await admin.OpenAsync();
            await using var exists = new NpgsqlCommand("SELECT 1 FROM pg_database WHERE datname = $1", admin);
            exists.Parameters.Add(new NpgsqlParameter { Value = DatabaseName });
            if (await exists.ExecuteScalarAsync() is null)
            {
                try
                {
                    await using var create = new NpgsqlCommand($"CREATE DATABASE {DatabaseName}", admin);
                    await create.ExecuteNonQueryAsync();
                }
                catch (PostgresException e) when (e.SqlState is PostgresErrorCodes.DuplicateDatabase or PostgresErrorCodes.UniqueViolation)
                {
                    // Another test process created it first; that is all we wanted.
                }
            }
        }
        return new NpgsqlConnectionStringBuilder(AdminConnectionString) { Database = DatabaseName, MaxPoolSize = 50 }.ConnectionString;
    }
}
