using Ledger.EventStore;
using Ledger.EventStore.Appending;
using Ledger.EventStore.Daemon;
using Ledger.EventStore.Schema;
using Ledger.EventStore.Serialization;
using Ledger.Tests.EventStore;
using Ledger.Tests.Infrastructure;
using Microsoft.Extensions.Logging;
using Npgsql;
using Xunit.Abstractions;

namespace Ledger.Tests.Daemon;

/// <summary>An event store in a fresh schema, a checkpoint waiter on it, and helpers to append and inspect views.</summary>
public sealed class DaemonFixture : IAsyncLifetime
{
    /// <summary>Bounded wait for a projection; generous because test classes share two cores.</summary>
    public static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);

    public static readonly DateTimeOffset T0 = DateTimeOffset.Parse("2026-11-22T10:00:00Z", System.Globalization.CultureInfo.InvariantCulture);

    private readonly SchemaFixture _database = new();

    public SchemaFixture Database => _database;
    public string Schema => _database.Schema;
    public Ledger.EventStore.EventStore Store { get; private set; } = null!;
    public CheckpointWaiter Waiter { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        await _database.InitializeAsync();
        var schema = new EventStoreSchema(Schema);
        await new SchemaMigrator(_database.DataSource, schema, EventStoreMigrations.All).MigrateAsync();
        Store = StoreOn(_database.DataSource);
        Waiter = new CheckpointWaiter(Store);
    }

    public async Task DisposeAsync()
    {
        await Waiter.DisposeAsync();
        await _database.DisposeAsync();
    }

    /// <summary>A store on another data source: its connections look like another process's to PostgreSQL.</summary>
    public Ledger.EventStore.EventStore StoreOn(NpgsqlDataSource dataSource) =>
        new(dataSource, new EventStoreSchema(Schema), TestEventTypes.Registry());

    public static AppendContext Context(DateTimeOffset? at = null) => new(at ?? T0, new EventMetadata("corr", null, "tester"));

    public ProjectionDaemon Daemon(ProjectionDaemonOptions options, ITestOutputHelper output, params IAsyncProjection[] projections) =>
        new(Store, projections, options, new TestOutputLogger<ProjectionDaemon>(output));

    /// <summary>Appends <paramref name="count"/> events numbered from 1 to one new stream, in one transaction.</summary>
    public async Task<IReadOnlyList<RecordedEvent>> AppendAsync(int count, DateTimeOffset? at = null)
    {
        var id = Guid.NewGuid();
        var events = Enumerable.Range(1, count).Select(n => (object)new ThingHappened(id, n)).ToArray();
        return await Store.AppendAsync([StreamAppend.Of(id, "thing", ExpectedVersion.NoStream, events)], Context(at));
    }

    /// <summary>Waits on the checkpoint (never on a timer) until the projection has processed the current head.</summary>
    public async Task WaitForHeadAsync(string projection)
    {
        var head = await Store.ReadHeadAsync();
        (await Waiter.WaitForAsync(projection, head, Deadline, CancellationToken.None))
            .ShouldBeTrue($"{projection} did not reach the head {head} within {Deadline}");
    }

    public async Task<IReadOnlyList<Guid>> EventIdsAsync() => await IdsAsync($"SELECT id FROM {Schema}.events ORDER BY id");

    public async Task<IReadOnlyList<Guid>> ViewIdsAsync(string table) => await IdsAsync($"SELECT id FROM {Schema}.{table} ORDER BY id");

    public async Task ExecuteAsync(string sql)
    {
        await using var command = _database.DataSource.CreateCommand(sql);
        await command.ExecuteNonQueryAsync();
    }

    private async Task<IReadOnlyList<Guid>> IdsAsync(string sql)
    {
        await using var command = _database.DataSource.CreateCommand(sql);
        await using var reader = await command.ExecuteReaderAsync();
        var ids = new List<Guid>();
        while (await reader.ReadAsync()) ids.Add(reader.GetGuid(0));
        return ids;
    }
}

/// <summary>Daemon logs in the test's output, so a failing run shows what the daemon did.</summary>
internal sealed class TestOutputLogger<T>(ITestOutputHelper output) : ILogger<T>
{
    public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Information;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        try
        {
            output.WriteLine($"{DateTime.UtcNow:HH:mm:ss.fff} {logLevel} {formatter(state, exception)}{(exception is null ? "" : $" [{exception.GetType().Name}: {exception.Message}]")}");
        }
        catch (InvalidOperationException)
        {
            // The test already ended; xunit refuses late output, and it no longer matters.
        }
    }
}
