using System.Net;
using Ledger.Domain.Accounts;
using Ledger.Projections.Accounts;
using Ledger.Tests.Infrastructure;

namespace Ledger.Tests.ReadSide;

/// <summary>
/// After a concurrent storm of writes through HTTP, once the daemon's checkpoints reach the head of the
/// log, the read side must say exactly what the write side and the event log say.
/// </summary>
public sealed class ConvergenceTests(ConvergenceTests.StormApi api) : IClassFixture<ConvergenceTests.StormApi>
{
    /// <summary>Small daemon batches, so the storm's events cross many batch boundaries; the storm runs once per class.</summary>
    public sealed class StormApi : LedgerApiFactory
    {
        private Task<TransferStorm>? _storm;

        public StormApi() => Settings["Ledger:Projections:BatchSize"] = "17";

        // Tests of one class never run at the same time, so a plain lazy field is enough.
        public Task<TransferStorm> StormAsync() => _storm ??= RunAsync();

        private async Task<TransferStorm> RunAsync()
        {
            var storm = await TransferStorm.RunAsync(this);
            await WaitForProjectionsAsync();
            return storm;
        }
    }

    private sealed record StateRow(Guid Id, string Currency, string Status, bool AllowNegative, long Balance, long Version);

    private sealed record HistoryRow(Guid AccountId, long Version, Guid TransferId, string Direction, long Amount, Guid Counterparty, long BalanceAfter);

    private Task<List<StateRow>> StatesAsync(string table) => api.QueryAsync(
        $"SELECT id, currency, status, allow_negative, balance, version FROM {{schema}}.{table} ORDER BY id",
        r => new StateRow(r.GetGuid(0), r.GetString(1), r.GetString(2), r.GetBoolean(3), r.GetInt64(4), r.GetInt64(5)));

    private Task<List<HistoryRow>> HistoryAsync() => api.QueryAsync(
        "SELECT account_id, version, transfer_id, direction, amount, counterparty_id, balance_after FROM {schema}.transactions ORDER BY account_id, version",
        r => new HistoryRow(r.GetGuid(0), r.GetInt64(1), r.GetGuid(2), r.GetString(3), r.GetInt64(4), r.GetGuid(5), r.GetInt64(6)));

    [Fact]
    public async Task the_storm_mixes_accepted_writes_with_every_kind_of_business_rejection()
    {
        var storm = await api.StormAsync();

        storm.Requests.Count.ShouldBe(TransferStorm.Workers * TransferStorm.RequestsPerWorker);
        storm.Requests.ShouldAllBe(r => r.Status == HttpStatusCode.Created || r.Status == HttpStatusCode.UnprocessableEntity);
        storm.Requests.Count(r => r.Status == HttpStatusCode.Created).ShouldBeGreaterThan(500);
        foreach (var kind in new[] { "transfer", "deposit", "withdrawal" })
            storm.Requests.ShouldContain(r => r.Kind == kind && r.Status == HttpStatusCode.Created);
        storm.Requests.Where(r => r.Status != HttpStatusCode.Created).Select(r => r.Code).Distinct().OrderBy(c => c)
            .ShouldBe(["account_frozen", "account_not_found", "currency_mismatch", "insufficient_funds"]);
    }

    [Fact]
    public async Task once_the_checkpoints_reach_the_head_the_balances_view_equals_the_write_side_snapshots_row_for_row()
    {
        await api.StormAsync();

        // Every column of every row, both ways: nothing missing, nothing extra, nothing different.
        (await api.ScalarAsync<long>("SELECT count(*) FROM (SELECT * FROM {schema}.balances EXCEPT SELECT * FROM {schema}.account_snapshots) d")).ShouldBe(0);
        (await api.ScalarAsync<long>("SELECT count(*) FROM (SELECT * FROM {schema}.account_snapshots EXCEPT SELECT * FROM {schema}.balances) d")).ShouldBe(0);
        var view = await StatesAsync("balances");
        view.ShouldBe(await StatesAsync("account_snapshots"));
        // 20 accounts and one settlement account per supported currency (all opened at start-up).
        view.Count.ShouldBe(20 + api.Service<Ledger.Api.Hosting.LedgerOptions>().Currencies.Length);
    }

    [Fact]
    public async Task the_balances_view_equals_a_replay_of_every_account_stream_and_what_the_accepted_answers_imply()
    {
        var storm = await api.StormAsync();
        // Settlement accounts of currencies the storm never moved exist too, untouched since start-up.
        var view = (await StatesAsync("balances")).Where(v => storm.ExpectedBalances.ContainsKey(v.Id) || v.Version > 1).ToList();
        view.Select(v => v.Id).ShouldBe(storm.ExpectedBalances.Keys, ignoreOrder: true);
        foreach (var row in view)
        {
            var events = await api.StreamAsync(row.Id);
            var replayed = AccountEvolution.Replay(events.Select(e => (IAccountEvent)e.Data))!;
            replayed.ShouldNotBeNull();
            var context = $"account {row.Id}";
            row.Balance.ShouldBe(replayed.BalanceMinor, context);
            row.Version.ShouldBe(replayed.Version, context);
            row.Version.ShouldBe(events.Count, context);
            row.Status.ShouldBe(AccountRow.StatusText(replayed.Status), context);
            row.Currency.ShouldBe(replayed.Currency, context);
            row.Balance.ShouldBe(storm.ExpectedBalances[row.Id], context);
            row.Status.ShouldBe(row.Id == storm.Frozen ? "frozen" : "active", context);
        }
    }

    [Fact]
    public async Task the_api_serves_each_account_as_the_write_side_has_it()
    {
        var storm = await api.StormAsync();
        var client = api.Client();

        var snapshots = (await StatesAsync("account_snapshots")).ToDictionary(s => s.Id);
        foreach (var id in storm.ExpectedBalances.Keys)
        {
            var account = await client.GetOkAsync($"/accounts/{id}");
            var balance = await client.GetOkAsync($"/accounts/{id}/balance");
            var snapshot = snapshots[id];
            account["balance"]!.GetValue<long>().ShouldBe(snapshot.Balance);
            account["version"]!.GetValue<long>().ShouldBe(snapshot.Version);
            account["status"]!.GetValue<string>().ShouldBe(snapshot.Status);
            balance["balance"]!.GetValue<long>().ShouldBe(snapshot.Balance);
            balance["version"]!.GetValue<long>().ShouldBe(snapshot.Version);
            balance["currency"]!.GetValue<string>().ShouldBe(snapshot.Currency);
        }
    }

    [Fact]
    public async Task every_currency_sums_to_zero_in_the_balances_view_and_no_ordinary_account_is_negative()
    {
        await api.StormAsync();

        var sums = await api.QueryAsync("SELECT currency, sum(balance)::bigint, count(*) FROM {schema}.balances GROUP BY currency ORDER BY currency",
            r => (Currency: r.GetString(0), Sum: r.GetInt64(1), Count: r.GetInt64(2)));
        // Currencies the storm never moved hold only their settlement account (opened at start-up) at zero.
        sums.Where(s => s.Count > 1).ShouldBe([("EUR", 0L, 11L), ("USD", 0L, 11L)]);
        sums.Where(s => s.Count == 1).ShouldAllBe(s => s.Sum == 0);
        (await api.ScalarAsync<long>("SELECT count(*) FROM {schema}.balances WHERE NOT allow_negative AND balance < 0")).ShouldBe(0);
        // The settlement accounts stand for the outside world, which paid in the initial balances and more.
        (await api.ScalarAsync<long>("SELECT count(*) FROM {schema}.balances WHERE is_settlement AND balance < 0")).ShouldBe(2);
    }

    [Fact]
    public async Task every_account_history_chains_from_zero_to_its_balance_and_every_transfer_has_one_debit_and_one_credit()
    {
        var storm = await api.StormAsync();
        var balances = (await StatesAsync("balances")).ToDictionary(b => b.Id);
        var history = await HistoryAsync();

        foreach (var (id, balance) in balances)
        {
            var rows = history.Where(h => h.AccountId == id).ToList();
            var events = await api.StreamAsync(id);
            // One row per money event, at that event's stream version.
            rows.Select(r => r.Version).ShouldBe(events.Where(e => e.Data is AccountCredited or AccountDebited).Select(e => e.Version));
            var running = 0L;
            foreach (var row in rows)
            {
                row.Amount.ShouldBeGreaterThan(0);
                running += row.Direction switch
                {
                    "credit" => row.Amount,
                    "debit" => -row.Amount,
                    _ => throw new ShouldAssertException($"direction '{row.Direction}'"),
                };
                row.BalanceAfter.ShouldBe(running, $"account {id} version {row.Version}");
            }
            running.ShouldBe(balance.Balance, $"account {id}: the last balanceAfter is the balance");
        }

        var byTransfer = history.GroupBy(h => h.TransferId).ToList();
        byTransfer.Count.ShouldBe(storm.AcceptedMovements);
        foreach (var legs in byTransfer)
        {
            var debit = legs.Where(l => l.Direction == "debit").ShouldHaveSingleItem();
            var credit = legs.Where(l => l.Direction == "credit").ShouldHaveSingleItem();
            legs.Count().ShouldBe(2);
            debit.Amount.ShouldBe(credit.Amount);
            debit.Counterparty.ShouldBe(credit.AccountId);
            credit.Counterparty.ShouldBe(debit.AccountId);
        }
    }

    [Fact]
    public async Task paging_an_account_history_through_the_api_returns_every_leg_once_newest_first()
    {
        var storm = await api.StormAsync();
        var client = api.Client();
        var history = await HistoryAsync();
        var busiest = storm.Accounts.Select(a => a.Id).MaxBy(id => history.Count(h => h.AccountId == id));
        var settlement = SettlementAccounts.IdFor("USD");

        foreach (var accountId in new[] { busiest, settlement })
        {
            var expected = history.Where(h => h.AccountId == accountId).OrderByDescending(h => h.Version).ToList();
            expected.Count.ShouldBeGreaterThan(20);
            var (items, pages) = await client.ReadHistoryAsync(accountId, limit: 7);

            pages.ShouldBeGreaterThanOrEqualTo(expected.Count / 7);
            items.Select(i => (
                    i["transferId"]!.GetValue<Guid>(), i["direction"]!.GetValue<string>(), i["amount"]!.GetValue<long>(),
                    i["counterpartyId"]!.GetValue<Guid>(), i["balanceAfter"]!.GetValue<long>()))
                .ShouldBe(expected.Select(e => (e.TransferId, e.Direction, e.Amount, e.Counterparty, e.BalanceAfter)));
            var timestamps = items.Select(i => i["timestamp"]!.GetValue<DateTimeOffset>()).ToList();
            timestamps.ShouldBe(timestamps.OrderByDescending(t => t).ToList());
            items[0]["balanceAfter"]!.GetValue<long>().ShouldBe(storm.ExpectedBalances[accountId]);
        }
    }
}
