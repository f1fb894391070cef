using JasperFx.Events;
using JasperFx.Events.Projections;
using Ledger.Api.Writes;
using Ledger.Domain.Accounts;
using Ledger.Projections.Balances;
using Ledger.Projections.History;
using Ledger.Projections.Rebuilds;
using Ledger.Projections.Schema;
using Ledger.Projections.Store;
using Ledger.Tests.Infrastructure;
using Marten;
using Npgsql;
using static Ledger.Tests.Store.SetBasedAppends;

namespace Ledger.Tests.Store;

/// <summary>
/// What the writer's set-based append (<see cref="SetBasedAppend"/>) puts in Marten's tables is Marten's own:
/// Marten reads it, its daemon projects it, both rebuilds replay it, and Marten time-travels over it
/// (refusals: <see cref="SetBasedAppendRefusalTests"/>; gap safety: <see cref="SetBasedAppendGapSafetyTests"/>).
/// Appends here bypass the write pipeline, so every test works on accounts of its own.
/// </summary>
public sealed class SetBasedAppendContractTests(LedgerApiFactory api) : IClassFixture<LedgerApiFactory>
{
    private const string BalancesRows = "SELECT string_agg(b::text, E'\\n' ORDER BY id) FROM {schema}.balances b";
    private const string HistoryRows = "SELECT string_agg(t::text, E'\\n' ORDER BY account_id, version) FROM {schema}.transactions t";

    private IDocumentStore Store => api.Service<IDocumentStore>();

    [Fact]
    public void the_loaded_marten_is_the_release_the_statement_was_written_for() =>
        typeof(IDocumentStore).Assembly.GetName().Version.ShouldBe(SetBasedAppend.WrittenForMarten,
            "SetBasedAppend writes Marten's own tables. Re-check its statement against this release's mt_streams, mt_events " +
            "and mt_quick_append_events, then move SetBasedAppend.WrittenForMarten and the pin in Directory.Packages.props together.");

    [Fact]
    public async Task marten_s_tables_have_only_the_columns_the_statement_fills_or_leaves_to_their_defaults()
    {
        (await ColumnsAsync("mt_events")).ShouldBe("bdata data id is_archived mt_dotnet_type seq_id stream_id tenant_id timestamp type version");
        (await ColumnsAsync("mt_streams")).ShouldBe("compacted_version created id is_archived tenant_id timestamp type version");
    }

    [Fact]
    public async Task marten_reads_back_each_event_with_the_version_sequence_name_and_data_it_was_given()
    {
        var id = Guid.CreateVersion7();
        var started = await Store.AppendAsync(Stream(id, 0, Opened(id), Credited(id, 100, 100)));
        var appended = started.Concat(await Store.AppendAsync(Stream(id, 2, Credited(id, 5, 105)))).ToList();

        var read = await api.StreamAsync(id);

        read.Select(e => (e.Id, e.StreamId, e.Version, e.Sequence, e.EventTypeName, e.DotNetTypeName, e.TenantId, e.Timestamp))
            .ShouldBe(appended.Select(e => (e.Id, e.StreamId, e.Version, e.Sequence, e.EventTypeName, e.DotNetTypeName, e.TenantId, e.Timestamp)));
        read.Select(e => e.Data).ShouldBe(appended.Select(e => e.Data));
        read.Select(e => e.EventTypeName).ShouldBe(["account.opened.v1", "account.credited.v1", "account.credited.v1"]);
        read.Select(e => e.Version).ShouldBe([1L, 2L, 3L]);
        read.Select(e => e.Sequence).ShouldBeInOrder(SortDirection.Ascending);
        (await api.ScalarAsync<long>($"SELECT version FROM {{schema}}.mt_streams WHERE id = '{id}'")).ShouldBe(3);
    }

    [Fact]
    public async Task its_rows_are_the_rows_marten_s_own_quick_append_writes_for_the_same_events()
    {
        var theirs = Guid.CreateVersion7();
        var ours = Guid.CreateVersion7();
        var opened = Opened(theirs);
        var credited = Credited(theirs, 100, 100);
        var more = Credited(theirs, 5, 105);
        await using (var session = Store.LightweightSession())
        {
            session.Events.StartStream(theirs, opened, credited);
            await session.SaveChangesAsync();
        }
        await Store.AppendAsync(Stream(ours, 0, opened with { AccountId = ours }, credited with { AccountId = ours }));

        // Both stamp the stream row with the transaction's clock. The event rows differ on purpose: Marten's
        // own append stamps them with its process clock at save time, ours with the event's own instant.
        var theirClock = await InTransactionAsync(async tx =>
        {
            await using var session = Store.LightweightSession(Marten.Services.SessionOptions.ForTransaction(tx));
            session.Events.Append(theirs, 3, more);
            await session.SaveChangesAsync();
        });
        var ourClock = await InTransactionAsync(tx => Store.AppendAsync(tx, Stream(ours, 2, more with { AccountId = ours })));

        (await EventRowsAsync(ours)).ShouldBe(await EventRowsAsync(theirs));
        (await StreamRowAsync(ours)).ShouldBe(await StreamRowAsync(theirs));
        var instant = Microseconds(LedgerEvents.InstantOf(more).UtcDateTime).ToString("O");
        (await StampsAsync(theirs)).Stream.ShouldBe(theirClock.ToString("O"));
        (await StampsAsync(ours)).ShouldBe((instant, ourClock.ToString("O")));
    }

    [Fact]
    public async Task marten_s_daemon_projects_it_and_our_rebuild_replays_it_to_the_same_rows()
    {
        var a = Guid.CreateVersion7();
        var b = Guid.CreateVersion7();
        await Store.AppendAsync(Stream(a, 0, Opened(a), Credited(a, 100, 100)), Stream(b, 0, Opened(b), Credited(b, 40, 40)));
        await Store.AppendAsync(Stream(a, 2, Credited(a, 5, 105)));

        await api.WaitForProjectionsAsync();
        (await api.ScalarAsync<long>($"SELECT balance FROM {{schema}}.balances WHERE id = '{a}'")).ShouldBe(105);
        (await api.ScalarAsync<long>($"SELECT balance FROM {{schema}}.balances WHERE id = '{b}'")).ShouldBe(40);
        (await api.ScalarAsync<long>($"SELECT count(*) FROM {{schema}}.transactions WHERE account_id = '{a}'")).ShouldBe(2);

        var live = (await api.ScalarAsync<string>(BalancesRows), await api.ScalarAsync<string>(HistoryRows));
        var rebuilder = api.Service<ProjectionRebuilder>();
        await rebuilder.RebuildAsync(api.Service<BalanceProjection>(), null, CancellationToken.None);
        await rebuilder.RebuildAsync(api.Service<TransactionHistoryProjection>(), null, CancellationToken.None);
        (await api.ScalarAsync<string>(BalancesRows), await api.ScalarAsync<string>(HistoryRows)).ShouldBe(live);
    }

    /// <remarks>
    /// Marten's rebuild does not apply to the ledger's own projections: it would replay the log onto the
    /// live rows, which refuse a repeated version (the ledger rebuilds beside them and swaps). A Marten
    /// snapshot projection, on a store configured as the ledger's plus that projection, is what it rebuilds.
    /// </remarks>
    [Fact]
    public async Task marten_s_own_rebuild_replays_it_into_a_marten_projection()
    {
        var id = Guid.CreateVersion7();
        var events = (await Store.AppendAsync(Stream(id, 0, Opened(id), Credited(id, 100, 100))))
            .Concat(await Store.AppendAsync(Stream(id, 2, Credited(id, 5, 105))));
        var options = LedgerStoreOptions.Create(api.Service<NpgsqlDataSource>(), api.Service<LedgerSchema>(), projectionBatchSize: 1000,
            api.Service<BalanceProjection>(), api.Service<TransactionHistoryProjection>());
        options.Projections.Snapshot<FoldedAccount>(SnapshotLifecycle.Async);
        await using var store = new DocumentStore(options);
        using var daemon = await store.BuildProjectionDaemonAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));

        await daemon.RebuildProjectionAsync<FoldedAccount>(timeout.Token);

        await using var session = store.QuerySession();
        (await session.LoadAsync<FoldedAccount>(id))!.State.ShouldBe(AccountEvolution.Replay(events.Select(e => (IAccountEvent)e.Data)));
    }

    [Fact]
    public async Task marten_aggregates_it_as_of_a_version_and_as_of_a_timestamp()
    {
        var id = Guid.CreateVersion7();
        var started = await Store.AppendAsync(Stream(id, 0, Opened(id), Credited(id, 100, 100)));
        var appended = await Store.AppendAsync(Stream(id, 2, Credited(id, 5, 105)));
        appended[0].Timestamp.ShouldBeGreaterThan(started[^1].Timestamp);
        await using var session = Store.QuerySession();

        (await session.Events.AggregateStreamAsync<FoldedAccount>(id, version: 2))!.State!.BalanceMinor.ShouldBe(100);
        (await session.Events.AggregateStreamAsync<FoldedAccount>(id, timestamp: started[^1].Timestamp))!.State!.BalanceMinor.ShouldBe(100);
        (await session.Events.AggregateStreamAsync<FoldedAccount>(id))!.State!.ShouldBe(new FoldedAccount
        {
            State = AccountEvolution.Replay(started.Concat(appended).Select(e => (IAccountEvent)e.Data)),
        }.State);
    }

    private Task<string> ColumnsAsync(string table) => api.ScalarAsync<string>(
        $"SELECT string_agg(column_name, ' ' ORDER BY column_name) FROM information_schema.columns WHERE table_schema = '{{schema}}' AND table_name = '{table}'");

    /// <summary>Every column of a stream's events but ids, sequence and timestamp, with the data's account id left out.</summary>
    private Task<string> EventRowsAsync(Guid stream) => api.ScalarAsync<string>(
        "SELECT string_agg(concat_ws(' | ', version, data - 'accountId', type, tenant_id, mt_dotnet_type, is_archived, bdata IS NULL), E'\\n' ORDER BY version) " +
        $"FROM {{schema}}.mt_events WHERE stream_id = '{stream}'");

    private Task<string> StreamRowAsync(Guid stream) => api.ScalarAsync<string>(
        "SELECT concat_ws(' | ', type IS NULL, version, tenant_id, is_archived, compacted_version, created <= timestamp) " +
        $"FROM {{schema}}.mt_streams WHERE id = '{stream}'");

    /// <summary>When the stream's last event and the stream row were stamped.</summary>
    private async Task<(string Event, string Stream)> StampsAsync(Guid stream) => (
        (await api.ScalarAsync<DateTime>($"SELECT max(timestamp) FROM {{schema}}.mt_events WHERE stream_id = '{stream}'")).ToString("O"),
        (await api.ScalarAsync<DateTime>($"SELECT timestamp FROM {{schema}}.mt_streams WHERE id = '{stream}'")).ToString("O"));

    private static DateTime Microseconds(DateTime instant) => instant.AddTicks(-(instant.Ticks % 10));

    /// <summary>Runs the work in a transaction of our own, commits it, and returns the transaction's clock (<c>now()</c>).</summary>
    private async Task<DateTime> InTransactionAsync(Func<NpgsqlTransaction, Task> work)
    {
        await using var connection = new NpgsqlConnection(api.ConnectionString);
        await connection.OpenAsync();
        await using var tx = await connection.BeginTransactionAsync();
        await using var clock = new NpgsqlCommand("SELECT now()", connection, tx);
        var now = (DateTime)(await clock.ExecuteScalarAsync())!;
        await work(tx);
        await tx.CommitAsync();
        return now;
    }
}
