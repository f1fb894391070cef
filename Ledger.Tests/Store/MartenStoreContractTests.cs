using System.Diagnostics;
using JasperFx.Events;
using Ledger.Domain.Accounts;
using Ledger.Projections.Store;
using Ledger.Tests.Api.Contract;
using Ledger.Tests.Infrastructure;
using Marten;
using Npgsql;
using Xunit.Abstractions;

namespace Ledger.Tests.Store;

/// <summary>
/// The guarantees the ledger takes from Marten, pinned against the real store: atomic multi-stream
/// append, a stale version refused, stable event names, and gap safety of the async daemon (a slow
/// writer's event is never skipped; a rolled-back append does not stall the projections for long).
/// Events appended here bypass the write pipeline on purpose, so each test uses accounts of its own.
/// </summary>
public sealed class MartenStoreContractTests(LedgerApiFactory api, ITestOutputHelper output) : IClassFixture<LedgerApiFactory>
{
    private IDocumentStore Store => api.Service<IDocumentStore>();

    private async Task<(Guid Id, long Version, long Balance)> OpenAsync(long initialBalance = 0)
    {
        var id = await api.Client().OpenAccountAsync("USD", initialBalance: initialBalance);
        var stream = await api.StreamAsync(id);
        var balance = AccountEvolution.Replay(stream.Select(e => (IAccountEvent)e.Data))!.BalanceMinor;
        return (id, stream.Count, balance);
    }

    private static AccountCredited Credit(Guid account, long amount, long balanceAfter) =>
        new(account, Guid.NewGuid(), amount, Guid.NewGuid(), balanceAfter, "contract", DateTimeOffset.UtcNow);

    [Fact]
    public async Task a_stale_expected_version_in_one_stream_writes_nothing_in_any_stream()
    {
        var a = await OpenAsync();
        var b = await OpenAsync();

        await using (var session = Store.LightweightSession())
        {
            session.Events.Append(b.Id, b.Version + 1, Credit(b.Id, 1, b.Balance + 1));
            session.Events.Append(a.Id, a.Version /* stale: one behind what the append makes it */, Credit(a.Id, 1, a.Balance + 1));
            await Should.ThrowAsync<EventStreamUnexpectedMaxEventIdException>(() => session.SaveChangesAsync());
        }

        (await api.StreamAsync(a.Id)).Count.ShouldBe((int)a.Version);
        (await api.StreamAsync(b.Id)).Count.ShouldBe((int)b.Version, "the other stream of the same save must not move");
    }

    [Fact]
    public async Task each_row_is_stamped_with_the_instant_the_ledger_answered_so_marten_time_travels_by_it()
    {
        var from = await OpenAsync(initialBalance: 100);
        var to = await OpenAsync();
        var first = await api.Client().TransferAsync(from.Id, to.Id, 30);
        await api.Client().TransferAsync(from.Id, to.Id, 5);

        var stream = await api.StreamAsync(from.Id);
        foreach (var e in stream) e.Timestamp.ShouldBe(LedgerEvents.InstantOf((IAccountEvent)e.Data));
        var at = first["timestamp"]!.GetValue<DateTimeOffset>();
        await using var session = Store.QuerySession();
        var then = await session.Events.AggregateStreamAsync<AccountAtInstant>(from.Id, timestamp: at);
        then!.State.BalanceMinor.ShouldBe(70);
        then.Position.ShouldBe(stream[^2].Sequence);
        (await session.Events.AggregateStreamAsync<AccountAtInstant>(from.Id, timestamp: stream[0].Timestamp.AddTicks(-10))).ShouldBeNull();
    }

    [Fact]
    public async Task every_event_is_stored_under_its_stable_versioned_name()
    {
        var account = await OpenAsync(initialBalance: 10);
        await api.Operator().PostEmptyAsync($"/accounts/{account.Id}/freeze");

        var names = (await api.StreamAsync(account.Id)).Select(e => e.EventTypeName).ToList();

        names.ShouldBe(["account.opened.v1", "account.credited.v1", "account.frozen.v1"]);
        // Marten's own tombstone stream (it fills the sequence numbers of a failed save) is the only other writer.
        (await api.ScalarAsync<long>(
            $"SELECT count(*) FROM {{schema}}.mt_events WHERE type NOT LIKE 'account.%.v1' AND stream_id <> '{Tombstone.StreamId}'")).ShouldBe(0);
    }

    [Fact]
    public async Task an_event_committed_long_after_later_events_is_still_projected()
    {
        var late = await OpenAsync(initialBalance: 100);
        var from = await OpenAsync(initialBalance: 1_000);
        var to = await OpenAsync();
        var progress = api.Service<ProjectionProgress>();

        await using var connection = new NpgsqlConnection(api.ConnectionString);
        await connection.OpenAsync();
        await using var tx = await connection.BeginTransactionAsync();
        await using var slow = Store.LightweightSession(Marten.Services.SessionOptions.ForTransaction(tx));
        var action = slow.Events.Append(late.Id, late.Version + 1, Credit(late.Id, 5, late.Balance + 5));
        await slow.SaveChangesAsync();
        var lateSequence = action.Events[0].Sequence;

        // Later events commit while the slow writer's transaction stays open for several stale thresholds.
        for (var i = 0; i < 5; i++)
            (await api.Client().PostJsonAsync("/transfers", ContractHttp.Transfer(from.Id, to.Id, 1, "USD"))).Status
                .ShouldBe(System.Net.HttpStatusCode.Created);
        await Task.Delay(LedgerStoreOptions.StaleSequenceThreshold * 6); // the slow writer's slowness, not a wait for a projection
        (await progress.CheckpointAsync("balances", CancellationToken.None)).Sequence
            .ShouldBeLessThan(lateSequence, "the daemon passed an event whose transaction was still open");

        await tx.CommitAsync();
        await api.WaitForProjectionsAsync();

        (await api.ScalarAsync<long>($"SELECT balance FROM {{schema}}.balances WHERE id = '{late.Id}'")).ShouldBe(late.Balance + 5);
        (await api.ScalarAsync<long>($"SELECT balance FROM {{schema}}.balances WHERE id = '{to.Id}'")).ShouldBe(5);
    }

    [Fact]
    public async Task a_rolled_back_append_leaves_a_hole_the_projections_pass_soon_after()
    {
        var victim = await OpenAsync();
        var from = await OpenAsync(initialBalance: 100);
        var to = await OpenAsync();
        await api.WaitForProjectionsAsync();

        await using (var connection = new NpgsqlConnection(api.ConnectionString))
        {
            await connection.OpenAsync();
            await using var tx = await connection.BeginTransactionAsync();
            await using var session = Store.LightweightSession(Marten.Services.SessionOptions.ForTransaction(tx));
            session.Events.Append(victim.Id, victim.Version + 1, Credit(victim.Id, 1, 1));
            await session.SaveChangesAsync(); // takes a sequence number...
            await tx.RollbackAsync();          // ...that no event will ever have
        }
        var (status, body) = await api.Client().PostJsonAsync("/transfers", ContractHttp.Transfer(from.Id, to.Id, 1, "USD"));
        status.ShouldBe(System.Net.HttpStatusCode.Created);
        var position = new LogPosition(long.Parse(body!["position"]!.GetValue<string>(), System.Globalization.CultureInfo.InvariantCulture));

        var timer = Stopwatch.StartNew();
        (await api.Service<ProjectionProgress>().WaitForAsync("balances", position, TimeSpan.FromSeconds(10), CancellationToken.None))
            .ShouldBeTrue("the hole of a rolled-back append stalled the balances projection");
        output.WriteLine($"balances passed the hole {timer.ElapsedMilliseconds} ms after the next write was acknowledged");
    }
}
