using Ledger.EventStore;
using Ledger.EventStore.Appending;
using Ledger.EventStore.Schema;
using Ledger.Tests.Infrastructure;
using Npgsql;

namespace Ledger.Tests.EventStore;

/// <summary>An event store whose appends take the schema's append lock, as the ledger's does.</summary>
public sealed class SerializedEventStoreFixture : IAsyncLifetime
{
    public SchemaFixture Database { get; } = new();
    public Ledger.EventStore.EventStore Store { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        await Database.InitializeAsync();
        var schema = new EventStoreSchema(Database.Schema);
        await new SchemaMigrator(Database.DataSource, schema, EventStoreMigrations.All).MigrateAsync();
        Store = new Ledger.EventStore.EventStore(Database.DataSource, schema, TestEventTypes.Registry(), serializeAppends: true);
    }

    public Task DisposeAsync() => Database.DisposeAsync();
}

public sealed class SerializedAppendTests(SerializedEventStoreFixture fixture) : IClassFixture<SerializedEventStoreFixture>
{
    [Fact]
    public async Task an_open_writing_transaction_elsewhere_on_the_server_does_not_hold_back_a_serialized_read()
    {
        var head = await fixture.Store.ReadHeadAsync();
        await using var elsewhere = new NpgsqlConnection(TestDatabase.AdminConnectionString);
        await elsewhere.OpenAsync();
        await using var open = await elsewhere.BeginTransactionAsync();
        await using (var takeId = new NpgsqlCommand("SELECT pg_current_xact_id()", elsewhere, open))
            await takeId.ExecuteScalarAsync();

        var id = Guid.NewGuid();
        await fixture.Store.AppendAsync([StreamAppend.Of(id, "thing", ExpectedVersion.NoStream, new ThingHappened(id, 1))], EventStoreFixture.Context());
        var visible = await fixture.Store.ReadCommittedAfterAsync(head, 100);

        visible.ShouldContain(e => e.StreamId == id);
        await open.RollbackAsync();
    }

    [Fact]
    public async Task serialized_appends_commit_in_sequence_order_so_positions_and_sequences_agree()
    {
        var head = await fixture.Store.ReadHeadAsync();
        await Task.WhenAll(Enumerable.Range(0, 16).Select(n => Task.Run(async () =>
        {
            for (var i = 0; i < 10; i++)
            {
                var id = Guid.NewGuid();
                await fixture.Store.AppendAsync([StreamAppend.Of(id, "thing", ExpectedVersion.NoStream, new ThingHappened(id, n))], EventStoreFixture.Context());
            }
        })));

        var events = await fixture.Store.ReadCommittedAfterAsync(head, 1000);

        events.Count.ShouldBe(160);
        events.Select(e => e.Sequence).ShouldBeInOrder(SortDirection.Ascending);
        events.Select(e => e.TransactionId).ShouldBeInOrder(SortDirection.Ascending);
    }
}
