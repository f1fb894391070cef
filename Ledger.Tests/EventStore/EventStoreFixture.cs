using Ledger.EventStore;
using Ledger.EventStore.Appending;
using Ledger.EventStore.Schema;
using Ledger.EventStore.Serialization;
using Ledger.Tests.Infrastructure;

namespace Ledger.Tests.EventStore;

/// <summary>An event store with only its own tables, in a schema of its own.</summary>
public sealed class EventStoreFixture : IAsyncLifetime
{
    private readonly SchemaFixture _schema = new();

    public Ledger.EventStore.EventStore Store { get; private set; } = null!;
    public SchemaFixture Database => _schema;

    public static AppendContext Context(DateTimeOffset? at = null) =>
        new(at ?? DateTimeOffset.Parse("2026-11-22T10:00:00Z", System.Globalization.CultureInfo.InvariantCulture), new EventMetadata("corr", null, "tester"));

    public async Task InitializeAsync()
    {
        await _schema.InitializeAsync();
        var schema = new EventStoreSchema(_schema.Schema);
        await new SchemaMigrator(_schema.DataSource, schema, EventStoreMigrations.All).MigrateAsync();
        Store = new Ledger.EventStore.EventStore(_schema.DataSource, schema, TestEventTypes.Registry());
    }

    public Task DisposeAsync() => _schema.DisposeAsync();
}
