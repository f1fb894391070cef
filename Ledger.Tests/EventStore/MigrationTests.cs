using Ledger.EventStore;
using Ledger.EventStore.Schema;
using Ledger.Projections;
using Ledger.Tests.Infrastructure;
using Npgsql;

namespace Ledger.Tests.EventStore;

public sealed class MigrationTests(SchemaFixture database) : IClassFixture<SchemaFixture>
{
    [Fact]
    public async Task processes_migrating_at_once_apply_each_migration_exactly_once()
    {
        var schema = new EventStoreSchema(database.Schema);
        Migration[] all = [.. EventStoreMigrations.All, .. LedgerMigrations.All];
        // Separate data sources stand for separate processes: each has its own connections.
        var sources = Enumerable.Range(0, 4).Select(_ => NpgsqlDataSource.Create(database.ConnectionString)).ToList();
        try
        {
            var applied = await Task.WhenAll(sources.Select(s => new SchemaMigrator(s, schema, all).MigrateAsync()));

            applied.Sum(a => a.Count).ShouldBe(all.Length);
            (await new SchemaMigrator(database.DataSource, schema, all).IsCurrentAsync()).ShouldBeTrue();
            (await new SchemaMigrator(database.DataSource, schema, all).MigrateAsync()).ShouldBeEmpty();
            await using var count = database.DataSource.CreateCommand($"SELECT count(*) FROM {database.Schema}.schema_migrations");
            ((long)(await count.ExecuteScalarAsync())!).ShouldBe(all.Length);
        }
        finally
        {
            foreach (var source in sources) await source.DisposeAsync();
        }
    }

    [Fact]
    public async Task a_schema_missing_a_migration_is_not_current()
    {
        var schema = new EventStoreSchema(TestDatabase.NewSchemaName("partial"));
        try
        {
            await new SchemaMigrator(database.DataSource, schema, EventStoreMigrations.All).MigrateAsync();
            (await new SchemaMigrator(database.DataSource, schema, [.. EventStoreMigrations.All, .. LedgerMigrations.All]).IsCurrentAsync())
                .ShouldBeFalse();
        }
        finally
        {
            await using var drop = database.DataSource.CreateCommand($"DROP SCHEMA IF EXISTS {schema.Name} CASCADE");
            await drop.ExecuteNonQueryAsync();
        }
    }
}
