using Npgsql;

namespace Ledger.Tests.Infrastructure;

/// <summary>A fresh, empty schema for one test class; dropped with everything in it when the class ends.</summary>
public sealed class SchemaFixture : IAsyncLifetime
{
    public string Schema { get; } = TestDatabase.NewSchemaName("es");
    public string ConnectionString { get; private set; } = "";
    public NpgsqlDataSource DataSource { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        ConnectionString = await TestDatabase.ConnectionStringAsync();
        DataSource = NpgsqlDataSource.Create(ConnectionString);
    }

    public async Task DisposeAsync()
    {
        await using (var drop = DataSource.CreateCommand($"DROP SCHEMA IF EXISTS {Schema} CASCADE"))
            await drop.ExecuteNonQueryAsync();
        await DataSource.DisposeAsync();
    }
}
