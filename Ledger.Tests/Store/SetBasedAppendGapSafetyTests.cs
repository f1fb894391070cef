using System.Diagnostics;
using System.Net;
using Ledger.Projections.Store;
using Ledger.Tests.Api.Contract;
using Ledger.Tests.Infrastructure;
using Marten;
using Npgsql;
using Xunit.Abstractions;
using static Ledger.Tests.Store.SetBasedAppends;

namespace Ledger.Tests.Store;

/// <summary>
/// Marten's daemon keeps its gap safety over the set-based append: its transaction evidence sees a slow
/// set-based appender, so the daemon waits for it, and a rolled-back one leaves a hole it passes soon after.
/// The same guarantees as <see cref="MartenStoreContractTests"/> pins for Marten's own append, with the
/// set-based append as the slow writer while later writes go through the write pipeline.
/// </summary>
public sealed class SetBasedAppendGapSafetyTests(LedgerApiFactory api, ITestOutputHelper output) : IClassFixture<LedgerApiFactory>
{
    private IDocumentStore Store => api.Service<IDocumentStore>();

    [Fact]
    public async Task a_set_based_append_committed_long_after_later_events_is_still_projected()
    {
        var late = Guid.CreateVersion7();
        await Store.AppendAsync(Stream(late, 0, Opened(late)));
        var from = await api.Client().OpenAccountAsync("USD", initialBalance: 1_000);
        var to = await api.Client().OpenAccountAsync("USD");

        await using var connection = new NpgsqlConnection(api.ConnectionString);
        await connection.OpenAsync();
        await using var tx = await connection.BeginTransactionAsync();
        var lateSequence = (await Store.AppendAsync(tx, Stream(late, 1, Credited(late, 5, 5))))[0].Sequence;
        // The evidence Marten's gap probe looks for: a write lock on mt_events and a transaction id, held to the end.
        (await api.ScalarAsync<long>(
            "SELECT count(*) FROM pg_locks l JOIN pg_class c ON c.oid = l.relation JOIN pg_namespace n ON n.oid = c.relnamespace " +
            $"WHERE l.pid = {connection.ProcessID} AND l.granted AND l.mode = 'RowExclusiveLock' AND n.nspname = '{{schema}}' AND c.relname = 'mt_events'"))
            .ShouldBe(1);
        (await api.ScalarAsync<bool>($"SELECT backend_xid IS NOT NULL FROM pg_stat_activity WHERE pid = {connection.ProcessID}")).ShouldBeTrue();

        // Later events commit while the slow writer's transaction stays open for several stale thresholds.
        for (var i = 0; i < 5; i++)
            (await api.Client().PostJsonAsync("/transfers", ContractHttp.Transfer(from, to, 1, "USD"))).Status.ShouldBe(HttpStatusCode.Created);
        await Task.Delay(LedgerStoreOptions.StaleSequenceThreshold * 6); // the slow writer's slowness, not a wait for a projection
        (await api.Service<ProjectionProgress>().CheckpointAsync("balances", CancellationToken.None)).Sequence
            .ShouldBeLessThan(lateSequence, "the daemon passed an event whose transaction was still open");

        await tx.CommitAsync();
        await api.WaitForProjectionsAsync();

        (await api.ScalarAsync<long>($"SELECT balance FROM {{schema}}.balances WHERE id = '{late}'")).ShouldBe(5);
        (await api.ScalarAsync<long>($"SELECT balance FROM {{schema}}.balances WHERE id = '{to}'")).ShouldBe(5);
    }

    [Fact]
    public async Task a_rolled_back_set_based_append_leaves_a_hole_the_projections_pass_soon_after()
    {
        var victim = Guid.CreateVersion7();
        await Store.AppendAsync(Stream(victim, 0, Opened(victim)));
        var from = await api.Client().OpenAccountAsync("USD", initialBalance: 100);
        var to = await api.Client().OpenAccountAsync("USD");
        await api.WaitForProjectionsAsync();

        await using (var connection = new NpgsqlConnection(api.ConnectionString))
        {
            await connection.OpenAsync();
            await using var tx = await connection.BeginTransactionAsync();
            await Store.AppendAsync(tx, Stream(victim, 1, Credited(victim, 1, 1))); // takes a sequence number...
            await tx.RollbackAsync();                                                // ...that no event will ever have
        }
        var (status, body) = await api.Client().PostJsonAsync("/transfers", ContractHttp.Transfer(from, to, 1, "USD"));
        status.ShouldBe(HttpStatusCode.Created);
        var position = new LogPosition(long.Parse(body!["position"]!.GetValue<string>(), System.Globalization.CultureInfo.InvariantCulture));

        var timer = Stopwatch.StartNew();
        (await api.Service<ProjectionProgress>().WaitForAsync("balances", position, TimeSpan.FromSeconds(10), CancellationToken.None))
            .ShouldBeTrue("the hole of a rolled-back set-based append stalled the balances projection");
        output.WriteLine($"balances passed the hole {timer.ElapsedMilliseconds} ms after the next write was acknowledged");
    }
}
